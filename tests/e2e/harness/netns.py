"""A network namespace of a test's own, which the test's thread enters: the processes it starts
(coredns and coredns's children) and the clients it runs share that namespace and its loopback,
so the harness works unchanged and no device the test creates reaches the host's network."""
import ctypes
import os
import signal
import subprocess

CLONE_NEWNET = 0x40000000
CAP_NET_ADMIN, CAP_SYS_ADMIN = 12, 21
_libc = ctypes.CDLL(None, use_errno=True)


def has_caps(*caps):
    """Whether every capability named is in effect (root has them all)."""
    with open("/proc/self/status") as f:
        effective = next((int(l.split()[1], 16) for l in f if l.startswith("CapEff:")), 0)
    return all(effective & (1 << c) for c in caps)


def _setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
    finally:
        os.close(fd)


class NetNs:
    """`with NetNs("n64d") as ns:` runs the block in the fresh namespace ns.name. On the way out,
    even after a failure, every process still in it is killed and the namespace deleted."""

    def __init__(self, prefix):
        self.name = f"{prefix}{os.getpid()}"

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        # The way back: this thread's namespace, kept open while the thread is away from it.
        self._home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            _setns(f"/run/netns/{self.name}")
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        _setns(f"/proc/self/fd/{self._home}")
        os.close(self._home)
        pids = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True).stdout
        for pid in pids.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
