"""compose_stack - drive the docker-compose.yml stack from a test: build, up, health, logs, down.

The stack runs from a clean copy of the source tree, so the Docker build context holds no
build folders, no ./var database and no .git: by default the last commit (`git archive
HEAD`), which always builds; MERPATI_COMPOSE_TREE=worktree copies the work tree instead
(the files git tracks or would track, as they are on disk). Host
ports are free high ports on 127.0.0.1 only, passed through the MERPATI_FRONT_* variables
that docker-compose.yml reads; the host's 25, 110, ... stay untouched.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# Published ports of `front`: compose variable -> port inside the container.
FRONT_PORTS = {
    "MERPATI_FRONT_SMTP_PORT": 25,
    "MERPATI_FRONT_SUBMISSIONS_PORT": 465,
    "MERPATI_FRONT_SUBMISSION_PORT": 587,
    "MERPATI_FRONT_POP3_PORT": 110,
    "MERPATI_FRONT_POP3S_PORT": 995,
    "MERPATI_FRONT_IMAP_PORT": 143,
    "MERPATI_FRONT_IMAPS_PORT": 993,
    "MERPATI_FRONT_WEBMAIL_PORT": 8080,
}


def docker_answers():
    """docker_answers - (True, "") when a Docker engine answers, else (False, why)"""
    if shutil.which("docker") is None:
        return False, "no docker command on this machine"
    try:
        r = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                           capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return False, "`docker info` did not answer within 30 s"
    if r.returncode != 0:
        return False, "`docker info` failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return True, ""


def compose_command():
    """compose_command - argv prefix of the Compose tool: docker-compose 1.29 or v2"""
    if os.environ.get("MERPATI_COMPOSE"):
        return os.environ["MERPATI_COMPOSE"].split()
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    r = subprocess.run(["docker", "compose", "version"], capture_output=True)
    return ["docker", "compose"] if r.returncode == 0 else None


def free_port():
    """free_port - a TCP port nobody listens on at 127.0.0.1 right now"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_plain_tree(dest):
    """copy_plain_tree - the tree without git: everything but build folders, ./var, .git"""
    def skip(folder, names):
        if os.path.abspath(folder) != REPO:
            return [n for n in names if n == "__pycache__"]
        return [n for n in names if n.startswith("build") or n in ("var", ".git", ".pytest_cache")]

    shutil.copytree(REPO, dest, ignore=skip, dirs_exist_ok=True, symlinks=True)


def copy_source_tree(dest):
    """copy_source_tree - HEAD, or with MERPATI_COMPOSE_TREE=worktree the work tree, into dest"""
    if not os.path.isdir(os.path.join(REPO, ".git")) or shutil.which("git") is None:
        copy_plain_tree(dest)
        return
    if os.environ.get("MERPATI_COMPOSE_TREE", "HEAD") != "worktree":
        archive = subprocess.run(["git", "-C", REPO, "archive", "--format=tar", "HEAD"],
                                 capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", dest], input=archive.stdout, check=True)
        return
    r = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], capture_output=True, check=True)
    for rel in r.stdout.decode().split("\0"):
        src = os.path.join(REPO, rel)
        if not rel or not os.path.isfile(src):
            continue  # deleted in the work tree, or a submodule
        os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))


class ComposeStack:
    """ComposeStack - one compose project in a temporary copy of the tree"""

    def __init__(self, log=print):
        self.log = log
        self.compose = compose_command()
        self.dir = tempfile.mkdtemp(prefix="merpati-compose-")
        self.project = "merpatict%d" % os.getpid()
        self.ports = {var: free_port() for var in FRONT_PORTS}
        self.env = dict(os.environ)
        self.env.update({var: str(p) for var, p in self.ports.items()})
        self.env.update({
            "MERPATI_FRONT_ADDR": "127.0.0.1",
            "MERPATI_HOSTNAME": "mx.merpati.test",
            # dns-resolver asks only a forwarder on its own loopback, where none listens:
            # the test never sends a DNS query off this machine.
            "MERPATI_DNS_FORWARDER": "127.0.0.1@53",
            "MERPATI_DB_PASSWORD": os.urandom(12).hex(),
            "COMPOSE_PROJECT_NAME": self.project,
        })
        self.timings = {}

    def port(self, inside):
        """port - the host port published for front's port `inside` (e.g. 25)"""
        for var, p in FRONT_PORTS.items():
            if p == inside:
                return self.ports[var]
        raise KeyError(inside)

    def run(self, args, timeout=600, check=True, input=None):
        """run - one compose command in the project; returns CompletedProcess"""
        r = subprocess.run(self.compose + ["-p", self.project] + args, cwd=self.dir,
                           env=self.env, capture_output=True, text=True, timeout=timeout,
                           input=input)
        if check and r.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s\n%s" % (" ".join(args), r.returncode,
                                                           r.stdout[-4000:], r.stderr[-4000:]))
        return r

    def timed(self, name, fn, *args, **kwargs):
        """timed - run fn and keep its duration in self.timings[name]"""
        t0 = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            self.timings[name] = time.monotonic() - t0
            self.log("compose: %s took %.1f s" % (name, self.timings[name]))

    def prepare(self):
        """prepare - copy the tree, make the base images, build the three images"""
        copy_source_tree(self.dir)
        self.timed("base image", subprocess.run,
                   [os.path.join(self.dir, "docker", "make-base-image.sh")], check=True,
                   capture_output=True)
        # Every Merpati service shares one image: building `migrate` builds it.
        self.timed("image build", self.run, ["build", "postgres", "migrate", "front"],
                   timeout=1800)

    def up(self, scale):
        """up - start the stack with `scale` smtp-in replicas; compose waits on depends_on"""
        self.timed("up", self.run, ["up", "-d", "--no-build", "--scale", "smtp-in=%d" % scale],
                   timeout=600)

    def containers(self, service=None):
        """containers - ids of the project's containers (of one service), running or not"""
        args = ["ps", "-q"] + ([service] if service else [])
        return [c for c in self.run(args).stdout.split() if c]

    def inspect(self, ids):
        """inspect - `docker inspect` of the given containers"""
        if not ids:
            return []
        r = subprocess.run(["docker", "inspect"] + ids, capture_output=True, text=True,
                           check=True)
        return json.loads(r.stdout)

    def wait_healthy(self, timeout=240):
        """wait_healthy - until every running container with a health check is healthy"""
        deadline = time.monotonic() + timeout
        while True:
            waiting = []
            for c in self.inspect(self.containers()):
                state = c["State"]
                health = state.get("Health", {}).get("Status")
                if state["Status"] == "running" and health not in (None, "healthy"):
                    waiting.append("%s=%s" % (c["Name"].lstrip("/"), health))
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("not healthy after %d s: %s\n%s" % (
                    timeout, " ".join(waiting), self.logs()[-8000:]))
            time.sleep(2)

    def running(self, service):
        """running - ids of the running containers of service"""
        return [c["Id"] for c in self.inspect(self.containers(service))
                if c["State"]["Status"] == "running"]

    def admin(self, *argv, input=None):
        """admin - `run --rm admin merpati ARGV...`; returns CompletedProcess (not checked)"""
        return self.run(["run", "--rm", "-T", "admin", "merpati"] + list(argv),
                        check=False, input=input, timeout=120)

    def exec(self, service, argv, timeout=60):
        """exec - run argv in the first container of service; returns CompletedProcess"""
        return self.run(["exec", "-T", service] + argv, check=False, timeout=timeout)

    def logs(self, service=None):
        """logs - the logs of the project's (or one service's) containers, no colours"""
        args = ["logs", "--no-color"] + ([service] if service else [])
        r = self.run(args, check=False, timeout=120)
        return r.stdout + r.stderr

    def image_sizes(self):
        """image_sizes - {image: size in MB} of the project's images"""
        sizes = {}
        for name in ("merpati/merpati", "merpati/postgres", "merpati/front"):
            r = subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}",
                                name + ":latest"], capture_output=True, text=True)
            if r.returncode == 0:
                sizes[name] = int(r.stdout.strip()) / 1e6
        return sizes

    def down(self):
        """down - remove the containers, the network and the volumes; then the copy"""
        try:
            self.run(["--profile", "admin", "down", "-v", "--remove-orphans",
                      "--timeout", "10"], check=False, timeout=300)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
