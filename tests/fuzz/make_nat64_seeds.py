#!/usr/bin/env python3
"""Writes the seeds of the nat64 fuzz targets into tests/fuzz/corpus/nat64_*/.

The packet targets also read Jool's graybox packets (tools/fuzz.sh adds that directory); these
seeds add what the graybox set lacks: frames with virtio-net headers (partial checksums and GSO
super-packets, both families), and tayga.conf / map-file texts. Addresses are those of the
fuzzers' network (nat64_fuzz_util.h)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def v4(a):
    return bytes(int(x) for x in a.split("."))


def v6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def tcp(payload, seed):
    # ports, seq, ack, data offset 5, ACK|PSH, window; the checksum field holds the seed.
    return struct.pack("!HHIIBBHHH", 40000, 80, 1, 1, 0x50, 0x18, 65535, seed, 0) + payload


def udp(payload, seed):
    return struct.pack("!HHHH", 40000, 53, 8 + len(payload), seed) + payload


def ipv4(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0, v4(src), v4(dst))
    h = h[:10] + struct.pack("!H", 0xFFFF - csum(h)) + h[12:]
    return h + l4


def ipv6(src, dst, nxt, l4):
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), nxt, 64, v6(src), v6(dst)) + l4


def echo6(src, dst):
    e = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"ping"
    pseudo = v6(src) + v6(dst) + struct.pack("!IxxxB", len(e), 58)
    e = e[:2] + struct.pack("!H", 0xFFFF - csum(pseudo + e)) + e[4:]
    return ipv6(src, dst, 58, e)


def echo4(src, dst):
    e = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
    e = e[:2] + struct.pack("!H", 0xFFFF - csum(e)) + e[4:]
    return ipv4(src, dst, 1, e)


def frame(pkt, ipv6_, gso_type, hdr_len, gso_size, csum_off, ctl):
    pi = struct.pack("!HH", 0, 0x86DD if ipv6_ else 0x0800)
    l3 = 40 if ipv6_ else 20
    vnet = struct.pack("<BBHHHH", 1, gso_type, hdr_len, gso_size, l3, csum_off)
    return pi + vnet + pkt + bytes([ctl])


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    body = bytes(range(256)) * 6
    s4, d4 = "198.51.100.2", "1.0.0.5"
    s6, d6 = "2001:db8:3::5", "2001:db8:1c6:3364:2::"
    # virtio GSO types: 1 TCPv4, 3 UDP (fragmentation offload), 4 TCPv6, 5 UDP_L4; ctl bit 5: LE.
    write("nat64_gso", "tcp4_gso", frame(ipv4(s4, d4, 6, tcp(body, 0x1234)), False, 1, 40, 500, 16, 32))
    write("nat64_gso", "tcp6_gso", frame(ipv6(s6, d6, 6, tcp(body, 0x1234)), True, 4, 60, 500, 16, 32))
    write("nat64_gso", "udp4_gso", frame(ipv4(s4, d4, 17, udp(body, 0x1234)), False, 5, 28, 400, 6, 32))
    write("nat64_gso", "udp6_gso", frame(ipv6(s6, d6, 17, udp(body, 0x1234)), True, 5, 48, 400, 6, 32))
    write("nat64_gso", "tcp4_partial", frame(ipv4(s4, d4, 6, tcp(b"x" * 100, 0x1234)), False, 0, 40, 0, 16, 32))
    write("nat64_gso", "tcp4_gso_fragments", frame(ipv4(s4, d4, 6, tcp(body, 0x1234))[:6] + b"\0\0"
                                                   + ipv4(s4, d4, 6, tcp(body, 0x1234))[8:], False, 1, 40, 1400, 16, 36))

    # The last byte picks the settings (0: defaults).
    write("nat64_6to4", "echo6", echo6(s6, d6) + b"\0")
    write("nat64_4to6", "echo4", echo4(s4, d4) + b"\0")

    write("nat64_config", "minimal", "tun-device nat64\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/96\n")
    write("nat64_config", "full",
          "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8::1\nprefix 2001:db8:64::/96\n"
          "wkpf-strict no\ndynamic-pool 198.51.100.0/24\ndata-dir /var/lib/nat64\nmap-file maps\n"
          "map 203.0.113.0/24 2001:db8:5::/120\nmap 203.0.113.200 2001:db8:6::1\nudp-cksum-mode calc\n"
          "log drop reject icmp self dyn\noffload yes\nworkers 2\nofflink-mtu 1400\ntcp-mss-clamp auto\n"
          "icmp-rate-limit 100 10\ntun-up yes\ntun-ip 192.0.2.1/24\ntun-route 2001:db8:64::/96\n"
          "metrics-addr 127.0.0.1:9153\nstrict-frag-hdr off # comment\n")
    write("nat64_config", "errors", "tun-device\nIPV4-ADDR 300.1.1.1\nprefix 64:ff9b::/95\nbogus 1\n"
          "icmp-rate-limit 1 2 3\nwkpf-strict maybe\nmap 1.2.3.4/24 2001:db8::/100\n")
    write("nat64_map_file", "maps", "map 192.0.2.10 2001:db8:a::10\nmap 198.51.100.0/28 2001:db8:b::/124\n"
          "# comment\n\nMAP 203.0.113.5 2001:db8:5::5\n")
    write("nat64_map_file", "conflicts", "map 192.0.2.10 2001:db8:a::10\nmap 192.0.2.10 2001:db8:a::11\n"
          "map 192.0.2.11 2001:db8:a::11\nprefix 64:ff9b::/96\nmap 1.2.3.4\n")


if __name__ == "__main__":
    main()
