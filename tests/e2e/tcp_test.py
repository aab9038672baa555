"""DNS over TCP per RFC 7766: length-prefixed messages up to 65535 bytes, several
queries pipelined on one connection, frames split across writes, idle connections closed."""
import socket
import struct
import time

import dns.edns
import dns.message
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, make_query, require_plugins, zone_file

FIRST_QUERY_TIMEOUT = 3   # seconds a new connection may wait before its first query
IDLE_TIMEOUT = 10         # seconds an established connection may stay idle


@pytest.fixture(scope="module")
def server():
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        yield c


def frame(wire):
    return struct.pack("!H", len(wire)) + wire


def connect(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_replies(s, count):
    out, buf = [], b""
    while len(out) < count:
        chunk = s.recv(65535)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
            n = struct.unpack("!H", buf[:2])[0]
            out.append(dns.message.from_wire(buf[2:2 + n]))
            buf = buf[2 + n:]
    return out


def closed_by_peer(s, within):
    """True if the server closes `s` within `within` seconds."""
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_pipelined_queries_in_one_write_are_all_answered(server):
    names = {1000 + i: f"q{i}.example.org." for i in range(20)}
    data = b"".join(frame(make_query(n, qid=i).to_wire()) for i, n in names.items())
    with connect(server) as s:
        s.sendall(data)
        replies = read_replies(s, len(names))
    assert sorted(r.id for r in replies) == sorted(names)
    for r in replies:
        assert r.rcode() == dns.rcode.NOERROR
        assert r.question[0].name.to_text() == names[r.id]


def test_frames_split_across_writes_are_reassembled(server):
    data = frame(make_query("split.example.org.", qid=77).to_wire()) + \
        frame(make_query("second.example.org.", qid=78).to_wire())
    with connect(server) as s:
        # The length prefix alone, then the rest byte by byte across both messages.
        s.sendall(data[:1])
        time.sleep(0.02)
        for i in range(1, len(data), 7):
            s.sendall(data[i:i + 7])
            time.sleep(0.002)
        replies = read_replies(s, 2)
    assert sorted(r.id for r in replies) == [77, 78]


def test_connection_serves_query_after_query(server):
    with connect(server) as s:
        for i in range(50):
            s.sendall(frame(make_query(f"n{i}.example.org.", qid=i).to_wire()))
            (reply,) = read_replies(s, 1)
            assert reply.id == i


def test_short_frames_are_ignored_and_the_connection_keeps_going(server):
    with connect(server) as s:
        s.sendall(frame(b"") + frame(b"\x00" * 11) + frame(make_query("ok.example.org.", qid=5).to_wire()))
        (reply,) = read_replies(s, 1)
        assert reply.id == 5


def test_a_65535_byte_query_is_answered(server):
    base = len(make_query("example.org.", use_edns=0, options=[]).to_wire())
    option = dns.edns.GenericOption(65001, b"\xab" * (65535 - base - 4))
    wire = make_query("example.org.", use_edns=0, options=[option], qid=31337).to_wire(max_size=65535)
    assert len(wire) == 65535
    with connect(server) as s:
        s.sendall(frame(wire) + frame(make_query("after.example.org.", qid=31338).to_wire()))
        replies = read_replies(s, 2)
    assert [r.id for r in replies] == [31337, 31338]
    assert replies[0].rcode() == dns.rcode.NOERROR and len(replies[0].options) == 0


def test_idle_connections_are_closed():
    # Separate server: the timing must not depend on other tests' connections.
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        fresh = connect(c)
        used = connect(c)
        used.sendall(frame(make_query("x.example.org.", qid=1).to_wire()))
        assert read_replies(used, 1)[0].id == 1
        t0 = time.monotonic()
        # No query at all: closed after the first-query timeout.
        assert closed_by_peer(fresh, FIRST_QUERY_TIMEOUT + 2)
        assert FIRST_QUERY_TIMEOUT - 0.5 < time.monotonic() - t0
        # One query answered: the longer idle timeout applies, counted from the reply.
        assert not closed_by_peer(used, 0.5)
        assert closed_by_peer(used, IDLE_TIMEOUT + 2)
        assert IDLE_TIMEOUT - 0.5 < time.monotonic() - t0
        fresh.close()
        used.close()


def test_half_closed_connection_still_gets_its_replies(server):
    with connect(server) as s:
        s.sendall(frame(make_query("a.example.org.", qid=1).to_wire()) +
                  frame(make_query("b.example.org.", qid=2).to_wire()))
        s.shutdown(socket.SHUT_WR)
        assert sorted(r.id for r in read_replies(s, 2)) == [1, 2]
        assert s.recv(1) == b""  # then the server closes


def test_half_closed_connection_gets_replies_that_take_time():
    # forward answers asynchronously: the client's end of stream arrives before the replies.
    require_plugins("forward")
    zone = zone_file("example.org.", ["www IN A 192.0.2.1"])
    with Nsd({"example.org.": zone}) as nsd:
        with CoreDNS(".:{port} {\n forward . 127.0.0.1:%d\n}\n" % nsd.port) as c:
            with connect(c) as s:
                s.sendall(frame(make_query("www.example.org.", qid=11).to_wire()) +
                          frame(make_query("www.example.org.", "AAAA", qid=12).to_wire()))
                s.shutdown(socket.SHUT_WR)
                replies = read_replies(s, 2)
    assert sorted(r.id for r in replies) == [11, 12]
    assert all(r.rcode() == dns.rcode.NOERROR for r in replies)
