"""End-to-end tests of nat64 in network namespaces that the test creates.

    client (IPv6 only)  --veth--  router (nat64 on a TUN)  --veth--  server (IPv4 only)
    2001:db8:1::2/64              2001:db8:1::1 | 10.99.0.1           10.99.0.2/24
    2001:db8:1::5 (static map 10.98.1.5)

NAT64 prefix 2001:db8:64::/96, dynamic pool 10.98.0.0/24, translator 10.98.0.1. Needs root
(CAP_NET_ADMIN); skipped otherwise. Every namespace and process is removed, even on failure.
Run: NAT64_BIN=build/.../nat64 python3 -m pytest -q plugins/nat64/translator/tests/e2e_test.py
NAT64_E2E_CONF adds tayga.conf lines (separated by ",") to every translator the tests start,
e.g. "offload no,workers 1" for the whole suite on Tayga's framing (ctest: e2e.nat64.nooffload).
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "e2e_peer.py")
PY = "/usr/bin/python3"
NAT64 = os.environ.get("NAT64_BIN", "")
TAG = f"{os.getpid() % 100000}"
NS_C, NS_R, NS_S = f"n64c{TAG}", f"n64r{TAG}", f"n64s{TAG}"
TUN = "nat64t"
SERVER4 = "10.99.0.2"
SERVER6 = "2001:db8:64::a63:2"  # 10.99.0.2 under the prefix
CLIENT6 = "2001:db8:1::2"
MAPPED6, MAPPED4 = "2001:db8:1::5", "10.98.1.5"
METRICS_PORT = 19176
EXTRA_CONF = "".join(line.strip() + "\n" for line in os.environ.get("NAT64_E2E_CONF", "").split(",") if line.strip())


def cap_net_admin():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) & (1 << 12))
    except OSError:
        pass
    return False


pytestmark = [
    pytest.mark.skipif(not cap_net_admin(), reason="needs CAP_NET_ADMIN (run as root) to create network namespaces"),
    pytest.mark.skipif(not NAT64 or not os.access(NAT64, os.X_OK), reason="set NAT64_BIN to the nat64 binary"),
]


def sh(*cmd, ns=None, check=True, timeout=20):
    full = (["ip", "netns", "exec", ns] if ns else []) + [str(c) for c in cmd]
    r = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(full)} failed ({r.returncode}): {r.stdout}{r.stderr}")
    return r.stdout.strip()


def peer(ns, *args, timeout=20):
    return sh(PY, PEER, *args, ns=ns, timeout=timeout)


class Translator:
    """One nat64 process in the router namespace."""

    def __init__(self, workdir, extra=""):
        self.workdir = workdir
        self.data = os.path.join(workdir, "data")
        self.conf = os.path.join(workdir, "nat64.conf")
        with open(self.conf, "w") as f:
            f.write(
                f"tun-device {TUN}\n"
                "ipv4-addr 10.98.0.1\n"
                "prefix 2001:db8:64::/96\n"
                "dynamic-pool 10.98.0.0/24\n"
                f"map {MAPPED4} {MAPPED6}\n"
                f"data-dir {self.data}\n"
                "udp-cksum-mode calc\n"
                "log drop reject icmp dyn\n"
                f"metrics-addr 127.0.0.1:{METRICS_PORT}\n" + EXTRA_CONF + extra)
        self.proc = None
        self.log = os.path.join(workdir, "nat64.log")

    def start(self, *args):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS_R, NAT64, "-d", "-c", self.conf, *args],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        # Ready when the metrics listener answers.
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nat64 exited with {self.proc.returncode}:\n{self.output()}")
            try:
                self.metrics()
                return
            except Exception:
                time.sleep(0.1)
        raise AssertionError("nat64 did not come up:\n" + self.output())

    def metrics(self):
        return sh(PY, "-c", f"import urllib.request;print(urllib.request.urlopen("
                  f"'http://127.0.0.1:{METRICS_PORT}/metrics',timeout=2).read().decode())", ns=NS_R)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def output(self):
        with open(self.log) as f:
            return f.read()

    def dynamic_map(self):
        path = os.path.join(self.data, "dynamic.map")
        if not os.path.exists(path):
            return {}
        leases = {}
        with open(path) as f:
            for line in f:
                t = line.split()
                if len(t) == 3 and not t[0].startswith("#"):
                    leases[t[1]] = t[0]
        return leases


def setup_namespaces():
    for ns in (NS_C, NS_R, NS_S):
        sh("ip", "netns", "add", ns)
    sh("ip", "link", "add", "c0", "netns", NS_C, "type", "veth", "peer", "r0", "netns", NS_R)
    sh("ip", "link", "add", "s0", "netns", NS_S, "type", "veth", "peer", "r1", "netns", NS_R)
    for ns in (NS_C, NS_R, NS_S):
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("ip", "addr", "add", f"{CLIENT6}/64", "dev", "c0", "nodad", ns=NS_C)
    # Deprecated (preferred_lft 0): used only when a socket binds to them explicitly.
    sh("ip", "addr", "add", f"{MAPPED6}/64", "dev", "c0", "nodad", "preferred_lft", "0", ns=NS_C)
    sh("ip", "addr", "add", "2001:db8:1::3/64", "dev", "c0", "nodad", "preferred_lft", "0", ns=NS_C)
    sh("ip", "addr", "add", "2001:db8:1::7/64", "dev", "c0", "nodad", "preferred_lft", "0", ns=NS_C)
    sh("ip", "link", "set", "c0", "up", ns=NS_C)
    sh("ip", "-6", "route", "add", "default", "via", "2001:db8:1::1", ns=NS_C)
    sh("ip", "addr", "add", "2001:db8:1::1/64", "dev", "r0", "nodad", ns=NS_R)
    sh("ip", "addr", "add", "10.99.0.1/24", "dev", "r1", ns=NS_R)
    sh("ip", "link", "set", "r0", "up", ns=NS_R)
    sh("ip", "link", "set", "r1", "up", ns=NS_R)
    sh("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", "net.ipv4.ip_forward=1", ns=NS_R)
    sh("ip", "addr", "add", f"{SERVER4}/24", "dev", "s0", ns=NS_S)
    sh("ip", "link", "set", "s0", "up", ns=NS_S)
    sh("ip", "route", "add", "default", "via", "10.99.0.1", ns=NS_S)


def cleanup_namespaces():
    for ns in (NS_C, NS_R, NS_S):
        subprocess.run(["ip", "netns", "pids", ns], capture_output=True)
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def tun_routes():
    sh("ip", "link", "set", TUN, "up", ns=NS_R)
    sh("ip", "-6", "route", "replace", "2001:db8:64::/96", "dev", TUN, ns=NS_R)
    sh("ip", "route", "replace", "10.98.0.0/16", "dev", TUN, ns=NS_R)


@pytest.fixture(scope="module")
def net():
    cleanup_namespaces()
    workdir = tempfile.mkdtemp(prefix="nat64-e2e-")
    servers = []
    try:
        setup_namespaces()
        t = Translator(workdir)
        # A persistent TUN made by --mktun, so routes can be set before the translator runs.
        sh(NAT64, "--mktun", "-c", t.conf, ns=NS_R)
        tun_routes()
        t.start()
        for ns, args in ((NS_S, ("serve-tcp", "0.0.0.0", 7000)), (NS_S, ("serve-udp", "0.0.0.0", 7001)),
                         (NS_C, ("serve-tcp", "::", 7000)), (NS_C, ("serve-udp", "::", 7001))):
            p = subprocess.Popen(["ip", "netns", "exec", ns, PY, PEER, *map(str, args)],
                                 stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"
            servers.append(p)
        yield t
    finally:
        for p in servers:
            p.kill()
            p.wait()
        try:
            t.stop()
        except Exception:
            pass
        cleanup_namespaces()
        if os.environ.get("NAT64_E2E_KEEP"):
            print("kept", workdir)
        else:
            subprocess.run(["rm", "-rf", workdir])


def test_ping_through_translator(net):
    assert peer(NS_C, "ping", SERVER6) == f"reply {SERVER6}"


def test_ping_translator_itself(net):
    assert peer(NS_C, "ping", "2001:db8:64::a62:1") == "reply 2001:db8:64::a62:1"
    assert peer(NS_S, "ping", "10.98.0.1") == "reply 10.98.0.1"


def test_tcp_and_udp_6to4_dynamic_pool(net):
    out = peer(NS_C, "tcp", SERVER6, 7000, "hello")
    peer4, _, msg = out.partition("|")
    assert msg == "hello"
    assert peer4.startswith("10.98.0."), out  # the client's pool address, as the server sees it
    assert net.dynamic_map().get(CLIENT6, peer4) == peer4
    assert peer(NS_C, "udp", SERVER6, 7001, 100) == f"{peer4}|100|True"


def test_tcp_and_udp_4to6_static_map(net):
    out = peer(NS_S, "tcp", MAPPED4, 7000, "from-v4")
    assert out == f"{SERVER6}|from-v4"
    assert peer(NS_S, "udp", MAPPED4, 7001, 200) == f"{SERVER6}|200|True"
    # The statically mapped host talks out with its mapped address, not a pool address.
    src = sh(PY, "-c", "import socket;s=socket.create_connection(('" + SERVER6 + "',7000),timeout=5,"
             "source_address=('" + MAPPED6 + "',0));s.sendall(b'x\\n');print(s.recv(100).decode())", ns=NS_C)
    assert src == f"{MAPPED4}|x"


def test_tcp_and_udp_4to6_dynamic_pool(net):
    pool4 = peer(NS_C, "tcp", SERVER6, 7000, "lease").partition("|")[0]
    assert peer(NS_S, "tcp", pool4, 7000, "back") == f"{SERVER6}|back"
    assert peer(NS_S, "udp", pool4, 7001, 300) == f"{SERVER6}|300|True"


def test_port_unreachable_translated_back(net):
    assert peer(NS_C, "udp-refused", SERVER6, 9) == "refused"
    assert peer(NS_S, "udp-refused", MAPPED4, 9) == "refused"


def test_large_udp_fragmented_both_ways(net):
    # 4000 bytes: IPv6 fragments to IPv4 fragments, and the 4000-byte reply comes back as IPv4
    # fragments that the translator re-fragments to fit 1280-byte IPv6 packets.
    out = peer(NS_C, "udp", SERVER6, 7001, 4000)
    assert out.endswith("|4000|True"), out
    m = net.metrics()
    assert int(re.search(r"nat64_fragments_created_total (\d+)", m).group(1)) > 0


def test_pmtu_packet_too_big(net):
    sh("ip", "link", "set", "r1", "mtu", "1400", ns=NS_R)
    sh("ip", "link", "set", "s0", "mtu", "1400", ns=NS_S)
    try:
        # 1500-byte IPv6 echo: 1480 bytes of IPv4 with DF, too big for the 1400-byte link. The
        # router's Fragmentation Needed comes back translated to Packet Too Big, MTU 1400 + 20.
        out = peer(NS_C, "ping", SERVER6, 64, 1452)
        assert out.startswith("toobig ") and out.endswith(" 1420"), out
        route = sh("ip", "-6", "route", "get", SERVER6, ns=NS_C)
        assert "mtu 1420" in route, route
    finally:
        sh("ip", "link", "set", "r1", "mtu", "1500", ns=NS_R)
        sh("ip", "link", "set", "s0", "mtu", "1500", ns=NS_S)
        sh("ip", "-6", "route", "flush", "cache", ns=NS_C, check=False)


def test_hop_limit_expiry(net):
    # Hop limit 2: the router forwards with 1, the translator answers Time Exceeded itself.
    assert peer(NS_C, "ping", SERVER6, 2) == "exceeded 2001:db8:64::a62:1"
    assert peer(NS_S, "ping", MAPPED4, 2) == "exceeded 10.98.0.1"


def test_metrics(net):
    m = net.metrics()
    assert re.search(r'nat64_packets_translated_total\{direction="6to4"\} [1-9]', m)
    assert re.search(r'nat64_packets_translated_total\{direction="4to6"\} [1-9]', m)
    assert re.search(r'nat64_packets_dropped_total\{reason="ttl_expired"\} [1-9]', m)
    assert re.search(r'nat64_dynamic_pool_leases\{state="active"\} [1-9]', m)
    assert "nat64_tun_mtu 1500" in m


def test_mtu_change_seen_without_restart(net):
    sh("ip", "link", "set", TUN, "mtu", "1400", ns=NS_R)
    try:
        deadline = time.time() + 5
        while time.time() < deadline and "nat64_tun_mtu 1400" not in net.metrics():
            time.sleep(0.2)
        assert "nat64_tun_mtu 1400" in net.metrics()
    finally:
        sh("ip", "link", "set", TUN, "mtu", "1500", ns=NS_R)


def test_lease_persists_across_restart(net):
    before = peer(NS_C, "tcp", SERVER6, 7000, "a").partition("|")[0]
    assert net.stop() == 0  # SIGTERM: dynamic.map written on exit
    assert net.dynamic_map()[CLIENT6] == before
    net.start()
    assert "Loaded" in net.output()
    assert peer(NS_C, "tcp", SERVER6, 7000, "b").partition("|")[0] == before


def test_lease_persists_across_kill_9(net):
    # A new host (2001:db8:1::3) gets a lease; it is on disk within a second or two.
    src = sh(PY, "-c", "import socket;s=socket.create_connection(('" + SERVER6 + "',7000),timeout=5,"
             "source_address=('2001:db8:1::3',0));s.sendall(b'k\\n');print(s.recv(100).decode())", ns=NS_C)
    pool4 = src.partition("|")[0]
    deadline = time.time() + 5
    while time.time() < deadline and net.dynamic_map().get("2001:db8:1::3") != pool4:
        time.sleep(0.2)
    assert net.dynamic_map().get("2001:db8:1::3") == pool4
    net.stop(signal.SIGKILL)
    assert not os.path.exists(os.path.join(net.data, "dynamic.map~~"))
    net.start()
    src2 = sh(PY, "-c", "import socket;s=socket.create_connection(('" + SERVER6 + "',7000),timeout=5,"
              "source_address=('2001:db8:1::3',0));s.sendall(b'k\\n');print(s.recv(100).decode())", ns=NS_C)
    assert src2.partition("|")[0] == pool4


def test_map_file_reload_on_sighup(net):
    mf = os.path.join(net.data, "maps.conf")
    with open(mf, "w") as f:
        f.write("map 10.98.2.3 2001:db8:1::3\n")
    net.stop()
    with open(net.conf, "a") as f:
        f.write("map-file maps.conf\n")
    net.start()
    # 2001:db8:1::3 is now statically mapped.
    assert peer(NS_S, "tcp", "10.98.2.3", 7000, "m") == f"{SERVER6}|m"
    with open(mf, "w") as f:
        f.write("map 10.98.2.4 2001:db8:1::3\n")
    net.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert peer(NS_S, "tcp", "10.98.2.4", 7000, "n") == f"{SERVER6}|n"
    assert "loaded 1 map(s)" in net.output()
    # Two lines naming one IPv6 address: the later wins (the earlier is gone on both sides); a
    # line inside the dynamic pool is refused, naming file and line.
    with open(mf, "w") as f:
        f.write("map 10.98.2.4 2001:db8:1::3\nmap 10.98.2.5 2001:db8:1::3\nmap 10.98.0.77 2001:db8:1::9\n")
    net.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline and "loaded 2 map(s)" not in net.output():
        time.sleep(0.1)
    out = net.output()
    assert "maps.conf:2: replaces the map at maps.conf:1" in out, out
    assert "maps.conf:3: map overlaps the dynamic-pool 10.98.0.0/24, ignored" in out, out
    assert peer(NS_S, "tcp", "10.98.2.5", 7000, "o") == f"{SERVER6}|o"


def test_user_group_chroot(net):
    net.stop()
    try:
        net.start("-u", "nobody", "-r")
        with open(f"/proc/{net.proc.pid}/status") as f:
            status = f.read()
        uid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
        assert uid == str(int(sh("id", "-u", "nobody")))
        assert os.readlink(f"/proc/{net.proc.pid}/root") == net.data
        # Still translating, and still writing leases inside the chroot.
        out = sh(PY, "-c", "import socket;s=socket.create_connection(('" + SERVER6 + "',7000),timeout=5,"
                 "source_address=('2001:db8:1::7',0));s.sendall(b'u\\n');print(s.recv(100).decode())", ns=NS_C)
        pool4 = out.partition("|")[0]
        deadline = time.time() + 5
        while time.time() < deadline and net.dynamic_map().get("2001:db8:1::7") != pool4:
            time.sleep(0.2)
        assert net.dynamic_map().get("2001:db8:1::7") == pool4
    finally:
        net.stop()
        net.start()


def test_mktun_rmtun(net):
    conf = os.path.join(net.workdir, "other.conf")
    with open(conf, "w") as f:
        f.write("tun-device n64extra\nipv4-addr 10.97.0.1\nprefix 2001:db8:65::/96\n")
    sh(NAT64, "--mktun", "-c", conf, ns=NS_R)
    assert "n64extra" in sh("ip", "link", "show", "n64extra", ns=NS_R)
    sh(NAT64, "--rmtun", "-c", conf, ns=NS_R)
    assert sh("ip", "link", "show", "n64extra", ns=NS_R, check=False) == ""


def test_daemon_pidfile_and_config_errors(net):
    conf = os.path.join(net.workdir, "bad.conf")
    with open(conf, "w") as f:
        f.write("tun-device x\nipv4-addr 10.97.0.1\nprefix 2001:db8:65::/80\nbogus 1\n")
    r = subprocess.run([NAT64, "-d", "-c", conf], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert f"{conf}:3:" in r.stdout and f"{conf}:4:" in r.stdout, r.stdout
    # Daemon mode: the parent returns once the pid file exists.
    good = os.path.join(net.workdir, "daemon.conf")
    with open(good, "w") as f:
        f.write("tun-device n64d\nipv4-addr 10.97.0.1\nprefix 2001:db8:65::/96\n")
    pidfile = os.path.join(net.workdir, "nat64.pid")
    sh(NAT64, "-c", good, "-p", pidfile, ns=NS_R)
    pid = int(open(pidfile).read())
    try:
        assert os.path.exists(f"/proc/{pid}")
        assert "n64d" in sh("ip", "link", "show", "n64d", ns=NS_R)
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 5
    while time.time() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}")


# The I/O path and its batching (docs/nat64-io.md). ctest runs this suite with NAT64_TUN_IO=uring
# (e2e.nat64) and =readwrite (e2e.nat64.readwrite); the translator must use the path forced.
TUN_IO = os.environ.get("NAT64_TUN_IO", "")


def metric(m, pattern):
    found = re.search(pattern + r" (\d+)", m)
    assert found, pattern
    return int(found.group(1))


def test_io_path_in_use(net):
    m = net.metrics()
    path = re.search(r'nat64_tun_io\{path="(\w+)"\} 1', m).group(1)
    if TUN_IO in ("uring", "readwrite"):
        assert path == TUN_IO, m
    assert ("TUN I/O: io_uring" if path == "uring" else "TUN I/O: read/write") in net.output()


def test_flow_order_kept_both_ways(net):
    # 3000 datagrams, up to 64 unanswered (within every queue's length, so none is lost): batches
    # form, yet every reply
    # (v6 -> v4 -> echo -> v4 -> v6) comes back in sequence and intact.
    before = net.metrics()
    out = peer(NS_C, "udp-seq", SERVER6, 7001, 3000, "64", 64, timeout=60)
    assert out.endswith("|3000|True|3000"), out
    out = peer(NS_S, "udp-seq", MAPPED4, 7001, 3000, "64", 64, timeout=60)
    assert out.endswith("|3000|True|3000"), out
    after = net.metrics()
    reads = metric(after, r'nat64_tun_batches_total\{op="read"\}') - metric(before, r'nat64_tun_batches_total\{op="read"\}')
    packets = (metric(after, r'nat64_tun_batch_packets_total\{op="read"\}')
               - metric(before, r'nat64_tun_batch_packets_total\{op="read"\}'))
    assert 0 < reads <= packets and packets >= 4 * 3000
    if TUN_IO == "readwrite":
        assert reads == packets  # one packet per read


def test_mixed_sizes_in_order(net):
    # Tiny, small, QUIC-sized and near-MTU datagrams interleaved in one flow. (Not fragments: with
    # several queues the kernel may steer a fragmented datagram, which has no ports to hash, to
    # another queue than the flow's.)
    sizes = "8,64,512,1200,1350,1400,100,1300"
    out = peer(NS_C, "udp-seq", SERVER6, 7001, 400, sizes, 32, timeout=60)
    assert out.endswith("|400|True|400"), out
    out = peer(NS_S, "udp-seq", MAPPED4, 7001, 400, sizes, 32, timeout=60)
    assert out.endswith("|400|True|400"), out


def test_quic_like_gso_burst(net):
    # A QUIC stack's send: 40 datagrams of 1300 bytes in one UDP_SEGMENT send (IPv4 with DF, as
    # RFC 9000 section 14 asks), 10 sends. With offloads on, each reaches the translator as one
    # super-packet and is translated whole.
    before = net.metrics()
    out = peer(NS_C, "udp-seq", SERVER6, 7001, 400, "-", 40, 0, 1300, timeout=60)
    assert out.endswith("|400|True|400"), out
    out = peer(NS_S, "udp-seq", MAPPED4, 7001, 400, "-", 40, 0, 1300, timeout=60)
    assert out.endswith("|400|True|400"), out
    if "offload no" not in EXTRA_CONF:
        after = net.metrics()
        for d in ("6to4", "4to6"):
            key = rf'nat64_gso_packets_total\{{direction="{d}"\}}'
            assert metric(after, key) >= metric(before, key) + 10, d


def test_slow_trickle_not_held_for_a_batch(net):
    # One datagram at a time, the next sent only when the previous one's reply is back: a batch
    # that waited for more packets would never complete this.
    assert peer(NS_C, "udp-seq", SERVER6, 7001, 20, "100", 1, 50, timeout=60).endswith("|20|True|20")
    assert peer(NS_S, "udp-seq", MAPPED4, 7001, 20, "100", 1, 50, timeout=60).endswith("|20|True|20")
