"""EDNS and truncation over the wire (RFC 6891; CoreDNS's request.Scrub): the OPT of a reply
mirrors the query's, unsupported options are dropped, UDP replies fit the client's size."""
import dns.edns
import dns.flags
import dns.message
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, make_query, raw_tcp, raw_udp, require_plugins, zone_file

COOKIE = 10
ECS = 8
NSID = 3


@pytest.fixture(scope="module")
def server():
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        yield c


def ask(server, q, tcp=False):
    if tcp:
        raw = raw_tcp([q.to_wire()], server.port)[0]
    else:
        raw = raw_udp(q.to_wire(), server.port)
    return raw, dns.message.from_wire(raw)


def test_x1_no_opt_in_the_query_means_none_in_the_reply(server):
    raw, reply = ask(server, make_query("example.org.", use_edns=False))
    assert reply.edns == -1
    assert reply.rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize("tcp", [False, True])
def test_x2_buffer_size_and_do_bit_are_echoed(server, tcp):
    _, reply = ask(server, make_query("example.org.", use_edns=0, payload=4096,
                                      want_dnssec=True), tcp)
    assert reply.edns == 0
    assert reply.payload == 4096
    assert reply.ednsflags & dns.flags.DO
    assert reply.ednsflags & 0x7FFF == 0  # no other flag bits


def test_x2_no_do_bit_stays_clear(server):
    _, reply = ask(server, make_query("example.org.", use_edns=0, payload=1232))
    assert reply.payload == 1232
    assert not reply.ednsflags & dns.flags.DO


def test_x3_client_cookie_is_echoed(server):
    cookie = dns.edns.GenericOption(COOKIE, bytes.fromhex("0123456789abcdef"))
    _, reply = ask(server, make_query("example.org.", use_edns=0, payload=1232, options=[cookie]))
    assert reply.payload == 1232
    assert [(o.otype, o.to_wire()) for o in reply.options] == [(COOKIE, cookie.to_wire())]


def test_x3_empty_nsid_request_is_echoed_empty(server):
    nsid = dns.edns.GenericOption(NSID, b"")
    _, reply = ask(server, make_query("example.org.", use_edns=0, options=[nsid]))
    assert [(o.otype, o.to_wire()) for o in reply.options] == [(NSID, b"")]


def test_x4_client_subnet_is_not_echoed(server):
    ecs = dns.edns.ECSOption("192.0.2.0", 24)
    cookie = dns.edns.GenericOption(COOKIE, bytes.fromhex("0011223344556677"))
    _, reply = ask(server, make_query("example.org.", use_edns=0, options=[ecs, cookie]))
    assert reply.edns == 0
    assert [o.otype for o in reply.options] == [COOKIE]


def test_x5_buffer_below_512_is_treated_as_512_but_echoed(server):
    name = "a" * 50 + ".example.org."  # a reply of about 180 bytes, even compressed
    raw, reply = ask(server, make_query(name, use_edns=0, payload=100))
    assert reply.payload == 100
    assert len(raw) > 100  # not cut to the advertised 100
    assert not reply.flags & dns.flags.TC
    assert len(reply.additional) == 2


def long_name():
    labels = ["a" * 60, "b" * 60, "c" * 60, "d" * 60]  # 4 * 61 + 1 = 245 octets on the wire
    return ".".join(labels) + "."


def test_reply_too_big_uncompressed_is_compressed_to_fit_512(server):
    # whoami repeats the query name in two owners: ~790 bytes uncompressed, ~300 compressed.
    raw, reply = ask(server, make_query(long_name(), use_edns=False))
    assert len(raw) <= 512
    assert not reply.flags & dns.flags.TC
    assert len(reply.additional) == 2


@pytest.fixture(scope="module")
def big_answers():
    """forward over TCP to nsd serving 100 A records for one name: a reply of ~1.6 kB."""
    require_plugins("forward")
    records = [f"big IN A 192.0.2.{i}" for i in range(1, 101)]
    with Nsd({"example.org.": zone_file("example.org.", records)}) as nsd:
        corefile = ".:{port} {\n forward . 127.0.0.1:%d {\n  force_tcp\n }\n}\n" % nsd.port
        with CoreDNS(corefile) as c:
            yield c


def test_x6_udp_reply_is_cut_at_record_boundaries_to_512_with_tc(big_answers):
    raw, reply = ask(big_answers, make_query("big.example.org.", use_edns=False))
    assert len(raw) <= 512
    assert reply.flags & dns.flags.TC
    assert 0 < len(reply.answer[0]) < 100


def test_x7_udp_reply_fits_the_advertised_size_with_opt(big_answers):
    raw, reply = ask(big_answers, make_query("big.example.org.", use_edns=0, payload=1232))
    assert 512 < len(raw) <= 1232
    assert reply.flags & dns.flags.TC
    assert reply.payload == 1232


def test_x8_tcp_reply_is_complete(big_answers):
    _, reply = ask(big_answers, make_query("big.example.org.", use_edns=False), tcp=True)
    assert not reply.flags & dns.flags.TC
    assert len(reply.answer[0]) == 100
