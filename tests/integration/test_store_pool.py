"""The store pool inside a libevent loop survives PostgreSQL going away and coming back."""
import select
import subprocess
import time

import pytest

from harness.pg import helper


class Driver:
    """Driver - store-pool-driver over pipes: send a command, read answer lines"""

    def __init__(self, pg, threads, log_path):
        self.log = open(log_path, "w")
        self.p = subprocess.Popen([helper("store-pool-driver"), str(threads)], env=pg.env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.log, text=True, bufsize=1)
        assert self.line(15) == "ready"

    def send(self, cmd):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()

    def line(self, timeout):
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)
        assert ready, "no answer from store-pool-driver"
        return self.p.stdout.readline().strip()

    def job(self, n, timeout=30):
        self.send(f"job {n}")
        answer = self.line(timeout)
        assert answer.startswith(f"done {n} "), answer
        return answer.split(" ", 3)[2:]

    def connected(self):
        self.send("connected")
        return int(self.line(10).split()[1])

    def wait_connected(self, want, timeout=10):
        """wait_connected - until `want` workers hold a connection (they connect in parallel)"""
        deadline = time.monotonic() + timeout
        while self.connected() != want and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.connected()

    def close(self):
        """close - quit the driver; a driver that does not exit is killed and reported"""
        if self.p.poll() is None:
            self.send("quit")
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
                self.log.close()
                pytest.fail("store-pool-driver did not exit after quit")
        rc = self.p.returncode
        self.p.stdout.close()
        self.log.close()
        return rc


@pytest.fixture
def probe_table(pg):
    pg.psql("CREATE TABLE IF NOT EXISTS pool_probe (n bigint)")
    yield
    pg.psql("DROP TABLE IF EXISTS pool_probe")


def wait_ok(d, first, deadline_s):
    """wait_ok - submit jobs until one succeeds; returns (its number, answers seen)"""
    seen = []
    n = first
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        status = d.job(n)
        seen.append(status[0])
        if status[0] == "ok":
            return n, seen
        assert status[0] == "unavailable", status  # never a hard error for an outage
        n += 1
        time.sleep(0.2)
    pytest.fail(f"no job succeeded within {deadline_s}s: {seen}")


def test_pool_survives_restart(pg, probe_table, tmp_path):
    d = Driver(pg, 3, tmp_path / "driver.log")
    try:
        for n in range(1, 6):
            assert d.job(n) == ["ok"]
        assert d.wait_connected(3) == 3

        pg.restart()  # every worker's connection is now dead
        n, seen = wait_ok(d, 100, 30)
        # the pool notices dead connections before using them: nothing lost after restart
        assert seen == ["ok"], seen
        for m in range(n + 1, n + 6):
            assert d.job(m) == ["ok"]
        assert d.wait_connected(3) == 3
        assert pg.psql("SELECT count(*) FROM pool_probe") == str(5 + 1 + 5)
    finally:
        assert d.close() == 0


def test_pool_fails_fast_while_down_and_recovers(pg, probe_table, tmp_path):
    d = Driver(pg, 2, tmp_path / "driver.log")
    try:
        assert d.job(1) == ["ok"]
        pg.stop()
        try:
            # with the server gone, jobs complete promptly with a temporary failure
            started = time.monotonic()
            for n in range(2, 6):
                status = d.job(n, timeout=20)
                assert status[0] == "unavailable", status
            assert time.monotonic() - started < 20
            assert d.wait_connected(0) == 0
            # a pool started while the database is down starts anyway and answers
            late = Driver(pg, 2, tmp_path / "late.log")
            assert late.job(999, timeout=20)[0] == "unavailable"
        finally:
            pg.start()
        # back-off is capped at 5 s: the pools reconnect on their own soon after
        n, _ = wait_ok(d, 10, 30)
        m, _ = wait_ok(late, 1000, 30)
        assert late.close() == 0
        assert pg.psql(f"SELECT count(*) FROM pool_probe WHERE n IN (1, {n}, {m})") == "3"
        assert pg.psql("SELECT count(*) FROM pool_probe WHERE n BETWEEN 2 AND 5") == "0"
    finally:
        assert d.close() == 0
