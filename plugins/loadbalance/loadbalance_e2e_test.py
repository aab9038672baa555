"""loadbalance end to end: nsd serves the same A record set in a fixed order; coredns in front
of it (forward, and cache) shuffles it, prefers some networks, or picks by a weight file that is
edited while the server runs."""
import os
from collections import Counter

from harness import CoreDNS, Nsd, query, zone_file

ADDRS = ["10.9.30.1", "10.9.20.5", "192.168.1.2", "10.9.20.3"]
ZONE = zone_file("example.org", [
    *[f"www IN A {a}" for a in ADDRS],
    "alias IN CNAME www",
    "mail IN MX 10 mx1", "mail IN MX 20 mx2", "mail IN MX 30 mx3",
    "mx1 IN A 192.0.2.1", "mx2 IN A 192.0.2.2", "mx3 IN A 192.0.2.3",
])


def addresses(c, name="www.example.org.", rdtype="A"):
    r = query(name, rdtype, port=c.port)
    return [rr.to_text() for rrset in r.answer for rr in rrset]


def orders(c, n=60, **kw):
    return Counter(tuple(addresses(c, **kw)) for _ in range(n))


def corefile(nsd, lb, cache=False):
    return (".:{port} {\n %s\n%s forward . 127.0.0.1:%d\n}\n"
            % (lb, " cache\n" if cache else "", nsd.port))


def test_without_loadbalance_the_order_is_nsds():
    with Nsd({"example.org.": ZONE}) as nsd, CoreDNS(".:{port} {\n forward . 127.0.0.1:%d\n}\n"
                                                     % nsd.port) as c:
        assert len(orders(c, n=10)) == 1


def test_round_robin_shuffles_answers_also_from_the_cache():
    with Nsd({"example.org.": ZONE}) as nsd, \
            CoreDNS(corefile(nsd, "loadbalance", cache=True)) as c:
        seen = orders(c)
        assert len(seen) > 5  # 24 orders possible; one order 60 times would be a bug
        assert all(sorted(o) == sorted(ADDRS) for o in seen)
        # A CNAME stays first, before the shuffled addresses.
        for _ in range(10):
            r = query("alias.example.org.", "A", port=c.port)
            assert [rrset.rdtype for rrset in r.answer][0] == 5


def test_prefer_puts_the_preferred_networks_first():
    lb = "loadbalance round_robin {\n  prefer 10.9.20.0/24\n  prefer 10.9.30.0/24\n }"
    with Nsd({"example.org.": ZONE}) as nsd, CoreDNS(corefile(nsd, lb)) as c:
        seen = orders(c, n=40)
        for o in seen:
            assert set(o[:2]) == {"10.9.20.5", "10.9.20.3"}
            assert o[2:] == ("10.9.30.1", "192.168.1.2")
        assert len(seen) == 2  # the two 10.9.20 addresses still trade places


def test_weighted_picks_by_weight_and_rereads_the_file():
    with Nsd({"example.org.": ZONE}) as nsd:
        files = {"weights": "www.example.org\n10.9.30.1 255\n10.9.20.3 1\n"}
        lb = "loadbalance weighted weights {\n  reload 1s\n }"
        with CoreDNS(corefile(nsd, lb), files=files) as c:
            c.wait_for_line(r"^\[INFO\] plugin/loadbalance: Successfully reloaded weight file weights$")
            firsts = Counter(addresses(c)[0] for _ in range(100))
            # 255 against 1+1+1: .30.1 first about 99 times in 100.
            assert firsts["10.9.30.1"] > 80
            lines = len(c.stdout())
            with open(os.path.join(c.dir, "weights"), "w") as f:
                f.write("www.example.org\n10.9.20.3 255\n")
            c.wait_for_line("Successfully reloaded weight file", start=lines)
            firsts = Counter(addresses(c)[0] for _ in range(100))
            assert firsts["10.9.20.3"] > 80
            # Other types are not weighted: the MX answer keeps nsd's order.
            mx = [tuple(addresses(c, "mail.example.org.", "MX")) for _ in range(10)]
            assert len(set(mx)) == 1


def test_bad_weight_file_fails_the_start_with_its_message():
    from harness import run_coredns
    import tempfile
    d = tempfile.mkdtemp(prefix="coredns-e2e-lb-")
    with open(os.path.join(d, "Corefile"), "w") as f:
        f.write(".:1053 {\n loadbalance weighted w\n forward . 127.0.0.1:9\n}\n")
    with open(os.path.join(d, "w"), "w") as f:
        f.write("www.example.org\n10.0.0.1 300\n")
    r = run_coredns([], cwd=d)
    assert r.returncode != 0
    assert 'plugin/loadbalance: wrong weight value:"300" in weight file w' in r.stderr.decode()
