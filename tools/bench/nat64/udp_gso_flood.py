#!/usr/bin/python3
"""UDP sent as a QUIC stack sends it: 1,300-byte datagrams, 50 per UDP_SEGMENT send (one GSO
super-packet), IPv4 with DF (RFC 9000 section 14); received with UDP_GRO. Run in a namespace by
nat64_bench.py.

  sink PORT                  count what arrives; prints "BYTES SECONDS" (first to last datagram)
  send DST PORT SECONDS      flood DST:PORT
  push PORT                  wait for a "go SECONDS" datagram, flood its sender back
  pull DST PORT SECONDS      send "go SECONDS" to DST:PORT, then count as sink does
Every command stops by itself: a receiver ends after 1 s without traffic (3 s before the first).
"""
import socket
import sys
import time

SEG, PER_SEND = 1300, 50
UDP_SEGMENT, UDP_GRO = 103, 104


def sock(v6):
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 24)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 24)
    if not v6:
        s.setsockopt(socket.IPPROTO_IP, 10, 2)  # IP_MTU_DISCOVER = IP_PMTUDISC_DO: DF
    return s


def flood(s, dst, seconds):
    s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, SEG)
    buf = bytes(SEG * PER_SEND)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(64):
            try:
                s.sendto(buf, dst)
            except (BlockingIOError, OSError):
                pass


def count(s):
    s.setsockopt(socket.IPPROTO_UDP, UDP_GRO, 1)
    s.settimeout(3)
    total, first, last = 0, None, None
    buf = bytearray(1 << 16)
    try:
        while True:
            n = s.recv_into(buf)
            last = time.monotonic()
            if first is None:
                first = last
                s.settimeout(1)
            else:
                total += n  # the first read only starts the clock
    except socket.timeout:
        pass
    print(total, (last - first) if first is not None and last > first else 0.0, flush=True)


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "sink":
        s = sock(True)
        s.bind(("::", int(a[0])))
        print("ready", flush=True)
        count(s)
    elif cmd == "send":
        flood(sock(":" in a[0]), (a[0], int(a[1])), float(a[2]))
    elif cmd == "push":
        s = sock(True)
        s.bind(("::", int(a[0])))
        print("ready", flush=True)
        s.settimeout(10)
        data, peer = s.recvfrom(100)
        v4 = peer[0].startswith("::ffff:")
        if v4:  # answer from an IPv4 socket, so that DF can be set
            s, peer = sock(False), (peer[0][7:], peer[1])
        flood(s, peer[:2], float(data.split()[1]))
    elif cmd == "pull":
        s = sock(":" in a[0])
        s.sendto(f"go {a[2]}".encode(), (a[0], int(a[1])))
        count(s)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
