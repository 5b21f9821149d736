"""smtp-in's memory with many large messages at once: each session buffers at most one
message (bounded by MERPATI_SMTP_MAX_MESSAGE_SIZE), so peak RSS grows with the number of
sessions times the message size, and never with what clients try to send beyond it."""
import smtplib
import threading

from test_smtp_support import ALICE, count_with, start_smtp, unique

SESSIONS = 20
SIZE = 10 * 1024 * 1024


def peak_rss_kib(pid):
    """peak_rss_kib - VmHWM of a process (its peak resident set), in KiB"""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def under_asan(pid):
    """under_asan - the process runs with AddressSanitizer's runtime"""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def big_message(marker):
    line = "x" * 76 + "\r\n"
    body = line * (SIZE // len(line))
    return f"From: a@remote.example\r\nTo: {ALICE}\r\nSubject: {marker}\r\n\r\n{body}"


def test_twenty_parallel_ten_megabyte_messages(stack, pg):
    smtp = start_smtp(stack, MERPATI_SMTP_MAX_MESSAGE_SIZE="25M", MERPATI_SMTP_TIMEOUT="120s")
    port = smtp.port("MERPATI_SMTP_LISTEN")
    markers = [unique(f"big{i}") for i in range(SESSIONS)]
    errors = []
    before = peak_rss_kib(smtp.pid)

    def send(marker):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=120) as c:
                c.sendmail("a@remote.example", [ALICE], big_message(marker))
        except Exception as e:  # collected and asserted below
            errors.append(repr(e))

    threads = [threading.Thread(target=send, args=(m,)) for m in markers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    peak = peak_rss_kib(smtp.pid)
    print(f"smtp-in peak RSS: {before} KiB at start, {peak} KiB after {SESSIONS} parallel "
          f"{SIZE // (1024 * 1024)} MB messages")
    assert errors == []
    assert sum(count_with(pg, m) for m in markers) == SESSIONS
    # bounded: a few copies of each message at most (body, contiguous copy, libpq's buffer);
    # AddressSanitizer's quarantine keeps freed blocks a while, so allow it more
    copies = 8 if under_asan(smtp.pid) else 4
    assert peak < before + SESSIONS * copies * SIZE // 1024
