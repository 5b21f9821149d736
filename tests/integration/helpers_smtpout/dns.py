"""dns - Debian's unbound on a free 127.0.0.1 port serving a zone the test writes
(`local-zone: "." static` keeps it from ever asking beyond this machine)."""
import shutil
import time

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"


def start_unbound(procs, tmp_path, port, zone):
    """start_unbound - run unbound in the foreground under procs; returns its Popen"""
    conf = tmp_path / "unbound.conf"
    conf.write_text(f"""server:
  interface: 127.0.0.1
  port: {port}
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{tmp_path}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  local-zone: "." static
{zone}
remote-control:
  control-enable: no
""")
    p = procs.start("unbound", [UNBOUND, "-d", "-c", str(conf)], {})
    deadline = time.monotonic() + 20
    while "start of service" not in p.log() and p.poll() is None:
        assert time.monotonic() < deadline, "unbound did not start"
        time.sleep(0.05)
    assert p.poll() is None, p.log()
    return p


def zone_lines(records):
    """zone_lines - unbound local-zone/local-data lines for {domain: [record text]}"""
    out = []
    for domain, rrs in records.items():
        out.append(f'  local-zone: "{domain}." static')
        for rr in rrs:
            out.append(f'  local-data: "{rr}"')
    return "\n".join(out)
