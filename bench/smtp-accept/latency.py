"""latency - the delay from smtp-in's 250 to the message's row in a mailbox.

Client threads (smtplib, one connection each) send messages with unique Message-IDs and note
the wall-clock time of each 250. Once the queue has drained, mailbox_messages.internal_date
(set to now() by the mda's delivery transaction, a few milliseconds before its commit) is
read back for each Message-ID; the differences give p50 and p99.
"""
import smtplib
import threading
import time


def percentile(values, p):
    """percentile - the nearest-rank p-th percentile of a non-empty list"""
    ordered = sorted(values)
    rank = max(1, int(round(p / 100.0 * len(ordered) + 0.5)))
    return ordered[min(rank, len(ordered)) - 1]


def sender(port, domain, users, ids, acked, lock):
    """sender - send the messages named in ids over one connection, noting 250 times"""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.ehlo("client.remote.example")
        for i, msgid in ids:
            rcpt = f"{users[i % len(users)]}@{domain}"
            body = (f"From: <sender@remote.example>\r\nTo: <{rcpt}>\r\nSubject: latency {i}\r\n"
                    f"Message-ID: {msgid}\r\n\r\n" + "latency probe line\r\n" * 200).encode()
            s.sendmail("sender@remote.example", [rcpt], body)
            with lock:
                acked[msgid] = time.time()


def measure_latency(peer, domain, users, count, sessions):
    """measure_latency - (p50, p99, n) in seconds over count messages from sessions threads"""
    tag = time.time_ns()
    ids = [(i, f"<lat.{i}.{tag}@remote.example>") for i in range(count)]
    acked, lock = {}, threading.Lock()
    threads = [threading.Thread(target=sender, args=(peer.port, domain, users,
                                                     ids[k::sessions], acked, lock))
               for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 120
    while peer.queued() > 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    visible = peer.visible_after(list(acked))
    delays = [visible[m] - acked[m] for m in acked if m in visible]
    if len(delays) != len(acked):
        raise RuntimeError(f"{len(acked) - len(delays)} accepted messages not in a mailbox")
    return percentile(delays, 50), percentile(delays, 99), len(delays)
