"""End-to-end tests of `template`: the real coredns binary from real Corefiles, queried with dig
and dnspython, with nsd on loopback behind `forward` where names fall through or CNAME targets
are resolved."""
import socket

import dns.message
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, curl, free_port, run_coredns, zone_file
from harness import answer_lines as answers, dig_status as status

ZONE = zone_file("example.org", [
    "web IN A 192.0.2.80",
    "other IN A 192.0.2.81",
])


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE}) as n:
        yield n


IP_TEMPLATE = r"""
    template IN A example.org {
        match "^ip-(?P<a>[0-9]+)-(?P<b>[0-9]+)-(?P<c>[0-9]+)-(?P<d>[0-9]+)[.]example[.]org[.]$"
        match "^hex-(?P<h>[0-9a-f]{2})[.]example[.]org[.]$"
        answer "{{ .Name }} 60 IN A {{ if .Group.h }}10.0.0.{{ parseInt .Group.h 16 8 }}{{ else }}{{ .Group.a }}.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}{{ end }}"
        fallthrough
    }
    template IN AAAA example.org {
        match "^ip-"
        fallthrough
    }
"""


def test_regex_groups_answer_and_other_names_fall_through_to_nsd(nsd):
    mport = free_port()
    corefile = (".:{port} {\n prometheus 127.0.0.1:" + str(mport) + "\n" + IP_TEMPLATE +
                " forward . 127.0.0.1:" + str(nsd.port) + "\n}\n")
    with CoreDNS(corefile) as c:
        out = c.dig("ip-10-95-12-8.example.org", "A")
        assert status(out) == "NOERROR" and " aa" in out
        assert answers(c.dig("ip-10-95-12-8.example.org", "A", "+noall", "+answer")) == [
            "ip-10-95-12-8.example.org. 60 A 10.95.12.8"]
        assert answers(c.dig("hex-1f.example.org", "A", "+noall", "+answer")) == [
            "hex-1f.example.org. 60 A 10.0.0.31"]
        # The AAAA companion answers NODATA (authoritative, no records).
        out = c.dig("ip-10-95-12-8.example.org", "AAAA")
        assert status(out) == "NOERROR" and "ANSWER: 0" in out and " aa" in out
        # Names no regex matches fall through to forward and nsd.
        assert answers(c.dig("web.example.org", "A", "+noall", "+answer")) == [
            "web.example.org. 300 A 192.0.2.80"]
        body = curl(f"http://127.0.0.1:{mport}/metrics").body
        assert ('coredns_template_matches_total{server="dns://:' + str(c.port) +
                '",zone="example.org.",view="",class="IN",type="A"} 3') in body


def test_openshift_style_lower_case_class_and_type_field(nsd):
    corefile = (".:{port} {\n template IN A example.org {\n  match .*.apps.example.org\n"
                "  answer \"{{ .Name }} 60 in {{ .Type }} 192.0.2.5\"\n  fallthrough\n }\n"
                " forward . 127.0.0.1:" + str(nsd.port) + "\n}\n")
    with CoreDNS(corefile) as c:
        assert answers(c.dig("console.apps.example.org", "A", "+noall", "+answer")) == [
            "console.apps.example.org. 60 A 192.0.2.5"]
        assert answers(c.dig("other.example.org", "A", "+noall", "+answer")) == [
            "other.example.org. 300 A 192.0.2.81"]


def test_a_cname_target_is_resolved_through_the_server(nsd):
    corefile = (".:{port} {\n template IN ANY alias.test {\n"
                "  answer \"{{ .Name }} 120 IN CNAME web.example.org.\"\n }\n"
                " forward . 127.0.0.1:" + str(nsd.port) + "\n}\n")
    with CoreDNS(corefile) as c:
        assert answers(c.dig("www.alias.test", "A", "+noall", "+answer")) == [
            "www.alias.test. 120 CNAME web.example.org.", "web.example.org. 300 A 192.0.2.80"]
        # For other types the CNAME alone.
        assert answers(c.dig("www.alias.test", "TXT", "+noall", "+answer")) == [
            "www.alias.test. 120 CNAME web.example.org."]


def test_nxdomain_with_soa_and_extended_error():
    corefile = (".:{port} {\n template ANY ANY invalid {\n  rcode NXDOMAIN\n"
                "  authority \"invalid. 60 {{ .Class }} SOA ns.invalid. hostmaster.invalid. (1 60 60 60 60)\"\n"
                "  ederror 21 \"Blocked according to RFC2606\"\n }\n}\n")
    with CoreDNS(corefile) as c:
        out = c.dig("x.invalid", "A")
        assert status(out) == "NXDOMAIN" and " aa" in out
        assert "invalid.\t\t60\tIN\tSOA\tns.invalid. hostmaster.invalid. 1 60 60 60 60" in out
        assert "EDE: 21" in out and "Blocked according to RFC2606" in out
        # A client without EDNS gets no OPT (CoreDNS sends one with DO=1).
        r = c.query("x.invalid.", "A", use_edns=False)
        assert r.rcode() == dns.rcode.NXDOMAIN and r.edns < 0


def test_refused_is_sent_once():
    with CoreDNS(".:{port} {\n template IN A {\n  rcode REFUSED\n }\n}\n") as c:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(dns.message.make_query("a.test.", "A").to_wire(), ("127.0.0.1", c.port))
        r = dns.message.from_wire(s.recvfrom(65535)[0])
        assert r.rcode() == dns.rcode.REFUSED and r.flags & dns.flags.AA
        # CoreDNS sends a second, bare REFUSED here; this server only the one.
        s.settimeout(0.5)
        with pytest.raises(socket.timeout):
            s.recvfrom(65535)
        s.close()


def test_no_match_without_fallthrough_is_servfail():
    corefile = ".:{port} {\n template IN A example.net {\n  match ^www[.]\n  answer \"{{ .Name }} A 192.0.2.1\"\n }\n}\n"
    with CoreDNS(corefile) as c:
        assert answers(c.dig("www.example.net", "A", "+noall", "+answer")) == [
            "www.example.net. 3600 A 192.0.2.1"]
        assert status(c.dig("mail.example.net", "A")) == "SERVFAIL"


@pytest.mark.parametrize("block,line,message", [
    ("template IN A {\n  answer \"{{ .Name }} A {{ .Grup.d }}\"\n }", 3,
     "can't evaluate field Grup in type *template.templateData"),
    ("template IN A {\n  match (abc\n }", 3,
     "could not parse regex: (abc, error parsing regexp: missing closing ): `(abc`"),
    ("template IN A {\n\n  answer \"{{ range .Match }}\"\n }", 4, "unexpected EOF"),
    ("template in A", 2, "invalid query class in"),
])
def test_setup_errors_name_file_and_line_and_exit_non_zero(tmp_path, block, line, message):
    (tmp_path / "Corefile").write_text(".:1053 {\n " + block + "\n}\n")
    r = run_coredns([], cwd=str(tmp_path))
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode != 0
    assert f"plugin/template: Corefile:{line} - Error during parsing: " in out
    assert message in out
