"""procs - running the programs of the bus and resolver tests, which need no database.

`procs` starts programs with their logs under tmp_path and prints the logs at teardown
(pytest shows them only for a failing test); the rest are small helpers shared by
test_bus.py and test_resolver.py.
"""
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness.stack import SANITIZER_MARKS, base_env, build_dir, free_port

TIMEOUT = 20


def helper(name):
    """helper - path of a built helper program"""
    return str(build_dir() / "tests" / "unit" / "bus" / name)


def wait_for(predicate, timeout=TIMEOUT, what="condition"):
    """wait_for - poll predicate until true; fail the test after timeout"""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


class Procs:
    """Procs - programs of one test, each with its own log file."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.items = []

    def start(self, name, argv, env):
        """start - run argv with env (MERPATI_* of pytest itself never leak in)"""
        full = base_env()
        full.update(env)
        log = self.dir / f"{name}.log"
        with open(log, "ab") as f:
            p = subprocess.Popen(argv, env=full, stdout=f, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        p.log_path = log
        p.log = lambda: log.read_text("utf-8", "replace")
        self.items.append((name, p))
        return p

    def stop_all(self):
        """stop_all - SIGTERM, then SIGKILL what does not exit"""
        for _, p in reversed(self.items):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


@pytest.fixture
def procs(tmp_path):
    """procs - programs of one test; their logs are printed at teardown (pytest shows them
    only for a failing test), and a sanitizer report in any log fails the test"""
    ps = Procs(tmp_path)
    yield ps
    ps.stop_all()
    bad = []
    for name, p in ps.items:
        text = p.log()
        print(f"----- log of {name} ({p.log_path}) -----\n{text}")
        if any(mark in text for mark in SANITIZER_MARKS):
            bad.append(name)
    if bad:
        pytest.fail(f"sanitizer report in the log of: {', '.join(bad)}", pytrace=False)


def admin_env():
    port = free_port()
    return port, {"MERPATI_ADMIN_LISTEN": f"127.0.0.1:{port}"}


def curl(port, path):
    """curl - (status, body) of GET with the curl client"""
    out = subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}",
                          f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=10).stdout
    body, _, code = out.rpartition("\n")
    return int(code), body


def metric(body, name):
    """metric - the value of one sample line of a Prometheus text body"""
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics:\n{body}")


