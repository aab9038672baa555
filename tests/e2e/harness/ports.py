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


def free_port():
    """A port no other test in this run got, free on both transports and both loopbacks."""
    for _ in range(1000):
        port = random.randint(20000, 60000)
        if port not in _used and _bindable(port):
            _used.add(port)
            return port
    raise RuntimeError("no free port found")
