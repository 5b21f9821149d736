"""stack - start Merpati's programs for one test, on free loopback ports.

    def test_kick(stack):
        mda = stack.start("mda")
        smtp = stack.start("smtp-in", plaintext_auth="always")
        host, port = smtp.listen("MERPATI_SUBMISSION_LISTEN")
        ...
        stack.kill("mda")                  # SIGKILL, for crash tests
        stack.restart("mda")               # same ports, same environment
        mda.wait_log("event=ready")         # poll the program's log
        out = stack.merpati("user", "list")

Every program of a stack gets:
  - MERPATI_DB from the session's `pg` fixture (harness/pg.py);
  - a free 127.0.0.1 port for each of its listeners and for MERPATI_ADMIN_LISTEN;
  - the stack's ZeroMQ endpoints: one free port per endpoint for the whole stack, so the
    mda's PULL is where smtp-in PUSHes (MERPATI_*_ENDPOINT to connect, MERPATI_*_BIND to
    bind on 127.0.0.1 only);
  - its own MERPATI_STATE_DIR;
  - MERPATI_DNS_FORWARDER on a loopback port nothing answers, unless the test gives one, so
    a resolver never sends a query beyond this machine.
The test's env= overrides any of these. MERPATI_* variables of the pytest process itself
are not passed on. Binaries come from $MERPATI_BUILD_DIR (default: build).

Each program's stdout and stderr go to <tmp_path>/stack/<name>.log. When a test fails, the
logs of the programs it started are printed with the failure. At teardown the test fails
when a log holds a sanitizer report (AddressSanitizer, LeakSanitizer, UndefinedBehavior-
Sanitizer) or when a program exited with a non-zero status that the test did not cause
(stop, kill, restart, or a start that raised): a service that crashes or misbehaves under
the sanitizers cannot pass unseen.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "scripts"))
from programs import ENDPOINTS, PROGRAMS  # noqa: E402  (the one table of programs)

READY_TIMEOUT = float(os.environ.get("MERPATI_READY_TIMEOUT", "30"))
STOP_TIMEOUT = 15.0           # seconds between SIGTERM and SIGKILL (sanitizers exit slowly)
CLI_TIMEOUT = 120.0           # one `merpati` command
LOG_TAIL_BYTES = 32 * 1024    # how much of each log a failure report shows
SANITIZER_MARKS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "ERROR: UndefinedBehaviorSanitizer",
    ": runtime error: ",
)

_ports_given = set()          # ports handed out in this pytest process, never twice


class StackError(Exception):
    """StackError - a program did not start, did not become ready, or misbehaved."""


def build_dir():
    """build_dir - the build folder whose binaries the tests run"""
    d = Path(os.environ.get("MERPATI_BUILD_DIR", "build"))
    return d if d.is_absolute() else REPO / d


def free_port():
    """free_port - a TCP port on 127.0.0.1 nobody listens on, not handed out before"""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port
    raise StackError("no free loopback port found")


def read_tail(path, limit=LOG_TAIL_BYTES):
    """read_tail - the last limit bytes of a file as text ("" when it does not exist)"""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            data = f.read()
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", "replace")
    return text if size <= limit else "[...]\n" + text


def connection_refused(port):
    """connection_refused - True when a connection to 127.0.0.1:port is refused (nobody
    listens there, as after a graceful stop began)"""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def http_status(port, path, timeout=1.0):
    """http_status - status of GET http://127.0.0.1:port/path, or None if it does not answer"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def port_accepts(port, timeout=0.5):
    """port_accepts - True when a TCP connection to 127.0.0.1:port succeeds"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def hostport(value):
    """hostport - ("127.0.0.1", 2525) from "127.0.0.1:2525" """
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def base_env():
    """base_env - this process's environment without its MERPATI_* variables"""
    return {k: v for k, v in os.environ.items() if not k.startswith("MERPATI_")}


class Proc:
    """Proc - one running program of a stack: its command, environment, ports and log."""

    def __init__(self, name, program, argv, env, log_path, ready):
        self.name = name
        self.program = program    # the PROGRAMS entry, or None for a program of the test's
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.ready = ready
        self.popen = None
        self.starts = 0
        self.exit_expected = False    # set when the test stops or kills it

    @property
    def pid(self):
        return self.popen.pid

    @property
    def returncode(self):
        return self.popen.poll()

    def running(self):
        """running - True while the process has not exited"""
        return self.popen is not None and self.popen.poll() is None

    def listen(self, var):
        """listen - (host, port) of one of the program's listener variables"""
        return hostport(self.env[var])

    def port(self, var):
        """port - the port of a listener variable, e.g. port("MERPATI_SMTP_LISTEN")"""
        return self.listen(var)[1]

    @property
    def admin_port(self):
        return self.port("MERPATI_ADMIN_LISTEN")

    def log(self):
        """log - everything the program wrote so far"""
        return Path(self.log_path).read_text("utf-8", "replace")

    def wait_log(self, text, timeout=READY_TIMEOUT):
        """wait_log - wait until the log holds text (e.g. "event=ready"); StackError if not"""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                raise StackError(f"{self.name}: {text!r} not in its log after {timeout:.0f}s;"
                                 f" log {self.log_path}:\n{read_tail(self.log_path)}")
            time.sleep(0.05)

    def spawn(self):
        """spawn - start the process, appending its output to its log file"""
        self.starts += 1
        self.exit_expected = False
        with open(self.log_path, "ab") as log:
            if self.starts > 1:
                log.write(f"--- start {self.starts} ---\n".encode())
                log.flush()
            self.popen = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True, cwd=str(REPO))

    def is_ready(self):
        """is_ready - the readiness check: /healthz answers 200, or every listener accepts"""
        if self.ready == "healthz":
            return http_status(self.admin_port, "/healthz") == 200
        if self.ready == "ports":
            listens = self.program.listens if self.program else {}
            return all(port_accepts(self.port(v)) for v in listens)
        return True

    def wait_ready(self, timeout):
        """wait_ready - poll until ready; StackError with the log if it exits or times out"""
        deadline = time.monotonic() + timeout
        while True:
            rc = self.popen.poll()
            if rc is not None:
                self.exit_expected = True     # the test got the StackError
                raise StackError(f"{self.name} exited with status {rc} before it was ready;"
                                 f" log {self.log_path}:\n{read_tail(self.log_path)}")
            if self.is_ready():
                return
            if time.monotonic() > deadline:
                self.exit_expected = True
                raise StackError(f"{self.name} not ready ({self.ready}) after {timeout:.0f}s;"
                                 f" log {self.log_path}:\n{read_tail(self.log_path)}")
            time.sleep(0.05)

    def signal(self, sig):
        """signal - send sig to the process if it still runs; its exit is the test's doing"""
        self.exit_expected = True
        if self.running():
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self, timeout=STOP_TIMEOUT):
        """terminate - SIGTERM, then SIGKILL after timeout; the exit status"""
        self.signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.popen.wait()


class Stack:
    """Stack - the programs one test started, sharing one database and one set of endpoints."""

    def __init__(self, pg, directory):
        self.pg = pg
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.procs = {}
        self.endpoints = {}
        self.cli = str(build_dir() / "admin" / "merpati")
        self.logs_shown = False

    def endpoint(self, var):
        """endpoint - the stack's URL for a ZeroMQ endpoint variable, allocated on first use"""
        if var not in self.endpoints:
            self.endpoints[var] = f"tcp://127.0.0.1:{free_port()}"
        return self.endpoints[var]

    def shared_env(self):
        """shared_env - what every program and the CLI of this stack get"""
        env = base_env()
        env["MERPATI_DB"] = self.pg.env["MERPATI_DB"]
        for var, (bind_var, _default) in ENDPOINTS.items():
            env[var] = self.endpoint(var)
            env[bind_var] = self.endpoint(var)
        return env

    def program_env(self, name, program, plaintext_auth, extra):
        """program_env - the environment of one program: shared, its ports, the test's env"""
        env = self.shared_env()
        state = self.dir / name / "state"
        state.mkdir(parents=True, exist_ok=True)
        env["MERPATI_STATE_DIR"] = str(state)
        env["MERPATI_ADMIN_LISTEN"] = f"127.0.0.1:{free_port()}"
        env["MERPATI_DNS_FORWARDER"] = f"127.0.0.1@{free_port()}"
        for var in (program.listens if program else {}):
            env[var] = f"127.0.0.1:{free_port()}"
        if plaintext_auth is not None:
            env["MERPATI_PLAINTEXT_AUTH"] = plaintext_auth
        # a session a test leaves in a transaction must not hold a stop past STOP_TIMEOUT
        env["MERPATI_SHUTDOWN_GRACE"] = "5s"
        env.update(extra or {})
        return env

    def start(self, program, env=None, name=None, argv=None, plaintext_auth=None,
              ready="healthz", timeout=READY_TIMEOUT):
        """start - run a program ("smtp-in", "mda", ...) and wait until it is ready.

        name: instance name when running several of one program (default: program).
        argv: command to run instead of the built binary (stand-ins, wrappers).
        ready: "healthz" (admin port answers 200), "ports" (listeners accept) or None.
        """
        name = name or program
        if name in self.procs:
            raise StackError(f"{name} already started in this stack")
        spec = PROGRAMS.get(program)
        if argv is None:
            if spec is None:
                raise StackError(f"unknown program {program!r} (known: {', '.join(PROGRAMS)})")
            binary = spec.binary(build_dir())
            if not os.access(binary, os.X_OK):
                raise StackError(f"{binary} is not built")
            argv = [binary]
        proc = Proc(name, spec, list(argv),
                    self.program_env(name, spec, plaintext_auth, env),
                    str(self.dir / f"{name}.log"), ready)
        self.procs[name] = proc
        proc.spawn()
        proc.wait_ready(timeout)
        return proc

    def __getitem__(self, name):
        return self.procs[name]

    def stop(self, name, timeout=STOP_TIMEOUT):
        """stop - SIGTERM a program (SIGKILL after timeout); its exit status"""
        return self.procs[name].terminate(timeout)

    def kill(self, name, sig=signal.SIGKILL, timeout=STOP_TIMEOUT):
        """kill - send sig and wait for the exit; its exit status (-9 for SIGKILL)"""
        proc = self.procs[name]
        proc.signal(sig)
        return proc.popen.wait(timeout)

    def restart(self, name, timeout=READY_TIMEOUT):
        """restart - stop if running, start again with the same ports and environment"""
        proc = self.procs[name]
        if proc.running():
            proc.terminate()
        proc.spawn()
        proc.wait_ready(timeout)
        return proc

    def merpati(self, *args, input=None, env=None, timeout=CLI_TIMEOUT):
        """merpati - run the admin CLI against the stack's database; a CompletedProcess"""
        full_env = self.shared_env()
        full_env.update(env or {})
        return subprocess.run([self.cli, *map(str, args)], input=input, env=full_env,
                              capture_output=True, text=True, timeout=timeout, cwd=str(REPO))

    def log_tails(self):
        """log_tails - [(name, path, last part of its log)] for every program started"""
        return [(p.name, p.log_path, read_tail(p.log_path)) for p in self.procs.values()]

    def sanitizer_reports(self):
        """sanitizer_reports - names of the programs whose log holds a sanitizer report"""
        found = []
        for p in self.procs.values():
            text = Path(p.log_path).read_text("utf-8", "replace")
            if any(mark in text for mark in SANITIZER_MARKS):
                found.append(p.name)
        return found

    def unexpected_exits(self):
        """unexpected_exits - "name (status N)" of programs that died without the test's say"""
        return [f"{p.name} (status {p.popen.poll()})" for p in self.procs.values()
                if p.popen is not None and not p.exit_expected and p.popen.poll() not in (None, 0)]

    def close(self):
        """close - stop every program still running (newest first); the unexpected exits"""
        died = self.unexpected_exits()
        for proc in reversed(list(self.procs.values())):
            if proc.popen is not None:
                proc.terminate()
        return died


@pytest.fixture
def stack(pg, tmp_path):
    """stack - a Stack for one test; stops its programs, checks for crashes and sanitizers"""
    s = Stack(pg, tmp_path / "stack")
    yield s
    died = s.close()
    bad = s.sanitizer_reports()
    problems = []
    if died:
        problems.append(f"exited during the test: {', '.join(died)}")
    if bad:
        problems.append(f"sanitizer report in the log of: {', '.join(bad)}")
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """pytest_runtest_makereport - add the stack's logs to the report of a failing test"""
    outcome = yield
    rep = outcome.get_result()
    s = getattr(item, "funcargs", {}).get("stack")
    if not rep.failed or not isinstance(s, Stack) or s.logs_shown:
        return
    s.logs_shown = True
    for name, path, text in s.log_tails():
        rep.sections.append((f"merpati log: {name} ({path})", text or "(empty)"))
