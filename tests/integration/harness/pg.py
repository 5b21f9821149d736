"""pg - a throwaway PostgreSQL cluster for the integration tests, one per test session.

The cluster lives in a temporary directory owned by the `postgres` system user (initdb and
postgres refuse to run as root), listens on no TCP address at all (listen_addresses='') and
only on a Unix socket in a directory of its own. A role and database `merpati` are created
and the migrations applied: with `merpati migrate` when the CLI has been built, else by
running db/migrations/*.sql in order with psql, each in its own transaction.

    def test_x(pg):
        pg.psql("SELECT 1")        -> "1"
        pg.dsn                      libpq conninfo string for MERPATI_DB
        pg.env                      os.environ plus MERPATI_DB
        pg.restart(); pg.stop(); pg.start()

The cluster is UTF-8 with the C.UTF-8 locale, as `make run` and the compose image make it
(case-insensitive matching of non-ASCII text depends on it). Crash safety of the test
cluster is not under test, so fsync is off to spare the shared disk; synchronous_commit
stays on as in production.
"""
import functools
import glob
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import time

import pytest

PG_BIN = "/usr/lib/postgresql/15/bin"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MIGRATIONS = os.path.join(REPO, "db", "migrations")


class PgError(Exception):
    """psql failed; str() is its stderr."""


def build_dir():
    """build_dir - the build folder whose binaries the tests run ($MERPATI_BUILD_DIR, default
    build), as harness/stack.py has it"""
    d = os.environ.get("MERPATI_BUILD_DIR", "build")
    return d if os.path.isabs(d) else os.path.join(REPO, d)


def find_program(name):
    """find_program - the built program called name in the build folder, or None"""
    return _find_in(build_dir(), name)


@functools.lru_cache(maxsize=None)
def _find_in(root, name):
    """_find_in - the shortest path to an executable called name under root (cached)"""
    found = [p for p in glob.glob(os.path.join(root, "**", name), recursive=True)
             if os.path.isfile(p) and os.access(p, os.X_OK)]
    return min(found, key=len) if found else None


def helper(name):
    """helper - path of a test helper program (tests/integration/helpers); fails loudly when
    it has not been built"""
    path = find_program(name)
    if path is None:
        raise FileNotFoundError(f"{name} not found under {build_dir()}: build first "
                                f"(ninja -C {build_dir()})")
    return path


class PgCluster:
    """PgCluster - one private cluster: create, start, stop, query, migrate."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.sockdir = os.path.join(root, "sock")
        self.logfile = os.path.join(root, "postgres.log")
        self.port = 5432  # only names the socket file; nothing listens on TCP
        self.dsn = f"host={self.sockdir} port={self.port} dbname=merpati user=merpati"
        self.env = dict(os.environ, MERPATI_DB=self.dsn)
        self.watchdog = None

    def _as_postgres(self, args, **kw):
        """_as_postgres - run a server program as the postgres user"""
        return subprocess.run(["runuser", "-u", "postgres", "--"] + args, check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=120, **kw)

    def create(self):
        """create - initdb into a directory the postgres user owns"""
        pw = pwd.getpwnam("postgres")
        os.makedirs(self.sockdir)
        for d in (self.root, self.sockdir):
            os.chown(d, pw.pw_uid, pw.pw_gid)
            os.chmod(d, 0o755)
        self._as_postgres([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = ''\n"
                    f"unix_socket_directories = '{self.sockdir}'\n"
                    f"port = {self.port}\n"
                    "fsync = off\nfull_page_writes = off\n"
                    "max_connections = 100\nshared_buffers = 64MB\n")

    def start(self):
        """start - start the server and wait until it accepts connections"""
        self._as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", self.logfile,
                           "-w", "-t", "60", "start"])

    def stop(self, mode="fast"):
        """stop - stop the server (fast: disconnect clients, immediate: crash-like)"""
        self._as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def restart(self):
        """restart - stop then start; connected clients lose their connections"""
        self.stop()
        self.start()

    def running(self):
        """running - pg_ctl status says a server runs on the data directory"""
        r = subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D",
                            self.data, "status"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def psql(self, sql, user="merpati", db="merpati"):
        """psql - run sql, return unaligned tuples-only output; PgError on failure"""
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-h", self.sockdir, "-p", str(self.port), "-U", user, "-d", db,
                            "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        if r.returncode != 0:
            raise PgError(r.stderr.strip())
        return r.stdout.strip()

    def psql_file(self, path):
        """psql_file - run one SQL file in a single transaction; PgError on failure"""
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                            "-h", self.sockdir, "-p", str(self.port), "-U", "merpati",
                            "-d", "merpati", "-f", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        if r.returncode != 0:
            raise PgError(f"{os.path.basename(path)}: {r.stderr.strip()}")

    def watch(self):
        """watch - a detached shell that stops and deletes the cluster if this test process
        dies without tearing it down (SIGKILL, `timeout --kill-after`), so a killed run
        leaves no server behind on a shared machine"""
        script = (f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
                  f"runuser -u postgres -- {PG_BIN}/pg_ctl -D {shlex.quote(self.data)} "
                  f"-m immediate stop >/dev/null 2>&1; rm -rf {shlex.quote(self.root)}")
        self.watchdog = subprocess.Popen(["sh", "-c", script], start_new_session=True,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)

    def bootstrap(self):
        """bootstrap - the merpati role, owning the merpati database"""
        self.psql("CREATE ROLE merpati LOGIN", user="postgres", db="postgres")
        self.psql("CREATE DATABASE merpati OWNER merpati", user="postgres", db="postgres")

    def migrate(self):
        """migrate - apply db/migrations with `merpati migrate` if built, else with psql"""
        cli = find_program("merpati")
        if cli and not os.environ.get("MERPATI_TEST_MIGRATE_WITH_PSQL"):
            r = subprocess.run([cli, "migrate"], env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=120)
            if r.returncode != 0:
                raise PgError(f"merpati migrate: {r.stdout.strip()}")
            return
        for path in sorted(glob.glob(os.path.join(MIGRATIONS, "[0-9]*.sql"))):
            self.psql_file(path)

    def destroy(self):
        """destroy - stop the server if it runs, delete every file"""
        if self.watchdog is not None:
            self.watchdog.kill()
            self.watchdog.wait()
            self.watchdog = None
        if self.running():
            try:
                self.stop("immediate")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg():
    """pg - a migrated throwaway cluster shared by the whole test session"""
    cluster = PgCluster(tempfile.mkdtemp(prefix="merpati-pg-"))
    try:
        cluster.create()
        cluster.watch()
        cluster.start()
        cluster.bootstrap()
        cluster.migrate()
    except Exception:
        if os.path.exists(cluster.logfile):
            with open(cluster.logfile) as f:
                print(f.read()[-4000:])
        cluster.destroy()
        raise
    yield cluster
    cluster.destroy()


def run_helper(pg, name, *args, input=b"", check=True, timeout=120):
    """run_helper - run a test helper against the cluster with cheap argon2 settings;
    returns its stdout as bytes (CalledProcessError with stderr when check and it fails)"""
    env = dict(pg.env, MERPATI_ARGON2_OPSLIMIT="1", MERPATI_ARGON2_MEMLIMIT="64k")
    r = subprocess.run([helper(name)] + [str(a) for a in args], env=env, input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if check and r.returncode != 0:
        raise subprocess.CalledProcessError(r.returncode, r.args, r.stdout, r.stderr)
    return r if not check else r.stdout
