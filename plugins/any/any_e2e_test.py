"""any end to end: dig's ANY query gets RFC 8482's HINFO from coredns, other types reach nsd
through forward."""
from harness import CoreDNS, Nsd, dig, zone_file

ZONE = zone_file("example.org", ["www IN A 192.0.2.80", "www IN TXT \"hello\""])


def test_any_gets_hinfo_and_other_types_reach_the_upstream():
    with Nsd({"example.org.": ZONE}) as nsd, \
            CoreDNS(".:{port} {\n any\n forward . 127.0.0.1:%d\n}\n" % nsd.port) as c:
        out = dig("ANY", "WWW.example.org", port=c.port)
        assert 'WWW.example.org.\t8482\tIN\tHINFO\t"ANY obsoleted" "See RFC 8482"' in out
        assert "ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1" in out  # the OPT echoed
        assert "flags: qr rd;" in out
        # Over TCP too, and without EDNS.
        out = dig("+tcp", "+noedns", "ANY", "example.org", port=c.port)
        assert 'example.org.\t\t8482\tIN\tHINFO\t"ANY obsoleted" "See RFC 8482"' in out
        assert "ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0" in out
        assert dig("+short", "www.example.org", "TXT", port=c.port) == '"hello"\n'
        assert dig("+short", "www.example.org", "A", port=c.port) == "192.0.2.80\n"


def test_without_any_the_any_query_reaches_the_upstream():
    with Nsd({"example.org.": ZONE}) as nsd, \
            CoreDNS(".:{port} {\n forward . 127.0.0.1:%d\n}\n" % nsd.port) as c:
        out = dig("ANY", "www.example.org", port=c.port)
        assert "HINFO" not in out and "192.0.2.80" in out
