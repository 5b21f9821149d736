"""postfix - a private Postfix instance (Debian's `postfix`) as a real remote MTA.

It listens on one loopback address and port, offers STARTTLS with a self-signed pair made
here, and delivers every address of its virtual domain into one maildir, where the test
reads what arrived. Its state lives under /var/tmp (Postfix accepts a maillog_file only
under one of maillog_file_prefixes, /var by default). Stop it with stop().
"""
import glob
import os
import shutil
import subprocess
import tempfile
import time

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"


def _uid_gid(user):
    import pwd
    p = pwd.getpwnam(user)
    return p.pw_uid, p.pw_gid


class Postfix:
    def __init__(self, host, port, domain, relayhost=None, relay_domains="", extra=None):
        self.host, self.port, self.domain = host, port, domain
        self.extra = dict(extra or {})    # more main.cf parameters, set with postconf -e
        self.dir = tempfile.mkdtemp(prefix="merpati-postfix-", dir="/var/tmp")
        os.chmod(self.dir, 0o755)     # Postfix's own processes run as `postfix`
        self.conf = os.path.join(self.dir, "etc")
        self.maildir = os.path.join(self.dir, "mail", "box") + "/"
        self.log = os.path.join(self.dir, "maillog")
        self.relayhost, self.relay_domains = relayhost, relay_domains

    def _write_config(self):
        os.makedirs(self.conf)
        uid, gid = _uid_gid("postfix")
        os.makedirs(os.path.join(self.dir, "queue"))
        for sub in ("mail", "data"):
            os.makedirs(os.path.join(self.dir, sub))
            os.chown(os.path.join(self.dir, sub), uid, gid)
        cert, key = os.path.join(self.conf, "cert.pem"), os.path.join(self.conf, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                        f"/CN=postfix.{self.domain}", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {self.dir}/queue
data_directory = {self.dir}/data
maillog_file = {self.log}
myhostname = postfix.{self.domain}
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = $myhostname ESMTP
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_received_header = yes
smtp_tls_security_level = may
virtual_mailbox_domains = {self.domain}
virtual_mailbox_base = {self.dir}/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
relay_domains = {self.relay_domains}
relayhost = {self.relayhost or ""}
smtp_dns_support_level = disabled
disable_dns_lookups = yes
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = yes
""")
        if self.extra:
            subprocess.run(["postconf", "-c", self.conf, "-e"] +
                           [f"{k}={v}" for k, v in self.extra.items()], check=True)
        shutil.copy("/etc/postfix/master.cf", os.path.join(self.conf, "master.cf"))
        subprocess.run(["postconf", "-c", self.conf, "-M#", "smtp/inet"], check=True)
        subprocess.run(["postconf", "-c", self.conf, "-Me",
                        f"{self.host}:{self.port}/inet = {self.host}:{self.port} inet n - n - - smtpd"],
                       check=True)

    def start(self):
        self._write_config()
        r = subprocess.run(["script", "-qc", f"{POSTFIX} -c {self.conf} start", "/dev/null"],
                           capture_output=True, text=True, timeout=60)
        deadline = time.monotonic() + 20
        while not self._accepts():
            if time.monotonic() > deadline:
                raise RuntimeError(f"postfix did not start: {r.stdout} {r.stderr} {self.maillog()}")
            time.sleep(0.1)
        return self

    def _accepts(self):
        import socket
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def maillog(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def messages(self):
        """messages - the raw bytes of every message delivered to the maildir"""
        out = []
        for path in sorted(glob.glob(self.maildir + "new/*") + glob.glob(self.maildir + "cur/*")):
            with open(path, "rb") as f:
                out.append(f.read())
        return out

    def sendmail(self, sender, rcpts, data, *options):
        """sendmail - inject a message with Postfix's own sendmail (postdrop, then pickup)"""
        subprocess.run(["/usr/sbin/sendmail", "-C", self.conf, "-i", "-f", sender, *options,
                        "--", *rcpts], input=data, check=True, capture_output=True, timeout=60)

    def queue_empty(self):
        """queue_empty - postqueue -p lists nothing"""
        r = subprocess.run(["postqueue", "-c", self.conf, "-p"], capture_output=True, text=True,
                           timeout=60)
        return "Mail queue is empty" in r.stdout

    def stop(self):
        subprocess.run([POSTFIX, "-c", self.conf, "stop"], capture_output=True, timeout=60)
        deadline = time.monotonic() + 10
        while self._accepts() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)
