"""End-to-end tests of nat64's fast path (TUN offloads, workers, tcp-mss-clamp), in the
namespaces of e2e_test.py (IPv6-only client, router with nat64 on a TUN, IPv4-only server).

Each test runs against three translators in turn, so that every path is forced:
  gso-1       offloads on (IFF_VNET_HDR: GSO super-packets translated whole), workers 1
  gso-2       offloads on, workers 2 (a multi-queue TUN, one thread per queue)
  plain-2     `offload no` (Tayga's framing: the kernel segments before the TUN), workers 2
Bulk TCP both ways is checked byte for byte (sha256), the metrics say which path was taken,
the MSS clamp is observed by the receiving socket, and IPv4 packets that grow past the TUN MTU
when translated get Fragmentation Needed (never a silent drop). No timing is asserted.
Run: NAT64_BIN=build/.../nat64 python3 -m pytest -q plugins/nat64/translator/tests/e2e_fastpath_test.py
"""
import os
import re
import subprocess
import tempfile
import time

import pytest

import e2e_test as e2e
from e2e_test import MAPPED4, NS_C, NS_R, NS_S, PEER, PY, SERVER6, TUN, peer, sh

pytestmark = e2e.pytestmark

SINK, MSS, ECHO = 7100, 7101, 7102
BULK = 24 << 20  # bytes per transfer: hundreds of GSO super-packets
VARIANTS = {
    "gso-1": "offload yes\nworkers 1\n",
    "gso-2": "offload yes\nworkers 2\n",
    "plain-2": "offload no\nworkers 2\n",
}


@pytest.fixture(scope="module")
def net():
    """The namespaces, a persistent TUN with its routes, and the sink/MSS servers both sides."""
    e2e.cleanup_namespaces()
    workdir = tempfile.mkdtemp(prefix="nat64-fast-")
    servers = []
    try:
        e2e.setup_namespaces()
        sh(e2e.NAT64, "--mktun", "-c", e2e.Translator(workdir).conf, ns=NS_R)
        e2e.tun_routes()
        for ns, args in ((NS_S, ("serve-sink", "0.0.0.0", SINK)), (NS_S, ("serve-mss", "0.0.0.0", MSS)),
                         (NS_S, ("serve-udp", "0.0.0.0", ECHO)), (NS_C, ("serve-sink", "::", SINK)),
                         (NS_C, ("serve-mss", "::", MSS)), (NS_C, ("serve-udp", "::", ECHO))):
            p = subprocess.Popen(["ip", "netns", "exec", ns, PY, PEER, *map(str, args)],
                                 stdout=subprocess.PIPE, text=True)
            servers.append(p)
            assert p.stdout.readline().strip() == "ready"
        yield workdir
    finally:
        for p in servers:
            p.kill()
            p.wait()
        e2e.cleanup_namespaces()
        subprocess.run(["rm", "-rf", workdir])


class Running:
    """A translator of one variant, and its counters read from the metrics."""

    def __init__(self, workdir, variant, extra=""):
        self.workdir, self.variant = workdir, variant
        self.offload = "offload yes" in VARIANTS[variant]
        self.start(extra)

    def start(self, extra=""):
        # Every start writes the configuration anew (the file is shared by all variants).
        self.t = e2e.Translator(self.workdir, VARIANTS[self.variant] + extra)
        self.t.start()

    def stop(self):
        self.t.stop()

    def counter(self, name, labels=""):
        m = re.search(rf"^{name}{re.escape(labels)} (\d+)$", self.t.metrics(), re.M)
        assert m, f"{name}{labels} missing from the metrics"
        return int(m.group(1))

    def counters(self):
        names = {"gso6to4": ("nat64_gso_packets_total", '{direction="6to4"}'),
                 "gso4to6": ("nat64_gso_packets_total", '{direction="4to6"}'),
                 "over_mtu": ("nat64_tun_reads_over_mtu_total", ""),
                 "too_big": ("nat64_packets_dropped_total", '{reason="too_big"}'),
                 "bad_offload": ("nat64_packets_dropped_total", '{reason="bad_offload"}'),
                 "clamped": ("nat64_tcp_mss_clamped_total", "")}
        return {k: self.counter(*v) for k, v in names.items()}


@pytest.fixture(scope="module", params=list(VARIANTS))
def nat(net, request):
    r = Running(net, request.param)
    try:
        yield r
    finally:
        r.stop()


def bulk_from(ns, dst, streams=1, src=None):
    """`streams` concurrent transfers of BULK bytes to the sink at dst; each must arrive intact."""
    procs = [subprocess.Popen(["ip", "netns", "exec", ns, PY, PEER, "bulk", dst, str(SINK), str(BULK),
                               *([src] if src else [])], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(streams)]
    outs = []
    for p in procs:
        try:
            outs.append(p.communicate(timeout=120)[0].strip())
        except subprocess.TimeoutExpired:
            p.kill()
            outs.append("timed out: " + p.communicate()[0])
    assert outs == [f"ok {BULK}"] * streams, outs


def test_workers_and_offload_as_configured(nat):
    workers = int(re.search(r"workers (\d)", VARIANTS[nat.variant]).group(1))
    assert nat.counter("nat64_workers") == workers
    assert nat.counter("nat64_tun_offload") == (1 if nat.offload else 0)
    out = nat.t.output()
    assert f"Workers: {workers} (multi-queue device)" in out, out
    assert ("Offloads: csum tso4 tso6" in out) if nat.offload else ("Offloads: off" in out), out


@pytest.mark.parametrize("direction", ["6to4", "4to6"])
def test_bulk_tcp(nat, direction):
    before = nat.counters()
    # 6to4: client to the server's RFC 6052 address; 4to6: server to the client's statically
    # mapped address (10.98.1.5 is 2001:db8:1::5).
    src, dst = (NS_C, SERVER6) if direction == "6to4" else (NS_S, MAPPED4)
    bulk_from(src, dst, streams=1 if nat.variant == "gso-1" else 3)
    d = {k: v - before[k] for k, v in nat.counters().items()}
    assert d["bad_offload"] == 0 and d["too_big"] == 0, d
    if nat.offload:
        # Super-packets read whole (larger than the MTU) and written back whole.
        assert d[f"gso{direction}"] > 0 and d["over_mtu"] > 0, d
    else:
        assert d["gso6to4"] == 0 and d["gso4to6"] == 0 and d["over_mtu"] == 0, d


def test_udp_gso_both_ways(nat):
    # One UDP_SEGMENT send of 20 datagrams of 1000 bytes: a USO super-packet where the kernel
    # offers USO to the TUN (Linux 6.2+), translated whole; every datagram comes back intact.
    before = nat.counters()
    assert peer(NS_C, "udp-gso", SERVER6, ECHO, 1000, 20).endswith("|20")
    assert peer(NS_S, "udp-gso", MAPPED4, ECHO, 1000, 20) == f"{SERVER6}|20"
    d = {k: v - before[k] for k, v in nat.counters().items()}
    assert d["bad_offload"] == 0, d
    if nat.offload and "uso4 uso6" in nat.t.output():
        assert d["gso6to4"] > 0 and d["gso4to6"] > 0, d
    elif not nat.offload:
        assert d["gso6to4"] == 0 and d["gso4to6"] == 0, d


def test_mss_clamp_seen_by_the_receiver(nat, net):
    # Without a clamp the receiver's MSS follows the 1500-byte links (IPv4 1460, IPv6 1440,
    # less 12 bytes of timestamps once established).
    assert int(peer(NS_C, "mss", SERVER6, MSS)) > 1300
    nat.stop()
    try:
        nat.start("tcp-mss-clamp 1200\n")
        before = nat.counter("nat64_tcp_mss_clamped_total")
        # The client's SYN (IPv6 -> IPv4) and the server's SYN (IPv4 -> IPv6) are clamped; each
        # side's socket then uses at most 1200 bytes (less its timestamp option).
        assert 1100 <= int(peer(NS_C, "mss", SERVER6, MSS)) <= 1200
        assert 1100 <= int(peer(NS_S, "mss", MAPPED4, MSS)) <= 1200
        # Data still flows, in segments of the clamped size.
        bulk_from(NS_C, SERVER6)
        assert nat.counter("nat64_tcp_mss_clamped_total") - before >= 2
    finally:
        nat.stop()
        nat.start()


def wait_for_metric(nat, text):
    deadline = time.time() + 5
    while time.time() < deadline and text not in nat.t.metrics():
        time.sleep(0.2)
    assert text in nat.t.metrics()


def test_ipv4_growth_past_the_mtu_gets_fragmentation_needed(nat):
    # TUN MTU 1400 below the 1500-byte links: an IPv4 packet of 1400 bytes reaches the TUN, but
    # its IPv6 translation is 1420 bytes. With DF the sender must get Fragmentation Needed for
    # 1380 (the MTU less the 20 bytes of growth), for single packets and for super-packets alike.
    sh("ip", "link", "set", TUN, "mtu", "1400", ns=NS_R)
    try:
        wait_for_metric(nat, "nat64_tun_mtu 1400")
        before = nat.counters()
        # TCP: the first full-sized segments (whole super-packets with offloads) are refused with
        # Fragmentation Needed; the sender lowers its path MTU and the transfer completes intact.
        bulk_from(NS_S, MAPPED4)
        d = {k: v - before[k] for k, v in nat.counters().items()}
        assert d["too_big"] >= 1 and d["bad_offload"] == 0, d
        route = sh("ip", "route", "get", MAPPED4, ns=NS_S)
        assert "mtu 1380" in route, route
        # One DF packet (ICMP echo) of 1400 bytes, once the sender has forgotten the path MTU.
        sh("ip", "route", "flush", "cache", ns=NS_S)
        assert peer(NS_S, "ping", MAPPED4, 64, 1372) == "toobig 10.98.0.1 1380"
        # At the limit nothing is refused.
        assert peer(NS_S, "ping", MAPPED4, 64, 1352) == f"reply {MAPPED4}"
    finally:
        sh("ip", "link", "set", TUN, "mtu", "1500", ns=NS_R)
        sh("ip", "route", "flush", "cache", ns=NS_S, check=False)
        wait_for_metric(nat, "nat64_tun_mtu 1500")
