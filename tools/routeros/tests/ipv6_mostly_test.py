"""Golden-file tests of the RouterOS script generator (tools/routeros/ipv6-mostly.py).

UPDATE_GOLDEN=1 rewrites the golden files from the generator's output; review the diff.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "ipv6-mostly.py"
GOLDEN = HERE / "golden"

CASES = {
    "defaults-file": ["--lan-bridge", "bridge", "--wan", "ether1",
                      "--image", "disk1/coredns-cpp-arm64.docker.tar"],
    "registry-custom-7.19": ["--lan-bridge", "bridge-lan", "--wan", "pppoe-out1",
                             "--registry-image", "example/coredns-cpp:latest",
                             "--container-subnet", "10.99.0.0/29", "--container-subnet6", "fd00:99::/64",
                             "--nat64-prefix", "64:ff9b:1::/96", "--pool", "10.64.0.0/22",
                             "--option108", "300", "--storage", "usb1/dns64/", "--name", "dns64",
                             "--upstream", "1.1.1.1", "2606:4700:4700::1111", "--routeros", "7.19"],
    "remove": ["--lan-bridge", "bridge", "--wan", "ether1", "--image", "x.tar", "--remove"],
}


def run(args):
    return subprocess.run([sys.executable, str(GENERATOR), *args], capture_output=True, text=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_script_matches_golden_file(name):
    out = run(CASES[name])
    assert out.returncode == 0, out.stderr
    golden = GOLDEN / f"{name}.rsc"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out.stdout)
    assert out.stdout == golden.read_text()


def embedded_corefile(script):
    line = next(l for l in script.splitlines() if l.startswith("/file/add "))
    literal = re.search(r'contents="((?:[^"\\]|\\.)*)"$', line).group(1)
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), literal)


def test_corefile_survives_routeros_quoting():
    script = run(CASES["defaults-file"]).stdout
    corefile = embedded_corefile(script)
    # Every '$' of the Corefile's {$ENV} placeholders is escaped for RouterOS, or the router
    # would substitute its own (empty) variables when it runs the script.
    assert "{$NAT64_PREFIX}" in corefile and "{$NAT64_POOL}" in corefile
    assert not re.search(r'(?<!\\)\$NAT64', script.split("contents=")[1].split("\n")[0])
    assert corefile.count("{") == corefile.count("}")
    # The env list defines every placeholder the Corefile uses.
    used = set(re.findall(r"\{\$(\w+)\}", corefile))
    defined = set(re.findall(r"/container/envs/add list=\S+ key=(\w+) ", script))
    assert used == defined


def test_addresses_are_derived_from_the_subnets():
    script = run(CASES["registry-custom-7.19"]).stdout
    assert "address=10.99.0.1/29 interface=br-dns64" in script
    assert "/interface/veth/add name=veth-dns64 address=10.99.0.2/29,fd00:99::2/64 gateway=10.99.0.1 gateway6=fd00:99::1" in script
    assert "/ipv6/route/add dst-address=64:ff9b:1::/96 gateway=fd00:99::2" in script
    assert "/ip/route/add dst-address=10.64.0.0/22 gateway=10.99.0.2" in script
    assert "key=NAT64_ADDR4 value=10.64.0.1" in script
    assert "value=0x0000012c" in script            # 300 s, RFC 8925's minimum
    assert "mounts=dns64-etc,dns64-data envlist=dns64" in script
    assert "/container/config/set registry-url=https://registry-1.docker.io tmpdir=usb1/dns64/pull" in script


@pytest.mark.parametrize("args,message", [
    (["--pool", "172.17.64.0/24"], "overlaps --container-subnet"),
    (["--nat64-prefix", "64:ff9b::/80"], "RFC 6052 allows"),
    (["--option108", "299"], "minimum of 300 seconds"),
    (["--container-subnet", "172.17.64.1/30"], "has host bits set"),
    (["--container-subnet", "172.17.64.0/31"], "needs at least a /30"),
    (["--upstream", "dns.example"], "does not appear to be an IPv4 or IPv6 address"),
    (["--routeros", "6.49"], "RouterOS 7.x expected"),
])
def test_bad_parameters_are_refused_with_the_reason(args, message):
    out = run(["--lan-bridge", "bridge", "--wan", "ether1", "--image", "x.tar", *args])
    assert out.returncode == 2
    assert message in out.stderr
    assert out.stdout == ""


def test_an_image_source_is_required():
    out = run(["--lan-bridge", "bridge", "--wan", "ether1"])
    assert out.returncode == 2
    assert "--image" in out.stderr and "--registry-image" in out.stderr
