"""End-to-end tests of the replies the server keeps (docs/architecture.md, "Kept replies"): the real
coredns binary with `cache` (and `dns64`) forwarding to nsd on loopback, queried over UDP with
dnspython. A repeated query is answered from the kept reply without running the chain; what a
client sees must not tell the two apart: its own ID and name case, TTLs that count down, a
changed record once its TTL ends, the cache's metrics, and no reply meant for another kind of
client.
"""
import re
import signal
import time

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import pytest

from harness import CoreDNS, Nsd, curl, free_port, require_plugins, zone_file


def zone(short_address):
    return zone_file("kept.test", [
        "www 3600 IN A 192.0.2.1",
        f"short 4 IN A {short_address}",
        "v4only 3600 IN A 1.2.3.7",
    ], soa_minimum=60)


@pytest.fixture
def nsd():
    require_plugins("cache", "forward")
    with Nsd({"kept.test.": zone("192.0.2.4")}) as n:
        yield n


def block(port, upstream, plugins=""):
    return f".:{port} {{\n{plugins} cache\n forward . 127.0.0.1:{upstream}\n}}\n"


def ask(port, name, rdtype="A", via="127.0.0.1", qid=None, edns=0):
    q = dns.message.make_query(name, rdtype, use_edns=edns)
    if qid is not None:
        q.id = qid
    r = dns.query.udp(q, via, port=port, timeout=4)
    assert r.id == q.id
    return q, r


def answer(r):
    return sorted(f"{rrset.name.to_text()} {dns.rdatatype.to_text(rrset.rdtype)} {rd.to_text()}"
                  for rrset in r.answer for rd in rrset)


def test_each_client_gets_its_own_id_and_case_and_the_ttl_counts_down(nsd):
    with CoreDNS(block("{port}", nsd.port)) as c:
        ask(c.port, "www.kept.test.")  # a miss: from nsd, then cached
        _, hit = ask(c.port, "www.kept.test.")  # a cache hit: kept by the server
        replies = []
        for i, name in enumerate(["WWW.kept.TEST.", "wWw.KePt.tEsT.", "www.kept.test."]):
            q, r = ask(c.port, name, qid=1000 + i)
            assert r.question[0].name.to_text() == name  # 0x20: the case as sent
            assert r.answer[0].name.to_text() == name
            assert answer(r) == [f"{name} A 192.0.2.1"]
            assert r.flags == hit.flags
            replies.append(r)
        time.sleep(2.1)
        _, later = ask(c.port, "www.kept.test.")
        assert later.answer[0].ttl <= replies[-1].answer[0].ttl - 2
        assert later.answer[0].ttl >= replies[-1].answer[0].ttl - 4


def test_a_changed_record_is_served_once_its_ttl_ends(nsd):
    with CoreDNS(block("{port}", nsd.port)) as c:
        for _ in range(4):
            assert answer(ask(c.port, "short.kept.test.")[1]) == ["short.kept.test. A 192.0.2.4"]
        nsd.stop()
        with Nsd({"kept.test.": zone("192.0.2.99")}, port=nsd.port):
            # The cache keeps the record 5 s (its minimum TTL); a kept reply no longer.
            time.sleep(5.5)
            assert answer(ask(c.port, "short.kept.test.")[1]) == ["short.kept.test. A 192.0.2.99"]


def test_the_cache_counts_the_hits_it_did_not_see(nsd):
    require_plugins("prometheus", "whoami")
    mport = free_port()
    # The metrics listener lives in another block: this block's chain stays question-only.
    corefile = (block("{port}", nsd.port) +
                f".:{free_port()} {{\n prometheus 127.0.0.1:{mport}\n whoami\n}}\n")
    with CoreDNS(corefile) as c:
        def metrics():
            got = {}
            for line in curl(f"http://127.0.0.1:{mport}/metrics").body.splitlines():
                m = re.match(r'^(coredns_cache_\w+)\{(.*)\} (\S+)$', line)
                if m and f'server="dns://:{c.port}"' in m.group(2):
                    kind = re.search(r'type="(\w+)"', m.group(2))
                    got[(m.group(1), kind.group(1) if kind else "")] = float(m.group(3))
            return got

        before = metrics()  # the harness's readiness probe has asked already
        for _ in range(6):
            ask(c.port, "www.kept.test.")
        after = metrics()

        def grew(series):
            return after.get(series, 0) - before.get(series, 0)

        assert grew(("coredns_cache_requests_total", "")) == 6
        assert grew(("coredns_cache_misses_total", "")) == 1
        assert grew(("coredns_cache_hits_total", "success")) == 5


def test_a_block_that_logs_still_logs_every_query(nsd):
    require_plugins("log")
    with CoreDNS(block("{port}", nsd.port, " log\n"), env={"COREDNS_WORKERS": "1"}) as c:
        for _ in range(5):
            ask(c.port, "www.kept.test.")
        _, last = ask(c.port, "last.kept.test.")
        c.wait_for_line(r'"A IN last\.kept\.test\. ')
        assert sum(1 for line in c.stdout() if '"A IN www.kept.test. ' in line) == 5


def test_a_synthesis_kept_for_ipv6_clients_never_reaches_ipv4_clients(nsd):
    require_plugins("dns64")
    # dns64 without allow_ipv4 serves IPv6 clients only (CoreDNS's dns64 README).
    with CoreDNS(block("{port}", nsd.port, " dns64\n")) as c:
        for _ in range(4):
            _, r = ask(c.port, "v4only.kept.test.", "AAAA", via="::1")
            assert answer(r) == ["v4only.kept.test. AAAA 64:ff9b::102:307"]
        for _ in range(2):
            _, r = ask(c.port, "v4only.kept.test.", "AAAA", via="127.0.0.1")
            assert answer(r) == []
            assert r.authority and r.authority[0].rdtype == dns.rdatatype.SOA


def test_other_query_forms_get_the_answer_the_chain_gives(nsd):
    with CoreDNS(block("{port}", nsd.port)) as c:
        for _ in range(3):
            ask(c.port, "www.kept.test.")
        # No EDNS, DO, a small buffer, a cookie: each its own reply, each right.
        _, plain = ask(c.port, "www.kept.test.", edns=False)
        assert plain.edns < 0 and answer(plain) == ["www.kept.test. A 192.0.2.1"]
        q = dns.message.make_query("www.kept.test.", "A", want_dnssec=True, payload=4096)
        for _ in range(3):
            r = dns.query.udp(q, "127.0.0.1", port=c.port, timeout=4)
            assert r.ednsflags & dns.flags.DO and answer(r) == ["www.kept.test. A 192.0.2.1"]
        cookie = dns.edns.GenericOption(dns.edns.COOKIE, b"\x01\x02\x03\x04\x05\x06\x07\x08")
        q = dns.message.make_query("www.kept.test.", "A", use_edns=0, options=[cookie])
        for _ in range(3):
            r = dns.query.udp(q, "127.0.0.1", port=c.port, timeout=4)
            assert answer(r) == ["www.kept.test. A 192.0.2.1"]
            assert any(o.otype == dns.edns.COOKIE for o in r.options)


def test_a_reload_with_another_prefix_never_serves_the_kept_reply(nsd):
    require_plugins("dns64")
    port = free_port()
    with CoreDNS(block(port, nsd.port, " dns64\n"), port=port) as c:
        for _ in range(3):
            _, r = ask(c.port, "v4only.kept.test.", "AAAA", via="::1")
            assert answer(r) == ["v4only.kept.test. AAAA 64:ff9b::102:307"]
        start = len(c.stdout())
        c.write_corefile(block(port, nsd.port, " dns64 64:ff9b:1::/96\n"))
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$", start=start)
        for _ in range(3):
            _, r = ask(c.port, "v4only.kept.test.", "AAAA", via="::1")
            assert answer(r) == ["v4only.kept.test. AAAA 64:ff9b:1::102:307"]
