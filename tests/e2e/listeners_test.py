"""Listening sockets (CoreDNS's core/dnsserver/register.go): a key without bind listens on every address, IPv4 and IPv6, on
UDP and TCP; UDP replies leave from the address the query was sent to."""
import os
import socket

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from harness import CoreDNS, make_query


@pytest.fixture(scope="module")
def server():
    with CoreDNS(".:{port} {\n whoami\n}\n") as c:
        yield c


def client_address_record(reply):
    (rr,) = [rrset for rrset in reply.additional
             if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)]
    return dns.rdatatype.to_text(rr.rdtype), rr[0].address


@pytest.mark.parametrize("tcp", [False, True])
def test_wildcard_serves_ipv4_loopback_as_plain_ipv4(server, tcp):
    reply = server.query("example.org.", server="127.0.0.1", tcp=tcp)
    # Seen through the dual-stack socket as ::ffff:127.0.0.1, shown as IPv4 (an A record).
    assert client_address_record(reply) == ("A", "127.0.0.1")


@pytest.mark.parametrize("tcp", [False, True])
def test_wildcard_serves_ipv6_loopback(server, tcp):
    reply = server.query("example.org.", server="::1", tcp=tcp)
    assert client_address_record(reply) == ("AAAA", "::1")


@pytest.mark.parametrize("family,address", [(socket.AF_INET, "127.0.0.2"),
                                            (socket.AF_INET, "127.0.0.1"),
                                            (socket.AF_INET6, "::1")])
def test_udp_reply_comes_from_the_address_queried(server, family, address):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        q = make_query("example.org.", qid=4321)
        s.sendto(q.to_wire(), (address, server.port))
        data, source = s.recvfrom(65535)
    finally:
        s.close()
    assert source[0] == address
    assert source[1] == server.port
    assert dns.message.from_wire(data).id == 4321


def test_tcp_on_another_loopback_address(server):
    reply = server.query("example.org.", server="127.0.0.2", tcp=True)
    assert reply.rcode() == dns.rcode.NOERROR


def worker_wakeups(pid):
    """How often each worker thread has been put on a CPU so far (/proc/PID/task/TID/schedstat,
    its third field), by thread name. A worker sleeps until a datagram arrives, so a query sent
    only after the previous reply came back wakes the worker that serves it once."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        if name.startswith("worker"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[name] = int(f.read().split()[2])
    return out


def test_udp_queries_for_one_name_reach_one_worker_whatever_the_client():
    # docs/architecture.md, "Workers and sockets": the kernel picks the worker's socket by the
    # question, so a name's answer is kept by one worker only, for every client.
    with CoreDNS(".:{port} {\n whoami\n}\n", env={"COREDNS_WORKERS": "3"}) as c:
        assert not [line for line in c.stdout() if "spread over the workers" in line]
        clients = [socket.socket(family, socket.SOCK_DGRAM)
                   for family in (socket.AF_INET, socket.AF_INET6) for _ in range(8)]
        busiest = []
        for n in range(30):
            name = f"host{n}.steer.example."
            spellings = [name, name.upper(), "".join(
                ch.upper() if i % 2 else ch for i, ch in enumerate(name))]
            before = worker_wakeups(c.proc.pid)
            for i in range(120):
                q = make_query(spellings[i % 3], "A")
                q.id = (n * 997 + i * 31) % 65536
                if i % 4 == 0:
                    q.flags &= ~dns.flags.RD
                s = clients[i % len(clients)]
                s.sendto(q.to_wire(), ("127.0.0.1" if s.family == socket.AF_INET else "::1", c.port))
                s.settimeout(4)
                assert dns.message.from_wire(s.recv(4096)).id == q.id
            after = worker_wakeups(c.proc.pid)
            woken = sorted(((after[w] - before[w], w) for w in after), reverse=True)
            assert len(woken) == 3
            # One worker served them (it may not have slept between every two); the others
            # stayed asleep (an idle worker wakes for nothing here; the bound leaves room).
            assert woken[0][0] >= 40 and woken[1][0] <= 12, (name, woken)
            busiest.append(woken[0][1])
        for s in clients:
            s.close()
        # Names are spread over every worker.
        assert all(busiest.count(w) >= 3 for w in set(after)), busiest
