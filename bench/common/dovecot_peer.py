"""dovecot_peer - a private Dovecot POP3 or IMAP server for the comparison, on a loopback port.

Its own base_dir, a passwd-file passdb, a static userdb (uid nobody), maildirs under one
directory and mail_fsync = always, as MACHINE-NOTES.md describes; plaintext USER/PASS
and LOGIN allowed on loopback, like Merpati's pop3 and imap with MERPATI_PLAINTEXT_AUTH=always.
Only the listener of the protocol asked for is open; the others get port 0.
"""
import os
import shutil
import socket
import subprocess
import time

VMAIL_UID = 65534


def dovecot_conf(base, protocol, port, passwd):
    """dovecot_conf - the configuration file of the instance"""
    pop3, imap = (port if protocol == "pop3" else 0), (port if protocol == "imap" else 0)
    return f"""base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = {protocol}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:~/Maildir
mail_fsync = always
first_valid_uid = 1
mail_max_userip_connections = 100
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={VMAIL_UID} gid={VMAIL_UID} home={base}/home/%u
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class DovecotPeer:
    """DovecotPeer - create, fill maildirs, start, stop and delete one instance"""

    def __init__(self, base, port, users, password, protocol="pop3"):
        self.base, self.port, self.users, self.password = base, port, users, password
        self.protocol = protocol
        self.conf = os.path.join(base, "dovecot.conf")

    def create(self):
        """create - configuration, passwd-file and empty maildirs"""
        for d in ("run", "state", "home"):
            os.makedirs(os.path.join(self.base, d))
        os.chmod(self.base, 0o755)
        passwd = os.path.join(self.base, "passwd")
        with open(passwd, "w") as f:
            f.writelines(f"{u}:{{PLAIN}}{self.password}::::::\n" for u in self.users)
        with open(self.conf, "w") as f:
            f.write(dovecot_conf(self.base, self.protocol, self.port, passwd))

    def deliver(self, user, index, raw):
        """deliver - put one message (CRLF bytes) into user's Maildir/new, LF line ends"""
        home = os.path.join(self.base, "home", user)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(home, "Maildir", sub), exist_ok=True)
        path = os.path.join(home, "Maildir", "new", f"{int(time.time())}.M{index}P{os.getpid()}.bench")
        with open(path, "wb") as f:
            f.write(raw.replace(b"\r\n", b"\n"))
        for root, dirs, files in os.walk(home):
            for name in dirs + files:
                os.chown(os.path.join(root, name), VMAIL_UID, VMAIL_UID)
        os.chown(home, VMAIL_UID, VMAIL_UID)

    def start(self):
        """start - run dovecot and wait until its port answers"""
        out = os.path.join(self.base, "start.log")
        with open(out, "w") as f:       # the daemon keeps its stdout: no pipe to wait on
            r = subprocess.run(["dovecot", "-c", self.conf], stdin=subprocess.DEVNULL,
                               stdout=f, stderr=subprocess.STDOUT, timeout=30)
        if r.returncode != 0:
            with open(out) as f:
                raise RuntimeError(f"dovecot: {f.read()}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen on {self.port}")

    def destroy(self):
        """destroy - stop the instance and delete its files"""
        subprocess.run(["doveadm", "-c", self.conf, "stop"], capture_output=True, timeout=30)
        time.sleep(0.5)
        shutil.rmtree(self.base, ignore_errors=True)
