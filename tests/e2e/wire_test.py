"""Raw bytes on the wire (CoreDNS's core/dnsserver/server.go): what the server drops, what it
rejects before any plugin runs and how those replies look, over UDP and TCP."""
import random
import struct

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import pytest

from harness import CoreDNS, make_query, raw_tcp, raw_udp

HEADER = struct.Struct("!HHHHHH")
QR, AA, TC, RD, RA, AD, CD = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080, 0x0020, 0x0010


@pytest.fixture(scope="module")
def server():
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        yield c


def header(raw):
    ident, flags, qd, an, ns, ar = HEADER.unpack(raw[:12])
    return {"id": ident, "flags": flags, "opcode": (flags >> 11) & 0xF, "rcode": flags & 0xF,
            "qd": qd, "an": an, "ns": ns, "ar": ar}


def query_wire(name="example.org.", qid=0x1234, flags=RD, **kw):
    q = make_query(name, qid=qid, **kw)
    wire = bytearray(q.to_wire())
    struct.pack_into("!H", wire, 2, flags)
    return bytes(wire)


def with_header(wire, **fields):
    """`wire` with some header fields replaced."""
    h = list(HEADER.unpack(wire[:12]))
    for i, name in enumerate(("id", "flags", "qd", "an", "ns", "ar")):
        if name in fields:
            h[i] = fields[name]
    return HEADER.pack(*h) + wire[12:]


def exchange(server, data, transport):
    if transport == "udp":
        return raw_udp(data, server.port, timeout=0.5)
    replies = raw_tcp([data], server.port, timeout=0.5)
    return replies[0] if replies else None


def assert_alive(server):
    reply = raw_udp(query_wire(qid=7), server.port)
    assert reply is not None and header(reply)["id"] == 7


TRANSPORTS = ["udp", "tcp"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w1_shorter_than_a_header_gets_no_reply(server, transport):
    assert exchange(server, query_wire()[:11], transport) is None
    assert_alive(server)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w2_a_response_gets_no_reply(server, transport):
    assert exchange(server, query_wire(flags=QR | RD), transport) is None
    assert_alive(server)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w3_update_opcode_gets_notimp(server, transport):
    wire = query_wire(flags=(5 << 11) | RD | CD, use_edns=0)
    reply = exchange(server, wire, transport)
    h = header(reply)
    assert h["id"] == 0x1234
    assert h["flags"] & QR
    assert h["opcode"] == 5
    assert h["rcode"] == dns.rcode.NOTIMP
    assert h["flags"] & (RD | CD) == RD | CD  # copied from the query
    assert (h["qd"], h["an"], h["ns"], h["ar"]) == (0, 0, 0, 0)  # no question, no OPT
    assert len(reply) == 12


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w4_no_question_gets_formerr(server, transport):
    reply = exchange(server, with_header(query_wire(), qd=0)[:12], transport)
    h = header(reply)
    assert (h["rcode"], h["opcode"], h["qd"]) == (dns.rcode.FORMERR, 0, 0)
    assert h["flags"] & QR and h["flags"] & RD


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w5_two_questions_get_formerr(server, transport):
    wire = query_wire(use_edns=False)
    question = wire[12:]
    reply = exchange(server, with_header(wire + question, qd=2), transport)
    h = header(reply)
    assert (h["rcode"], h["qd"], h["ar"]) == (dns.rcode.FORMERR, 0, 0)


def test_w5_notify_opcode_with_two_questions_is_formerr_with_query_opcode(server):
    wire = query_wire(flags=4 << 11, use_edns=False)
    reply = raw_udp(with_header(wire + wire[12:], qd=2), server.port)
    assert (header(reply)["rcode"], header(reply)["opcode"]) == (dns.rcode.FORMERR, 0)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w6_three_additional_records_get_formerr(server, transport):
    wire = query_wire(use_edns=False)
    # Three small TXT records in the additional section.
    rr = b"\x00" + struct.pack("!HHIH", 16, 1, 0, 2) + b"\x01a"
    reply = exchange(server, with_header(wire + rr * 3, ar=3), transport)
    assert header(reply)["rcode"] == dns.rcode.FORMERR
    assert header(reply)["qd"] == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w7_question_promised_but_missing_gets_servfail(server, transport):
    wire = query_wire(flags=RD | CD)[:12]
    reply = exchange(server, wire, transport)
    h = header(reply)
    assert (h["rcode"], h["qd"], h["an"], h["ar"]) == (dns.rcode.SERVFAIL, 0, 0, 0)
    assert h["flags"] & (QR | RD | CD) == QR | RD | CD
    assert not h["flags"] & RA


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w8_name_cut_mid_label_gets_formerr(server, transport):
    wire = query_wire("example.org.", use_edns=False)
    reply = exchange(server, wire[:12 + 5], transport)  # "\x07exam"
    h = header(reply)
    assert h["rcode"] == dns.rcode.FORMERR
    assert h["qd"] == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w9_header_bits_of_a_plugin_reply(server, transport):
    reply = exchange(server, query_wire(flags=RD | CD | AD), transport)
    h = header(reply)
    assert h["rcode"] == dns.rcode.NOERROR
    assert h["flags"] & (QR | AA | RD | CD) == QR | AA | RD | CD
    assert not h["flags"] & (AD | RA | TC)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w10_trailing_junk_is_ignored(server, transport):
    reply = exchange(server, query_wire(qid=99) + b"\xde\xad\xbe\xef\x00", transport)
    msg = dns.message.from_wire(reply)
    assert msg.id == 99 and msg.rcode() == dns.rcode.NOERROR and len(msg.additional) == 2


def padded_query(size):
    """A query of exactly `size` bytes: an OPT carrying an option the server does not echo."""
    base = len(make_query("example.org.", use_edns=0, options=[]).to_wire())
    option = dns.edns.GenericOption(65001, b"\x00" * (size - base - 4))
    # max_size: dnspython otherwise refuses a query bigger than its own EDNS buffer size.
    wire = make_query("example.org.", use_edns=0, options=[option], qid=4242).to_wire(max_size=65535)
    assert len(wire) == size
    return wire


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_w11_queries_larger_than_512_bytes_are_answered(server, transport):
    # Deliberate deviation (docs/deviations.md): CoreDNS reads 512 bytes of a UDP query and
    # FORMERRs the rest; we read the whole datagram.
    reply = exchange(server, padded_query(600), transport)
    msg = dns.message.from_wire(reply)
    assert msg.id == 4242 and msg.rcode() == dns.rcode.NOERROR
    assert len(msg.additional) == 2
    assert len(msg.options) == 0  # option 65001 is not one the server echoes


def test_large_udp_query_up_to_the_datagram_limit(server):
    reply = raw_udp(padded_query(4000), server.port)
    assert dns.message.from_wire(reply).rcode() == dns.rcode.NOERROR


def test_random_bytes_never_stop_the_server(server):
    rng = random.Random(20260101)
    valid = query_wire()
    for _ in range(300):
        if rng.random() < 0.5:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 80)))
        else:
            data = bytearray(valid)
            for _ in range(rng.randrange(1, 6)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data[:rng.randrange(len(data) + 1)])
        raw_udp(data, server.port, timeout=0.01)
    frames = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))) for _ in range(50)]
    raw_tcp(frames, server.port, timeout=0.3)
    assert_alive(server)
    assert server.proc.poll() is None
