#!/usr/bin/python3
"""Traffic endpoints for the nat64 namespace tests, run inside a namespace with `ip netns exec`.

serve-tcp ADDR PORT      echo server; each reply is "<peer address>|" + the data received
serve-udp ADDR PORT      the same for UDP datagrams
serve-sink ADDR PORT     reads each connection to its end, replies "<bytes> <sha256>"
serve-mss ADDR PORT      replies with the MSS of each accepted connection (TCP_MAXSEG)
bulk ADDR PORT SIZE [SRC]  sends SIZE bytes (large writes: GSO on the way), prints "ok SIZE"
                         when the sink got them intact, else what it got
mss ADDR PORT            prints what serve-mss replied
tcp ADDR PORT MSG        connect, send MSG, print the reply
udp ADDR PORT SIZE       send one datagram of SIZE bytes, print "<peer>|<size>|<ok>" of the reply
udp-gso ADDR PORT SEG N  N datagrams of SEG bytes in one UDP_SEGMENT send, print "<peer>|<echoed>"
udp-seq ADDR PORT N SIZES WINDOW [GAP_MS [GSO]]
                         N sequence-numbered datagrams to an echo server, sizes taken in turn
                         from the comma-separated SIZES, at most WINDOW unanswered, GAP_MS apart;
                         with GSO, WINDOW datagrams of GSO bytes per UDP_SEGMENT send. Prints
                         "<peer>|<replies>|<in order>|<intact>"
udp-refused ADDR PORT    send a datagram to a closed port, print "refused" on ICMP unreachable
ping ADDR [HOPS [SIZE]]  one ICMP/ICMPv6 echo (raw socket, no ping binary needed); prints
                         "reply FROM", "exceeded FROM", "toobig FROM MTU" (Packet Too Big or
                         Fragmentation Needed), "unreach FROM TYPE/CODE"
                         or "timeout"
"""
import hashlib
import os
import random
import select
import socket
import struct
import sys
import threading
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listener(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    print("ready", flush=True)
    return s


def serve_tcp(addr, port):
    s = listener(addr, port)
    while True:
        c, peer = s.accept()
        with c:
            c.settimeout(5)
            data = b""
            try:
                while not data.endswith(b"\n"):
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            c.sendall(peer[0].encode() + b"|" + data)


def serve_udp(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(peer[0].encode() + b"|" + data, peer)


def serve_sink(addr, port):
    def drain(c):
        with c:
            c.settimeout(30)
            h, n = hashlib.sha256(), 0
            try:
                while True:
                    chunk = c.recv(1 << 20)
                    if not chunk:
                        break
                    h.update(chunk)
                    n += len(chunk)
                c.sendall(f"{n} {h.hexdigest()}".encode())
            except OSError:
                pass

    s = listener(addr, port)
    while True:
        c, _ = s.accept()
        threading.Thread(target=drain, args=(c,), daemon=True).start()


def serve_mss(addr, port):
    s = listener(addr, port)
    while True:
        c, _ = s.accept()
        with c:
            c.sendall(str(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)).encode())


def bulk(addr, port, size, src=None):
    # Seeded pseudo-random bytes: no repeating pattern, so a misplaced segment changes the hash.
    rng, h = random.Random(size), hashlib.sha256()
    with socket.create_connection((addr, port), timeout=30, source_address=(src, 0) if src else None) as c:
        left = size
        while left:
            chunk = rng.randbytes(min(left, 1 << 18))
            c.sendall(chunk)
            h.update(chunk)
            left -= len(chunk)
        c.shutdown(socket.SHUT_WR)
        reply = read_all(c)
    want = f"{size} {h.hexdigest()}"
    print(f"ok {size}" if reply.decode() == want else f"got {reply.decode()!r}")


def mss(addr, port):
    with socket.create_connection((addr, port), timeout=5) as c:
        print(c.recv(100).decode())


def read_all(c):
    reply = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            return reply
        reply += chunk


def tcp(addr, port, msg):
    with socket.create_connection((addr, port), timeout=5) as c:
        c.sendall(msg.encode() + b"\n")
        reply = read_all(c)
    print(reply.decode().strip())


def udp(addr, port, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(5)
    payload = bytes(i % 251 for i in range(size))
    s.sendto(payload, (addr, port))
    data, _ = s.recvfrom(70000)
    peer, _, echoed = data.partition(b"|")
    print(f"{peer.decode()}|{len(echoed)}|{echoed == payload}")


def udp_gso(addr, port, segment, count):
    """One send of `count` datagrams of `segment` bytes with UDP_SEGMENT (a UDP GSO packet on
    the way); prints "<peer>|<datagrams echoed intact>"."""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(5)
    s.setsockopt(socket.IPPROTO_UDP, 103, segment)  # UDP_SEGMENT
    payload = b"".join(bytes([i]) * segment for i in range(count))
    # Not connected: the echo may come from another address of the peer host.
    s.sendto(payload, (addr, port))
    want, peer, ok = {bytes([i]) * segment for i in range(count)}, b"", 0
    try:
        while want:
            data = s.recv(65536)
            peer, _, echoed = data.partition(b"|")
            if echoed in want:
                want.discard(echoed)
                ok += 1
    except socket.timeout:
        pass
    print(f"{peer.decode()}|{ok}")


def seq_payload(i, size):
    body = struct.pack("!I", i)
    return body + bytes((i + k) % 251 for k in range(size - len(body)))


def udp_seq(addr, port, count, sizes, window, gap_ms=0, gso=0):
    """Replies must come back in the order sent (a lost one is missing, never late): a flow is
    never reordered (the echo server answers one datagram at a time, so any reordering happened
    in the translator)."""
    sizes = [int(x) for x in sizes.split(",")] if not gso else [gso]
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    if gso:
        s.setsockopt(socket.IPPROTO_UDP, 103, gso)  # UDP_SEGMENT
        if family(addr) == socket.AF_INET:
            # DF, as QUIC sets it (RFC 9000 section 14); without it Linux sends a UDP GSO batch
            # without DF and the translator must cut datagrams over 1240 bytes into fragments.
            s.setsockopt(socket.IPPROTO_IP, 10, 2)  # IP_MTU_DISCOVER = IP_PMTUDISC_DO
    # Not connected: the echo may come from another address of the peer host.
    dst = (addr, port)
    sent = received = intact = 0
    in_order, peer, last = True, b"", -1
    try:
        while received < count:
            if gso and sent == received and sent < count:
                n = min(window, count - sent)
                s.sendto(b"".join(seq_payload(sent + k, gso) for k in range(n)), dst)
                sent += n
            while not gso and sent < count and sent - received < window:
                s.sendto(seq_payload(sent, sizes[sent % len(sizes)]), dst)
                sent += 1
                if gap_ms:
                    time.sleep(gap_ms / 1000)
            data = s.recv(70000)
            peer, _, echoed = data.partition(b"|")
            i = struct.unpack("!I", echoed[:4])[0] if len(echoed) >= 4 else -1
            in_order = in_order and i > last
            last = max(last, i)
            intact += echoed == seq_payload(i, gso or sizes[i % len(sizes)])
            received += 1
    except socket.timeout:
        pass
    print(f"{peer.decode()}|{received}|{in_order}|{intact}")


def udp_refused(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(5)
    s.connect((addr, port))
    s.send(b"anyone there?")
    try:
        s.recv(100)
        print("answered")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ping(addr, hops=64, size=56):
    v6 = ":" in addr
    ident = os.getpid() & 0xFFFF
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DONTFRAG, 1)
        # The kernel computes the ICMPv6 checksum of raw ICMPv6 sockets.
        pkt = struct.pack("!BBHHH", 128, 0, 0, ident, 1) + bytes(size)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, hops)
        body = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + bytes(size)
        pkt = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    s.sendto(pkt, (addr, 0))
    deadline = time.time() + 3
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], deadline - time.time())
        if not r:
            break
        data, peer = s.recvfrom(65536)
        if not v6:
            data = data[(data[0] & 15) * 4:]  # raw IPv4 sockets include the IP header
        t, c = data[0], data[1]
        if v6:
            if t == 129 and struct.unpack("!H", data[4:6])[0] == ident:
                return print(f"reply {peer[0]}")
            inner_id = struct.unpack("!H", data[52:54])[0] if len(data) >= 54 else -1
            if t in (1, 2, 3) and inner_id == ident:
                if t == 2:
                    return print(f"toobig {peer[0]} {struct.unpack('!I', data[4:8])[0]}")
                if t == 3:
                    return print(f"exceeded {peer[0]}")
                return print(f"unreach {peer[0]} {t}/{c}")
        else:
            if t == 0 and struct.unpack("!H", data[4:6])[0] == ident:
                return print(f"reply {peer[0]}")
            if t in (3, 11) and len(data) >= 28:
                inner = data[8:]
                ihl = (inner[0] & 15) * 4
                if len(inner) >= ihl + 6 and struct.unpack("!H", inner[ihl + 4:ihl + 6])[0] == ident:
                    if t == 11:
                        return print(f"exceeded {peer[0]}")
                    if t == 3 and c == 4:  # Fragmentation Needed: next-hop MTU in bytes 6-7
                        return print(f"toobig {peer[0]} {struct.unpack('!H', data[6:8])[0]}")
                    return print(f"unreach {peer[0]} {t}/{c}")
    print("timeout")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "serve-tcp":
        serve_tcp(args[0], int(args[1]))
    elif cmd == "serve-udp":
        serve_udp(args[0], int(args[1]))
    elif cmd == "serve-sink":
        serve_sink(args[0], int(args[1]))
    elif cmd == "serve-mss":
        serve_mss(args[0], int(args[1]))
    elif cmd == "bulk":
        bulk(args[0], int(args[1]), int(args[2]), *args[3:])
    elif cmd == "mss":
        mss(args[0], int(args[1]))
    elif cmd == "tcp":
        tcp(args[0], int(args[1]), args[2])
    elif cmd == "udp":
        udp(args[0], int(args[1]), int(args[2]))
    elif cmd == "udp-gso":
        udp_gso(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "udp-seq":
        udp_seq(args[0], int(args[1]), int(args[2]), args[3], *(int(a) for a in args[4:]))
    elif cmd == "udp-refused":
        udp_refused(args[0], int(args[1]))
    elif cmd == "ping":
        ping(args[0], *(int(a) for a in args[1:]))
    else:
        sys.exit(f"unknown command {cmd}")
