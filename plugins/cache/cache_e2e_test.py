"""End-to-end tests of `cache`: the real coredns binary with cache in front of forward, forwarding
to an nsd on loopback. Answers must match nsd's, hits count TTLs down and keep the client's case,
negative answers are cached with the SOA's TTL, and serve_stale answers once nsd is gone."""
import re
import signal
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from harness import CoreDNS, Nsd, curl, free_port, has_plugin, zone_file

ZONE = zone_file("example.org", [
    "a-only IN A 192.0.2.1",
    "both IN A 192.0.2.2",
    "both IN AAAA 2001:db8::2",
    "chain IN CNAME chain2",
    "chain2 IN CNAME both",
    'nodata IN TXT "only text here"',
    *[f"many IN A 198.51.100.{i}" for i in range(1, 41)],  # 40 A records: > 512 bytes
], ttl=300, soa_minimum=60)


def ask(port, name, rdtype="A", tcp=False, edns=True, payload=1232, timeout=4):
    q = dns.message.make_query(name, rdtype, use_edns=0 if edns else False, payload=payload)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout, ignore_trailing=True)


def records(msg):
    """Every section as sorted 'owner type rdata' lines, TTLs left out."""
    out = []
    for section in (msg.answer, msg.authority, msg.additional):
        lines = []
        for rrset in section:
            for rd in rrset:
                lines.append(f"{rrset.name.to_text().lower()} {dns.rdatatype.to_text(rrset.rdtype)} "
                             f"{rd.to_text()}")
        out.append(sorted(lines))
    return out


def ttls(msg):
    return {rrset.ttl for section in (msg.answer, msg.authority, msg.additional) for rrset in section}


def cache_corefile(upstream_port, cache_options=""):
    return (".:{port} {\n cache" + cache_options + "\n forward . 127.0.0.1:" + str(upstream_port)
            + "\n}\n")


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE}) as n:
        yield n


@pytest.fixture(scope="module")
def coredns(nsd):
    with CoreDNS(cache_corefile(nsd.port)) as c:
        yield c


CASES = [
    ("a-only.example.org.", "A"),
    ("both.example.org.", "A"),
    ("both.example.org.", "AAAA"),
    ("chain.example.org.", "A"),
    ("nodata.example.org.", "AAAA"),
    ("missing.example.org.", "A"),
    ("many.example.org.", "A"),
]


@pytest.mark.parametrize("name,rdtype", CASES)
def test_answers_match_nsd_on_miss_and_hit(nsd, coredns, name, rdtype):
    direct = ask(nsd.port, name, rdtype, tcp=True)
    miss = ask(coredns.port, name, rdtype, tcp=True)
    hit = ask(coredns.port, name, rdtype, tcp=True)
    for got in (miss, hit):
        assert got.rcode() == direct.rcode()
        assert records(got) == records(direct)
        # One TTL for every record: the smallest upstream TTL (within 5 s .. 3600 s).
        assert len(ttls(got)) == 1
        assert ttls(got).pop() <= min(ttls(direct))
    assert hit.flags & dns.flags.AA


def test_hits_count_down_keep_the_clients_case_and_cache_denials_with_the_soa_ttl(nsd, coredns):
    names = [("BoTh.ExAmPlE.oRg.", "A"), ("missing-2.example.org.", "A"),
             ("nodata.example.org.", "MX")]
    first = {n: ask(coredns.port, n, t) for n, t in names}
    soa_ttl = ask(nsd.port, "missing-2.example.org.").authority[0].ttl
    assert first["missing-2.example.org."].rcode() == dns.rcode.NXDOMAIN
    assert first["missing-2.example.org."].authority[0].ttl == soa_ttl
    assert first["nodata.example.org."].rcode() == dns.rcode.NOERROR
    assert first["nodata.example.org."].authority[0].ttl == soa_ttl
    time.sleep(1.2)
    for n, t in names:
        asked = n.swapcase()  # a 0x20-style client: its own mix of cases
        again = ask(coredns.port, asked, t)
        assert again.question[0].name.to_text() == asked
        assert again.rcode() == first[n].rcode()
        section = again.answer or again.authority
        before = (first[n].answer or first[n].authority)[0].ttl
        assert 1 <= before - section[0].ttl <= 3, "a hit counts the TTL down"
        if again.answer:
            assert again.answer[0].name.to_text() == asked


def test_large_cached_answer_is_truncated_for_small_udp_clients(nsd, coredns):
    full = ask(coredns.port, "many.example.org.", tcp=True)
    assert len(full.answer[0]) == 40
    small = ask(coredns.port, "many.example.org.", edns=False)
    assert small.flags & dns.flags.TC
    assert len(small.to_wire()) <= 512
    big = ask(coredns.port, "many.example.org.", payload=4096)
    assert not big.flags & dns.flags.TC
    assert len(big.answer[0]) == 40


def test_serve_stale_answers_after_the_upstream_is_killed():
    with Nsd({"example.org.": ZONE}) as upstream, \
            CoreDNS(cache_corefile(upstream.port, " 2 {\n  serve_stale 1h\n }")) as immediate, \
            CoreDNS(cache_corefile(upstream.port,
                                   " 2 {\n  serve_stale 1h verify 300ms 30s 30s\n }")) as verify:
        for server in (immediate, verify):
            fresh = ask(server.port, "both.example.org.")
            assert fresh.answer[0].ttl == 2
        upstream.kill()
        time.sleep(2.1)  # both entries expired

        stale = ask(immediate.port, "both.example.org.")
        assert stale.rcode() == dns.rcode.NOERROR
        assert stale.answer[0].ttl == 0
        assert [rd.to_text() for rd in stale.answer[0]] == ["192.0.2.2"]

        started = time.monotonic()
        stale = ask(verify.port, "both.example.org.")
        assert time.monotonic() - started < 2, "VERIFY_TIMEOUT bounds the wait"
        assert stale.rcode() == dns.rcode.NOERROR
        assert stale.answer[0].ttl == 30

        never_cached = ask(immediate.port, "a-only.example.org.", timeout=8)
        assert never_cached.rcode() == dns.rcode.SERVFAIL


def cache_metrics(port):
    """{(name, frozenset of label pairs): value} for the coredns_cache_ series (label order in
    the text does not matter to Prometheus)."""
    out = {}
    for line in curl(f"http://127.0.0.1:{port}/metrics").body.splitlines():
        m = re.match(r'^(coredns_cache_\w+)\{(.*)\} (\S+)$', line)
        if m:
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


@pytest.mark.skipif(not has_plugin("prometheus"), reason="prometheus not compiled in")
def test_metrics_carry_coredns_names_and_labels(nsd):
    mport = free_port()
    corefile = (".:{port} {\n prometheus 127.0.0.1:" + str(mport) + "\n cache example.org\n"
                " forward . 127.0.0.1:" + str(nsd.port) + "\n}\n")
    with CoreDNS(corefile) as c:
        ask(c.port, "a-only.example.org.")
        ask(c.port, "a-only.example.org.")
        ask(c.port, "missing.example.org.")
        ask(c.port, "missing.example.org.")
        ask(c.port, "outside.example.net.")  # not the cache's zone: not counted
        got = cache_metrics(mport)

        def series(name, **labels):
            labels = dict(server=f"dns://:{c.port}", zones="example.org.", view="", **labels)
            return got[(name, frozenset(labels.items()))]

        assert series("coredns_cache_requests_total") == 4
        assert series("coredns_cache_misses_total") == 2
        assert series("coredns_cache_hits_total", type="success") == 1
        assert series("coredns_cache_hits_total", type="denial") == 1
        assert series("coredns_cache_entries", type="success") == 1
        assert series("coredns_cache_entries", type="denial") == 1
        assert series("coredns_cache_served_stale_total") == 0
        assert series("coredns_cache_evictions_total", type="success") == 0


def test_a_reload_during_background_refreshes_keeps_serving(nsd):
    """Prefetches run after the client got its answer; a reload must wait for them (they hold
    the configuration), and the new configuration starts with an empty cache."""
    corefile = cache_corefile(nsd.port, " 2 {\n  success 10000 2 0\n  prefetch 1 1m 90%\n }")
    with CoreDNS(corefile) as c:
        for _ in range(3):
            for i in range(50):
                ask(c.port, f"n{i}.example.org.", "TXT")  # NXDOMAIN: counts down in the denial cache
                ask(c.port, "both.example.org.")
            c.signal(signal.SIGUSR1)
            time.sleep(0.3)
        assert c.proc.poll() is None
        assert ask(c.port, "both.example.org.").answer[0].ttl <= 2
