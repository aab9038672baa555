import random
import socket

_used = set()


def _bindable(port):
    """True if `port` is free for UDP and TCP on 127.0.0.1 and ::1."""
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(family, kind)
            try:
                s.bind((host, port))
            except OSError:
                return False
            finally:
                s.close()
    return True


def _port_range():
    """Ports below the kernel's ephemeral range: a port a test frees for a while (an upstream it
    restarts) must not be taken meanwhile by some socket's automatic bind, as a forwarder's or a
    client's in a test running beside it."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return (10000, low - 1) if low > 12000 else (20000, 60000)


def free_port():
    """A port no other test in this run got, free on both transports and both loopbacks."""
    first, last = _port_range()
    for _ in range(1000):
        port = random.randint(first, last)
        if port not in _used and _bindable(port):
            _used.add(port)
            return port
    raise RuntimeError("no free port found")
