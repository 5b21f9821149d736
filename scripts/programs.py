"""programs - the table of Merpati's programs, their listeners and ZeroMQ endpoints.

One place for what docs/ARCHITECTURE.md ("Programs and their default ports") and DESIGN.md
sections 4 and 6 say, used by `make run` (scripts/supervise.py) to print endpoints and by
the integration harness (tests/integration/harness/stack.py) to hand out free ports.
"""

# ZeroMQ endpoints: the variable every side reads, the bind override the binding side
# prefers (lib/bus/bus.h), and the default.
ENDPOINTS = {
    "MERPATI_MDA_ENDPOINT": ("MERPATI_MDA_BIND", "tcp://127.0.0.1:7001"),
    "MERPATI_SMTP_OUT_ENDPOINT": ("MERPATI_SMTP_OUT_BIND", "tcp://127.0.0.1:7002"),
    "MERPATI_RESOLVER_ENDPOINT": ("MERPATI_RESOLVER_BIND", "tcp://127.0.0.1:7003"),
    "MERPATI_EVENTS_PUB": ("MERPATI_EVENTS_PUB_BIND", "tcp://127.0.0.1:7004"),
    "MERPATI_EVENTS_SUB": ("MERPATI_EVENTS_SUB_BIND", "tcp://127.0.0.1:7005"),
}


class Program:
    """Program - one service binary: its listeners, the endpoints it binds, its admin port."""

    def __init__(self, name, listens, binds, admin):
        self.name = name
        self.listens = listens      # {variable: default "host:port"}
        self.binds = binds          # endpoint variables whose socket this program binds
        self.admin = admin          # default MERPATI_ADMIN_LISTEN

    def binary(self, build_dir):
        """binary - path of the program's executable in a build folder"""
        return f"{build_dir}/services/{self.name}/merpati-{self.name}"


# In start order: the bus and the consumers first, the programs clients talk to last.
PROGRAMS = {p.name: p for p in [
    Program("bus", {}, ["MERPATI_EVENTS_PUB", "MERPATI_EVENTS_SUB"], ":9100"),
    Program("dns-resolver", {}, ["MERPATI_RESOLVER_ENDPOINT"], ":9104"),
    Program("smtp-out", {}, ["MERPATI_SMTP_OUT_ENDPOINT"], ":9103"),
    Program("mda", {}, ["MERPATI_MDA_ENDPOINT"], ":9102"),
    Program("smtp-in", {"MERPATI_SMTP_LISTEN": ":25",
                        "MERPATI_SUBMISSION_LISTEN": ":587",
                        "MERPATI_SUBMISSIONS_LISTEN": ":465"}, [], ":9101"),
    Program("pop3", {"MERPATI_POP3_LISTEN": ":110", "MERPATI_POP3S_LISTEN": ":995"}, [], ":9105"),
    Program("imap", {"MERPATI_IMAP_LISTEN": ":143", "MERPATI_IMAPS_LISTEN": ":993"}, [], ":9106"),
    Program("webmail", {"MERPATI_WEBMAIL_LISTEN": ":8080"}, [], ":9107"),
]}


def listen_port(value):
    """listen_port - the port of a "host:port", ":port" or "[v6]:port" value, or None"""
    port = value.rsplit(":", 1)[-1] if ":" in value else ""
    return int(port) if port.isdigit() else None
