"""Smoke test of the static image binaries of one platform (tools/test-platforms.sh runs it,
with COREDNS_BIN pointing at the rootfs's coredns, or at a wrapper that runs it under
qemu-user for a foreign architecture).

coredns, as a user deploys it: the default image's behaviour (no Corefile: whoami on the port)
and a Corefile with whoami and dns64 in front of nsd on loopback, queried with dig over UDP
and TCP. Not registered with ctest: the e2e suites already cover the same plugins in depth on
the native build; this checks that the cross-compiled binary runs them.
"""
import re
import tempfile

import pytest

from harness import CoreDNS, Nsd, free_port, zone_file

ZONE = zone_file("smoke.test", [
    "v4 IN A 1.2.3.10",
    "both IN A 1.2.3.11",
    "both IN AAAA 2001:db8::11",
])


def additional(out):
    return [l.split() for l in out.splitlines() if l and not l.startswith(";")]


def check_whoami(out, transport):
    recs = additional(out)
    assert ["whoami.smoke.", "0", "IN", "A", "127.0.0.1"] in recs, out
    srv = [r for r in recs if r[3] == "SRV"]
    assert len(srv) == 1 and srv[0][0] == f"_{transport}.whoami.smoke.", out


def test_default_image_serves_whoami():
    # An empty working directory: no Corefile, so coredns serves whoami (and log) as the image
    # does, here on a free port instead of 53.
    port = free_port()
    with CoreDNS(cwd=tempfile.mkdtemp(prefix="smoke-"), port=port, args=["-dns.port", str(port)]) as c:
        check_whoami(c.dig("+noall", "+additional", "+notcp", "whoami.smoke.", "A"), "udp")
        check_whoami(c.dig("+noall", "+additional", "+tcp", "whoami.smoke.", "A"), "tcp")


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"smoke.test.": ZONE}) as n:
        yield n


@pytest.fixture(scope="module")
def server(nsd):
    corefile = (
        "whoami.smoke:{port} {\n whoami\n}\n"
        ".:{port} {\n dns64 64:ff9b::/96\n forward . 127.0.0.1:%d\n}\n" % nsd.port)
    with CoreDNS(corefile) as c:
        yield c


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_whoami(server, transport):
    flag = "+tcp" if transport == "tcp" else "+notcp"
    check_whoami(server.dig("+noall", "+additional", flag, "whoami.smoke.", "A"), transport)


@pytest.mark.parametrize("tcp", [False, True])
def test_dns64_synthesizes_from_nsd(server, tcp):
    # Over ::1: dns64 serves IPv6 clients only unless allow_ipv4 is set, as CoreDNS's does.
    flag = "+tcp" if tcp else "+notcp"
    out = server.dig("+noall", "+answer", flag, "v4.smoke.test.", "AAAA", server="::1")
    assert re.search(r"^v4\.smoke\.test\.\s+\d+\s+IN\s+AAAA\s+64:ff9b::102:30a$", out, re.M), out
    # A real AAAA is passed through, not synthesized.
    out = server.dig("+noall", "+answer", flag, "both.smoke.test.", "AAAA", server="::1")
    assert re.search(r"\sAAAA\s+2001:db8::11$", out, re.M) and "64:ff9b" not in out, out
    # The A query is forwarded as it is.
    out = server.dig("+noall", "+answer", flag, "v4.smoke.test.", "A", server="::1")
    assert re.search(r"\sA\s+1\.2\.3\.10$", out, re.M), out
