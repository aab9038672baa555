"""Listening sockets (CoreDNS's core/dnsserver/register.go): a key without bind listens on every address, IPv4 and IPv6, on
UDP and TCP; UDP replies leave from the address the query was sent to."""
import socket

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
