"""acl end to end: the real coredns in front of nsd, queried with dig and dnspython from
different loopback sources (127.0.0.1, 127.0.0.2, 127.0.0.3 and ::1) to vary what acl sees."""
import socket
import urllib.request

import dns.edns
import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, dig, free_port, zone_file

ZONE = zone_file("example.org", [
    "www IN A 192.0.2.80",
    "www IN AAAA 2001:db8::80",
    "secret IN A 192.0.2.99",
])

ACL = """\
 acl secret.example.org {
  allow net 127.0.0.1
  block
 }
 acl {
  block net 127.0.0.2
  filter type AAAA net ::1
  drop net 127.0.0.3
 }
"""


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE}) as n:
        yield n


@pytest.fixture(scope="module")
def server(nsd):
    metrics = free_port()
    text = (".:{port} {\n" + ACL + " prometheus 127.0.0.1:%d\n forward . 127.0.0.1:%d\n}\n"
            % (metrics, nsd.port))
    with CoreDNS(text) as c:
        c.metrics_port = metrics
        yield c


def ask(server, name, rdtype="A", source="127.0.0.1", tcp=False, edns=True, timeout=3):
    to = "::1" if ":" in source else "127.0.0.1"
    q = dns.message.make_query(name, rdtype, use_edns=0 if edns else False)
    if tcp:
        return dns.query.tcp(q, to, port=server.port, source=source, timeout=timeout)
    return dns.query.udp(q, to, port=server.port, source=source, timeout=timeout)


def ede_codes(reply):
    return [o.code for o in reply.options if o.otype == dns.edns.EDE]


def test_allowed_sources_reach_the_upstream(server):
    for source in ("127.0.0.1", "::1"):
        r = ask(server, "www.example.org.", source=source)
        assert r.rcode() == dns.rcode.NOERROR
        assert [rr.to_text() for rr in r.answer] == ["www.example.org. 300 IN A 192.0.2.80"]


def test_block_refuses_with_ede_blocked(server):
    for tcp in (False, True):
        r = ask(server, "www.example.org.", source="127.0.0.2", tcp=tcp)
        assert r.rcode() == dns.rcode.REFUSED
        assert r.answer == [] and r.authority == []
        assert ede_codes(r) == [15]
        assert not r.flags & dns.flags.AA
    out = dig("-b", "127.0.0.2", "www.example.org", port=server.port)
    assert "status: REFUSED" in out and "EDE: 15 (Blocked)" in out


def test_block_reply_for_a_client_without_edns_has_no_opt(server):
    r = ask(server, "www.example.org.", source="127.0.0.2", edns=False)
    assert r.rcode() == dns.rcode.REFUSED
    assert r.edns == -1 and r.additional == []


def test_block_reply_keeps_the_clients_do_bit(server):
    out = dig("-b", "127.0.0.2", "+dnssec", "www.example.org", port=server.port)
    assert "flags: do;" in out
    out = dig("-b", "127.0.0.2", "+nodnssec", "www.example.org", port=server.port)
    assert "; EDNS: version: 0, flags:;" in out


def test_filter_from_ipv6_loopback_only_for_aaaa(server):
    r = ask(server, "www.example.org.", "AAAA", source="::1")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.answer == [] and r.authority == []
    assert ede_codes(r) == [17]
    assert "EDE: 17 (Filtered)" in dig("-b", "::1", "AAAA", "www.example.org",
                                       server="::1", port=server.port)
    r = ask(server, "www.example.org.", "AAAA", source="127.0.0.1")
    assert [rr.to_text() for rr in r.answer] == ["www.example.org. 300 IN AAAA 2001:db8::80"]


def test_drop_sends_nothing_and_keeps_tcp_connections_open(server):
    with pytest.raises(dns.exception.Timeout):
        ask(server, "www.example.org.", source="127.0.0.3", timeout=1)
    # Over TCP: no reply, and the server keeps the connection open (a close would end recv
    # with b"" at once instead of the timeout).
    s = socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.3", 0))
    try:
        s.settimeout(1)
        dropped = dns.message.make_query("www.example.org.", "A")
        wire = dropped.to_wire()
        s.sendall(len(wire).to_bytes(2, "big") + wire)
        with pytest.raises(socket.timeout):
            s.recv(2)
    finally:
        s.close()


def test_zone_rule_allows_one_source_and_blocks_the_rest(server):
    r = ask(server, "secret.example.org.", source="127.0.0.1")
    assert [rr.to_text() for rr in r.answer] == ["secret.example.org. 300 IN A 192.0.2.99"]
    for source in ("::1", "127.0.0.4"):
        assert ask(server, "secret.example.org.", source=source).rcode() == dns.rcode.REFUSED


def metric(server, line_start):
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.split()[1])
    return 0.0


def test_metrics_count_each_action(server):
    srv = f'server="dns://:{server.port}"'
    keys = {
        "blocked": f'coredns_acl_blocked_requests_total{{{srv},view="",zone="."}}',
        "filtered": f'coredns_acl_filtered_requests_total{{{srv},view="",zone="."}}',
        "dropped": f'coredns_acl_dropped_requests_total{{{srv},view="",zone="."}}',
        "secret": f'coredns_acl_blocked_requests_total{{{srv},view="",zone="secret.example.org."}}',
        "allowed": f'coredns_acl_allowed_requests_total{{{srv},view=""}}',
    }
    before = {k: metric(server, v) for k, v in keys.items()}
    ask(server, "www.example.org.", source="127.0.0.2")
    ask(server, "www.example.org.", "AAAA", source="::1")
    with pytest.raises(dns.exception.Timeout):
        ask(server, "www.example.org.", source="127.0.0.3", timeout=1)
    ask(server, "secret.example.org.", source="127.0.0.5")
    ask(server, "www.example.org.", source="127.0.0.1")
    after = {k: metric(server, v) for k, v in keys.items()}
    assert {k: after[k] - before[k] for k in keys} == {
        "blocked": 1, "filtered": 1, "dropped": 1, "secret": 1, "allowed": 1}
