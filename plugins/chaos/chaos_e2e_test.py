"""chaos end to end: dig's CH TXT queries for the server's version, authors and host name, and
the queries chaos passes on to the rest of the chain (forward to nsd)."""
import socket

from harness import CoreDNS, Nsd, dig, zone_file

ZONE = zone_file("example.org", ["www IN A 192.0.2.80"])


def short(c, *args):
    return dig("+short", *args, port=c.port).split("\n")[:-1]


def test_default_version_authors_and_hostname():
    with CoreDNS(".:{port} {\n chaos\n}\n") as c:
        assert short(c, "CH", "TXT", "version.bind") == ['"CoreDNS-1.14.7"']
        assert short(c, "CH", "TXT", "version.server") == ['"CoreDNS-1.14.7"']
        authors = short(c, "CH", "TXT", "authors.bind")
        assert len(authors) == 29 and '"miekg"' in authors
        host = socket.gethostname()[:255]
        assert short(c, "CH", "TXT", "hostname.bind") == [f'"{host}"']
        assert short(c, "CH", "TXT", "id.server") == [f'"{host}"']


def test_configured_version_and_authors_answer_with_ttl_0_and_no_aa():
    with CoreDNS(".:{port} {\n chaos MyDNS-2.0 zed alice zed\n}\n") as c:
        out = dig("CH", "TXT", "VERSION.bind", port=c.port)
        assert 'VERSION.bind.\t\t0\tCH\tTXT\t"MyDNS-2.0"' in out
        assert "status: NOERROR" in out
        assert "flags: qr rd;" in out
        assert sorted(short(c, "CH", "TXT", "authors.bind")) == ['"alice"', '"zed"']


def test_other_queries_go_on_to_forward():
    with Nsd({"example.org.": ZONE}) as nsd, \
            CoreDNS(".:{port} {\n chaos\n forward . 127.0.0.1:%d\n}\n" % nsd.port) as c:
        assert short(c, "www.example.org", "A") == ["192.0.2.80"]
        # An IN TXT query for version.bind is not chaos's: nsd does not serve bind.
        out = dig("TXT", "version.bind", port=c.port)
        assert "status: REFUSED" in out


def test_a_block_on_the_listener_without_chaos_answers_ch_queries_itself():
    # chaos opens the listener to other classes; a block without it gets them too.
    corefile = ("example.org:{port} {\n any\n}\n"
                "bind:{port} {\n chaos v9\n}\n")
    with CoreDNS(corefile) as c:
        assert short(c, "CH", "TXT", "version.bind") == ['"v9"']
        out = dig("CH", "ANY", "example.org", port=c.port)
        assert "status: NOERROR" in out and '"ANY obsoleted"' in out
    # Without chaos on the listener, the server refuses class CH before any plugin runs.
    with CoreDNS("example.org:{port} {\n any\n}\n") as c:
        assert "status: REFUSED" in dig("CH", "ANY", "example.org", port=c.port)
