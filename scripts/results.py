#!/usr/bin/python3
"""results - count passed, failed and skipped tests from a test runner's report file.

    results.py meson build/meson-logs/testlog.json    (one JSON object per test)
    results.py junit report.xml                        (pytest --junitxml)

prints "PASSED FAILED SKIPPED" on one line. A missing or unreadable report counts as one
failed test ("0 1 0", exit status 1): a runner that wrote no report did not pass.
"""
import json
import sys
import xml.etree.ElementTree as ET

MESON_PASSED = {"OK", "EXPECTEDFAIL"}
MESON_SKIPPED = {"SKIP"}


def count_meson(path):
    """count_meson - tally the "result" of each line of a meson testlog.json"""
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            result = json.loads(line).get("result", "")
            if result in MESON_PASSED:
                passed += 1
            elif result in MESON_SKIPPED:
                skipped += 1
            else:               # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT
                failed += 1
    return passed, failed, skipped


def count_junit(path):
    """count_junit - sum the testsuite counters of a JUnit XML report"""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failures = errors = skipped = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failures += int(s.get("failures", 0))
        errors += int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    # A test that passed but errored at teardown is counted in both "tests" and "errors".
    passed = max(tests - failures - errors - skipped, 0)
    return passed, failures + errors, skipped


def main(argv):
    """main - print the three counts of one report"""
    if len(argv) != 3 or argv[1] not in ("meson", "junit"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        counts = (count_meson if argv[1] == "meson" else count_junit)(argv[2])
    except (OSError, ValueError, ET.ParseError) as e:
        print(f"results: cannot read {argv[2]}: {e}", file=sys.stderr)
        print("0 1 0")
        return 1
    print(*counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
