"""postfix_peer - a private Postfix instance for the comparison, on a loopback port.

It has its own configuration directory, queue_directory and data_directory under one base
directory, accepts mail for one virtual mailbox domain only and delivers it with the
`virtual` agent into one maildir per recipient. Postfix's cleanup fsyncs the queue file
before smtpd answers 250, as Merpati's smtp-in commits before its 250. It logs to a file
under /var (maillog_file must start with one of maillog_file_prefixes).
"""
import os
import pwd
import shutil
import socket
import subprocess
import time

VMAIL_UID = 65534                  # nobody: owns the maildirs, as virtual_uid_maps says


def master_cf(port):
    """master_cf - Debian's master.cf with smtpd only on 127.0.0.1:port and no chroot"""
    out = []
    with open("/etc/postfix/master.cf") as f:
        for line in f:
            fields = line.split()
            if line[:1] in ("#", " ", "\t", "\n") or len(fields) < 8:
                out.append(line)
                continue
            if fields[0] == "smtp" and fields[1] == "inet":
                fields[0] = f"127.0.0.1:{port}"
            fields[4] = "n"        # chroot would need copies of /etc files in the queue
            out.append("  ".join(fields) + "\n")
    return "".join(out)


def main_cf(base, domain, users, logfile):
    """main_cf - settings of the private instance: one virtual domain, its maildirs"""
    mailboxes = ", ".join(f"{u}@{domain}={domain}/{u}/" for u in users)
    return f"""compatibility_level = 3.6
queue_directory = {base}/queue
data_directory = {base}/data
maillog_file = {logfile}
mail_owner = postfix
setgid_group = postdrop
myhostname = bench-postfix.localdomain
mydomain = localdomain
mydestination =
relay_domains =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
default_process_limit = 200
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {base}/vmail
virtual_mailbox_maps = inline:{{ {mailboxes} }}
virtual_uid_maps = static:{VMAIL_UID}
virtual_gid_maps = static:{VMAIL_UID}
message_size_limit = 20480000
"""


class PostfixPeer:
    """PostfixPeer - create, start, count deliveries, stop and delete one instance"""

    def __init__(self, base, port, domain, users):
        self.base, self.port, self.domain, self.users = base, port, domain, users
        self.conf = os.path.join(base, "conf")
        self.logfile = f"/var/tmp/merpati-bench-postfix-{os.getpid()}.log"

    def create(self):
        """create - configuration files and the maildir base"""
        os.makedirs(self.conf)
        os.makedirs(os.path.join(self.base, "queue"))
        data = os.path.join(self.base, "data")
        os.makedirs(data)
        pw = pwd.getpwnam("postfix")
        os.chown(data, pw.pw_uid, pw.pw_gid)
        vmail = os.path.join(self.base, "vmail")
        os.makedirs(vmail)
        os.chown(vmail, VMAIL_UID, VMAIL_UID)
        os.chmod(self.base, 0o755)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(main_cf(self.base, self.domain, self.users, self.logfile))
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(master_cf(self.port))

    def postfix(self, *args):
        """postfix - run the postfix command on this instance; its output"""
        r = subprocess.run(["postfix", "-c", self.conf, *args], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"postfix {' '.join(args)}: {r.stdout}{r.stderr}"
                               f"{self.log_tail()}")
        return r.stdout

    def log_tail(self):
        """log_tail - the end of the instance's log, for error messages"""
        try:
            with open(self.logfile) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def start(self):
        """start - start the master and wait until smtpd's port answers"""
        self.postfix("start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"postfix did not listen on {self.port}:\n{self.log_tail()}")

    def delivered(self):
        """delivered - messages in the new/ folders of all maildirs"""
        total = 0
        for user in self.users:
            new = os.path.join(self.base, "vmail", self.domain, user, "new")
            if os.path.isdir(new):
                total += len(os.listdir(new))
        return total

    def queued(self):
        """queued - files still in the queue (incoming, active, deferred)"""
        total = 0
        for sub in ("incoming", "active", "deferred", "maildrop"):
            for _root, _dirs, files in os.walk(os.path.join(self.base, "queue", sub)):
                total += len(files)
        return total

    def stop(self):
        """stop - stop the master if it runs"""
        try:
            self.postfix("stop")
        except RuntimeError:
            pass

    def destroy(self):
        """destroy - stop, delete the base directory and the log"""
        self.stop()
        time.sleep(0.5)
        shutil.rmtree(self.base, ignore_errors=True)
        try:
            os.unlink(self.logfile)
        except OSError:
            pass
