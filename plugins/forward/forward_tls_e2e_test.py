"""End-to-end tests of `forward` to DNS-over-TLS upstreams: the real coredns binary forwarding
over tls:// to unbound serving DoT (tls-service-key/pem, in front of nsd) and to stunnel requiring
a client certificate, all on loopback with certificates made by the test (harness/tls_certs.py)."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import dns.message
import dns.query
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, Unbound, curl, free_port, has_plugin, zone_file
from harness.tls_certs import standard_set

pytestmark = pytest.mark.skipif(not has_plugin("prometheus"), reason="prometheus not compiled in")

ZONE = zone_file("example.org", [
    "www IN A 192.0.2.10",
    "www IN AAAA 2001:db8::10",
    "mail IN MX 10 mx.example.org.",
    "mx IN A 192.0.2.25",
    'text IN TXT "over tls"',
    *[f"many IN A 198.51.100.{i}" for i in range(1, 41)],
])


def ask(port, name, rdtype="A", tcp=False, timeout=5):
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout, ignore_trailing=True)


def rdata(msg):
    """The answer as a user compares it: names, types and data, without TTLs."""
    return sorted((rr.name.to_text(), rr.rdtype, rd.to_text()) for rr in msg.answer for rd in rr)


def metrics(port):
    """{(name, frozenset of label pairs): value} for the coredns_ series."""
    out = {}
    for line in curl(f"http://127.0.0.1:{port}/metrics").body.splitlines():
        m = re.match(r'^(coredns_\w+)\{(.*)\} (\S+)$', line)
        if m:
            out[(m.group(1), frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2))))] = \
                float(m.group(3))
    return out


def handshakes(mport, to, result):
    return metrics(mport).get(("coredns_forward_tls_handshakes_total",
                               frozenset({("to", to), ("result", result)})), 0)


class DotServer(Unbound):
    """unbound serving DNS over TLS on `tls_port` with `cert`/`key`, forwarding example.org to
    nsd; every other name is answered locally, so nothing leaves loopback."""

    def __init__(self, cert, key, nsd_port, tls_port=None):
        self.tls_port = tls_port or free_port()
        super().__init__(f"""\
server:
  interface: 127.0.0.1@{self.tls_port}
  tls-port: {self.tls_port}
  tls-service-key: "{key}"
  tls-service-pem: "{cert}"
  incoming-num-tcp: 100
  local-zone: "." static
  local-zone: "example.org." transparent
forward-zone:
  name: "example.org."
  forward-addr: 127.0.0.1@{nsd_port}
""")


@pytest.fixture(scope="module")
def certs():
    d = tempfile.mkdtemp(prefix="forward-tls-e2e-")
    standard_set(d)
    yield lambda name: os.path.join(d, name)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE}) as n:
        yield n


@pytest.fixture(scope="module")
def dot(certs, nsd):
    with DotServer(certs("server.pem"), certs("server.key"), nsd.port) as u:
        yield u


def corefile(to, options, mport=None):
    prom = f" prometheus 127.0.0.1:{mport}\n" if mport else ""
    return ".:{port} {\n" + prom + f" forward . {to} {{\n{options}\n }}\n}}\n"


@pytest.mark.parametrize("tcp", [False, True])
def test_answers_equal_nsds_behind_the_dot_upstream(certs, nsd, dot, tcp):
    opts = f"  tls {certs('ca.pem')}\n  tls_servername dns.test"
    with CoreDNS(corefile(f"tls://127.0.0.1:{dot.tls_port}", opts)) as c:
        for name, rdtype in [("www.example.org", "A"), ("www.example.org", "AAAA"),
                             ("mail.example.org", "MX"), ("text.example.org", "TXT"),
                             ("many.example.org", "A"), ("absent.example.org", "A")]:
            got = ask(c.port, name, rdtype, tcp=tcp)
            want = ask(nsd.port, name, rdtype, tcp=tcp)
            assert got.rcode() == want.rcode(), name
            assert rdata(got) == rdata(want), name
            assert got.answer or name.startswith("absent")


@pytest.mark.parametrize("to,opts", [
    # No server name: the certificate's IP SAN 127.0.0.1 must match the address dialled.
    ("tls://127.0.0.1:{p}", "  tls {ca}"),
    # The per-upstream name.
    ("tls://127.0.0.1%dns.test:{p}", "  tls {ca}"),
    # The system CA bundle, from SSL_CERT_FILE.
    ("tls://127.0.0.1:{p}", "  tls\n  tls_servername dns.test"),
    # Accepted, and TLS all the same (the upstream has no plain port here).
    ("tls://127.0.0.1:{p}", "  tls {ca}\n  prefer_udp"),
    ("tls://127.0.0.1:{p}", "  tls {ca}\n  force_tcp"),
])
def test_verified_forms(certs, dot, to, opts):
    env = dict(os.environ, SSL_CERT_FILE=certs("ca.pem"))
    cf = corefile(to.format(p=dot.tls_port), opts.format(ca=certs("ca.pem")))
    with CoreDNS(cf, env=env) as c:
        assert rdata(ask(c.port, "www.example.org")) == [("www.example.org.", 1, "192.0.2.10")]


@pytest.mark.parametrize("cert,servername,reason", [
    ("server", "wrong.test", "x509: certificate is not valid for wrong.test"),
    ("expired", "dns.test", "x509: certificate has expired or is not yet valid"),
    ("other", "dns.test", "x509: certificate signed by unknown authority"),
    ("noip", "", "x509: certificate is not valid for 127.0.0.1"),
])
def test_a_certificate_that_fails_verification_is_refused_and_logged_once(
        certs, nsd, cert, servername, reason):
    mport = free_port()
    with DotServer(certs(cert + ".pem"), certs(cert + ".key"), nsd.port) as bad:
        opts = f"  tls {certs('ca.pem')}\n  max_fails 0"
        if servername:
            opts += f"\n  tls_servername {servername}"
        with CoreDNS(corefile(f"tls://127.0.0.1:{bad.tls_port}", opts, mport)) as c:
            for _ in range(3):
                assert ask(c.port, "www.example.org").rcode() == dns.rcode.SERVFAIL
            line = (rf"\[ERROR\] plugin/forward: tls://127\.0\.0\.1:{bad.tls_port}: "
                    rf"tls: failed to verify certificate: {re.escape(reason)}$")
            c.wait_for_line(line, timeout=5)
            assert len(c.lines_matching(line)) == 1
            to = f"127.0.0.1:{bad.tls_port}"
            assert handshakes(mport, to, "failed") >= 3
            assert handshakes(mport, to, "full") == 0


def test_failover_to_the_second_upstream_when_the_first_fails_verification(certs, nsd, dot):
    with DotServer(certs("other.pem"), certs("other.key"), nsd.port) as bad:
        opts = f"  tls {certs('ca.pem')}\n  tls_servername dns.test\n  policy sequential"
        to = f"tls://127.0.0.1:{bad.tls_port} tls://127.0.0.1:{dot.tls_port}"
        with CoreDNS(corefile(to, opts)) as c:
            for i in range(5):
                r = ask(c.port, "www.example.org")
                assert rdata(r) == [("www.example.org.", 1, "192.0.2.10")]
            c.wait_for_line(r"plugin/forward: tls://127\.0\.0\.1:%d: .*unknown authority"
                            % bad.tls_port, timeout=5)
            # A certificate problem marks the upstream down, as CoreDNS's health checks do.
            c.wait_for_line(rf"upstream 127\.0\.0\.1:{bad.tls_port} is down", timeout=10)


def test_upstream_restart_mid_load_recovers(certs, nsd):
    with DotServer(certs("server.pem"), certs("server.key"), nsd.port) as up:
        opts = f"  tls {certs('ca.pem')}\n  tls_servername dns.test\n  health_check 100ms"
        with CoreDNS(corefile(f"tls://127.0.0.1:{up.tls_port}", opts)) as c:
            stop = threading.Event()
            results = []

            def load():
                while not stop.is_set():
                    try:
                        results.append(ask(c.port, "www.example.org", timeout=3).rcode())
                    except dns.exception.Timeout:
                        results.append("timeout")

            threads = [threading.Thread(target=load) for _ in range(4)]
            for t in threads:
                t.start()
            try:
                while len(results) < 50:
                    time.sleep(0.05)
                up.stop()
                # Health checks over TLS find it down ...
                c.wait_for_line(rf"upstream 127\.0\.0\.1:{up.tls_port} is down", timeout=10)
                up.start()
                # ... and up again once it is back.
                c.wait_for_line(rf"upstream 127\.0\.0\.1:{up.tls_port} is healthy again",
                                timeout=20)
                # Recovery: answers come back once the restarted server is up. Bounded wait.
                deadline = time.time() + 20
                mark = len(results)
                while time.time() < deadline:
                    tail = results[mark:]
                    if len(tail) >= 50 and all(r == dns.rcode.NOERROR for r in tail[-50:]):
                        break
                    time.sleep(0.1)
            finally:
                stop.set()
                for t in threads:
                    t.join()
            tail = results[mark:]
            assert len(tail) >= 50
            assert all(r == dns.rcode.NOERROR for r in tail[-50:])
            # The process survived and still answers.
            assert rdata(ask(c.port, "www.example.org")) == [("www.example.org.", 1, "192.0.2.10")]


class Stunnel:
    """stunnel serving TLS on `port` in front of nsd's TCP, requiring a client certificate
    signed by `ca`."""

    def __init__(self, cert, key, ca, target_port):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="stunnel-e2e-")
        self.conf = os.path.join(self.dir, "stunnel.conf")
        with open(self.conf, "w") as f:
            f.write(f"foreground = yes\npid =\nsyslog = no\ndebug = 3\n"
                    f"[dot]\naccept = 127.0.0.1:{self.port}\nconnect = 127.0.0.1:{target_port}\n"
                    f"cert = {cert}\nkey = {key}\nCAfile = {ca}\n"
                    f"verifyChain = yes\nrequireCert = yes\n")

    def __enter__(self):
        self.proc = subprocess.Popen(["stunnel4", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise TimeoutError("stunnel did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def test_client_certificate_is_presented_to_a_server_that_requires_one(certs, nsd):
    with Stunnel(certs("server.pem"), certs("server.key"), certs("ca.pem"), nsd.port) as st:
        with_cert = (f"  tls {certs('client.pem')} {certs('client.key')} {certs('ca.pem')}\n"
                     "  tls_servername dns.test")
        with CoreDNS(corefile(f"tls://127.0.0.1:{st.port}", with_cert)) as c:
            assert rdata(ask(c.port, "www.example.org")) == [("www.example.org.", 1, "192.0.2.10")]
            assert rdata(ask(c.port, "mail.example.org", "MX")) == \
                rdata(ask(nsd.port, "mail.example.org", "MX"))
        # Without one, stunnel refuses the handshake: SERVFAIL, never an unencrypted answer.
        without = f"  tls {certs('ca.pem')}\n  tls_servername dns.test\n  max_fails 0"
        with CoreDNS(corefile(f"tls://127.0.0.1:{st.port}", without)) as c:
            assert ask(c.port, "www.example.org").rcode() == dns.rcode.SERVFAIL
            c.wait_for_line(rf"\[ERROR\] plugin/forward: tls://127\.0\.0\.1:{st.port}: "
                            r"remote error: tls: handshake failure", timeout=5)


def test_queries_are_pipelined_on_few_connections_and_sessions_resume(certs, dot):
    mport = free_port()
    opts = f"  tls {certs('ca.pem')}\n  tls_servername dns.test\n  expire 1s"
    to = f"127.0.0.1:{dot.tls_port}"
    with CoreDNS(corefile(f"tls://{to}", opts, mport)) as c:
        names = [f"www.example.org" if i % 2 else "many.example.org" for i in range(2000)]
        with ThreadPoolExecutor(64) as pool:
            replies = list(pool.map(lambda n: ask(c.port, n, timeout=10), names))
        assert all(r.rcode() == dns.rcode.NOERROR and r.answer for r in replies)
        m = metrics(mport)
        made = handshakes(mport, to, "full") + handshakes(mport, to, "resumed")
        # At most 4 connections per worker (docs/forward-transport.md); CoreDNS opens one per
        # query in flight.
        workers = os.cpu_count()
        assert 1 <= made <= 4 * workers
        open_now = m[("coredns_forward_tls_connections", frozenset({("to", to)}))]
        assert 1 <= open_now <= 4 * workers
        hits = m[("coredns_proxy_conn_cache_hits_total",
                  frozenset({("proxy_name", "forward"), ("to", to), ("proto", "tcp-tls")}))]
        assert hits >= 2000 - made
        # Idle past `expire`, the connections go; the next one resumes the session.
        full_before = handshakes(mport, to, "full")
        time.sleep(1.5)
        assert rdata(ask(c.port, "www.example.org")) == [("www.example.org.", 1, "192.0.2.10")]
        assert handshakes(mport, to, "resumed") >= 1
        assert handshakes(mport, to, "full") == full_before
