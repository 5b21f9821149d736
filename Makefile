# Makefile - the commands people type; Meson and Ninja do the building (README.md).
#
#   make            build (build/), and ./merpati -> build/admin/merpati
#   make deps       install the Debian packages that are missing (scripts/debian-packages.txt)
#   make run        PostgreSQL under ./var and every built service, in the foreground
#   make test       normal and sanitizer builds, unit, fuzz replay, valgrind, integration;
#                   ends with "N passed, N failed, N skipped"
#   make valgrind   the unit tests under valgrind
#   make fuzz       clang + libFuzzer build, each target for FUZZ_SECONDS (default 60)
#   make bench      smtp-accept against Postfix, pop3 and imap against Dovecot (docs/BENCHMARKS.md)
#   make clean      remove the build folders (./var, the local database, stays)

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
export BUILD ASAN_BUILD FUZZ_BUILD

.PHONY: all build deps run test valgrind fuzz bench clean

all: build

build:
	@scripts/build.sh $(BUILD) --link

deps:
	@scripts/deps.sh

run:
	@scripts/run.sh

test:
	@scripts/test.sh

valgrind: build
	@scripts/valgrind.sh $(BUILD)

fuzz:
	@scripts/fuzz.sh

# bench - Merpati against Postfix and Dovecot in the same run (docs/BENCHMARKS.md); as root
bench: build
	@bench/smtp-accept/run --build $(BUILD)
	@bench/pop3/run --build $(BUILD)
	@bench/imap/run --build $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
	rm -f merpati
