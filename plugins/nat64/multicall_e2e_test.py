"""End-to-end tests of the container image's single binary (coredns_multicall, MULTICALL_BIN):
coredns, or the nat64 translator when called by that name, and the permitted-only file
capabilities the image gives it (docs/container.md, "One binary"). The capability tests run the
binary as uid 65532, as the image does, in a network namespace they create; they need root to set
that up and skip otherwise."""
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from harness import query
from harness.netns import CAP_NET_ADMIN, CAP_SYS_ADMIN, NetNs, has_caps

MULTICALL = os.environ.get("MULTICALL_BIN", "")
COREDNS = os.environ.get("COREDNS_BIN", "")
NAT64 = os.environ.get("NAT64_BIN", "")
CAP_NET_BIND_SERVICE = 10
IMAGE_CAPS = "cap_net_bind_service,cap_net_admin+p"  # what tools/build-static.sh sets
AS_IMAGE_USER = ["setpriv", "--reuid=65532", "--regid=65532", "--clear-groups"]

pytestmark = pytest.mark.skipif(not (MULTICALL and COREDNS and NAT64),
                                reason="set MULTICALL_BIN, COREDNS_BIN and NAT64_BIN (ctest does)")


@pytest.fixture
def image_dir():
    """The binary as /coredns with /nat64 a link to it, in a directory uid 65532 can read."""
    d = tempfile.mkdtemp(prefix="multicall-")
    os.chmod(d, 0o755)
    shutil.copy(MULTICALL, os.path.join(d, "coredns"))
    os.symlink("coredns", os.path.join(d, "nat64"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def output(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout, r.stderr


def test_called_as_coredns_it_is_coredns(image_dir):
    assert output([os.path.join(image_dir, "coredns"), "-version"]) == output([COREDNS, "-version"])
    assert output([os.path.join(image_dir, "coredns"), "-plugins"]) == output([COREDNS, "-plugins"])


def test_called_as_nat64_it_is_the_translator(image_dir):
    code, out, err = output([os.path.join(image_dir, "nat64"), "-h"])
    assert (out + err).startswith("Usage: nat64 ")
    assert (code, out, err) == output([NAT64, "-h"])
    # A config error is the translator's own message, not coredns's flag parser.
    code, out, err = output([os.path.join(image_dir, "nat64"), "-c", "/nonexistent/tayga.conf", "--mktun"])
    assert code != 0 and "/nonexistent/tayga.conf" in out + err


def caps_of(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(l.split(":", 1) for l in f if l.startswith("Cap"))
    return {k: int(v, 16) for k, v in fields.items()}


@pytest.fixture
def netns():
    if not has_caps(CAP_NET_ADMIN, CAP_SYS_ADMIN) or not shutil.which("setcap"):
        pytest.skip("needs root and setcap for file capabilities and a network namespace")
    with NetNs("mcall") as ns:
        yield ns


def test_coredns_binds_port_53_as_uid_65532_without_net_admin(image_dir, netns):
    binary = os.path.join(image_dir, "coredns")
    subprocess.run(["setcap", IMAGE_CAPS, binary], check=True)
    with open(os.path.join(image_dir, "Corefile"), "w") as f:
        f.write(".:53 {\n  bind 127.0.0.1\n  whoami\n}\n")
    proc = subprocess.Popen(AS_IMAGE_USER + [binary, "-conf", os.path.join(image_dir, "Corefile")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        reply = None
        for _ in range(100):
            try:
                reply = query("whoami.example.", "A", port=53, timeout=0.2)
                break
            except Exception:
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        assert reply is not None, f"no answer on :53: {proc.stdout.read() if proc.poll() is not None else ''}"
        caps = caps_of(proc.pid)
        assert caps["CapEff"] & (1 << CAP_NET_BIND_SERVICE)
        # The translator's capability was permitted by the file and dropped by coredns.
        assert not caps["CapPrm"] & (1 << CAP_NET_ADMIN)
        assert not caps["CapEff"] & (1 << CAP_NET_ADMIN)
    finally:
        proc.kill()
        proc.wait()


def test_nat64_creates_its_tun_device_as_uid_65532(image_dir, netns):
    binary = os.path.join(image_dir, "coredns")
    subprocess.run(["setcap", IMAGE_CAPS, binary], check=True)
    conf = os.path.join(image_dir, "tayga.conf")
    with open(conf, "w") as f:
        f.write("tun-device mcall0\nipv4-addr 192.0.2.1\nprefix 64:ff9b:1::/96\n"
                "dynamic-pool 192.0.2.128/25\n")
    # A /dev/net/tun uid 65532 may open, as container runtimes provide it (this host's is 0600),
    # in a mount namespace of the command's own.
    script = ("mount -t tmpfs none /dev/net && mknod -m 666 /dev/net/tun c 10 200 && exec "
              + " ".join(AS_IMAGE_USER) + f" {image_dir}/nat64 -c {conf} --mktun")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    assert subprocess.run(["ip", "link", "show", "dev", "mcall0"], capture_output=True).returncode == 0
    subprocess.run([os.path.join(image_dir, "nat64"), "-c", conf, "--rmtun"], capture_output=True, timeout=10)
