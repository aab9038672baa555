"""End-to-end tests of `forward`: the real coredns binary forwarding to nsd (and, where a test
needs an upstream that misbehaves on purpose, a small scripted server) on loopback."""
import os
import socket
import struct
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from harness import CoreDNS, Nsd, free_port, has_plugin, zone_file
from harness.process import coredns_bin, sanitized

BIG_TXT = [f'big IN TXT "{"x" * 200}{i}"' for i in range(10)]  # about 2.1 KB
ZONE = zone_file("example.org", [
    "a-only IN A 192.0.2.1",
    "both IN A 192.0.2.2",
    "both IN AAAA 2001:db8::2",
    "chain IN CNAME chain2",
    "chain2 IN CNAME both",
    "nodata IN TXT \"only text here\"",
    *[f"many IN A 198.51.100.{i}" for i in range(1, 41)],  # 40 A records: > 512 bytes
    *BIG_TXT,
])
ZONE_NET = zone_file("example.net", ["www IN A 203.0.113.9", "only-net IN A 203.0.113.10"])


def ask(port, name, rdtype="A", tcp=False, edns=True, payload=1232, rdclass="IN", timeout=4):
    q = dns.message.make_query(name, rdtype, rdclass, use_edns=0 if edns else False,
                               payload=payload)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout, ignore_trailing=True)


def sections(msg):
    return [sorted(rr.to_text() for rr in s) for s in (msg.answer, msg.authority, msg.additional)]


def forward_corefile(*to, options="", extra=""):
    return (".:{port} {\n forward . " + " ".join(to) + " {\n" + options + "\n }\n" + extra + "}\n")


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE, "example.net.": ZONE_NET},
             extra_config="server:\n  ipv4-edns-size: 1232") as n:
        yield n


@pytest.fixture(scope="module")
def coredns(nsd):
    with CoreDNS(forward_corefile(f"127.0.0.1:{nsd.port}")) as c:
        yield c


# --- a scripted upstream ------------------------------------------------------------------------

class FakeUpstream:
    """UDP and TCP on 127.0.0.1. `script(query, proto)` returns what to send back: a list of
    bytes objects, or (b"other", bytes) to send that datagram from another port, or
    (b"addr", bytes) from another address (127.0.0.2) with the upstream's port."""

    def __init__(self, script):
        self.script = script
        self.port = free_port()
        self.seen = []  # (proto, source port, query id, qname)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(16)
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind(("127.0.0.1", 0))
        self.other_addr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other_addr.bind(("127.0.0.2", self.port))
        self.running = True
        threading.Thread(target=self._serve_udp, daemon=True).start()
        threading.Thread(target=self._serve_tcp, daemon=True).start()

    def _record(self, proto, src, wire):
        q = dns.message.from_wire(wire)
        self.seen.append((proto, src[1], q.id, q.question[0].name.to_text()))
        return q

    def _serve_udp(self):
        while self.running:
            try:
                wire, src = self.udp.recvfrom(65535)
            except OSError:
                return
            q = self._record("udp", src, wire)
            for out in self.script(q, "udp"):
                if isinstance(out, tuple):
                    (self.other_addr if out[0] == b"addr" else self.other).sendto(out[1], src)
                else:
                    self.udp.sendto(out, src)

    def _serve_tcp(self):
        while self.running:
            try:
                conn, src = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self._tcp_conn, args=(conn, src), daemon=True).start()

    def _tcp_conn(self, conn, src):
        with conn:
            buf = b""
            while True:
                try:
                    chunk = conn.recv(65535)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                    n = struct.unpack("!H", buf[:2])[0]
                    wire, buf = buf[2:2 + n], buf[2 + n:]
                    q = self._record("tcp", src, wire)
                    for out in self.script(q, "tcp"):
                        data = out[1] if isinstance(out, tuple) else out
                        conn.sendall(struct.pack("!H", len(data)) + data)

    def close(self):
        self.running = False
        for s in (self.udp, self.tcp, self.other, self.other_addr):
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def answer(q, address="192.0.2.53", rdclass=None):
    r = dns.message.make_response(q)
    qn = q.question[0]
    if qn.rdtype == dns.rdatatype.A or rdclass is not None:
        rdtype = "A" if rdclass is None else "TXT"
        text = address if rdclass is None else '"from upstream"'
        r.answer.append(dns.rrset.from_text(qn.name, 60, qn.rdclass, rdtype, text))
    return r.to_wire()


# --- answers match the upstream's --------------------------------------------------------------

@pytest.mark.parametrize("name,rdtype", [
    ("a-only.example.org", "A"), ("a-only.example.org", "AAAA"), ("both.example.org", "A"),
    ("both.example.org", "AAAA"), ("chain.example.org", "AAAA"), ("nodata.example.org", "A"),
    ("missing.example.org", "A"), ("many.example.org", "A"), ("example.org", "SOA"),
])
@pytest.mark.parametrize("tcp", [False, True])
def test_answers_match_nsd(nsd, coredns, name, rdtype, tcp):
    direct = ask(nsd.port, name, rdtype, tcp=tcp)
    via = ask(coredns.port, name, rdtype, tcp=tcp)
    assert via.rcode() == direct.rcode()
    assert sections(via) == sections(direct)
    # Flags pass through as the upstream set them (AA from nsd); the ID is the client's.
    assert via.flags & ~dns.flags.RA == direct.flags & ~dns.flags.RA


def test_case_of_the_question_is_kept(coredns):
    r = ask(coredns.port, "BoTh.ExAmPlE.oRg", "A")
    assert r.question[0].name.to_text() == "BoTh.ExAmPlE.oRg."
    assert [rr.to_text() for rr in r.answer] != []


def test_udp_client_without_edns_gets_tc_on_a_big_answer(nsd, coredns):
    r = ask(coredns.port, "many.example.org", "A", edns=False)
    assert r.flags & dns.flags.TC
    assert len(r.to_wire()) <= 512
    full = ask(coredns.port, "many.example.org", "A", tcp=True, edns=False)
    assert len(full.answer[0]) == 40


def test_truncated_upstream_reply_is_retried_over_tcp(nsd, coredns):
    # nsd sends at most 1232 bytes over UDP, so it truncates the 2 KB TXT set for a client
    # with a 4096-byte buffer; coredns asks again over TCP and returns the whole set.
    direct = ask(nsd.port, "big.example.org", "TXT", payload=4096)
    assert direct.flags & dns.flags.TC
    via = ask(coredns.port, "big.example.org", "TXT", payload=4096)
    assert not via.flags & dns.flags.TC
    full = ask(nsd.port, "big.example.org", "TXT", tcp=True, payload=4096)
    assert sections(via)[0] == sections(full)[0]
    assert len(via.answer[0]) == 10


# --- routing: FROM, except, several forwards ----------------------------------------------------

def test_from_zones_route_several_forwards(nsd):
    with FakeUpstream(lambda q, p: [answer(q, "192.0.2.99")]) as other:
        corefile = (".:{port} {\n"
                    f" forward example.net 127.0.0.1:{nsd.port}\n"
                    f" forward . 127.0.0.1:{other.port}\n"
                    "}\n")
        with CoreDNS(corefile) as c:
            assert ask(c.port, "www.example.net").answer[0][0].address == "203.0.113.9"
            assert ask(c.port, "www.example.org").answer[0][0].address == "192.0.2.99"


def test_except_passes_the_query_on(nsd):
    corefile = (".:{port} {\n"
                f" forward . 127.0.0.1:{nsd.port} {{\n  except internal.example.org\n }}\n"
                " whoami\n"
                "}\n")
    with CoreDNS(corefile) as c:
        r = ask(c.port, "host.internal.example.org")
        assert not r.answer and r.additional  # whoami's reply: the client's address
        assert ask(c.port, "a-only.example.org").answer[0][0].address == "192.0.2.1"


def test_next_hands_listed_rcodes_to_the_following_forward(nsd):
    # The first upstream answers NXDOMAIN for example.net names; the second one has them.
    def first(q, proto):
        r = dns.message.make_response(q)
        r.set_rcode(dns.rcode.NXDOMAIN)
        return [r.to_wire()]
    with FakeUpstream(first) as up:
        corefile = (".:{port} {\n"
                    f" forward . 127.0.0.1:{up.port} {{\n  next NXDOMAIN\n }}\n"
                    f" forward . 127.0.0.1:{nsd.port}\n"
                    "}\n")
        with CoreDNS(corefile) as c:
            r = ask(c.port, "only-net.example.net")
            assert r.rcode() == dns.rcode.NOERROR
            assert r.answer[0][0].address == "203.0.113.10"
        # Without `next` the first upstream's NXDOMAIN is the answer.
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}") ) as c:
            assert ask(c.port, "only-net.example.net").rcode() == dns.rcode.NXDOMAIN


def test_chaos_class_is_forwarded():
    with FakeUpstream(lambda q, p: [answer(q, rdclass="CH")]) as up:
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}")) as c:
            r = ask(c.port, "version.bind", "TXT", rdclass="CH")
            assert r.rcode() == dns.rcode.NOERROR
            assert r.answer[0].rdclass == dns.rdataclass.CH
            assert any(s[3] == "version.bind." for s in up.seen)


# --- transport: RFC 5452, what counts as the answer ----------------------------------------------

# Per worker and upstream, forward takes turns over this many UDP sockets and replaces one after
# it carried this many queries (docs/forward-transport.md).
UDP_SOCKETS = 8
QUERIES_PER_SOCKET = 100


def test_random_ids_and_sockets_in_turn():
    with FakeUpstream(lambda q, p: [answer(q)]) as up:
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}")) as c:
            for i in range(30):
                q = dns.message.make_query(f"n{i}.example.org", "A")
                q.id = 4242
                r = dns.query.udp(q, "127.0.0.1", port=c.port, timeout=3)
                assert r.id == 4242 and r.answer
            seen = [s for s in up.seen if s[3].startswith("n")]
            assert len(seen) == 30
            assert len({s[2] for s in seen}) >= 28  # IDs are random, not the client's
            assert sum(1 for s in seen if s[2] == 4242) <= 1
            # Consecutive queries of a worker go out on its sockets in turn.
            assert len({s[1] for s in seen}) >= UDP_SOCKETS


def test_ten_thousand_queries_in_flight_ids_and_ports_spread():
    """10,000 distinct queries reach the upstream, which holds them all before answering in
    random order: each client gets its own answer. The IDs and source ports the upstream saw
    are spread as RFC 5452 asks."""
    import random
    total = 10_000
    slow = sanitized()
    lock = threading.Lock()
    held, seen = [], []
    released = threading.Event()
    state = {"most_held": 0}

    def address(name):
        i = int(name.split(".")[0][1:])
        return f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"

    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    up.bind(("127.0.0.1", 0))

    def reply(wire, src):
        q = dns.message.from_wire(wire)
        name = q.question[0].name.to_text()
        if not name.startswith("q"):
            return answer(q)
        return answer(q, address(name))

    def serve():
        up.settimeout(0.2)
        quiet = 0
        while True:
            try:
                wire, src = up.recvfrom(4096)
            except socket.timeout:
                quiet += 1
                if held and not released.is_set() and quiet >= 15:
                    break  # nothing new for 3 s: answer what came
                continue
            except OSError:
                return
            quiet = 0
            q = dns.message.from_wire(wire)
            with lock:
                seen.append((src[1], q.id))
            if released.is_set() or not q.question[0].name.to_text().startswith("q"):
                up.sendto(reply(wire, src), src)
                continue
            held.append((wire, src))
            if len(held) >= total:
                break
        state["most_held"] = len(held)
        random.shuffle(held)
        released.set()
        for wire, src in held:
            up.sendto(reply(wire, src), src)
            time.sleep(0.0002 if slow else 0.00002)  # a sanitized server reads slower
        serve_rest()

    def serve_rest():
        up.settimeout(None)
        while True:
            try:
                wire, src = up.recvfrom(4096)
            except OSError:
                return
            with lock:
                seen.append((src[1], dns.message.from_wire(wire).id))
            up.sendto(reply(wire, src), src)

    threading.Thread(target=serve, daemon=True).start()
    try:
        port = up.getsockname()[1]
        with CoreDNS(forward_corefile(f"127.0.0.1:{port}",
                                      options="  read_timeout 20s\n  max_fails 0")) as c:
            client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            client.connect(("127.0.0.1", c.port))
            wires = {}
            for i in range(total):
                q = dns.message.make_query(f"q{i}.example.org", "A")
                q.id = i
                wires[i] = q.to_wire()
            answers = {}

            def send(ids):
                for n, i in enumerate(ids):
                    client.send(wires[i])
                    if n % 100 == 99:
                        # The listener's socket buffer is finite, a sanitized server slower.
                        time.sleep(0.05 if slow else 0.005)

            def collect(until):
                client.settimeout(0.5)
                while len(answers) < total and time.time() < until:
                    try:
                        r = dns.message.from_wire(client.recv(4096))
                    except socket.timeout:
                        continue
                    answers[r.id] = r

            send(range(total))
            collect(time.time() + 40)
            # A stub resolver asks again what got lost on the way (none, usually).
            missing = [i for i in range(total) if i not in answers]
            if missing:
                send(missing)
                collect(time.time() + 20)
            if missing:
                time.sleep(21)  # the lost exchanges end (read_timeout) before the server stops
            assert len(answers) == total
            for i, r in answers.items():
                assert r.rcode() == dns.rcode.NOERROR
                assert r.answer[0].name.to_text() == f"q{i}.example.org."
                assert r.answer[0][0].address == address(f"q{i}.example.org.")
    finally:
        up.close()
    assert released.is_set()
    assert state["most_held"] >= total * 0.95  # all (or nearly all) in flight at once
    with lock:
        ids = [s[1] for s in seen]
        ports = [s[0] for s in seen]
    assert len(ids) >= total
    # Random 16-bit IDs: about 65536 * (1 - e^(-n/65536)) distinct for n draws, 9,274 for 10,000.
    assert len(set(ids[:total])) > 9_000
    assert sum(1 for a, b in zip(ids, ids[1:]) if (b - a) % 65536 == 1) < 20  # no counter
    assert len(set(ids) & set(range(total))) < total * 0.3  # not the clients' IDs
    # Every socket is replaced after QUERIES_PER_SOCKET queries, so the 10,000 queries used at
    # least 100 source ports, and (but for a port the kernel handed out twice) none carried more.
    counts = {}
    for p in ports:
        counts[p] = counts.get(p, 0) + 1
    assert len(counts) >= total // QUERIES_PER_SOCKET
    assert sum(1 for n in counts.values() if n > QUERIES_PER_SOCKET) <= 3
    assert all(32768 <= p <= 60999 for p in counts)  # the kernel's random ephemeral range


def test_replies_that_do_not_match_are_dropped():
    def script(q, proto):
        good = dns.message.from_wire(answer(q, "192.0.2.77"))
        wrong_id = dns.message.from_wire(answer(q, "192.0.2.66"))
        wrong_id.id = (q.id + 1) % 65536
        wrong_q = dns.message.make_query("other.example.org", "A")
        wrong_q.id = q.id
        wrong_question = dns.message.make_response(wrong_q)
        wrong_question.answer.append(
            dns.rrset.from_text("other.example.org.", 60, "IN", "A", "192.0.2.65"))
        spoofed = answer(q, "192.0.2.64")
        if q.question[0].name.to_text() == "other-question.example.org.":
            return [wrong_question.to_wire(), good.to_wire()]
        return [b"\x01\x02\x03", b"", wrong_id.to_wire(), (b"other", spoofed),
                (b"addr", answer(q, "192.0.2.63")), good.to_wire()]
    with FakeUpstream(script) as up, FakeUpstream(lambda q, p: [answer(q, "192.0.2.79")]) as good:
        corefile = forward_corefile(f"127.0.0.1:{up.port}", f"127.0.0.1:{good.port}",
                                    options="  policy sequential\n  max_fails 0")
        with CoreDNS(corefile) as c:
            # Short and empty datagrams, another ID, the right reply from another port and from
            # another address: all ignored, and the right one is then accepted.
            r = ask(c.port, "victim.example.org")
            assert [rr.address for rr in r.answer[0]] == ["192.0.2.77"]
            # Our ID with another question fails the attempt: the next upstream answers.
            r = ask(c.port, "other-question.example.org")
            assert [rr.address for rr in r.answer[0]] == ["192.0.2.79"]
            assert any(s[3] == "other-question.example.org." for s in good.seen)


@pytest.mark.parametrize("rcode", [dns.rcode.FORMERR, dns.rcode.NOTIMP, dns.rcode.REFUSED])
def test_error_reply_without_question_is_relayed_before_the_first_read_timeout(rcode):
    # A server that does not know EDNS answers FORMERR with the header alone (RFC 6891 §7).
    def script(q, proto):
        if q.question[0].name.to_text() == "ready.probe.":
            return [answer(q)]
        return [struct.pack("!HHHHHH", q.id, 0x8000 | rcode, 0, 0, 0, 0)]
    with FakeUpstream(script) as up:
        corefile = forward_corefile(f"127.0.0.1:{up.port}", options="  read_timeout 3s")
        with CoreDNS(corefile) as c:
            # The client gives up well before forward's first read timeout would end.
            r = ask(c.port, "old-server.example.org", timeout=1.5)
            assert r.rcode() == rcode
            assert not r.question


def test_tsig_query_nsd_does_not_know_gets_notauth_badkey_with_its_tsig(nsd):
    with CoreDNS(forward_corefile(f"127.0.0.1:{nsd.port}", options="  read_timeout 3s")) as c:
        # dig waits 1 s, well before forward's first read timeout.
        out = subprocess.run(
            ["dig", "+time=1", "+tries=1", "-p", str(c.port), "@127.0.0.1",
             "-y", "hmac-sha256:.:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "SOA", "example.org"],
            capture_output=True, text=True).stdout
        assert "status: NOTAUTH" in out, out
        tsig = [line for line in out.splitlines() if "ANY\tTSIG" in line or " TSIG " in line]
        assert tsig and "BADKEY" in out, out


class TcpUpstream:
    """A TCP upstream on 127.0.0.1 whose connections are served by `handler(conn, number)`, one
    thread each; `connections` counts them."""

    def __init__(self, handler):
        self.handler = handler
        self.connections = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn, self.connections), daemon=True).start()

    def _run(self, conn, number):
        with conn:
            try:
                self.handler(conn, number)
            except OSError:
                pass

    def close(self):
        self.sock.close()


def frames(conn):
    """The queries a connection carries, one at a time, until it closes."""
    buf = b""
    while True:
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
            n = struct.unpack("!H", buf[:2])[0]
            yield dns.message.from_wire(buf[2:2 + n])
            buf = buf[2 + n:]
        chunk = conn.recv(65535)
        if not chunk:
            return
        buf += chunk


def send_frame(conn, wire):
    conn.sendall(struct.pack("!H", len(wire)) + wire)


def ask_together(port, names, s=None):
    """Sends the queries at once from one socket and returns the replies by name."""
    keep = s is not None
    if not keep:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(4)
        s.connect(("127.0.0.1", port))
    for i, n in enumerate(names):
        q = dns.message.make_query(n, "A")
        q.id = i
        s.send(q.to_wire())
    got = {}
    while len(got) < len(names):
        r = dns.message.from_wire(s.recv(4096))
        got[r.question[0].name.to_text()] = r
    if not keep:
        s.close()
    return got


def test_tcp_pipelining_out_of_order_on_one_reused_connection():
    order, used = [], set()

    def handler(conn, number):
        waiting = []
        for q in frames(conn):
            if q.question[0].name.to_text() == "ready.probe.":
                send_frame(conn, answer(q))
                continue
            waiting.append(q)
            used.add(number)
            if len(waiting) == 3:
                for w in reversed(waiting):  # the last asked is answered first
                    order.append(w.question[0].name.to_text())
                    send_frame(conn, answer(w, "192.0.2." + w.question[0].name.to_text()[1]))
                waiting = []

    up = TcpUpstream(handler)
    try:
        # One worker: UDP queries reach a worker by their name (docs/architecture.md), and each
        # worker has its own connections.
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}", options="  force_tcp\n  max_fails 0"),
                     env={"COREDNS_WORKERS": "1"}) as c:
            client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            client.settimeout(4)
            client.connect(("127.0.0.1", c.port))
            names = ["p1.example.org.", "p2.example.org.", "p3.example.org."]
            got = ask_together(c.port, names, client)
            for n in names:
                assert got[n].answer[0][0].address == "192.0.2." + n[1]
            assert order == list(reversed(names))
            # The next three reuse the connection.
            names2 = ["p4.example.org.", "p5.example.org.", "p6.example.org."]
            got = ask_together(c.port, names2, client)
            client.close()
            for n in names2:
                assert got[n].answer[0][0].address == "192.0.2." + n[1]
            assert len(used) == 1  # (the readiness probe may have come on another worker's)
    finally:
        up.close()


def test_upstream_closing_the_connection_mid_stream_fails_only_its_queries():
    closing, used = [], set()

    def handler(conn, number):
        held = []
        for q in frames(conn):
            if q.question[0].name.to_text() == "ready.probe.":
                send_frame(conn, answer(q))
            elif closing:
                used.add(number)
                send_frame(conn, answer(q, "192.0.2.2"))
            else:
                # Two queries come in on the first connection: one is answered, then it closes.
                used.add(number)
                held.append(q)
                if len(held) == 2:
                    send_frame(conn, answer(held[0], "192.0.2.1"))
                    closing.append(number)
                    time.sleep(0.1)
                    return

    up = TcpUpstream(handler)
    try:
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}", options="  force_tcp\n  max_fails 0"),
                     env={"COREDNS_WORKERS": "1"}) as c:  # one worker's connections, as above
            got = ask_together(c.port, ["m1.example.org.", "m2.example.org."])
            addresses = sorted(r.answer[0][0].address for r in got.values())
            # The answered one came from the first connection, the other was asked again on a
            # new one.
            assert addresses == ["192.0.2.1", "192.0.2.2"]
            assert len(used) == 2
    finally:
        up.close()


def test_a_query_echoed_back_is_no_answer_and_the_next_upstream_is_asked():
    # The echo is what a dead upstream's port gives when one of our own source ports took it.
    def echo(q, proto):
        return [answer(q)] if q.question[0].name.to_text() == "ready.probe." else [q.to_wire()]
    with FakeUpstream(echo) as bad, FakeUpstream(lambda q, p: [answer(q, "192.0.2.78")]) as good:
        corefile = forward_corefile(f"127.0.0.1:{bad.port}", f"127.0.0.1:{good.port}",
                                    options="  policy sequential\n  max_fails 0")
        with CoreDNS(corefile) as c:
            r = ask(c.port, "echoed.example.org")
            assert r.rcode() == dns.rcode.NOERROR
            assert [rr.address for rr in r.answer[0]] == ["192.0.2.78"]
            assert any(s[3] == "echoed.example.org." for s in bad.seen)
    with FakeUpstream(echo) as bad:
        with CoreDNS(forward_corefile(f"127.0.0.1:{bad.port}", options="  max_fails 0")) as c:
            assert ask(c.port, "echoed.example.org").rcode() == dns.rcode.SERVFAIL


# --- health, failover, concurrency --------------------------------------------------------------

def test_dead_upstream_is_marked_down_and_back_up(nsd):
    dead = free_port()
    corefile = forward_corefile(f"127.0.0.1:{dead}", f"127.0.0.1:{nsd.port}",
                                options="  policy sequential")
    with CoreDNS(corefile) as c:
        for _ in range(3):
            r = ask(c.port, "a-only.example.org")
            assert r.answer[0][0].address == "192.0.2.1"
        c.wait_for_line(rf"\[WARNING\] plugin/forward: upstream 127.0.0.1:{dead} is down", timeout=5)
        # While it is down, queries go straight to the live one.
        t0 = time.time()
        assert ask(c.port, "both.example.org").answer
        assert time.time() - t0 < 0.5
        with Nsd({"example.org.": ZONE}, port=dead, ipv6=False):
            c.wait_for_line(rf"\[INFO\] plugin/forward: upstream 127.0.0.1:{dead} is healthy again",
                            timeout=5)


def test_all_down_failfast_answers_servfail_without_asking():
    dead = free_port()
    corefile = forward_corefile(f"127.0.0.1:{dead}",
                                options="  max_fails 1\n  health_check 100ms\n"
                                        "  failfast_all_unhealthy_upstreams")
    with CoreDNS(corefile) as c:
        assert ask(c.port, "x.example.org").rcode() == dns.rcode.SERVFAIL
        c.wait_for_line(rf"plugin/forward: upstream 127.0.0.1:{dead} is down", timeout=5)
        t0 = time.time()
        assert ask(c.port, "y.example.org").rcode() == dns.rcode.SERVFAIL
        assert time.time() - t0 < 0.3


def test_max_concurrent_refuses_past_the_limit():
    with FakeUpstream(lambda q, p: [] if q.question[0].name.to_text().startswith("slow")
                      else [answer(q)]) as up:
        corefile = forward_corefile(f"127.0.0.1:{up.port}",
                                    options="  max_concurrent 2\n  read_timeout 1s\n  max_fails 0")
        with CoreDNS(corefile) as c:
            with ThreadPoolExecutor(4) as pool:
                slow = [pool.submit(ask, c.port, f"slow{i}.example.org") for i in range(2)]
                time.sleep(0.3)
                assert ask(c.port, "fast.example.org").rcode() == dns.rcode.REFUSED
                assert all(f.result().rcode() == dns.rcode.SERVFAIL for f in slow)
            # Once the slow ones are done, there is room again.
            assert ask(c.port, "fast.example.org").rcode() == dns.rcode.NOERROR


def test_silent_upstream_times_out_with_servfail():
    with FakeUpstream(lambda q, p: [answer(q)] if q.question[0].name.to_text() == "ready.probe."
                      else []) as up:
        corefile = forward_corefile(f"127.0.0.1:{up.port}",
                                    options="  read_timeout 300ms\n  max_fails 0")
        with CoreDNS(corefile) as c:
            t0 = time.time()
            assert ask(c.port, "quiet.example.org").rcode() == dns.rcode.SERVFAIL
            # Two attempts (the default cap is 2 x upstreams), 300 ms each.
            assert 0.5 < time.time() - t0 < 2.0
            assert sum(1 for s in up.seen if s[3] == "quiet.example.org.") == 2


def test_force_tcp_and_prefer_udp_choose_the_transport():
    with FakeUpstream(lambda q, p: [answer(q)]) as up:
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}", options="  force_tcp")) as c:
            ask(c.port, "t1.example.org")
            assert [s[0] for s in up.seen if s[3] == "t1.example.org."] == ["tcp"]
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}", options="  prefer_udp")) as c:
            ask(c.port, "t2.example.org", tcp=True)
            assert [s[0] for s in up.seen if s[3] == "t2.example.org."] == ["udp"]
        with CoreDNS(forward_corefile(f"127.0.0.1:{up.port}")) as c:
            ask(c.port, "t3.example.org", tcp=True)
            assert [s[0] for s in up.seen if s[3] == "t3.example.org."] == ["tcp"]


def rcode_upstream(rcode):
    def script(q, proto):
        if q.question[0].name.to_text() == "ready.probe.":
            return [answer(q)]
        r = dns.message.make_response(q)
        r.set_rcode(rcode)
        return [r.to_wire()]
    return FakeUpstream(script)


def test_failover_tries_the_next_upstream_on_listed_rcodes():
    with rcode_upstream(dns.rcode.SERVFAIL) as bad1, rcode_upstream(dns.rcode.REFUSED) as bad2, \
            FakeUpstream(lambda q, p: [answer(q, "192.0.2.88")]) as good:
        to = [f"127.0.0.1:{u.port}" for u in (bad1, bad2, good)]
        opts = "  policy sequential\n"
        with CoreDNS(forward_corefile(*to, options=opts + "  failover SERVFAIL REFUSED")) as c:
            assert ask(c.port, "f.example.org").answer[0][0].address == "192.0.2.88"
        with CoreDNS(forward_corefile(*to, options=opts)) as c:
            assert ask(c.port, "g.example.org").rcode() == dns.rcode.SERVFAIL
        # When every upstream fails over, each is asked once and the last reply is returned.
        with CoreDNS(forward_corefile(to[0], to[1], options=opts + "  failover SERVFAIL REFUSED")) as c:
            assert ask(c.port, "h.example.org").rcode() == dns.rcode.REFUSED
            assert sum(1 for s in bad1.seen + bad2.seen if s[3] == "h.example.org.") == 2


def test_next_on_nodata_hands_empty_answers_on(nsd):
    with FakeUpstream(lambda q, p: [dns.message.make_response(q).to_wire()]) as empty:
        corefile = (".:{port} {\n"
                    f" forward . 127.0.0.1:{empty.port} {{\n  next_on_nodata\n }}\n"
                    f" forward . 127.0.0.1:{nsd.port}\n"
                    "}\n")
        with CoreDNS(corefile) as c:
            assert ask(c.port, "a-only.example.org").answer[0][0].address == "192.0.2.1"


@pytest.mark.parametrize("to", ["[::1]:{p}", "[::1%lo]:{p}"])
def test_ipv6_upstream_with_and_without_zone(nsd, to):
    # The zone goes through the code that puts the scope id back on connect (link-local use).
    with CoreDNS(forward_corefile(to.format(p=nsd.port))) as c:
        assert ask(c.port, "a-only.example.org").answer[0][0].address == "192.0.2.1"
        assert ask(c.port, "both.example.org", "AAAA", tcp=True).answer[0][0].address == "2001:db8::2"


@pytest.mark.skipif(not has_plugin("errors"), reason="errors not compiled in")
def test_errors_plugin_logs_the_upstream_error_text():
    with FakeUpstream(lambda q, p: [answer(q)] if q.question[0].name.to_text() == "ready.probe."
                      else []) as up:
        corefile = (".:{port} {\n errors\n"
                    f" forward . 127.0.0.1:{up.port} {{\n  read_timeout 200ms\n  max_fails 0\n }}\n"
                    "}\n")
        with CoreDNS(corefile) as c:
            assert ask(c.port, "quiet.example.org").rcode() == dns.rcode.SERVFAIL
            c.wait_for_line(r"\[ERROR\] plugin/errors: 2 quiet\.example\.org\. A: read udp "
                            rf"127\.0\.0\.1:\d+->127\.0\.0\.1:{up.port}: i/o timeout", timeout=5)
