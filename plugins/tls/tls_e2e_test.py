"""End-to-end tests of DNS over TLS served by a tls:// block: the real coredns binary with
certificates made by the openssl command line, queried with kdig, dig and Python's ssl module,
answering from nsd through forward or from a local plugin."""
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile

import dns.message
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, answer_lines, dig, dig_status, kdig, read_exact, zone_file
from harness.tls_certs import CA

ZONE = zone_file("example.org", ["www IN A 192.0.2.10", "www IN AAAA 2001:db8::10",
                                 *[f"n{i} IN A 198.51.100.{i}" for i in range(1, 21)]])


@pytest.fixture(scope="module")
def certs():
    d = tempfile.mkdtemp(prefix="coredns-e2e-tls-certs-")
    ca = CA(d)
    ca.issue("server", dns=["dns.test"], ips=["127.0.0.1"])
    ca.issue("renewed", dns=["dns.test"], ips=["127.0.0.1"])
    ca.issue("client", client=True)
    CA(d, name="other-ca", subject="untrusted test CA").issue("stranger", client=True)
    yield d
    shutil.rmtree(d)


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE}) as n:
        yield n


class TlsCoreDNS(CoreDNS):
    """coredns serving a tls:// block, which has no UDP port to probe: ready once it printed
    its listener."""

    def wait_ready(self, timeout=10):
        self.wait_for_line(r"^tls://", timeout)


def start(corefile, certs, names=("server.pem", "server.key")):
    """coredns (to use in `with`) in a fresh directory holding copies of the named certificate
    files, which the Corefile names relatively."""
    c = TlsCoreDNS(corefile)
    for name in names:
        shutil.copy(os.path.join(certs, name), c.dir)
    return c


def tls_context(certs, client=None):
    ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
    if client:
        ctx.load_cert_chain(os.path.join(certs, client + ".pem"), os.path.join(certs, client + ".key"))
    return ctx


def tls_connect(port, certs, client=None):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return tls_context(certs, client).wrap_socket(raw, server_hostname="dns.test")


def send_query(sock, name, rdtype="A"):
    q = dns.message.make_query(name, rdtype)
    wire = q.to_wire()
    sock.sendall(struct.pack("!H", len(wire)) + wire)
    return q


def read_reply(sock):
    (n,) = struct.unpack("!H", read_exact(sock, 2))
    return dns.message.from_wire(read_exact(sock, n))


def ask(sock, name, rdtype="A"):
    q = send_query(sock, name, rdtype)
    r = read_reply(sock)
    assert r.id == q.id
    return r


def addresses(reply):
    return sorted(rd.to_text() for rrset in reply.answer for rd in rrset)


def closed_by_server(sock):
    """True once the server closed the connection: EOF, a reset, or a TLS alert then EOF."""
    sock.settimeout(30)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return True


WHOAMI = "tls://.:{port} {\n tls server.pem server.key\n whoami\n}\n"


def forward_corefile(nsd, tls_line="tls server.pem server.key"):
    return "tls://.:{port} {\n " + tls_line + f"\n forward . 127.0.0.1:{nsd.port}\n}}\n"


def test_kdig_and_dig_get_nsd_answers_over_tls(certs, nsd):
    with start(forward_corefile(nsd), certs) as c:
        ca = os.path.join(certs, "ca.pem")
        out = kdig("+tls", f"+tls-ca={ca}", "+tls-hostname=dns.test", "+noall", "+answer",
                   "www.example.org", "AAAA", port=c.port)
        assert answer_lines(out) == ["www.example.org. 300 AAAA 2001:db8::10"]
        out = dig("+tls", f"+tls-ca={ca}", "+tls-hostname=dns.test", "www.example.org", "A",
                  port=c.port)
        assert dig_status(out) == "NOERROR"
        assert "www.example.org.\t300\tIN\tA\t192.0.2.10" in out
        out = dig("+tls", f"+tls-ca={ca}", "+tls-hostname=dns.test", "nope.example.org",
                  port=c.port)
        assert dig_status(out) == "NXDOMAIN"


def test_a_local_plugin_answers_and_sees_a_tcp_client(certs):
    with start(WHOAMI, certs) as c:
        with tls_connect(c.port, certs) as s:
            r = ask(s, "example.org.")
            assert r.rcode() == dns.rcode.NOERROR
            local_port = s.getsockname()[1]
            srv = [rr for rr in r.additional if rr.rdtype == 33][0]
            assert srv.name.to_text() == "_tcp.example.org."
            assert [rd.port for rd in srv] == [local_port]


def test_no_udp_on_a_tls_port(certs):
    with start(WHOAMI, certs) as c:
        out = dig("+notcp", "example.org", port=c.port)
        assert dig_status(out) is None


def test_pipelined_queries_on_one_connection_are_all_answered(certs, nsd):
    with start(forward_corefile(nsd), certs) as c, tls_connect(c.port, certs) as s:
        # Every query goes out before any reply is read.
        sent = {send_query(s, f"n{i}.example.org.").id: i for i in range(1, 21)}
        got = {}
        for _ in sent:
            r = read_reply(s)
            got[r.id] = addresses(r)
        assert got == {qid: [f"198.51.100.{i}"] for qid, i in sent.items()}
        # The connection stays usable afterwards.
        assert addresses(ask(s, "www.example.org.")) == ["192.0.2.10"]


def test_hundreds_of_queries_in_one_write_get_every_local_answer(certs):
    # whoami answers at once, so the replies of one read leave together, more than one TLS
    # record can carry (16 KB): each must arrive whole and once.
    with start(WHOAMI, certs) as c, tls_connect(c.port, certs) as s:
        queries = [dns.message.make_query(f"q{i}.example.org.", "A") for i in range(400)]
        s.sendall(b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in queries)))
        replies = [read_reply(s) for _ in queries]
        assert [(r.id, r.question[0].name.to_text()) for r in replies] == \
            [(q.id, q.question[0].name.to_text()) for q in queries]
        assert sum(len(r.to_wire()) + 2 for r in replies) > 16384
        assert ask(s, "example.org.").rcode() == dns.rcode.NOERROR


def test_a_returning_client_resumes_its_session(certs):
    # RFC 5077: the ticket from the first connection lets the second skip the certificate
    # exchange and the server's signature.
    with start(WHOAMI, certs) as c:
        ctx = tls_context(certs)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # the session is ready after the handshake
        raw = socket.create_connection(("127.0.0.1", c.port), timeout=10)
        with ctx.wrap_socket(raw, server_hostname="dns.test") as first:
            assert ask(first, "example.org.").rcode() == dns.rcode.NOERROR
            session = first.session
            assert not first.session_reused
        raw = socket.create_connection(("127.0.0.1", c.port), timeout=10)
        with ctx.wrap_socket(raw, server_hostname="dns.test", session=session) as again:
            assert again.session_reused
            assert ask(again, "example.org.").rcode() == dns.rcode.NOERROR


def test_a_graceful_stop_closes_connections_with_close_notify(certs):
    with start(WHOAMI, certs) as c:
        ctx = tls_context(certs)
        # Python ignores a missing close_notify by default; here it must tell a TLS goodbye
        # (recv returns b"") from a cut connection (an SSLError: unexpected EOF).
        ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
        raw = socket.create_connection(("127.0.0.1", c.port), timeout=10)
        with ctx.wrap_socket(raw, server_hostname="dns.test") as s:
            assert ask(s, "example.org.").rcode() == dns.rcode.NOERROR
            assert c.stop(signal.SIGTERM) == 0
            assert s.recv(1) == b""


def server_temp_key(port, certs, groups=None):
    """The key exchange the server chose for openssl s_client, as it prints it."""
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "dns.test",
           "-CAfile", os.path.join(certs, "ca.pem")]
    if groups:
        cmd += ["-groups", groups]
    out = subprocess.run(cmd, input="", capture_output=True, text=True, timeout=30).stdout
    return [line.split(":", 1)[1].strip() for line in out.splitlines()
            if line.startswith("Server Temp Key:")]


def test_the_key_exchange_prefers_x25519_then_p256_as_go_does(certs):
    with start(WHOAMI, certs) as c:
        assert server_temp_key(c.port, certs) == ["X25519, 253 bits"]
        # A client that lists P-521 first still gets the cheaper P-256.
        assert server_temp_key(c.port, certs, "P-521:P-384:P-256") == \
            ["ECDH, prime256v1, 256 bits"]


def test_a_client_that_never_sends_its_client_hello_blocks_nobody(certs, nsd):
    with start(forward_corefile(nsd), certs) as c:
        silent = socket.create_connection(("127.0.0.1", c.port), timeout=10)
        try:
            with tls_connect(c.port, certs) as s:
                assert addresses(ask(s, "www.example.org.")) == ["192.0.2.10"]
            # The silent one is closed by the server's handshake deadline, not kept forever.
            assert closed_by_server(silent)
        finally:
            silent.close()


def test_garbage_instead_of_a_client_hello_closes_only_that_connection(certs, nsd):
    with start(forward_corefile(nsd), certs) as c, tls_connect(c.port, certs) as good:
        assert addresses(ask(good, "www.example.org.")) == ["192.0.2.10"]
        bad = socket.create_connection(("127.0.0.1", c.port), timeout=10)
        try:
            bad.sendall(b"GET / HTTP/1.1\r\nHost: dns.test\r\n\r\n")
            assert closed_by_server(bad)
        finally:
            bad.close()
        # The established connection and new ones still work.
        assert addresses(ask(good, "n3.example.org.")) == ["198.51.100.3"]
        with tls_connect(c.port, certs) as again:
            assert addresses(ask(again, "n4.example.org.")) == ["198.51.100.4"]


def test_plain_dns_over_tcp_to_a_tls_port_gets_no_answer(certs, nsd):
    with start(forward_corefile(nsd), certs) as c:
        s = socket.create_connection(("127.0.0.1", c.port), timeout=10)
        try:
            send_query(s, "www.example.org.")
            assert closed_by_server(s)
        finally:
            s.close()


CLIENT_AUTH = "tls server.pem server.key ca.pem {\n  client_auth require_and_verify\n }"


def test_a_client_certificate_is_required_when_asked_for(certs, nsd):
    files = ("server.pem", "server.key", "ca.pem")
    with start(forward_corefile(nsd, CLIENT_AUTH), certs, files) as c:
        with tls_connect(c.port, certs, client="client") as s:
            assert addresses(ask(s, "www.example.org.")) == ["192.0.2.10"]
        # Without a certificate, or with one from a CA the block does not trust: no answer.
        for client in (None, "stranger"):
            with pytest.raises((ssl.SSLError, ConnectionResetError, EOFError)):
                with tls_connect(c.port, certs, client=client) as s:
                    ask(s, "www.example.org.")
        ca = os.path.join(certs, "ca.pem")
        cert, key = (os.path.join(certs, "client" + e) for e in (".pem", ".key"))
        out = kdig("+tls", f"+tls-ca={ca}", "+tls-hostname=dns.test", f"+tls-certfile={cert}",
                   f"+tls-keyfile={key}", "www.example.org", port=c.port)
        assert dig_status(out) == "NOERROR"


def test_a_ca_without_client_auth_asks_for_no_certificate(certs, nsd):
    files = ("server.pem", "server.key", "ca.pem")
    with start(forward_corefile(nsd, "tls server.pem server.key ca.pem"), certs, files) as c:
        with tls_connect(c.port, certs) as s:
            assert addresses(ask(s, "www.example.org.")) == ["192.0.2.10"]


def peer_certificate(port, certs):
    with tls_connect(port, certs) as s:
        assert addresses(ask(s, "www.example.org.")) == ["192.0.2.10"]
        return s.getpeercert(binary_form=True)


def pem_to_der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def reload_and_wait(c, outcome):
    start_at = len(c.stdout())
    c.signal(signal.SIGUSR1)
    return c.wait_for_line(outcome, start=start_at)


def test_reload_serves_a_renewed_certificate(certs, nsd):
    with start(forward_corefile(nsd), certs) as c:
        assert peer_certificate(c.port, certs) == pem_to_der(os.path.join(certs, "server.pem"))
        for ext in (".pem", ".key"):
            shutil.copy(os.path.join(certs, "renewed" + ext), os.path.join(c.dir, "server" + ext))
        # A reload of an unchanged Corefile still re-reads the certificate files.
        reload_and_wait(c, r"Reloading complete")
        assert peer_certificate(c.port, certs) == pem_to_der(os.path.join(certs, "renewed.pem"))


def test_a_broken_certificate_at_reload_keeps_the_old_one_serving(certs, nsd):
    with start(forward_corefile(nsd), certs) as c:
        with open(os.path.join(c.dir, "server.pem"), "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        line = reload_and_wait(c, r"\[ERROR\]")
        assert "plugin/tls: could not load TLS cert: " in line
        assert peer_certificate(c.port, certs) == pem_to_der(os.path.join(certs, "server.pem"))


def test_a_missing_certificate_stops_the_start_with_coredns_error(certs):
    c = CoreDNS("tls://.:{port} {\n tls nothere.pem nothere.key\n whoami\n}\n", wait=False)
    c.start()
    assert c.proc.wait(10) == 1
    c.stop()
    assert c.stderr()[-1] == ("plugin/tls: could not load TLS cert: open nothere.pem: no such "
                              "file or directory")
