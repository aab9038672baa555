"""What every reply owes the client, whatever the plugins did: it fits the client's UDP size
whatever EDNS options it carries (RFC 6891 §7), it copies CD from the query on a cache miss as
on a hit (RFC 4035 §3.2.2), a malformed COOKIE is FORMERR (RFC 7873 §5.2.2) and an NSID
request's data is ignored (RFC 5001 §2.3). The real coredns with cache and forward, nsd behind."""
import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, dig, make_query, raw_udp, require_plugins, zone_file

COOKIE = 10
NSID = 3
PADDING = 12
TXT_RECORDS = 20  # of 230 bytes each: about 4.9 kB in all, as the amplification report's reply


@pytest.fixture(scope="module")
def server():
    require_plugins("cache", "forward")
    records = [f'bigname IN TXT "{i:02d}{"x" * 226}"' for i in range(TXT_RECORDS)]
    records += [f"cd{i} IN A 192.0.2.{i}" for i in range(1, 5)]
    with Nsd({"example.org.": zone_file("example.org.", records)}) as nsd:
        # force_tcp: forward gets the whole answer, so the cut is the server's to make.
        corefile = (".:{port} {\n cache 300\n forward . 127.0.0.1:%d {\n  force_tcp\n }\n}\n"
                    % nsd.port)
        with CoreDNS(corefile) as c:
            yield c


def ask(server, q):
    # dnspython caps a query at its own payload size; options may make it larger (RFC 6891 §7
    # limits replies, not queries).
    raw = raw_udp(q.to_wire(max_size=65535), server.port, timeout=3)
    assert raw is not None, "no reply"
    return raw, dns.message.from_wire(raw)


def option_bytes(reply):
    return [(o.otype, o.to_wire()) for o in reply.options]


# RFC 6891 §7: never more than max(512, the client's size) over UDP.

@pytest.mark.parametrize("bufsize", [512, 1232])
@pytest.mark.parametrize("padding", [100, 480, 500, 1000, 1300, 3000])
def test_udp_reply_fits_the_clients_size_whatever_the_options(server, bufsize, padding):
    pad = dns.edns.GenericOption(PADDING, bytes(padding))
    raw, reply = ask(server, make_query("bigname.example.org.", "TXT", use_edns=0,
                                        payload=bufsize, options=[pad]))
    assert len(raw) <= bufsize
    assert reply.rcode() == dns.rcode.NOERROR
    kept = len(reply.answer[0]) if reply.answer else 0
    assert kept < TXT_RECORDS
    assert reply.flags & dns.flags.TC
    assert reply.payload == bufsize


def test_options_go_before_records(server):
    # 4 of the records and a 300-byte padding do not fit 1232 bytes together; the records alone
    # do not either, so TC is set and the padding is left out to keep as many as fit without it.
    pad = dns.edns.GenericOption(PADDING, bytes(300))
    raw, reply = ask(server, make_query("bigname.example.org.", "TXT", use_edns=0, payload=1232,
                                        options=[pad]))
    assert len(raw) <= 1232
    assert reply.flags & dns.flags.TC
    assert option_bytes(reply) == []
    assert len(reply.answer[0]) == 4  # 4 * 242 + header, question and OPT; a 5th does not fit


def test_the_reported_amplification_query_with_dig(server):
    # The report's query: a 500-byte COOKIE and a 512-byte buffer got a 4,906-byte reply.
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(server.port), "+tries=1", "+time=3",
                          "+bufsize=512", "+ignore", "+ednsopt=10:" + "00" * 500,
                          "bigname.example.org", "TXT"],
                         capture_output=True, text=True, timeout=10).stdout
    assert "MSG SIZE  rcvd: " in out, out
    size = int(out.split("MSG SIZE  rcvd: ")[1].split()[0])
    assert size <= 512
    assert "status: FORMERR" in out  # 500 bytes is no COOKIE length (RFC 7873 §5.2.2)


def test_reply_without_edns_fits_512(server):
    raw, reply = ask(server, make_query("bigname.example.org.", "TXT", use_edns=False))
    assert len(raw) <= 512
    assert reply.flags & dns.flags.TC


# RFC 7873 §5.2.2 and RFC 5001 §2.3.

@pytest.mark.parametrize("length", [0, 1, 7, 9, 15, 41, 64])
def test_malformed_cookie_is_formerr_and_not_echoed(server, length):
    cookie = dns.edns.GenericOption(COOKIE, bytes(range(length)))
    _, reply = ask(server, make_query("cd1.example.org.", use_edns=0, options=[cookie]))
    assert reply.rcode() == dns.rcode.FORMERR
    assert reply.edns == 0
    assert option_bytes(reply) == []
    assert reply.answer == []


@pytest.mark.parametrize("length", [8, 16, 24, 40])
def test_well_formed_cookie_is_answered_and_echoed(server, length):
    cookie = dns.edns.GenericOption(COOKIE, bytes(range(length)))
    _, reply = ask(server, make_query("cd1.example.org.", use_edns=0, options=[cookie]))
    assert reply.rcode() == dns.rcode.NOERROR
    assert [r.to_text() for r in reply.answer[0]] == ["192.0.2.1"]
    assert option_bytes(reply) == [(COOKIE, cookie.to_wire())]


def test_nsid_with_data_is_answered_as_an_empty_request(server):
    nsid = dns.edns.GenericOption(NSID, b"tell me")
    _, reply = ask(server, make_query("cd1.example.org.", use_edns=0, options=[nsid]))
    assert reply.rcode() == dns.rcode.NOERROR
    assert option_bytes(reply) == [(NSID, b"")]


# RFC 4035 §3.2.2: CD copied, on a miss (nsd clears it) as on a hit.

def flags_of(out):
    return out.split(";; flags: ")[1].split(";")[0].split()


@pytest.mark.parametrize("client", ["dig", "dnspython"])
def test_cd_is_copied_on_a_cache_miss_and_a_hit(server, client):
    name = "cd2.example.org" if client == "dig" else "cd3.example.org"
    for attempt in ("miss", "hit"):
        if client == "dig":
            out = dig(name, "A", "+cdflag", port=server.port)
            assert "status: NOERROR" in out, out
            assert "cd" in flags_of(out), (attempt, out)
        else:
            q = make_query(name + ".", use_edns=0)
            q.flags |= dns.flags.CD
            _, reply = ask(server, q)
            assert reply.rcode() == dns.rcode.NOERROR
            assert reply.flags & dns.flags.CD, attempt


def test_cd_stays_clear_when_the_query_has_none_after_a_cd_query(server):
    assert "cd" in flags_of(dig("cd4.example.org", "A", "+cdflag", port=server.port))
    out = dig("cd4.example.org", "A", port=server.port)
    assert "status: NOERROR" in out
    assert "cd" not in flags_of(out)
