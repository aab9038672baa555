"""minimal end to end: nsd's answers through forward lose their authority and additional
sections, its referrals, NODATA and NXDOMAIN do not."""
import dns.rcode

from harness import CoreDNS, Nsd, query, zone_file

ZONE = zone_file("example.org", [
    "mail IN MX 10 mx.example.org.",
    "mx IN A 192.0.2.25",
    "sub IN NS ns.sub.example.org.",
    "ns.sub IN A 192.0.2.53",
])


def corefile(nsd_port, minimal):
    return ".:{port} {\n%s forward . 127.0.0.1:%d\n}\n" % (" minimal\n" if minimal else "",
                                                             nsd_port)


def ask(c, name, rdtype):
    return query(name, rdtype, port=c.port, use_edns=0)


def test_positive_answer_is_minimised():
    with Nsd({"example.org.": ZONE}) as nsd:
        with CoreDNS(corefile(nsd.port, False)) as c:
            full = ask(c, "mail.example.org.", "MX")
        # nsd adds the zone's NS and the addresses of the exchange (RFC 1035 §3.3.9) and of the
        # name server: what minimal strips.
        assert [rr.to_text() for rr in full.authority] == ["example.org. 300 IN NS ns1.example.org."]
        assert "mx.example.org. 300 IN A 192.0.2.25" in [rr.to_text() for rr in full.additional]
        with CoreDNS(corefile(nsd.port, True)) as c:
            small = ask(c, "mail.example.org.", "MX")
        assert [rr.to_text() for rr in small.answer] == [rr.to_text() for rr in full.answer]
        assert small.authority == [] and small.additional == []
        assert small.edns == 0  # the client still gets its OPT back


def test_referral_nodata_and_nxdomain_are_unchanged():
    with Nsd({"example.org.": ZONE}) as nsd:
        replies = {}
        for m in (False, True):
            with CoreDNS(corefile(nsd.port, m)) as c:
                replies[m] = [ask(c, "www.sub.example.org.", "A"),
                              ask(c, "mx.example.org.", "TXT"),
                              ask(c, "nothing.example.org.", "A")]
        for plain, minimised in zip(replies[False], replies[True]):
            assert minimised.rcode() == plain.rcode()
            assert minimised.authority == plain.authority
            assert minimised.additional == plain.additional
        referral, nodata, nxdomain = replies[True]
        assert [rr.to_text() for rr in referral.authority] == ["sub.example.org. 300 IN NS ns.sub.example.org."]
        assert [rr.to_text() for rr in referral.additional] == ["ns.sub.example.org. 300 IN A 192.0.2.53"]
        assert nodata.authority[0].rdtype == 6 and nodata.answer == []
        assert nxdomain.rcode() == dns.rcode.NXDOMAIN
