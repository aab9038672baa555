"""Routing a query to a server block (CoreDNS's core/dnsserver/server.go, ServeDNS): by port, then the
longest matching zone, DS to the parent-most zone, REFUSED when nothing (or an empty block)
matches, classes other than IN only with forward, BADVERS before any plugin.

Corefile R has `log` in its `.` block; while the log plugin is not compiled in, the block runs
without it and only the tests that check log lines skip."""
import time

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from harness import CoreDNS, free_port, has_plugin, query, raw_udp, require_plugins

LOG = "    log\n" if has_plugin("log") else ""
COREFILE_R = (
    "example.org:{port} {\n    whoami\n}\n"
    "sub.example.org:{port} {\n}\n"
    ".:{port} {\n" + LOG + "    whoami\n}\n"
)


@pytest.fixture(scope="module")
def r_server():
    with CoreDNS(COREFILE_R) as c:
        yield c


def log_lines(c, qname, qtype="A", qclass="IN"):
    return [l for l in c.stdout() if f'"{qtype} {qclass} {qname} ' in l]


_markers = iter(range(1_000_000))


def settle_log(c):
    """Waits until everything logged before now is on stdout: a marker query to the `.` block is
    logged after the queries sent before it."""
    if not LOG:
        return
    name = f"marker-{next(_markers)}.example.net."
    c.query(name)
    c.wait_for_line(f'"A IN {name} ')
    time.sleep(0.05)


def whoami_addresses(reply):
    return [rr for rrset in reply.additional for rr in rrset
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)]


def assert_whoami(reply):
    assert reply.rcode() == dns.rcode.NOERROR
    assert reply.flags & dns.flags.AA
    assert len(reply.answer) == 0
    types = sorted(dns.rdatatype.to_text(rrset.rdtype) for rrset in reply.additional)
    assert types == ["A", "SRV"]


def assert_core_reply(reply, rcode, qname):
    """A reply the core wrote itself: rcode, RA=0, AA=0, question echoed, no records."""
    assert reply.rcode() == rcode
    assert not reply.flags & dns.flags.RA
    assert not reply.flags & dns.flags.AA
    assert reply.question[0].name.to_text() == qname
    assert not reply.answer and not reply.authority and not reply.additional


def test_r1_zone_block_answers_without_logging(r_server):
    reply = r_server.query("www.example.org.")
    assert_whoami(reply)
    settle_log(r_server)
    assert log_lines(r_server, "www.example.org.") == []


def test_r2_question_case_is_preserved(r_server):
    reply = r_server.query("WWW.Example.ORG.")
    assert_whoami(reply)
    assert reply.question[0].name.to_text() == "WWW.Example.ORG."
    owners = sorted(rrset.name.to_text() for rrset in reply.additional)
    assert owners == ["WWW.Example.ORG.", "_udp.WWW.Example.ORG."]
    settle_log(r_server)
    assert log_lines(r_server, "www.example.org.") == []


def test_r3_other_names_go_to_the_root_block_and_are_logged(r_server):
    require_plugins("log")
    assert_whoami(r_server.query("www.example.com."))
    line = r_server.wait_for_line(r'"A IN www\.example\.com\. udp ')
    assert line.startswith("[INFO] 127.0.0.1:")
    settle_log(r_server)
    assert len(log_lines(r_server, "www.example.com.")) == 1


def test_r4_empty_block_refuses_without_falling_back(r_server):
    reply = r_server.query("x.sub.example.org.")
    assert_core_reply(reply, dns.rcode.REFUSED, "x.sub.example.org.")
    settle_log(r_server)
    assert log_lines(r_server, "x.sub.example.org.") == []


def test_r5_chaos_class_is_refused_without_forward(r_server):
    reply = r_server.query("version.bind.", "TXT", rdclass="CH")
    assert_core_reply(reply, dns.rcode.REFUSED, "version.bind.")
    settle_log(r_server)
    assert log_lines(r_server, "version.bind.", "TXT", "CH") == []


def test_r6_edns_version_1_gets_badvers(r_server):
    q = dns.message.make_query("example.org.", "A")
    q.use_edns(1)  # make_query's use_edns=1 is taken for True, i.e. version 0
    raw = raw_udp(q.to_wire(), r_server.port)
    reply = dns.message.from_wire(raw)
    assert reply.id == q.id
    assert raw[3] & 0x0F == 0  # header rcode: the BADVERS bits live in the OPT
    assert reply.rcode() == dns.rcode.BADVERS
    assert reply.edns == 0
    assert reply.payload == 0
    assert reply.ednsflags & dns.flags.DO == 0
    assert reply.question[0].name.to_text() == "example.org."
    assert not reply.answer and not reply.authority
    settle_log(r_server)
    assert log_lines(r_server, "example.org.") == []


def test_r7_no_matching_zone_is_refused():
    with CoreDNS("example.org:{port} {\n whoami\n}\n") as c:
        reply = c.query("example.com.", flags=dns.flags.RD)
        assert_core_reply(reply, dns.rcode.REFUSED, "example.com.")
        assert reply.flags & dns.flags.RD
        assert_whoami(c.query("a.b.example.org."))


def test_r8_ds_goes_to_the_parent_most_zone():
    # The `org` block has no plugins, so a query it gets is REFUSED: that shows where DS went.
    with CoreDNS("org:{port} {\n}\nexample.org:{port} {\n whoami\n}\n") as c:
        assert c.query("example.org.", "DS").rcode() == dns.rcode.REFUSED
        assert_whoami(c.query("example.org.", "A"))
        assert c.query("www.example.org.", "DS").rcode() == dns.rcode.REFUSED


def test_r8_ds_goes_to_the_parent_most_zone_logged():
    require_plugins("log")
    with CoreDNS("org:{port} {\n log\n whoami\n}\nexample.org:{port} {\n whoami\n}\n") as c:
        assert_whoami(c.query("example.org.", "DS"))
        c.wait_for_line(r'"DS IN example\.org\. udp ')


def test_r9_ds_prefers_a_zone_over_the_root():
    with CoreDNS("example.org:{port} {\n whoami\n}\n.:{port} {\n}\n") as c:
        assert_whoami(c.query("example.org.", "DS"))
        assert c.query("example.com.", "DS").rcode() == dns.rcode.REFUSED


def test_r9_ds_prefers_a_zone_over_the_root_logged():
    require_plugins("log")
    with CoreDNS("example.org:{port} {\n whoami\n}\n.:{port} {\n log\n whoami\n}\n") as c:
        assert_whoami(c.query("example.org.", "DS"))
        c.query("probe.example.net.")
        c.wait_for_line(r'"A IN probe\.example\.net\. udp ')
        time.sleep(0.05)
        assert log_lines(c, "example.org.", "DS") == []


def test_r10_block_with_only_health_refuses():
    require_plugins("health")
    corefile = f"example.org:{{port}} {{\n health 127.0.0.1:{free_port()}\n}}\n"
    with CoreDNS(corefile) as c:
        assert_core_reply(c.query("example.org."), dns.rcode.REFUSED, "example.org.")


def test_r11_log_alone_gives_servfail_and_logs_it():
    require_plugins("log")
    with CoreDNS(".:{port} {\n log\n}\n") as c:
        reply = c.query("example.org.", use_edns=False, flags=dns.flags.RD)
        assert_core_reply(reply, dns.rcode.SERVFAIL, "example.org.")
        line = c.wait_for_line(r'"A IN example\.org\. udp ')
        assert ' "A IN example.org. udp 29 false 512" SERVFAIL qr,rd 29 ' in line


def test_r12_errors_reports_no_next_plugin_after_the_log_line():
    require_plugins("log", "errors")
    with CoreDNS(".:{port} {\n errors\n log\n}\n") as c:
        assert c.query("example.org.", use_edns=False).rcode() == dns.rcode.SERVFAIL
        err = "[ERROR] plugin/errors: 2 example.org. A: plugin/log: no next plugin found"
        c.wait_for_line("^" + err.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]") + "$")
        out = c.stdout()
        log_at = next(i for i, l in enumerate(out) if '"A IN example.org. udp ' in l)
        assert log_at < out.index(err)


def test_r13_forward_lets_other_classes_through():
    require_plugins("forward")
    with CoreDNS(".:{port} {\n forward . 127.0.0.1:1\n}\n") as c:
        # The upstream is unreachable: forward fails with SERVFAIL, the class check would have
        # answered REFUSED without trying.
        reply = c.query("version.bind.", "TXT", rdclass="CH", timeout=10)
        assert reply.rcode() == dns.rcode.SERVFAIL


def test_zones_on_another_port_are_not_consulted():
    other = free_port()
    corefile = "example.org:{port} {\n whoami\n}\n" + f".:{other} {{\n}}\n"
    with CoreDNS(corefile) as c:
        assert c.query("example.com.").rcode() == dns.rcode.REFUSED
        assert query("example.org.", port=other).rcode() == dns.rcode.REFUSED
        assert_whoami(c.query("example.org."))


def test_routing_is_the_same_over_tcp(r_server):
    assert_whoami(r_server.query("www.example.org.", tcp=True))
    reply = r_server.query("x.sub.example.org.", tcp=True)
    assert_core_reply(reply, dns.rcode.REFUSED, "x.sub.example.org.")
