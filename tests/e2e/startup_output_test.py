"""What coredns prints on stdout when it starts (CoreDNS's core/dnsserver/onstartup.go): the zones of
each server, warnings for names outside RFC 1035's preferred syntax, then the version."""
import re

from harness import CoreDNS, require_plugins

VERSION = "CoreDNS-1.14.7"


def startup_lines(corefile, args=()):
    """stdout up to and including the two version lines, then stops the server."""
    with CoreDNS(corefile, args=args) as c:
        # The platform line follows the version line; wait for both to have been read.
        c.wait_for_line(r"^linux/")
        out = c.stdout()
        at = out.index(VERSION)
        return c.port, out[:at], out[at:at + 2]


def test_o1_one_zone():
    port, zones, version = startup_lines(".:{port} {\n whoami\n}\n")
    assert zones == [f".:{port}"]
    assert version[0] == VERSION
    assert re.match(r"^linux/\S+, ", version[1])


def test_o2_zones_of_one_server_are_sorted():
    port, zones, _ = startup_lines("example.org:{port} {\n whoami\n}\n.:{port} {\n whoami\n}\n")
    assert zones == [f".:{port}", f"example.org.:{port}"]


def test_o3_reverse_cidr_key_prints_its_zone():
    port, zones, _ = startup_lines("10.0.0.0/24:{port} {\n whoami\n}\n")
    assert zones == [f"0.0.10.in-addr.arpa.:{port}"]


def test_o3_cidr_off_a_label_boundary_prints_every_zone():
    port, zones, _ = startup_lines("10.0.0.0/15:{port} {\n whoami\n}\n")
    assert zones == [f"0.10.in-addr.arpa.:{port}", f"1.10.in-addr.arpa.:{port}"]


def test_o4_warning_for_a_name_outside_rfc1035_syntax():
    port, zones, _ = startup_lines("_srv.example.org:{port} {\n whoami\n}\n")
    assert zones == ['Warning: Domain "_srv.example.org." does not follow RFC1035 preferred syntax',
                     f"_srv.example.org.:{port}"]


def test_o5_reload_prints_the_configuration_hash_before_the_version():
    require_plugins("reload")
    port, zones, _ = startup_lines(".:{port} {\n whoami\n reload\n}\n")
    assert zones[0] == f".:{port}"
    assert re.fullmatch(r"\[INFO\] plugin/reload: Running configuration SHA512 = [0-9a-f]{128}",
                        zones[1]), zones
    assert len(zones) == 2


def test_quiet_prints_nothing_at_startup():
    c = CoreDNS(".:{port} {\n whoami\n}\n", args=["-quiet"])
    with c:
        c.query("example.org.")
    assert c.stdout() == ["[INFO] SIGTERM: Shutting down servers then terminating"]
