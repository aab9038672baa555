"""End-to-end tests of `dns64`: the real coredns binary, forwarding to nsd on loopback, queried
with dig over 127.0.0.1 and ::1. Every behaviour plugins/dns64/README.md describes is checked as a user would.

One coredns serves several server blocks, one per dns64 configuration. They all forward to one
more block that logs and forwards to nsd: its log lines are the upstream queries dns64 caused.
The default block also exports metrics.
"""
import os
import re
import tempfile
import urllib.request

import pytest

from harness import CoreDNS, Nsd, dig, free_port, has_plugin, run_coredns, zone_file

needs_log = pytest.mark.skipif(not has_plugin("log"), reason="the log plugin is not built")
needs_prometheus = pytest.mark.skipif(not has_plugin("prometheus"),
                                      reason="the prometheus plugin is not built")

ZONE = zone_file("dns64.test", [
    "a-only 3600 IN A 1.2.3.4",
    "short 30 IN A 1.2.3.10",
    "both IN A 1.2.3.5",
    "both IN AAAA 2001:db8::5",
    "v6only IN AAAA 2001:db8::6",
    "mapped IN AAAA ::ffff:1.2.3.7",
    "mapped IN A 1.2.3.7",
    "chain IN CNAME chain2",
    "chain2 IN CNAME a-only",
    "nodata IN TXT \"no address\"",
    "private IN A 10.0.0.1",
    "private IN A 192.168.1.1",
    "mapped-private IN AAAA ::ffff:10.0.0.5",
    "mapped-private IN A 10.0.0.5",
    "mixed IN A 10.0.0.2",
    "mixed IN A 1.2.3.11",
    "www.corp IN A 1.2.3.12",
    "host.lab IN A 1.2.3.13",
    "host.lab IN AAAA 2001:db8::13",
    "v6.lab IN AAAA 2001:db8::14",
    "economy IN A 1.2.3.15",
    "economy-v6 IN AAAA 2001:db8::16",
])
# Signed by hand: nsd serves RRSIGs to DO queries once the zone has NSEC and DNSKEY at its apex.
SIG = "20300101000000 20200101000000 12345 signed.test. AAAA"
SIGNED = zone_file("signed.test", [
    "@ IN DNSKEY 256 3 8 AwEAAQ==",
    f"@ IN RRSIG DNSKEY 8 2 300 {SIG}",
    f"@ IN RRSIG SOA 8 2 300 {SIG}",
    f"@ IN RRSIG NS 8 2 300 {SIG}",
    "@ IN NSEC sig.signed.test. NS SOA RRSIG NSEC DNSKEY",
    f"@ IN RRSIG NSEC 8 2 60 {SIG}",
    "sig IN A 1.2.3.9",
    f"sig IN RRSIG A 8 3 300 {SIG}",
])
REVERSE = zone_file("3.2.1.in-addr.arpa", ["4 IN PTR a-only.dns64.test."])
# broken.test is configured in nsd without a zone file: nsd answers SERVFAIL for it.
BROKEN = "zone:\n  name: broken.test.\n  zonefile: missing.zone"


@pytest.fixture(scope="module")
def nsd():
    zones = {"dns64.test.": ZONE, "signed.test.": SIGNED, "3.2.1.in-addr.arpa.": REVERSE}
    with Nsd(zones, extra_config=BROKEN) as n:
        yield n


BLOCKS = {
    "default": "dns64",
    "allow_ipv4": "dns64 {\n  allow_ipv4\n }",
    "translate_all": "dns64 {\n  translate_all\n  allow_ipv4\n }",
    # A prefix on the line and a block both apply (CoreDNS would ignore the block).
    "policy": "dns64 64:ff9b:1::/48 {\n  clients 127.0.0.1\n  except corp.dns64.test\n"
              "  translate_all lab.dns64.test\n }",
}


@pytest.fixture(scope="module")
def server(nsd):
    ports = {name: free_port() for name in BLOCKS}
    upstream, metrics = free_port(), free_port()
    prometheus = f" prometheus 127.0.0.1:{metrics}\n" if has_plugin("prometheus") else ""
    text = "".join(
        f".:{ports[name]} {{\n {body}\n forward . 127.0.0.1:{upstream}\n"
        f"{prometheus if name == 'default' else ''}}}\n"
        for name, body in BLOCKS.items())
    log = " log\n" if has_plugin("log") else ""
    text += f".:{upstream} {{\n{log} forward . 127.0.0.1:{nsd.port}\n}}\n"
    with CoreDNS(text, port=ports["default"]) as c:
        c.ports = ports
        c.metrics_port = metrics
        yield c


class Reply:
    """What dig printed: status, flags, and the records of each section as (name, ttl, type, data)."""

    def __init__(self, out):
        self.text = out
        m = re.search(r"status: (\w+)", out)
        assert m, out
        self.status = m.group(1)
        self.flags = set(re.search(r";; flags: ([a-z ]*);", out).group(1).split())
        self.sections = {}
        current = None
        for line in out.splitlines():
            m = re.match(r";; (\w+) SECTION:", line)
            if m:
                current = m.group(1)
                self.sections[current] = []
            elif current and line and not line.startswith(";"):
                f = line.split(None, 4)
                self.sections[current].append((f[0], int(f[1]), f[3], f[4]))
            elif not line:
                current = None

    def records(self, section="ANSWER", rtype=None):
        return [r for r in self.sections.get(section, []) if rtype is None or r[2] == rtype]

    def data(self, rtype="AAAA", section="ANSWER"):
        return sorted(r[3] for r in self.records(section, rtype))


def ask(server, block, name, rtype="AAAA", via="::1", *flags):
    return Reply(dig(name, rtype, "+nocookie", *flags, server=via, port=server.ports[block]))


def upstream_queries(server, start):
    """The (type, name) of each query the logging upstream block saw since line `start`."""
    out = []
    for line in server.stdout()[start:]:
        m = re.search(r'"(\w+) IN (\S+) udp', line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


# Item 1: prefix validation, and a prefix on the line with a block.

def run_with(corefile):
    cwd = tempfile.mkdtemp(prefix="coredns-e2e-dns64-")
    with open(os.path.join(cwd, "Corefile"), "w") as f:
        f.write(corefile)
    return run_coredns([], cwd=cwd)


@pytest.mark.parametrize("prefix,reason", [
    ("64:ff9b::/80", "RFC 6052 allows only the lengths 32, 40, 48, 56, 64 and 96"),
    ("64:ff9b:0:0:ff00::/96", "bits 64 to 71 must be zero (RFC 6052 §2.2)"),
    ("8.8.8.8/24", "want an IPv6 CIDR such as 64:ff9b::/96"),
])
def test_invalid_prefix_stops_startup_with_file_and_line(prefix, reason):
    r = run_with(f".:{free_port()} {{\n whoami\n dns64 {{\n  prefix {prefix}\n }}\n}}\n")
    assert r.returncode == 1
    assert r.stderr.decode() == (f"plugin/dns64: Corefile:4 - Error during parsing: invalid "
                                 f"prefix {prefix}: {reason}\n")


def test_prefix_on_the_line_and_a_block_both_apply(server):
    # "policy" has 64:ff9b:1::/48 on the line and `clients 127.0.0.1` in the block.
    r = ask(server, "policy", "a-only.dns64.test", via="127.0.0.1")
    assert r.data() == ["64:ff9b:1:102:3:400::"]


def test_block_options_coredns_ignores_are_applied_with_a_warning(nsd):
    corefile = (".:{port} {\n dns64 64:ff9b:1::/48 {\n  allow_ipv4\n }\n"
                f" forward . 127.0.0.1:{nsd.port}\n}}\n")
    with CoreDNS(corefile) as c:
        assert Reply(dig("a-only.dns64.test", "AAAA", port=c.port)).data() == [
            "64:ff9b:1:102:3:400::"]
        c.wait_for_line(r"\[WARNING\] plugin/dns64: Corefile:3: allow_ipv4 is applied, but "
                        r"CoreDNS ignores it when the prefix is on the dns64 line")


# CoreDNS's behaviour: interception, synthesis, the TTL rule (item 5).

def test_a_only_name_gets_synthesized_aaaa_over_ipv6(server):
    r = ask(server, "default", "a-only.dns64.test")
    assert r.status == "NOERROR"
    # TTL: min(A 3600, the negative AAAA answer's SOA TTL 60).
    assert r.records() == [("a-only.dns64.test.", 60, "AAAA", "64:ff9b::102:304")]


def test_ttl_is_the_a_ttl_when_lower_than_the_soa(server):
    assert ask(server, "default", "short.dns64.test").records()[0][1] == 30


def test_ipv4_clients_get_no_synthesis_without_allow_ipv4(server):
    r = ask(server, "default", "a-only.dns64.test", via="127.0.0.1")
    assert r.status == "NOERROR"
    assert r.records() == []
    assert ask(server, "allow_ipv4", "a-only.dns64.test", via="127.0.0.1").data() == [
        "64:ff9b::102:304"]


def test_name_with_aaaa_keeps_its_own(server):
    assert ask(server, "default", "both.dns64.test").data() == ["2001:db8::5"]
    assert ask(server, "default", "v6only.dns64.test").data() == ["2001:db8::6"]


def test_cname_chain_to_an_a_only_name(server):
    r = ask(server, "default", "chain.dns64.test")
    assert r.records(rtype="CNAME") == [
        ("chain.dns64.test.", 300, "CNAME", "chain2.dns64.test."),
        ("chain2.dns64.test.", 300, "CNAME", "a-only.dns64.test.")]
    assert r.records(rtype="AAAA") == [("a-only.dns64.test.", 60, "AAAA", "64:ff9b::102:304")]


def test_other_query_types_pass_untouched(server):
    assert ask(server, "default", "a-only.dns64.test", "A").data("A") == ["1.2.3.4"]


# Item 2: excluded AAAA.

def test_ipv4_mapped_aaaa_is_never_returned(server):
    r = ask(server, "default", "mapped.dns64.test")
    assert r.data() == ["64:ff9b::102:307"]
    assert "::ffff" not in r.text


# Item 3: rcodes and header.

def test_nodata_is_noerror_with_the_soa(server):
    r = ask(server, "default", "nodata.dns64.test")
    assert (r.status, r.records()) == ("NOERROR", [])
    assert [x[2] for x in r.records("AUTHORITY")] == ["SOA"]


def test_nxdomain_is_passed_on(server):
    r = ask(server, "default", "nothere.dns64.test")
    assert r.status == "NXDOMAIN"
    assert [x[2] for x in r.records("AUTHORITY")] == ["SOA"]


def test_servfail_of_the_a_lookup_reaches_the_client(server):
    r = ask(server, "default", "www.broken.test")
    assert r.status == "SERVFAIL"


def test_synthesized_answer_has_ra_and_the_clients_question(server):
    r = ask(server, "default", "A-Only.DNS64.test")
    assert {"qr", "rd", "ra"} <= r.flags
    assert "aa" not in r.flags and "ad" not in r.flags
    assert ";A-Only.DNS64.test.\t\tIN\tAAAA" in r.text


# Item 4: DNSSEC.

def test_do_gets_no_rrsig_over_a_and_no_ad(server):
    r = ask(server, "default", "sig.signed.test", "AAAA", "::1", "+dnssec")
    assert r.data() == ["64:ff9b::102:309"]
    assert r.records(rtype="RRSIG") == []
    assert "ad" not in r.flags


def test_do_and_cd_are_never_synthesized(server):
    r = ask(server, "default", "sig.signed.test", "AAAA", "::1", "+dnssec", "+cd")
    assert r.records(rtype="AAAA") == []
    assert [x[2] for x in r.records("AUTHORITY")][:2] == ["SOA", "RRSIG"]  # nsd's signed NODATA


# Item 6: non-global IPv4.

def test_private_ipv4_is_not_put_under_the_well_known_prefix(server):
    assert ask(server, "default", "private.dns64.test").records() == []
    assert ask(server, "default", "mixed.dns64.test").data() == ["64:ff9b::102:30b"]


# RFC 2308 §2.2: with no address to give, the negative answer keeps its SOA.

@pytest.mark.parametrize("block", ["default", "translate_all"])
def test_only_non_global_a_gives_the_aaaa_nodata_with_its_soa(server, nsd, block):
    r = ask(server, block, "private.dns64.test")
    direct = Reply(dig("private.dns64.test", "AAAA", "+nocookie", port=nsd.port))
    assert (r.status, r.records()) == ("NOERROR", [])
    assert [x[2] for x in r.records("AUTHORITY")] == ["SOA"]
    assert r.records("AUTHORITY") == direct.records("AUTHORITY")
    assert r.records("ADDITIONAL") == direct.records("ADDITIONAL")


@pytest.mark.parametrize("block", ["default", "translate_all"])
def test_only_excluded_aaaa_and_non_global_a_give_the_aaaa_reply_without_them(server, nsd, block):
    r = ask(server, block, "mapped-private.dns64.test")
    direct = Reply(dig("mapped-private.dns64.test", "AAAA", "+nocookie", port=nsd.port))
    assert (r.status, r.records()) == ("NOERROR", [])
    assert "::ffff" not in r.text
    assert r.records("AUTHORITY") == direct.records("AUTHORITY")


def test_private_ipv4_under_a_network_specific_prefix(server):
    r = ask(server, "policy", "private.dns64.test", via="127.0.0.1")
    assert r.data() == ["64:ff9b:1:a00:0:100::", "64:ff9b:1:c0a8:1:100::"]


# Items 7 and 11: translate_all.

def test_translate_all_replaces_native_aaaa(server):
    assert ask(server, "translate_all", "both.dns64.test").data() == ["64:ff9b::102:305"]


def test_translate_all_keeps_ipv6_only_names(server):
    assert ask(server, "translate_all", "v6only.dns64.test").data() == ["2001:db8::6"]


@needs_log
def test_translate_all_asks_upstream_once_when_a_exists(server):
    start = len(server.stdout())
    assert ask(server, "translate_all", "economy.dns64.test").data() == ["64:ff9b::102:30f"]
    server.wait_for_line(r'"A IN economy\.dns64\.test\. udp', start=start)
    assert upstream_queries(server, start) == [("A", "economy.dns64.test.")]


@needs_log
def test_translate_all_asks_aaaa_only_after_an_empty_a(server):
    start = len(server.stdout())
    assert ask(server, "translate_all", "economy-v6.dns64.test").data() == ["2001:db8::16"]
    server.wait_for_line(r'"AAAA IN economy-v6\.dns64\.test\. udp', start=start)
    server.wait_for_line(r'"A IN economy-v6\.dns64\.test\. udp', start=start)
    # Workers flush their log lines independently, so the order is the unit tests' to check.
    assert sorted(upstream_queries(server, start)) == [("A", "economy-v6.dns64.test."),
                                                       ("AAAA", "economy-v6.dns64.test.")]


@needs_log
def test_rfc_order_asks_aaaa_first_and_no_a_when_aaaa_exists(server):
    start = len(server.stdout())
    assert ask(server, "default", "both.dns64.test").data() == ["2001:db8::5"]
    server.wait_for_line(r'"AAAA IN both\.dns64\.test\. udp', start=start)
    assert upstream_queries(server, start) == [("AAAA", "both.dns64.test.")]


# Item 8: per-domain and per-client policy.

def test_clients_decides_who_is_served(server):
    assert ask(server, "policy", "a-only.dns64.test", via="127.0.0.1").data() == [
        "64:ff9b:1:102:3:400::"]
    assert ask(server, "policy", "a-only.dns64.test", via="::1").records() == []


def test_except_leaves_names_alone(server):
    r = ask(server, "policy", "www.corp.dns64.test", via="127.0.0.1")
    assert (r.status, r.records()) == ("NOERROR", [])


def test_translate_all_for_listed_domains_only(server):
    assert ask(server, "policy", "host.lab.dns64.test", via="127.0.0.1").data() == [
        "64:ff9b:1:102:3:d00::"]
    assert ask(server, "policy", "v6.lab.dns64.test", via="127.0.0.1").data() == ["2001:db8::14"]
    assert ask(server, "policy", "both.dns64.test", via="127.0.0.1").data() == ["2001:db8::5"]


# Item 9: PTR.

def test_ptr_under_the_prefix_follows_a_cname_to_in_addr_arpa(server):
    r = Reply(dig("-x", "64:ff9b::102:304", "+nocookie", server="::1",
                  port=server.ports["default"]))
    assert r.status == "NOERROR"
    assert r.records(rtype="CNAME")[0][3] == "4.3.2.1.in-addr.arpa."
    assert r.records(rtype="PTR") == [("4.3.2.1.in-addr.arpa.", 300, "PTR", "a-only.dns64.test.")]


def test_ptr_with_the_network_specific_prefix(server):
    r = Reply(dig("-x", "64:ff9b:1:102:3:400::", "+nocookie", server="127.0.0.1",
                  port=server.ports["policy"]))
    assert r.data("PTR") == ["a-only.dns64.test."]


# Item 10: ipv4only.arpa, never forwarded.

@needs_log
def test_ipv4only_arpa_is_answered_locally(server):
    start = len(server.stdout())
    assert ask(server, "default", "ipv4only.arpa", "A", "127.0.0.1").data("A") == [
        "192.0.0.170", "192.0.0.171"]
    assert ask(server, "default", "ipv4only.arpa").data() == ["64:ff9b::c000:aa",
                                                            "64:ff9b::c000:ab"]
    assert ask(server, "policy", "ipv4only.arpa", via="127.0.0.1").data() == [
        "64:ff9b:1:c000:0:aa00::", "64:ff9b:1:c000:0:ab00::"]
    ptr = Reply(dig("-x", "192.0.0.170", "+nocookie", server="::1", port=server.ports["default"]))
    assert ptr.data("PTR") == ["ipv4only.arpa."]
    mx = ask(server, "default", "ipv4only.arpa", "MX")
    assert (mx.status, mx.records(), [x[2] for x in mx.records("AUTHORITY")]) == (
        "NOERROR", [], ["SOA"])
    assert ask(server, "default", "x.ipv4only.arpa").status == "NXDOMAIN"
    # Nothing reached the upstream block.
    assert upstream_queries(server, start) == []


# Item 12: the metric.

def translated_total(server):
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    key = f'coredns_dns64_requests_translated_total{{server="dns://:{server.ports["default"]}"}}'
    for line in text.splitlines():
        if line.startswith(key + " "):
            return float(line.split()[1])
    return 0.0


@needs_prometheus
def test_translated_requests_are_counted_per_server(server):
    before = translated_total(server)
    ask(server, "default", "short.dns64.test")
    ask(server, "default", "both.dns64.test")  # its own AAAA: nothing translated
    ask(server, "default", "nodata.dns64.test")  # no A either: nothing translated
    assert translated_total(server) == before + 1
