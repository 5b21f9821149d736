#!/usr/bin/python3
"""supervise - the foreground supervisor of `make run`.

Starts the private PostgreSQL cluster (scripts/localdb.sh) unless MERPATI_DB names another
database, applies the migrations with `merpati migrate`, starts every service binary that
is built (<build>/services/<name>/merpati-<name>), prefixes each line they log with the
service's name, prints the endpoints, restarts a service that dies (with back-off), and on
Ctrl-C or SIGTERM stops the services (newest first) and then PostgreSQL.

    scripts/supervise.py [--build DIR]

Ports and endpoints come from the MERPATI_* variables, as for the services themselves, so
several stacks can run side by side (docs/ARCHITECTURE.md). Two more are read here only:
  MERPATI_PORT_OFFSET=N          every listener, endpoint and admin port not set explicitly
                                 is its default plus N (20000: 25 -> 20025, 9100 -> 29100)
  MERPATI_<NAME>_ADMIN_LISTEN    one program's admin port, e.g. MERPATI_SMTP_IN_ADMIN_LISTEN
                                 (MERPATI_ADMIN_LISTEN is per program: one value for all of
                                 them would clash, so it is not passed on)
"""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from programs import ENDPOINTS, PROGRAMS, listen_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BACKOFF_FIRST = 1.0     # seconds before the first restart of a service that died
BACKOFF_MAX = 30.0      # the delay doubles up to this
STABLE_AFTER = 60.0     # a service that ran this long starts again from BACKOFF_FIRST
STOP_TIMEOUT = 10.0     # seconds between SIGTERM and SIGKILL
LINE_MAX = 8192         # longest log line passed through whole
EXIT_CONFIG = 2         # lib/config: a MERPATI_* value does not parse
PORT_MAX = 65535

_print_lock = threading.Lock()


def say(prefix, text):
    """say - one line on stdout, "prefix | text", never interleaved with another"""
    with _print_lock:
        sys.stdout.write(f"{prefix:<12} | {text}\n")
        sys.stdout.flush()


class Service:
    """Service - one supervised program: start, pump its log, restart with back-off, stop."""

    def __init__(self, name, binary, env):
        self.name = name
        self.binary = binary
        self.env = env
        self.proc = None
        self.started_at = 0.0
        self.failures = 0
        self.restart_at = None

    def start(self):
        """start - spawn in its own session, so a terminal's Ctrl-C reaches only us"""
        self.proc = subprocess.Popen([self.binary], env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, cwd=str(ROOT))
        self.started_at = time.monotonic()
        self.restart_at = None
        threading.Thread(target=self.pump, args=(self.proc.stdout,), daemon=True).start()

    def pump(self, pipe):
        """pump - copy the program's output line by line, prefixed with its name"""
        for raw in iter(lambda: pipe.readline(LINE_MAX), b""):
            say(self.name, raw.decode("utf-8", "replace").rstrip("\n"))
        pipe.close()

    def check(self, now):
        """check - notice an exit and schedule a restart; restart when it is due"""
        if self.restart_at is not None:
            if now >= self.restart_at:
                say("merpati", f"restarting {self.name}")
                self.start()
            return
        rc = self.proc.poll()
        if rc is None:
            return
        if now - self.started_at >= STABLE_AFTER:
            self.failures = 0
        self.failures += 1
        delay = min(BACKOFF_FIRST * 2 ** (self.failures - 1), BACKOFF_MAX)
        why = " (a MERPATI_* setting is wrong: see its last line)" if rc == EXIT_CONFIG else ""
        say("merpati", f"{self.name} exited with status {rc}{why}; restart in {delay:.0f}s")
        self.restart_at = now + delay

    def stop(self, sig=signal.SIGTERM):
        """stop - send sig, wait, SIGKILL if it does not exit in time"""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            say("merpati", f"{self.name} ignored SIGTERM for {STOP_TIMEOUT:.0f}s: SIGKILL")
            self.proc.kill()
            self.proc.wait()


def localdb(command):
    """localdb - run scripts/localdb.sh start|stop, out of our terminal's process group"""
    subprocess.run([str(ROOT / "scripts" / "localdb.sh"), command], check=True,
                   start_new_session=True)


def migrate(build):
    """migrate - `merpati migrate` against MERPATI_DB (or the local cluster); False on error"""
    cli = build / "admin" / "merpati"
    if not os.access(cli, os.X_OK):
        say("merpati", f"{cli} is not built yet: migrations not applied")
        return True
    r = subprocess.run([str(cli), "migrate"], start_new_session=True)
    return r.returncode == 0


def unprivileged_port_start():
    """unprivileged_port_start - the lowest port a normal user may bind"""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024


def port_offset(environ):
    """port_offset - MERPATI_PORT_OFFSET as an int; exits 2 when it is not a valid offset"""
    raw = environ.get("MERPATI_PORT_OFFSET") or "0"
    highest = max([listen_port(p.admin) for p in PROGRAMS.values()]
                  + [listen_port(d) for p in PROGRAMS.values() for d in p.listens.values()]
                  + [listen_port(d) for _, d in ENDPOINTS.values()])
    if not raw.isdigit() or int(raw) + highest > PORT_MAX:
        say("merpati", f"MERPATI_PORT_OFFSET={raw!r}: must be a number from 0 to"
            f" {PORT_MAX - highest}")
        sys.exit(EXIT_CONFIG)
    return int(raw)


def shifted(value, offset):
    """shifted - a default ":25" or "tcp://127.0.0.1:7001" with offset added to its port"""
    head, _, port = value.rpartition(":")
    return f"{head}:{int(port) + offset}"


def service_env(name, environ, offset):
    """service_env - the environment one program gets: ports shifted, its own admin port"""
    p = PROGRAMS[name]
    env = {k: v for k, v in environ.items()
           if k not in ("MERPATI_PORT_OFFSET", "MERPATI_ADMIN_LISTEN")}
    if offset:
        for var, default in p.listens.items():
            env.setdefault(var, shifted(default, offset))
        for var, (_bind, default) in ENDPOINTS.items():
            env.setdefault(var, shifted(default, offset))
    own_admin = environ.get(f"MERPATI_{name.upper().replace('-', '_')}_ADMIN_LISTEN")
    if own_admin:
        env["MERPATI_ADMIN_LISTEN"] = own_admin
    elif offset:
        env["MERPATI_ADMIN_LISTEN"] = shifted(p.admin, offset)
    return env


def privileged_hint(services):
    """privileged_hint - as non-root, name the listeners on privileged ports and a way out"""
    if os.geteuid() == 0:
        return
    lowest = unprivileged_port_start()
    low = [f"{var}={s.env.get(var, default)}" for s in services
           for var, default in PROGRAMS[s.name].listens.items()
           if (listen_port(s.env.get(var, default)) or 0) < lowest]
    if not low:
        return
    say("merpati", f"as a normal user, ports below {lowest} need privileges, so these will"
        f" fail to listen: {', '.join(low)}")
    say("merpati", "run as root, or move every port: MERPATI_PORT_OFFSET=20000 make run"
        " (25 -> 20025, 143 -> 20143, ...), or set the MERPATI_*_LISTEN variables")


def value(env, var, default):
    """value - the variable's value as the program sees it"""
    return env.get(var) or f"{default} (default)"


def print_endpoints(services):
    """print_endpoints - where each running program listens, binds and answers /healthz"""
    say("merpati", "endpoints:")
    local = f"host={ROOT / 'var' / 'pg'} dbname=merpati user=merpati (local cluster)"
    say("merpati", f"  database     MERPATI_DB={os.environ.get('MERPATI_DB') or local}")
    for s in services:
        p = PROGRAMS[s.name]
        parts = [f"{v}={value(s.env, v, d)}" for v, d in p.listens.items()]
        parts += [f"binds {v}={value(s.env, v, ENDPOINTS[v][1])}" for v in p.binds]
        parts.append(f"admin={value(s.env, 'MERPATI_ADMIN_LISTEN', p.admin)}")
        say("merpati", f"  {s.name:<12} " + " ".join(parts))
    say("merpati", "  admin CLI    ./merpati (e.g. ./merpati domain add example.test)")


def built_services(build, offset):
    """built_services - [Service] for every program whose binary exists, in start order"""
    found = []
    for name, p in PROGRAMS.items():
        binary = p.binary(build)
        if os.access(binary, os.X_OK):
            found.append(Service(name, binary, service_env(name, os.environ, offset)))
    if os.environ.get("MERPATI_ADMIN_LISTEN"):
        say("merpati", "MERPATI_ADMIN_LISTEN is per program and not passed on: use"
            " MERPATI_<NAME>_ADMIN_LISTEN (e.g. MERPATI_SMTP_IN_ADMIN_LISTEN) or"
            " MERPATI_PORT_OFFSET")
    return found


def run(services, stop_event):
    """run - start the services, then watch them until stop_event is set"""
    for s in services:
        say("merpati", f"starting {s.name}")
        s.start()
    print_endpoints(services)
    if not services:
        say("merpati", "no service is built yet: PostgreSQL is up for ./merpati; Ctrl-C stops")
    while not stop_event.wait(0.2):
        now = time.monotonic()
        for s in services:
            s.check(now)


def main():
    """main - database, migrations, services; stop everything on SIGINT/SIGTERM"""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    args = ap.parse_args()
    build = Path(args.build) if Path(args.build).is_absolute() else ROOT / args.build

    stop_event = threading.Event()
    signals = []

    def on_signal(signum, _frame):
        signals.append(signum)
        stop_event.set()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    offset = port_offset(os.environ)
    own_db = not os.environ.get("MERPATI_DB")
    if own_db:
        try:
            localdb("start")
        except subprocess.CalledProcessError:
            say("merpati", "the local PostgreSQL did not start: see var/pg/postgres.log")
            return 1
    services = []
    try:
        if not migrate(build):
            say("merpati", "merpati migrate failed: not starting the services")
            return 1
        services = built_services(build, offset)
        privileged_hint(services)
        if not stop_event.is_set():
            run(services, stop_event)
        say("merpati", f"stopping ({signal.Signals(signals[0]).name})" if signals else "stopping")
    finally:
        for s in reversed(services):
            s.stop()
        if own_db:
            localdb("stop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
