"""End-to-end tests of `loop`: two real coredns processes forwarding to each other both see
their own probe come back and exit with CoreDNS's fatal message; one forwarding to nsd answers
its probe and keeps serving."""
import re
import select
import socket
import threading
import time

import dns.message
import dns.rdatatype

from harness import CoreDNS, Nsd, free_port, query, run_coredns, zone_file

LOOP_LINE = (r'^\[FATAL\] plugin/loop: Loop \((127\.0\.0\.1:\d+) -> (:\d+)\) detected for zone '
             r'"\.", see https://coredns\.io/plugins/loop#troubleshooting\. '
             r'Query: "HINFO (\d+\.\d+\.)"$')


class Relay(threading.Thread):
    """A UDP relay on loopback from its own port to `target` (one upstream socket per client, so
    replies find their way back). It holds datagrams while `hold(name, n)` says so, `n` being
    how many times this relay has received that HINFO name, and re-checks held ones whenever
    anything moves (see the test for why)."""

    def __init__(self, target, hold):
        super().__init__(daemon=True)
        self.target, self.hold = target, hold
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.up = {}        # client address -> socket towards target
        self.back = {}      # that socket -> client address
        self.received = {}  # HINFO name -> times received
        self.order = []     # HINFO names in the order first received
        self.held = []      # (data, client, name, n)
        self.stopping = False

    def _send(self, data, client):
        s = self.up.get(client)
        if s is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            self.up[client], self.back[s] = s, client
        s.sendto(data, ("127.0.0.1", self.target))

    def run(self):
        while not self.stopping:
            ready, _, _ = select.select([self.sock, *self.back], [], [], 0.05)
            for s in ready:
                data, addr = s.recvfrom(4096)
                if s is not self.sock:
                    self.sock.sendto(data, self.back[s])
                    continue
                with LOCK:
                    self._arrive(data, addr)
            with LOCK:
                for r in RELAYS:
                    r.release()

    def _arrive(self, data, addr):
        name, n = None, 0
        try:
            q = dns.message.from_wire(data)
            if q.question and q.question[0].rdtype == dns.rdatatype.HINFO:
                name = q.question[0].name.to_text().lower()
                if name not in self.received:
                    self.order.append(name)
                self.received[name] = n = self.received.get(name, 0) + 1
        except Exception:
            pass
        self.held.append((data, addr, name, n))

    def release(self):
        keep = []
        for item in self.held:
            if self.hold(item[2], item[3]):
                keep.append(item)
            else:
                self._send(item[0], item[1])
        self.held = keep


LOCK = threading.Lock()
RELAYS = []


def test_two_servers_forwarding_to_each_other_both_exit_with_the_loop_message():
    """A forwards to B and B to A, through two relays: ra (A -> B) and rb (B -> A). Each
    server's probe goes round A, B, A, B, ... and its third sighting ends that server. Left to
    themselves, the first server to die cuts the other's probe short (the other then survives,
    as it would with CoreDNS), so the relays order the hops: nothing moves until both probes
    are out (the first HINFO name each relay gets is its sender's probe), and the hop that
    brings a probe home for the third time waits until the other probe has crossed that server
    for the last time."""
    pa, pb = free_port(), free_port()

    def own(relay):
        return relay.order[0] if relay.order else None

    def hold_ra(name, n):  # ra carries A's traffic to B: B's fatal hop is B's name, 2nd time
        if own(ra) is None or own(rb) is None:
            return True
        return name == own(rb) and n >= 2 and rb.received.get(own(ra), 0) < 2

    def hold_rb(name, n):
        if own(ra) is None or own(rb) is None:
            return True
        return name == own(ra) and n >= 2 and ra.received.get(own(rb), 0) < 2

    ra, rb = Relay(pb, hold_ra), Relay(pa, hold_rb)
    RELAYS[:] = [ra, rb]
    ra.start()
    rb.start()
    a = CoreDNS(".:{port} {\n loop\n forward . 127.0.0.1:" + str(ra.port) + "\n}\n", port=pa,
                wait=False)
    b = CoreDNS(".:{port} {\n loop\n forward . 127.0.0.1:" + str(rb.port) + "\n}\n", port=pb,
                wait=False)
    a.start()
    b.start()
    try:
        for c in (a, b):
            c.proc.wait(45)
    finally:
        ra.stopping = rb.stopping = True
        a.stop()
        b.stop()
    names = {"a": own(ra), "b": own(rb)}
    for c, port, key in ((a, pa, "a"), (b, pb, "b")):
        assert c.proc.returncode == 1, c.stdout()
        lines = c.lines_matching(r"^\[FATAL\] plugin/loop")
        assert len(lines) == 1, c.stdout()
        m = re.match(LOOP_LINE, lines[0])
        assert m, lines[0]
        assert m.group(2) == f":{port}"
        assert m.group(3) == names[key]


def test_a_server_whose_probe_is_answered_keeps_serving():
    zone = zone_file("example.org", ["www IN A 192.0.2.1"])
    with Nsd({"example.org.": zone}) as nsd:
        with CoreDNS(".:{port} {\n loop\n forward . 127.0.0.1:" + str(nsd.port) + "\n}\n") as c:
            # nsd answers the probe (REFUSED: not its zone), which ends the probing; the server
            # still answers afterwards.
            deadline = time.time() + 5
            while time.time() < deadline and c.proc.poll() is None:
                time.sleep(0.2)
            assert c.proc.poll() is None
            r = query("www.example.org", "A", port=c.port)
            assert [rd.address for rrset in r.answer for rd in rrset] == ["192.0.2.1"]
            assert not c.lines_matching("FATAL")


def test_loop_with_an_argument_is_a_config_error(tmp_path):
    (tmp_path / "Corefile").write_text(".:1053 {\n loop argument\n}\n")
    r = run_coredns([], cwd=str(tmp_path))
    assert r.returncode != 0
    assert ("plugin/loop: Corefile:2 - Error during parsing: Wrong argument count or unexpected "
            "line ending after 'argument'") in (r.stdout.decode() + r.stderr.decode())
