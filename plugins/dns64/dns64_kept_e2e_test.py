"""End-to-end tests of the answers dns64 keeps (plugins/dns64/README.md, "Kept answers"): the real
coredns binary with `dns64`, `cache` and `forward` to nsd on loopback, queried with dig.

The block logs every query it serves, its own A sub-queries included: a kept answer is one that
came without an A line. One worker, so that the log lines come in the order of the queries.
"""
import re
import signal
import time

import pytest

from harness import CoreDNS, Nsd, dig, free_port, require_plugins, zone_file

NAME = "kept.dns64.test"


def zone(address):
    return zone_file("dns64.test", [f"kept 4 IN A {address}", "other 3600 IN A 1.2.3.5",
                                    "signed 3600 IN A 1.2.3.6"], soa_minimum=60)


def corefile(port, upstream, dns64="dns64", cache="cache"):
    return f".:{port} {{\n log\n {dns64}\n {cache}\n forward . 127.0.0.1:{upstream}\n}}\n"


class Reply:
    """What dig printed: status, flags, EDNS presence and the answer records."""

    def __init__(self, out):
        self.text = out
        self.status = re.search(r"status: (\w+)", out).group(1)
        self.flags = set(re.search(r";; flags: ([a-z ]*);", out).group(1).split())
        self.edns = ";; OPT PSEUDOSECTION:" in out
        self.answer = []
        section = None
        for line in out.splitlines():
            m = re.match(r";; (\w+) SECTION:", line)
            if m:
                section = m.group(1)
            elif not line:
                section = None
            elif section == "ANSWER" and not line.startswith(";"):
                f = line.split(None, 4)
                self.answer.append((f[0], int(f[1]), f[3], f[4]))


def ask(c, *flags, name=NAME, via="::1"):
    return Reply(dig(name, "AAAA", "+nocookie", *flags, server=via, port=c.port))


def a_lookups(c, start, name=NAME):
    """How many A sub-queries for `name` the block logged since line `start`, once the AAAA
    query that followed them is logged too."""
    c.wait_for_line(rf'"AAAA IN {re.escape(name)}\. ', start=start)
    return sum(1 for line in c.stdout()[start:] if f'"A IN {name}. ' in line)


@pytest.fixture
def nsd():
    require_plugins("dns64", "cache", "forward", "log")
    with Nsd({"dns64.test.": zone("1.2.3.4")}) as n:
        yield n


@pytest.fixture
def coredns(nsd):
    port = free_port()
    with CoreDNS(corefile(port, nsd.port), port=port, env={"COREDNS_WORKERS": "1"}) as c:
        yield c


def test_a_kept_answer_needs_no_lookup_and_its_ttl_counts_down(coredns):
    name = "other.dns64.test"  # TTL min(A 3600, SOA 60): alive for the whole test
    start = len(coredns.stdout())
    first = ask(coredns, name=name)  # both sides from nsd: nothing promised, nothing kept
    assert first.answer[0][2:] == ("AAAA", "64:ff9b::102:305")
    assert a_lookups(coredns, start, name) == 1
    start = len(coredns.stdout())
    ask(coredns, name=name)  # both sides cache hits: kept
    assert a_lookups(coredns, start, name) == 1
    start = len(coredns.stdout())
    kept = ask(coredns, name=name)
    assert a_lookups(coredns, start, name) == 0
    assert kept.answer[0][2:] == ("AAAA", "64:ff9b::102:305")
    time.sleep(2.1)
    start = len(coredns.stdout())
    later = ask(coredns, name=name)
    assert a_lookups(coredns, start, name) == 0
    assert later.answer[0][2:] == ("AAAA", "64:ff9b::102:305")
    assert later.answer[0][1] <= kept.answer[0][1] - 2


def test_after_the_a_record_expires_a_changed_address_is_served(nsd, coredns):
    ask(coredns)
    ask(coredns)
    assert ask(coredns).answer[0][3] == "64:ff9b::102:304"  # kept
    nsd.stop()
    with Nsd({"dns64.test.": zone("1.2.3.99")}, port=nsd.port):
        # The cache holds the A record 5 s (its minimum TTL): the kept answer no longer.
        time.sleep(5.5)
        start = len(coredns.stdout())
        assert ask(coredns).answer[0][3] == "64:ff9b::102:363"
        assert a_lookups(coredns, start) == 1


def test_a_reload_with_another_prefix_never_serves_the_old_one(nsd):
    port = free_port()
    with CoreDNS(corefile(port, nsd.port), port=port, env={"COREDNS_WORKERS": "1"}) as c:
        for _ in range(3):
            assert ask(c, name="other.dns64.test").answer[0][3] == "64:ff9b::102:305"
        start = len(c.stdout())
        c.write_corefile(corefile(port, nsd.port, dns64="dns64 64:ff9b:1::/96"))
        c.signal(signal.SIGUSR1)
        c.wait_for_line(r"^\[INFO\] Reloading complete$", start=start)
        for _ in range(3):
            assert ask(c, name="other.dns64.test").answer[0][3] == "64:ff9b:1::102:305"


def test_clients_dns64_does_not_serve_never_get_a_kept_answer(coredns):
    for _ in range(3):
        assert ask(coredns, name="other.dns64.test").answer
    # Without allow_ipv4, an IPv4 client gets the upstream's NODATA.
    v4 = ask(coredns, name="other.dns64.test", via="127.0.0.1")
    assert v4.status == "NOERROR"
    assert v4.answer == []


def test_clients_option_never_leaks_a_kept_answer(nsd):
    port = free_port()
    text = corefile(port, nsd.port, dns64="dns64 {\n  clients ::1\n }")
    with CoreDNS(text, port=port, env={"COREDNS_WORKERS": "1"}) as c:
        for _ in range(3):
            assert ask(c, name="other.dns64.test").answer[0][3] == "64:ff9b::102:305"
        assert ask(c, name="other.dns64.test", via="127.0.0.1").answer == []


def test_do_cd_ad_and_edns_as_without_kept_answers(coredns):
    for _ in range(3):
        plain = ask(coredns, name="signed.dns64.test")
    assert plain.edns
    assert "ad" not in plain.flags and "aa" not in plain.flags and "ra" in plain.flags
    # DO: a key of its own; still synthesized, still no AD.
    for _ in range(3):
        do = ask(coredns, "+dnssec", name="signed.dns64.test")
    assert do.answer[0][2:] == ("AAAA", "64:ff9b::102:306")
    assert "ad" not in do.flags
    # AD from the client: never set on a synthesized answer.
    assert "ad" not in ask(coredns, "+adflag", name="signed.dns64.test").flags
    # DO and CD: RFC 6147 §5.5, the client synthesizes itself: no AAAA made up for it.
    assert ask(coredns, "+dnssec", "+cdflag", name="signed.dns64.test").answer == []
    # CD alone: synthesized, and CD comes back.
    cd = ask(coredns, "+cdflag", name="signed.dns64.test")
    assert cd.answer[0][3] == "64:ff9b::102:306" and "cd" in cd.flags
    # No EDNS: a kept answer of its own, and no OPT in it.
    for _ in range(3):
        bare = ask(coredns, "+noedns", name="signed.dns64.test")
    assert bare.answer[0][3] == "64:ff9b::102:306"
    assert not bare.edns


def test_acl_below_dns64_still_decides_for_every_client(nsd):
    """acl between dns64 and cache: answers are kept for the clients it admits, and a client it
    blocks gets its refusal even while an answer for the name is kept."""
    port = free_port()
    text = (f".:{port} {{\n log\n dns64 {{\n  allow_ipv4\n }}\n"
            f" acl {{\n  block net 127.0.0.0/8\n }}\n cache\n forward . 127.0.0.1:{nsd.port}\n}}\n")
    name = "other.dns64.test"
    with CoreDNS(text, port=port, env={"COREDNS_WORKERS": "1"}) as c:
        for _ in range(2):
            assert ask(c, name=name).answer[0][3] == "64:ff9b::102:305"
        start = len(c.stdout())
        assert ask(c, name=name).answer[0][3] == "64:ff9b::102:305"
        assert a_lookups(c, start, name) == 0  # kept, acl asked instead of served
        blocked = ask(c, name=name, via="127.0.0.1")
        assert blocked.status == "REFUSED"
        assert blocked.answer == []
