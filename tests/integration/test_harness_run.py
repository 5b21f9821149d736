"""Tests of `make run`'s supervisor (scripts/supervise.py with scripts/localdb.sh).

The scripts are copied into a scratch repo whose build folder holds stand-in programs, so
the real flow runs: a private PostgreSQL cluster under <scratch>/var/pg, `merpati migrate`
(a stand-in that writes through psql, proving the database is up with role and database
merpati), the services started with prefixed logs, one that keeps dying restarted with
back-off, and everything stopped on SIGTERM, PostgreSQL last.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_BIN = "/usr/lib/postgresql/15/bin"

SERVICE = """#!/bin/bash
echo "standin started pid=$$ admin=$MERPATI_ADMIN_LISTEN smtp=$MERPATI_SMTP_LISTEN mda=$MERPATI_MDA_ENDPOINT"
echo $$ >> "$(dirname "$0")/pids"
trap 'echo "standin stopping"; exit 0' TERM
while :; do sleep 0.1; done
"""

DYING_SERVICE = """#!/bin/bash
echo "standin dying"
exit 3
"""

CLI = """#!/bin/bash
# stand-in for `merpati migrate`: the default database is the cluster under var/pg
root=$(cd "$(dirname "$0")/../.." && pwd)
psql -X -q -v ON_ERROR_STOP=1 -h "$root/var/pg" -U merpati -d merpati \\
    -c "CREATE TABLE IF NOT EXISTS migrated (at timestamptz DEFAULT now()); INSERT INTO migrated DEFAULT VALUES"
"""


def write_exe(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def scratch():
    """scratch - a repo-like folder with the run scripts and stand-in binaries"""
    root = Path(tempfile.mkdtemp(prefix="merpati-run-"))
    root.chmod(0o755)   # the postgres user must reach var/pg
    for f in ["localdb.sh", "supervise.py", "programs.py"]:
        write_exe(root / "scripts" / f, (REPO / "scripts" / f).read_text())
    write_exe(root / "build/services/bus/merpati-bus", SERVICE)
    write_exe(root / "build/services/smtp-in/merpati-smtp-in", SERVICE)
    write_exe(root / "build/services/mda/merpati-mda", DYING_SERVICE)
    write_exe(root / "build/admin/merpati", CLI)
    yield root
    subprocess.run([str(root / "scripts/localdb.sh"), "stop"], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


def wait_for(read, text, timeout):
    """wait_for - poll read() until text appears; the output so far"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = read()
        if text in out:
            return out
        time.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear within {timeout}s:\n{read()}")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_supervisor_runs_restarts_and_stops_everything(scratch):
    log = scratch / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERPATI_")}
    env["MERPATI_SMTP_LISTEN"] = "127.0.0.1:2525"
    with open(log, "wb") as out:
        sup = subprocess.Popen([sys.executable, str(scratch / "scripts/supervise.py")],
                               env=env, stdout=out, stderr=subprocess.STDOUT, cwd=scratch)
    try:
        read = log.read_text
        assert "PostgreSQL is up" in wait_for(read, "endpoints:", 180)
        wait_for(read, "mda exited with status 3; restart in 2s", 15)
        sup.send_signal(signal.SIGTERM)
        assert sup.wait(60) == 0
    finally:
        if sup.poll() is None:
            sup.kill()
    text = read()

    assert "bus          | standin started" in text
    assert "smtp-in      | standin started" in text
    assert "mda exited with status 3; restart in 1s" in text
    assert "mda exited with status 3; restart in 2s" in text
    assert "MERPATI_SMTP_LISTEN=127.0.0.1:2525" in text
    assert "MERPATI_SUBMISSION_LISTEN=:587 (default)" in text
    assert "binds MERPATI_EVENTS_PUB=" in text
    assert "bus          | standin stopping" in text
    assert text.index("smtp-in      | standin stopping") < text.index("PostgreSQL stopped")
    for pid in map(int, (scratch / "build/services/bus/pids").read_text().split()):
        assert not pid_alive(pid)
    status = subprocess.run([str(scratch / "scripts/localdb.sh"), "status"])
    assert status.returncode != 0


def test_migrations_reach_the_cluster_and_survive_a_second_run(scratch):
    for _ in range(2):
        sup = subprocess.Popen([sys.executable, str(scratch / "scripts/supervise.py")],
                               env={k: v for k, v in os.environ.items()
                                    if not k.startswith("MERPATI_")},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=scratch)
        deadline = time.monotonic() + 180
        seen = b""
        while b"endpoints:" not in seen and time.monotonic() < deadline:
            seen += sup.stdout.readline()
        sup.send_signal(signal.SIGINT)
        seen += sup.communicate(timeout=60)[0]
        assert sup.returncode == 0, seen.decode()
    subprocess.run([str(scratch / "scripts/localdb.sh"), "start"], check=True,
                   capture_output=True)
    count = subprocess.run(["psql", "-X", "-A", "-t", "-h", str(scratch / "var/pg"), "-U",
                            "merpati", "-d", "merpati", "-c", "SELECT count(*) FROM migrated"],
                           capture_output=True, text=True, check=True)
    assert count.stdout.strip() == "2"


def clean_env(**extra):
    """clean_env - this environment without MERPATI_* variables, plus extra"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERPATI_")}
    env.update(extra)
    return env


def run_briefly(scratch, env, until=("admin CLI",)):
    """run_briefly - run the supervisor until every text in until was printed (or it
    exited), SIGTERM it; its exit status and whole output"""
    sup = subprocess.Popen([sys.executable, str(scratch / "scripts/supervise.py")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=scratch)
    chunks = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(sup.stdout.readline, b"")),
                              daemon=True)
    reader.start()
    # initdb and the first start take seconds alone, much longer on a loaded 2-core machine;
    # the services print their first line whenever the scheduler lets them, so wait for it
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and sup.poll() is None:
        seen = b"".join(chunks).decode(errors="replace")
        if all(text in seen for text in until):
            break
        time.sleep(0.1)
    if sup.poll() is None:
        sup.send_signal(signal.SIGTERM)
    sup.wait(timeout=60)
    reader.join(timeout=10)
    return sup.returncode, b"".join(chunks).decode(errors="replace")


def test_port_offset_moves_every_default_port(scratch):
    rc, text = run_briefly(scratch, clean_env(MERPATI_PORT_OFFSET="30000",
                                              MERPATI_SMTP_IN_ADMIN_LISTEN="127.0.0.1:4321",
                                              MERPATI_ADMIN_LISTEN=":1"),
                           until=("admin CLI", "bus          | standin started",
                                  "smtp-in      | standin started"))
    assert rc == 0, text
    assert "bus          | standin started" in text and "admin=:39100" in text
    assert "admin=127.0.0.1:4321 smtp=:30025 mda=tcp://127.0.0.1:37001" in text
    assert "MERPATI_SUBMISSIONS_LISTEN=:30465" in text
    assert "MERPATI_ADMIN_LISTEN is per program and not passed on" in text
    assert "admin=:1 " not in text


def test_bad_port_offset_stops_with_status_2(scratch):
    rc, text = run_briefly(scratch, clean_env(MERPATI_PORT_OFFSET="60000"))
    assert rc == 2
    assert "MERPATI_PORT_OFFSET='60000': must be a number from 0 to" in text
    assert "standin started" not in text
