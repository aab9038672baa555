"""End-to-end tests of `dns64` and the AD bit (RFC 6147 §5.5): only synthesized records lose
AD; a reply passed through, or a NODATA taken from the AAAA or the A side, keeps the upstream's.
The upstream is a small validating-resolver stand-in written here: it answers from a table and
sets AD on every reply to a query with DO or AD, as a validating resolver does for a secure
zone. The real coredns forwards to it and is queried with dig over ::1."""
import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from harness import CoreDNS, dig, free_port

from dns64_e2e_test import Reply

SOA = "ns1.ad.test. hostmaster.ad.test. 1 3600 900 604800 60"
# name -> {type: list of rdata texts, or "SERVFAIL"}; a type not listed is NODATA with the SOA.
TABLE = {
    "txtonly.ad.test.": {"TXT": ['"no address"']},
    "v4.ad.test.": {"A": ["1.2.3.4"]},
    "both.ad.test.": {"A": ["1.2.3.5"], "AAAA": ["2001:db8::5"]},
    "private.ad.test.": {"A": ["10.1.2.3"]},
    "aaaafail.ad.test.": {"AAAA": "SERVFAIL"},
    "mapped-private.ad.test.": {"A": ["10.1.2.4"], "AAAA": ["::ffff:10.1.2.4"]},
}


class ValidatingStandIn:
    """UDP on 127.0.0.1: answers TABLE with AD set when the query has DO or AD."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def answer(self, q):
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        name, rtype = str(q.question[0].name).lower(), dns.rdatatype.to_text(q.question[0].rdtype)
        entry = TABLE.get(name)
        if entry is None:
            r.set_rcode(dns.rcode.NXDOMAIN)
        elif entry.get(rtype) == "SERVFAIL":
            r.set_rcode(dns.rcode.SERVFAIL)
            return r
        elif rtype in entry:
            r.answer.append(dns.rrset.from_text_list(name, 300, "IN", rtype, entry[rtype]))
        if not r.answer:
            r.authority.append(dns.rrset.from_text("ad.test.", 60, "IN", "SOA", SOA))
        if q.ednsflags & dns.flags.DO or q.flags & dns.flags.AD:
            r.flags |= dns.flags.AD
        return r

    def run(self):
        while not self.stopped.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            try:
                q = dns.message.from_wire(data)
            except Exception:  # not a query this stand-in needs to answer
                continue
            self.sock.sendto(self.answer(q).to_wire(), peer)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def server():
    with ValidatingStandIn() as upstream:
        corefile = (".:{port} {\n dns64\n forward . 127.0.0.1:%d\n}\n"
                    ".:%d {\n dns64 {\n  translate_all\n }\n forward . 127.0.0.1:%d\n}\n")
        translate_all_port = free_port()
        with CoreDNS(corefile % (upstream.port, translate_all_port, upstream.port)) as c:
            c.ports = {"default": c.port, "translate_all": translate_all_port}
            yield c


def ask(server, block, name, *flags):
    return Reply(dig(name, "AAAA", "+nocookie", "+dnssec", *flags, server="::1",
                     port=server.ports[block]))


BLOCKS = ["default", "translate_all"]


@pytest.mark.parametrize("block", BLOCKS)
def test_nodata_from_the_aaaa_side_keeps_ad(server, block):
    r = ask(server, block, "txtonly.ad.test")
    assert (r.status, r.records()) == ("NOERROR", [])
    assert [x[2] for x in r.records("AUTHORITY")] == ["SOA"]
    assert "ad" in r.flags


@pytest.mark.parametrize("block", BLOCKS)
def test_nodata_when_the_only_a_is_not_global_keeps_ad_and_its_soa(server, block):
    r = ask(server, block, "private.ad.test")
    assert (r.status, r.records()) == ("NOERROR", [])
    assert [x[2] for x in r.records("AUTHORITY")] == ["SOA"]
    assert "ad" in r.flags


def test_nodata_from_the_a_side_keeps_ad(server):
    # The AAAA query fails; RFC 6147 §5.1.3 goes on to A, whose NODATA is the answer.
    r = ask(server, "default", "aaaafail.ad.test")
    assert (r.status, r.records()) == ("NOERROR", [])
    assert [x[2] for x in r.records("AUTHORITY")] == ["SOA"]
    assert "ad" in r.flags


@pytest.mark.parametrize("block", BLOCKS)
def test_only_excluded_aaaa_and_no_usable_a_keeps_ad(server, block):
    r = ask(server, block, "mapped-private.ad.test")
    assert (r.status, r.records(rtype="AAAA")) == ("NOERROR", [])
    assert "::ffff" not in r.text
    assert "ad" in r.flags


def test_passed_through_aaaa_keeps_ad(server):
    r = ask(server, "default", "both.ad.test")
    assert r.data() == ["2001:db8::5"]
    assert "ad" in r.flags


@pytest.mark.parametrize("block", BLOCKS)
def test_synthesized_answer_has_no_ad(server, block):
    r = ask(server, block, "v4.ad.test")
    assert r.data() == ["64:ff9b::102:304"]
    assert "ad" not in r.flags


def test_the_stand_in_sets_ad_as_a_validating_resolver(server):
    # Over IPv4 dns64 is off: the upstream's reply as it is, AD included.
    out = dig("txtonly.ad.test", "AAAA", "+nocookie", "+dnssec", server="127.0.0.1",
              port=server.ports["default"])
    assert "ad" in Reply(out).flags
