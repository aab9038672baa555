#!/usr/bin/env python3
"""Writes the dns_message seed corpus: real-shaped queries paired with responses.

Each seed is [ctl][qlen hi][qlen lo][query][reply] (see dns_message_fuzz.cpp); ctl bit 0 = TCP.
Run: python3 tests/fuzz/make_dns_seeds.py tests/fuzz/corpus/dns_message
"""
import os
import struct
import sys


def name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def ptr(offset):
    return struct.pack("!H", 0xC000 | offset)


def header(qid, flags, qd, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def rr(owner, rtype, ttl, rdata, rclass=1):
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def opt(size=1232, do=False, version=0, options=b""):
    return b"\0" + struct.pack("!HHBBHH", 41, size, 0, version, 0x8000 if do else 0, len(options)) + options


def query(qname, qtype, qid=0x1234, flags=0x0100, edns=None, qclass=1):
    msg = header(qid, flags, 1, ar=1 if edns is not None else 0)
    msg += name(qname) + struct.pack("!HH", qtype, qclass)
    if edns is not None:
        msg += edns
    return msg


def seed(q, r=b"", tcp=False):
    return bytes([1 if tcp else 0]) + struct.pack("!H", len(q)) + q + r


A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV, OPT, DS, ANY = 1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 43, 255
cookie = struct.pack("!HH", 10, 8) + b"\x01\x02\x03\x04\x05\x06\x07\x08"
nsid = struct.pack("!HH", 3, 0)
pad = struct.pack("!HH", 12, 40) + b"\0" * 40

seeds = {}
# whoami-style A reply with compression to the question.
q = query("example.org.", A, edns=opt(1232, options=cookie))
r = header(0x1234, 0x8580, 1, 1, 0, 1) + name("example.org.") + struct.pack("!HH", A, 1)
r += rr(ptr(12), A, 3600, bytes([192, 0, 2, 1])) + opt(1232, options=cookie)
seeds["a_edns_cookie"] = seed(q, r)
# DNS64 shape: AAAA query, CNAME chain + AAAA answer, SOA in authority.
q = query("www.Example.COM.", AAAA)
r = header(0x1234, 0x8180, 1, 2, 1, 0) + name("www.Example.COM.") + struct.pack("!HH", AAAA, 1)
r += rr(ptr(12), CNAME, 300, name("cdn.example.net."))
r += rr(ptr(12 + len(name("www.Example.COM.")) + 4 + 12), AAAA, 60,
        bytes.fromhex("0064ff9b0000000000000000c0000201"))
r += rr(name("example.net."), SOA, 900, name("ns1.example.net.") + name("hostmaster.example.net.") +
        struct.pack("!IIIII", 2024010101, 7200, 3600, 1209600, 300))
seeds["aaaa_cname_soa"] = seed(q, r)
# Compressed SOA rdata (names point into the question).
q = query("nx.example.org.", A, edns=opt(4096, do=True))
qn_end = 12 + len(name("nx.example.org.")) + 4
r = header(0x1234, 0x8183, 1, 0, 1, 1) + name("nx.example.org.") + struct.pack("!HH", A, 1)
r += rr(ptr(15), SOA, 300, b"\x03ns1" + ptr(15) + b"\x0ahostmaster" + ptr(15) +
        struct.pack("!IIIII", 1, 2, 3, 4, 5)) + opt(4096, do=True)
seeds["nxdomain_soa_compressed"] = seed(q, r)
# A large reply that needs truncation for a plain 512-byte UDP client.
q = query("big.example.org.", TXT)
r = header(0x1234, 0x8180, 1, 12, 0, 0) + name("big.example.org.") + struct.pack("!HH", TXT, 1)
for i in range(12):
    r += rr(ptr(12), TXT, 60, bytes([60]) + bytes([65 + i]) * 60)
seeds["txt_truncate_udp"] = seed(q, r)
seeds["txt_tcp"] = seed(q, r, tcp=True)
# MX, SRV, NS with additional glue.
q = query("example.org.", MX, edns=opt(512, options=nsid + pad))
r = header(0x1234, 0x8180, 1, 1, 1, 2) + name("example.org.") + struct.pack("!HH", MX, 1)
r += rr(ptr(12), MX, 300, struct.pack("!H", 10) + b"\x04mail" + ptr(12))
r += rr(ptr(12), NS, 300, b"\x03ns1" + ptr(12))
r += opt(512) + rr(b"\x04mail" + ptr(12), A, 300, bytes([192, 0, 2, 25]))  # OPT not last
seeds["mx_glue_opt_not_last"] = seed(q, r)
q = query("_sip._udp.example.org.", SRV)
r = header(0x1234, 0x8180, 1, 1, 0, 0) + name("_sip._udp.example.org.") + struct.pack("!HH", SRV, 1)
r += rr(ptr(12), SRV, 300, struct.pack("!HHH", 0, 5, 5060) + name("sip.example.org."))
seeds["srv"] = seed(q, r)
# PTR for a reverse zone, DS, ANY, CH class TXT (version.bind).
q = query("1.2.0.192.in-addr.arpa.", PTR)
r = header(0x1234, 0x8580, 1, 1, 0, 0) + name("1.2.0.192.in-addr.arpa.") + struct.pack("!HH", PTR, 1)
r += rr(ptr(12), PTR, 3600, name("host.example.org."))
seeds["ptr"] = seed(q, r)
seeds["ds_query"] = seed(query("example.org.", DS, flags=0x0110))
seeds["any_query"] = seed(query("example.org.", ANY))
seeds["chaos_version_bind"] = seed(query("version.bind.", TXT, qclass=3))
# Queries the precheck rejects or answers itself.
seeds["edns_version1"] = seed(query("example.org.", A, edns=opt(1232, version=1)))
seeds["notify"] = seed(query("example.org.", SOA, flags=0x2000))
seeds["update_opcode"] = seed(query("example.org.", SOA, flags=0x2800))
seeds["iquery_opcode"] = seed(query("example.org.", A, flags=0x0800))
seeds["two_questions"] = seed(header(1, 0x0100, 2) + name("a.") + b"\0\1\0\1" + name("b.") + b"\0\1\0\1")
seeds["header_only_qd1"] = seed(header(7, 0x0100, 1))
seeds["truncated_question"] = seed(query("example.org.", A)[:20])
seeds["response_bit"] = seed(query("example.org.", A, flags=0x8100))
seeds["root_query"] = seed(query(".", NS, edns=opt(1232)))
seeds["pointer_loop"] = seed(header(1, 0x0100, 1) + ptr(12) + b"\0\1\0\1")
seeds["two_opts"] = seed(header(1, 0x0100, 1, 0, 0, 2) + name("a.") + b"\0\1\0\1" + opt() + opt())

os.makedirs(sys.argv[1], exist_ok=True)
for key, data in sorted(seeds.items()):
    with open(os.path.join(sys.argv[1], key), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds written to {sys.argv[1]}")
