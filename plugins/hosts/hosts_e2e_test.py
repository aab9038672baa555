"""End-to-end tests of `hosts`: the real coredns binary reading a real hosts file that the test
edits, queried with dig and kdig, with nsd on loopback behind `forward` where hosts falls through."""
import os
import re
import time

import pytest

from harness import CoreDNS, Nsd, curl, free_port, kdig, run_coredns, zone_file
from harness import answer_lines as answers, dig_status as status

ZONE = zone_file("example.org", [
    "upstream IN A 192.0.2.53",
    "web IN A 192.0.2.80",
    "web IN AAAA 2001:db8::80",
])

HOSTS = """\
# a comment line
10.0.0.1   web.example.org      # the file overrides nsd's address
10.0.0.2   Mixed.Example.org
::FFFF:10.0.0.3 mapped.example.org
2001:db8::7 v6only.example.org
5.6.7.8    *.apps.example.org
"""


@pytest.fixture(scope="module")
def nsd():
    with Nsd({"example.org.": ZONE}) as n:
        yield n


def write(path, text):
    # A new file renamed over the old one, as editors and list updaters do.
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(0.1)


def test_answers_from_the_file_and_falls_through_to_nsd(nsd, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text(HOSTS)
    corefile = (".:{port} {\n hosts " + str(hosts) + " {\n  ttl 60\n  fallthrough\n }\n"
                " forward . 127.0.0.1:" + str(nsd.port) + "\n}\n")
    with CoreDNS(corefile) as c:
        out = c.dig("web.example.org", "A", "+noall", "+answer")
        assert answers(out) == ["web.example.org. 60 A 10.0.0.1"]
        out = c.dig("MIXED.example.org", "A", "+noall", "+answer")
        assert answers(out) == ["mixed.example.org. 60 A 10.0.0.2"]
        out = c.dig("mapped.example.org", "A", "+noall", "+answer")
        assert answers(out) == ["mapped.example.org. 60 A 10.0.0.3"]
        out = c.dig("x.apps.example.org", "A", "+noall", "+answer")
        assert answers(out) == ["x.apps.example.org. 60 A 5.6.7.8"]
        # A name hosts has with A only: NODATA for AAAA, not nsd's AAAA (CoreDNS since 1.6.8).
        out = c.dig("web.example.org", "AAAA")
        assert status(out) == "NOERROR" and "ANSWER: 0" in out and " aa" in out
        out = c.dig("v6only.example.org", "AAAA", "+noall", "+answer")
        assert answers(out) == ["v6only.example.org. 60 AAAA 2001:db8::7"]
        # Absent names go on to nsd.
        out = c.dig("upstream.example.org", "A", "+noall", "+answer")
        assert answers(out) == ["upstream.example.org. 300 A 192.0.2.53"]
        # PTR from the entries, lower-cased targets.
        out = c.dig("-x", "10.0.0.2", "+noall", "+answer")
        assert answers(out) == ["2.0.0.10.in-addr.arpa. 60 PTR mixed.example.org."]
        out = kdig("-x", "2001:db8::7", "+noall", "+answer", port=c.port)
        assert [a.split()[-1] for a in answers(out)] == ["v6only.example.org."]


def test_without_fallthrough_an_absent_name_is_servfail(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text(HOSTS)
    with CoreDNS(".:{port} {\n hosts " + str(hosts) + "\n}\n") as c:
        assert status(c.dig("absent.example.org", "A")) == "SERVFAIL"
        assert status(c.dig("web.example.org", "MX")) == "NOERROR"


def test_an_edited_file_is_reloaded(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("10.0.0.1 web.example.org\n")
    mport = free_port()
    corefile = (".:{port} {\n prometheus 127.0.0.1:" + str(mport) + "\n hosts " + str(hosts)
                + " {\n  reload 300ms\n  10.9.9.9 inline.example.org\n }\n}\n")
    with CoreDNS(corefile) as c:
        assert answers(c.dig("web.example.org", "+noall", "+answer")) == [
            "web.example.org. 3600 A 10.0.0.1"]
        body = curl(f"http://127.0.0.1:{mport}/metrics").body
        # One file line and one inline line, each with its PTR.
        assert f'coredns_hosts_entries{{hostsfile="{hosts}"}} 4' in body

        write(str(hosts), "10.0.0.2 web.example.org\n10.0.0.3 new.example.org\n")
        new = wait_for(lambda: answers(c.dig("new.example.org", "+noall", "+answer")))
        assert new == ["new.example.org. 3600 A 10.0.0.3"]
        assert answers(c.dig("web.example.org", "+noall", "+answer")) == [
            "web.example.org. 3600 A 10.0.0.2"]
        assert answers(c.dig("inline.example.org", "+noall", "+answer")) == [
            "inline.example.org. 3600 A 10.9.9.9"]
        body = curl(f"http://127.0.0.1:{mport}/metrics").body
        assert f'coredns_hosts_entries{{hostsfile="{hosts}"}} 6' in body
        stamp = re.search(r"^coredns_hosts_reload_timestamp_seconds (\S+)$", body, re.M)
        assert stamp and abs(float(stamp.group(1)) - os.stat(hosts).st_mtime) < 0.01

        # A deleted file keeps serving its last contents, with a warning.
        os.remove(hosts)
        c.wait_for_line(r"\[WARNING\] plugin/hosts: Hosts file .* is gone")
        assert answers(c.dig("new.example.org", "+noall", "+answer")) == [
            "new.example.org. 3600 A 10.0.0.3"]
        # And a file that comes back is read again.
        write(str(hosts), "10.0.0.4 back.example.org\n")
        back = wait_for(lambda: answers(c.dig("back.example.org", "+noall", "+answer")))
        assert back == ["back.example.org. 3600 A 10.0.0.4"]


def test_a_bad_ttl_is_a_config_error_naming_file_and_line(tmp_path):
    (tmp_path / "Corefile").write_text(".:1053 {\n hosts {\n  ttl 0\n }\n}\n")
    r = run_coredns([], cwd=str(tmp_path))
    assert r.returncode != 0
    assert "plugin/hosts: Corefile:3 - Error during parsing: ttl provided is invalid" in (
        r.stdout.decode() + r.stderr.decode())


def test_a_mistyped_keyword_before_fallthrough_is_warned_about(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("")
    with CoreDNS(".:{port} {\n hosts " + str(hosts) + " {\n  tll 60\n }\n}\n") as c:
        c.wait_for_line(r"\[WARNING\] plugin/hosts: Corefile:3 - ignoring 'tll 60'")
