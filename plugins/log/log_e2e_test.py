"""log end to end with the real binary: the lines CoreDNS writes for UDP and TCP queries from dig,
kdig and dnspython (CoreDNS's plugin/log/README.md), the class filter, and
-log-format=json."""
import json
import re
import time

import dns.flags
import dns.rcode
import pytest

from harness import CoreDNS, Nsd, dig, free_port, has_plugin, kdig, query, run_coredns, zone_file

WHOAMI = ".:{port} {\n log\n whoami\n}\n"
DURATION = r"\d+(\.\d+)?s"


def line_for(c, qname, proto="udp", timeout=5):
    return c.wait_for_line(rf'"[A-Z0-9]+ IN {re.escape(qname)} {proto} ', timeout=timeout)


def dig_id(out):
    return int(re.search(r"id: (\d+)", out).group(1))


def test_g1_dig_over_udp():
    with CoreDNS(WHOAMI) as c:
        out = c.dig("example.org", "A")
        line = line_for(c, "example.org.")
        m = re.fullmatch(r'\[INFO\] 127\.0\.0\.1:(\d+) - (\d+) "A IN example\.org\. udp 52 false '
                         rf'1232" NOERROR qr,aa,rd 91 {DURATION}', line)
        assert m, line
        assert int(m.group(2)) == dig_id(out)


def test_g2_dig_and_kdig_over_tcp():
    with CoreDNS(WHOAMI) as c:
        out = c.dig("example.org", "A", "+tcp")
        line = line_for(c, "example.org.", "tcp")
        assert re.fullmatch(r'\[INFO\] 127\.0\.0\.1:\d+ - (\d+) "A IN example\.org\. tcp 52 false '
                            rf'65535" NOERROR qr,aa,rd 91 {DURATION}', line), line
        assert f" - {dig_id(out)} " in line
        # kdig sends no EDNS by default: 33 bytes for this name, and 103 bytes of whoami reply.
        kdig("www.example.org", "AAAA", "+tcp", port=c.port)
        line = line_for(c, "www.example.org.", "tcp")
        assert re.fullmatch(r'\[INFO\] 127\.0\.0\.1:\d+ - \d+ "AAAA IN www\.example\.org\. tcp 33 '
                            rf'false 65535" NOERROR qr,aa,rd 103 {DURATION}', line), line


def test_g13_no_edns_and_the_query_name_lower_cased():
    with CoreDNS(WHOAMI) as c:
        c.query("Example.ORG.", use_edns=False, qid=4242)
        line = line_for(c, "example.org.")
        assert re.fullmatch(r'\[INFO\] 127\.0\.0\.1:\d+ - 4242 "A IN example\.org\. udp 29 false '
                            rf'512" NOERROR qr,aa,rd 91 {DURATION}', line), line


def test_g12_ipv6_client_in_brackets():
    with CoreDNS(WHOAMI) as c:
        c.query("example.org.", server="::1")
        line = line_for(c, "example.org.")
        assert re.match(r"\[INFO\] \[::1\]:\d+ - \d+ ", line), line


def test_g3_g6_combined_and_custom_formats():
    corefile = (".:{port} {\n log example.org {combined}\n"
                ' log . "{proto} {name} {type} {>opcode} {foo} {/meta} {>do}"\n whoami\n}\n')
    with CoreDNS(corefile) as c:
        c.query("a.example.org.", want_dnssec=True)
        line = line_for(c, "a.example.org.")
        assert re.fullmatch(r'\[INFO\] 127\.0\.0\.1:\d+ - \d+ "A IN a\.example\.org\. udp \d+ true '
                            rf'1232" NOERROR qr,aa,rd \d+ {DURATION} "0"', line), line
        c.query("example.net.", want_dnssec=True)
        assert c.wait_for_line(r"^\[INFO\] udp example") == "[INFO] udp example.net. A 0 {foo} - true"


def test_g4_g5_names():
    corefile = ".:{port} {\n log {combined}\n log example.org\n whoami\n}\n"
    with CoreDNS(corefile) as c:
        assert c.query("www.example.org.").rcode() == dns.rcode.NOERROR
        c.query("example.net.")
        c.query("marker.example.org.")
        line_for(c, "marker.example.org.")
        time.sleep(0.05)
        assert line_for(c, "www.example.org.")
        # `log {combined}` names the zone "{combined}.", so example.net is never logged.
        assert not c.lines_matching("example\\.net\\.")


def test_r11_unwritten_servfail_is_logged_as_the_reply_sent():
    with CoreDNS(".:{port} {\n log\n}\n") as c:
        r = c.query("example.org.", use_edns=False, qid=777)
        assert r.rcode() == dns.rcode.SERVFAIL
        assert not r.flags & dns.flags.RA
        assert r.question[0].name.to_text() == "example.org."
        line = line_for(c, "example.org.")
        assert re.fullmatch(r'\[INFO\] 127\.0\.0\.1:\d+ - 777 "A IN example\.org\. udp 29 false '
                            rf'512" SERVFAIL qr,rd 29 {DURATION}', line), line


CLASSES = (
    "nx.example:{port} {{\n log {{\n  class {cls}\n }}\n}}\n"
    "marker.test:{port} {{\n log\n whoami\n}}\n"
    ".:{port} {{\n log {{\n  class {cls}\n }}\n whoami\n}}\n"
)


def settle(c):
    """Waits until the lines of the queries answered so far are written: a marker query is
    logged after them (workers write their lines right after sending the replies)."""
    c.query("end.marker.test.")
    line_for(c, "end.marker.test.")
    time.sleep(0.05)


@pytest.mark.parametrize("cls,logs_success,logs_error", [
    ("success", True, False), ("error", False, True), ("denial", False, False),
    ("success error", True, True), ("all", True, True),
])
def test_class_filter(cls, logs_success, logs_error):
    with CoreDNS(CLASSES.format(cls=cls, port="{port}")) as c:
        assert c.query("ok.example.org.").rcode() == dns.rcode.NOERROR
        assert c.query("x.nx.example.").rcode() == dns.rcode.SERVFAIL
        settle(c)
        assert bool(c.lines_matching(r'"A IN ok\.example\.org\. udp .*" NOERROR ')) == logs_success
        assert bool(c.lines_matching(r'"A IN x\.nx\.example\. udp .*" SERVFAIL ')) == logs_error


@pytest.mark.skipif(not has_plugin("forward"), reason="forward not compiled in")
def test_g7_class_denial_with_an_upstream():
    zone = zone_file("example.org", ["www IN A 192.0.2.1"])
    with Nsd({"example.org.": zone}) as nsd:
        corefile = f".:{{port}} {{\n log {{\n  class denial\n }}\n forward . 127.0.0.1:{nsd.port}\n}}\n"
        with CoreDNS(corefile) as c:
            assert c.query("www.example.org.").rcode() == dns.rcode.NOERROR
            assert c.query("nope.example.org.").rcode() == dns.rcode.NXDOMAIN
            assert c.query("www.example.org.", "AAAA").rcode() == dns.rcode.NOERROR  # NODATA
            nx = line_for(c, "nope.example.org.")
            assert '" NXDOMAIN qr,aa,rd' in nx, nx
            nodata = c.wait_for_line(r'"AAAA IN www\.example\.org\. ')
            assert '" NOERROR ' in nodata
            assert not c.lines_matching(r'"A IN www\.example\.org\. ')


def test_json_log_format():
    with CoreDNS(".:{port} {\n errors\n log\n whoami\n}\nbad:{port} {\n errors\n log\n}\n",
                 args=["-log-format=json"]) as c:
        c.query("example.org.", qid=4321, use_edns=True, payload=1232)
        c.query("x.bad.", tcp=True, use_edns=False)
        c.wait_for_line(r'"plugin":"errors"')
        c.wait_for_line(r'"name":"example\.org\."')
        records = [json.loads(l) for l in c.stdout() if l.startswith("{")]
        q = next(r for r in records if r.get("name") == "example.org.")
        assert q["level"] == "INFO" and q["plugin"] == "log"
        assert q["remote"] == "127.0.0.1" and isinstance(q["port"], int)
        assert {k: q[k] for k in ("id", "type", "class", "proto", "size", "do", "bufsize", "rcode",
                                  "rflags", "rsize")} == {
            "id": 4321, "type": "A", "class": "IN", "proto": "udp", "size": 40, "do": False,
            "bufsize": 1232, "rcode": "NOERROR", "rflags": "qr,aa,rd", "rsize": 91}
        assert isinstance(q["duration"], float) and 0 <= q["duration"] < 5
        bad = next(r for r in records if r.get("name") == "x.bad.")
        assert bad["proto"] == "tcp" and bad["rcode"] == "SERVFAIL" and bad["bufsize"] == 65535
        err = next(r for r in records if r.get("plugin") == "errors")
        assert err == {"level": "ERROR", "plugin": "errors",
                       "msg": "2 x.bad. A: plugin/log: no next plugin found"}
    # Every log line was JSON; only the startup banner (zones, version) is plain text.
    texts = [l for l in c.stdout() if not l.startswith("{")]
    assert all(not l.startswith("[") for l in texts), texts


def test_log_format_flag_rejects_other_values():
    r = run_coredns(["-log-format=xml"])
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.startswith('invalid value "xml" for flag -log-format: must be text or json\n'
                          "Usage of ")
    assert "  -log-format string\n    \tLog output format: text or json (default \"text\")\n" in err
