"""local end to end: dig's queries for localhost names and the loopback reverse zones are
answered by coredns itself, never forwarded; other names reach nsd through forward."""
from harness import CoreDNS, Nsd, dig, zone_file

ZONE = zone_file("example.org", ["www IN A 192.0.2.80"])


def corefile(nsd_port, block=""):
    return ".:{port} {\n local%s\n forward . 127.0.0.1:%d\n}\n" % (block, nsd_port)


def test_localhost_names_and_reverse_zones_are_answered_locally():
    with Nsd({"example.org.": ZONE}) as nsd, CoreDNS(corefile(nsd.port)) as c:
        out = dig("LocalHost", "A", port=c.port)
        assert "LocalHost.\t\t604800\tIN\tA\t127.0.0.1" in out
        assert "flags: qr rd;" in out  # no AA, no RA, as CoreDNS
        assert dig("+short", "localhost", "AAAA", port=c.port) == "::1\n"
        assert dig("+short", "app.localhost", "A", port=c.port) == "127.0.0.1\n"
        assert dig("+short", "localhost.example.net", "A", port=c.port) == "127.0.0.1\n"
        assert dig("+short", "-x", "127.0.0.1", port=c.port) == "localhost.\n"
        assert dig("+short", "-x", "::1", port=c.port) == "localhost.\n"
        out = dig("-x", "127.0.0.2", port=c.port)
        assert "status: NXDOMAIN" in out
        assert ("127.in-addr.arpa.\t604800\tIN\tSOA\tlocalhost. root.localhost. 1 0 0 0 604800"
                in out)
        out = dig("localhost", "MX", port=c.port)
        assert "status: NOERROR" in out and "ANSWER: 0, AUTHORITY: 1" in out
        assert dig("+short", "localhost", "NS", port=c.port) == "localhost.\n"
        # Everything else goes on to the upstream.
        assert dig("+short", "www.example.org", port=c.port) == "192.0.2.80\n"
        out = dig("-x", "10.0.0.1", port=c.port)
        assert "status: REFUSED" in out  # nsd serves no reverse zone


def test_localhost_prefix_off_sends_localhost_dot_domain_upstream():
    with Nsd({"example.org.": ZONE}) as nsd, \
            CoreDNS(corefile(nsd.port, " {\n  localhost_prefix off\n }")) as c:
        out = dig("localhost.example.org", "A", port=c.port)
        assert "status: NXDOMAIN" in out and "ns1.example.org. hostmaster.example.org." in out
        assert dig("+short", "a.localhost", "A", port=c.port) == "127.0.0.1\n"


def test_bad_localhost_prefix_value_names_the_line():
    from harness import run_coredns
    import os
    import tempfile
    d = tempfile.mkdtemp(prefix="coredns-e2e-local-")
    with open(os.path.join(d, "Corefile"), "w") as f:
        f.write(".:1053 {\n local {\n  localhost_prefix yes\n }\n}\n")
    r = run_coredns([], cwd=d)
    assert r.returncode != 0
    assert ("plugin/local: Corefile:3 - Error during parsing: localhost_prefix expects 'on' or "
            "'off', got \"yes\"") in r.stderr.decode()
