"""test_resolver - merpati-dns-resolver against a real DNS server on loopback.

The test starts Debian's `unbound` on a free 127.0.0.1 port with a zone written here
(`local-zone: "." static` keeps it from ever asking the Internet), points the resolver at it
with MERPATI_DNS_FORWARDER, and asks over ZeroMQ with the mx-query helper.
"""
import os
import shutil
import socket
import subprocess
import time

import pytest

from harness.stack import base_env, build_dir, free_port, http_status
from helpers_bus.procs import TIMEOUT, admin_env, curl, helper, metric, procs, wait_for  # noqa: F401

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"

ZONE = """
  local-zone: "." static
  local-zone: "example.com." static
  local-data: "example.com. 300 IN MX 10 mx1.example.com."
  local-data: "example.com. 300 IN MX 20 mx2.example.com."
  local-data: "mx1.example.com. 120 IN A 127.0.0.2"
  local-data: "mx1.example.com. 120 IN AAAA ::1"
  local-data: "mx2.example.com. 300 IN A 127.0.0.3"
  local-zone: "shuffle.example.com." static
  local-data: "shuffle.example.com. 300 IN MX 5 first.example.com."
  local-data: "shuffle.example.com. 300 IN MX 10 a.example.com."
  local-data: "shuffle.example.com. 300 IN MX 10 b.example.com."
  local-data: "shuffle.example.com. 300 IN MX 10 c.example.com."
  local-data: "shuffle.example.com. 300 IN MX 10 d.example.com."
  local-data: "first.example.com. 300 IN A 127.0.0.5"
  local-data: "a.example.com. 300 IN A 127.0.0.6"
  local-data: "b.example.com. 300 IN A 127.0.0.7"
  local-data: "c.example.com. 300 IN A 127.0.0.8"
  local-data: "d.example.com. 300 IN A 127.0.0.9"
  local-zone: "implicit.example.net." static
  local-data: "implicit.example.net. 300 IN A 127.0.0.4"
  local-zone: "nullmx.example.net." static
  local-data: "nullmx.example.net. 300 IN MX 0 ."
  local-zone: "noaddr.example.org." static
  local-data: "noaddr.example.org. 300 IN MX 10 ghost.example.org."
  local-zone: "short.example.org." static
  local-data: "short.example.org. 1 IN MX 10 mx2.example.com."
  local-zone: "refused.example.org." refuse
"""


@pytest.fixture
def dns(procs, tmp_path):
    """dns - unbound serving ZONE on 127.0.0.1; yields its port"""
    if not os.access(UNBOUND, os.X_OK):
        pytest.fail("unbound is not installed (Debian package `unbound`)")
    port = free_port()
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
{ZONE}
remote-control:
  control-enable: no
""")
    p = procs.start("unbound", [UNBOUND, "-d", "-c", str(conf)], {})
    wait_for(lambda: "start of service" in p.log() or p.poll() is not None, what="unbound")
    assert p.poll() is None, p.log()
    return port


def start_resolver(procs, forwarder, **extra):
    """start_resolver - merpati-dns-resolver on a free endpoint; (env, admin port, proc)"""
    port = free_port()
    admin, env = admin_env()
    env.update({"MERPATI_RESOLVER_ENDPOINT": f"tcp://127.0.0.1:{port}",
                "MERPATI_RESOLVER_BIND": f"tcp://127.0.0.1:{port}",
                "MERPATI_DNS_FORWARDER": forwarder})
    env.update({k: str(v) for k, v in extra.items()})
    binary = str(build_dir() / "services" / "dns-resolver" / "merpati-dns-resolver")
    p = procs.start(f"resolver{port}", [binary], env)
    wait_for(lambda: http_status(admin, "/healthz") == 200 or p.poll() is not None,
             what="resolver /healthz")
    assert p.poll() is None, p.log()
    return env, admin, p


@pytest.fixture
def resolver(procs, dns):
    return start_resolver(procs, f"127.0.0.1@{dns}")


def query(env, *domains):
    """query - mx-query's replies as {domain argument: fields}, in the order received"""
    r = subprocess.run([helper("mx-query"), *domains], env=dict(base_env(), **env),
                       capture_output=True, text=True, timeout=TIMEOUT + 10)
    assert r.returncode == 0, r.stdout + r.stderr
    replies = []
    for line in r.stdout.splitlines():
        if line.startswith("reply "):
            line, _, error = line.partition(" error=")    # the reason may hold spaces
            fields = dict(kv.split("=", 1) for kv in line.split()[1:])
            fields["error"] = error
            fields["hosts"] = [h.split("/") for h in fields["hosts"].split(";") if h]
            replies.append(fields)
    return replies


def one(env, domain):
    (reply,) = query(env, domain)
    return reply


def test_mx_sorted_with_addresses(resolver):
    env, _, _ = resolver
    r = one(env, "example.com")
    assert r["status"] == "0" and r["error"] == "-"
    assert r["hosts"] == [["10", "mx1.example.com", "0", "127.0.0.2,::1"],   # A, then AAAA
                          ["20", "mx2.example.com", "0", "127.0.0.3"]]
    assert r["ttl"] == "120"                      # the smallest TTL of the records used
    assert r["secure"] == "0"                     # nothing here is signed


def test_equal_preferences_are_shuffled(resolver):
    env, _, _ = resolver
    # the first batch shares one lookup, the second is served from the cache: both shuffle
    for batch in range(2):
        orders = set()
        for r in query(env, *["shuffle.example.com"] * 40):
            names = [h[1] for h in r["hosts"]]
            assert names[0] == "first.example.com"    # preference 5 always first
            assert sorted(names[1:]) == ["a.example.com", "b.example.com", "c.example.com",
                                         "d.example.com"]
            orders.add(tuple(names))
        assert len(orders) > 1, f"batch {batch}: 40 identical orders, not shuffled"


def test_implicit_mx(resolver):
    env, _, _ = resolver
    r = one(env, "implicit.example.net")
    assert r["status"] == "0"
    assert r["hosts"] == [["0", "implicit.example.net", "1", "127.0.0.4"]]


def test_permanent_failures(resolver):
    env, _, _ = resolver
    replies = {r["id"]: r for r in query(env, "nullmx.example.net", "nx.example.com",
                                         "noaddr.example.org", "not a domain")}
    assert replies["1"]["status"] == "2" and replies["1"]["hosts"] == []   # null MX
    assert replies["2"]["status"] == "1"                                   # NXDOMAIN
    assert replies["3"]["status"] == "4"                                   # no address
    assert replies["4"]["status"] == "1" and "valid" in replies["4"]["error"]


def test_server_failure_is_temporary_and_not_cached(resolver):
    env, admin, _ = resolver
    assert one(env, "refused.example.org")["status"] == "3"
    before = metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_misses_total")
    assert one(env, "refused.example.org")["status"] == "3"
    after = metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_misses_total")
    assert after == before + 1                      # asked again, not served from the cache


def test_timeout_is_temporary(procs):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # receives, never answers
    silent.bind(("127.0.0.1", 0))
    try:
        env, _, _ = start_resolver(procs, f"127.0.0.1@{silent.getsockname()[1]}",
                                   MERPATI_DNS_TIMEOUT="2s")
        start = time.monotonic()
        r = one(env, "example.com")
        assert r["status"] == "3"
        assert time.monotonic() - start < 8
    finally:
        silent.close()


def test_cache_hits_negative_caching_and_metrics(resolver):
    env, admin, _ = resolver
    query(env, "example.com", "nx.example.com")
    body = curl(admin, "/metrics")[1]
    hits, misses = (metric(body, "merpati_resolver_cache_hits_total"),
                    metric(body, "merpati_resolver_cache_misses_total"))
    again = query(env, "example.com", "nx.example.com")
    assert {r["status"] for r in again} == {"0", "1"}
    body = curl(admin, "/metrics")[1]
    assert metric(body, "merpati_resolver_cache_hits_total") == hits + 2   # both cached
    assert metric(body, "merpati_resolver_cache_misses_total") == misses
    assert metric(body, "merpati_resolver_lookup_seconds_count") >= 2
    assert 'merpati_resolver_lookup_seconds_bucket{le="+Inf"}' in body
    assert int(next(r for r in again if r["status"] == "1")["ttl"]) <= 300  # negative cap


def test_ttl_expiry(resolver):
    env, admin, _ = resolver
    assert one(env, "short.example.org")["ttl"] == "1"
    time.sleep(2.2)
    misses = metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_misses_total")
    assert one(env, "short.example.org")["status"] == "0"
    assert metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_misses_total") \
        == misses + 1


def test_cache_size_bound(procs, dns):
    env, admin, _ = start_resolver(procs, f"127.0.0.1@{dns}", MERPATI_DNS_CACHE_SIZE=2)
    for domain in ("example.com", "implicit.example.net", "nullmx.example.net"):
        one(env, domain)                            # one at a time: example.com is oldest
    assert metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_entries") == 2
    misses = metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_misses_total")
    one(env, "example.com")                         # the oldest entry was evicted
    assert metric(curl(admin, "/metrics")[1], "merpati_resolver_cache_misses_total") \
        == misses + 1


def test_malformed_requests_do_not_stop_it(resolver):
    env, admin, p = resolver
    r = query(env, "raw:0880", "raw:0a", "example.com")   # garbage, then a real request
    assert len(r) == 1 and r[0]["status"] == "0"
    assert metric(curl(admin, "/metrics")[1], "merpati_bus_malformed_total") >= 2
    assert p.poll() is None


def test_bad_forwarder_stops_with_status_2(procs):
    binary = str(build_dir() / "services" / "dns-resolver" / "merpati-dns-resolver")
    r = subprocess.run([binary], env={"MERPATI_DNS_FORWARDER": "not-an-address",
                                      "MERPATI_ADMIN_LISTEN": f"127.0.0.1:{free_port()}"},
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 2 and "MERPATI_DNS_FORWARDER" in r.stderr


SIGNED_ZONE = """$ORIGIN secure.example.com.
$TTL 300
@   IN SOA ns.secure.example.com. admin.secure.example.com. 1 3600 600 86400 300
@   IN NS ns.secure.example.com.
ns  IN A 127.0.0.1
@   IN MX 10 mx.secure.example.com.
mx  IN A 127.0.0.10
"""


def keygen(directory):
    """keygen - a new ECDSA P-256 key for secure.example.com; the path of its DNSKEY file"""
    r = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", "secure.example.com"],
                       cwd=directory, capture_output=True, text=True, check=True)
    return directory / (r.stdout.strip() + ".key")


@pytest.fixture
def signed_dns(procs, tmp_path):
    """signed_dns - unbound serving a DNSSEC-signed secure.example.com; (port, DNSKEY file)"""
    if shutil.which("ldns-signzone") is None:
        pytest.fail("ldns-signzone is not installed (Debian package `ldnsutils`)")
    key = keygen(tmp_path)
    (tmp_path / "zone").write_text(SIGNED_ZONE)
    subprocess.run(["ldns-signzone", "zone", key.name[:-4]], cwd=tmp_path, check=True,
                   capture_output=True)
    port = free_port()
    conf = tmp_path / "signed.conf"
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
  local-zone: "secure.example.com." transparent
auth-zone:
  name: "secure.example.com."
  zonefile: "{tmp_path}/zone.signed"
  for-downstream: yes
  for-upstream: no
remote-control:
  control-enable: no
""")
    p = procs.start("unbound-signed", [UNBOUND, "-d", "-c", str(conf)], {})
    wait_for(lambda: "start of service" in p.log() or p.poll() is not None, what="unbound")
    assert p.poll() is None, p.log()
    return port, key


def test_dnssec_validated_answer_is_secure(procs, signed_dns):
    port, key = signed_dns
    env, _, _ = start_resolver(procs, f"127.0.0.1@{port}", MERPATI_DNS_TRUST_ANCHOR=key)
    r = one(env, "secure.example.com")
    assert r["status"] == "0" and r["secure"] == "1"
    assert r["hosts"] == [["10", "mx.secure.example.com", "0", "127.0.0.10"]]
    # without the anchor the same answer is not vouched for
    env, _, _ = start_resolver(procs, f"127.0.0.1@{port}")
    assert one(env, "secure.example.com")["secure"] == "0"


def test_dnssec_bogus_is_temporary(procs, signed_dns, tmp_path):
    port, _ = signed_dns
    other = tmp_path / "other"
    other.mkdir()
    wrong = keygen(other)                      # an anchor the zone was not signed with
    env, _, _ = start_resolver(procs, f"127.0.0.1@{port}", MERPATI_DNS_TRUST_ANCHOR=wrong)
    r = one(env, "secure.example.com")
    assert r["status"] == "3" and r["hosts"] == []
    assert "DNSSEC" in r["error"]


def test_unreadable_trust_anchor_stops_with_status_2(tmp_path):
    binary = str(build_dir() / "services" / "dns-resolver" / "merpati-dns-resolver")
    r = subprocess.run([binary], env={"MERPATI_DNS_TRUST_ANCHOR": str(tmp_path / "missing"),
                                      "MERPATI_DNS_FORWARDER": "127.0.0.1@53",
                                      "MERPATI_ADMIN_LISTEN": f"127.0.0.1:{free_port()}"},
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 2 and "MERPATI_DNS_TRUST_ANCHOR" in r.stderr
