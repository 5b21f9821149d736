"""scripted_smtp - a remote SMTP server for failure modes, run in a thread of the test.

    srv = ScriptedSMTP("127.0.0.2", port, rcpt={"bad@x.test": "550 5.1.1 no such user"})
    srv.start()
    ...
    srv.deliveries   # [(mail_from_line, [rcpt], data_bytes)] acknowledged with 2xx only

Behaviour knobs (attributes, changeable while it runs):
  greeting   first reply, e.g. "421 4.3.2 busy" to refuse the session
  ehlo       extension lines after the first EHLO line
  rcpt       {address: reply} for RCPT; anything else gets "250 2.1.5 ok"
  data_reply reply after the final dot; a list is consumed one per transaction
  stall      a threading.Event: while set, the reply to DATA (354) is withheld, so a client
             can be killed with its transaction open and the body not yet sent
A delivery is recorded only when the server answered the final dot with 2xx, which is when
an SMTP client may consider the message delivered (RFC 5321 4.1.1.4).
"""
import socket
import threading


class ScriptedSMTP:
    def __init__(self, host, port, greeting="220 scripted.test ESMTP", rcpt=None,
                 ehlo=("PIPELINING", "SIZE 10000000", "DSN", "8BITMIME",
                       "ENHANCEDSTATUSCODES"),
                 data_reply="250 2.0.0 queued"):
        self.host, self.port = host, port
        self.greeting, self.ehlo, self.rcpt = greeting, list(ehlo), dict(rcpt or {})
        self.data_reply = data_reply
        self.stall = threading.Event()
        self.stalled = threading.Event()          # set while a reply is being withheld
        self.deliveries, self.transcripts, self.sessions = [], [], 0
        self.active = self.max_active = 0       # sessions open at once, and the most seen
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.running = True

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def close(self):
        self.running = False
        self.stall.clear()
        # close() alone leaves the socket listening while the thread blocks in accept()
        # (the call holds it): shutdown() wakes the thread and stops the listening now
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.sessions += 1
                self.active += 1
                self.max_active = max(self.max_active, self.active)
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _next_data_reply(self):
        with self.lock:
            if isinstance(self.data_reply, list):
                return self.data_reply.pop(0) if len(self.data_reply) > 1 else self.data_reply[0]
            return self.data_reply

    def _session(self, conn):
        f = conn.makefile("rb")
        log = []
        try:
            self._serve(conn, f, log)
        except (OSError, ValueError):
            pass
        finally:
            with self.lock:
                self.transcripts.append(log)
                self.active -= 1
            conn.close()

    def _say(self, conn, log, reply):
        log.append("S: " + reply)
        conn.sendall(reply.encode() + b"\r\n")

    def _serve(self, conn, f, log):
        self._say(conn, log, self.greeting)
        if not self.greeting.startswith("2"):
            return
        mail, rcpts = None, []
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            log.append("C: " + cmd)
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                lines = ["scripted.test"] + self.ehlo
                for i, ext in enumerate(lines):
                    sep = " " if i == len(lines) - 1 else "-"
                    self._say(conn, log, f"250{sep}{ext}")
            elif verb == "HELO":
                self._say(conn, log, "250 scripted.test")
            elif verb == "MAIL":
                mail, rcpts = cmd, []
                self._say(conn, log, "250 2.1.0 ok")
            elif verb == "RCPT":
                addr = cmd[cmd.index("<") + 1:cmd.index(">")]
                reply = self.rcpt.get(addr, "250 2.1.5 ok")
                if reply.startswith("2"):
                    rcpts.append(addr)
                self._say(conn, log, reply)
            elif verb == "DATA":
                if not rcpts:
                    self._say(conn, log, "554 5.5.1 no valid recipients")
                    continue
                self._wait_stall()
                self._say(conn, log, "354 go ahead")
                data = self._read_data(f)
                self._finish(conn, log, mail, rcpts, data)
                mail, rcpts = None, []
            elif verb == "RSET":
                mail, rcpts = None, []
                self._say(conn, log, "250 2.0.0 ok")
            elif verb == "QUIT":
                self._say(conn, log, "221 2.0.0 bye")
                return
            else:
                self._say(conn, log, "502 5.5.2 not implemented")

    def _read_data(self, f):
        chunks = []
        while True:
            line = f.readline()
            if not line:
                raise ValueError("connection lost in DATA")
            if line == b".\r\n":
                return b"".join(chunks)
            chunks.append(line[1:] if line.startswith(b".") else line)

    def _wait_stall(self):
        while self.stall.is_set() and self.running:
            self.stalled.set()
            threading.Event().wait(0.05)

    def _finish(self, conn, log, mail, rcpts, data):
        reply = self._next_data_reply()
        if reply.startswith("2"):
            with self.lock:
                self.deliveries.append((mail, list(rcpts), data))
        self._say(conn, log, reply)
