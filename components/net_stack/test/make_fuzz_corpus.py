#!/usr/bin/python3
"""Writes the seed corpora of receive_fuzz.c (fuzz_corpus/) and
driver_fuzz.cc (driver_corpus/): one valid frame of each kind the stack
parses, after receive_fuzz's mode byte (0: the static address 10.0.2.15,
1: DHCP asking), or after driver_fuzz's device mode and virtio header. Run it again after changing it; the
output is deterministic."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUR_MAC = bytes([0x52, 0x54, 0, 0, 0, 1])
PEER_MAC = bytes([0x52, 0x55, 10, 0, 2, 2])
OUR_IP = bytes([10, 0, 2, 15])
PEER_IP = bytes([10, 0, 2, 2])
OUR_IP6 = bytes.fromhex("fe800000000000005054 00fffe000001".replace(" ", ""))
PEER_IP6 = bytes.fromhex("fe800000000000000000000000000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(payload, kind, dst=OUR_MAC):
    return dst + PEER_MAC + struct.pack("!H", kind) + payload


def ipv4(proto, payload, src=PEER_IP, dst=OUR_IP):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(h + payload, 0x0800)


def l4_v4(proto, seg, src=PEER_IP, dst=OUR_IP):
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    c = csum(pseudo + seg)
    off = 6 if proto == 17 else 16
    return seg[:off] + struct.pack("!H", c) + seg[off + 2:]


def ipv6(nh, payload, src=PEER_IP6, dst=OUR_IP6, dst_mac=OUR_MAC):
    pseudo = src + dst + struct.pack("!I3xB", len(payload), nh)
    off = {58: 2, 17: 6, 6: 16}[nh]
    payload = payload[:off] + struct.pack("!H", csum(pseudo + payload)) + payload[off + 2:]
    h = struct.pack("!IHBB", 0x60000000, len(payload), nh, 255) + src + dst
    return eth(h + payload, 0x86DD, dst_mac)


def tcp(sport, dport, flags, seq=1000, ack=0, opts=b""):
    hl = (20 + len(opts)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, hl << 4, flags, 65535, 0, 0) + opts
    return l4_v4(6, seg)


def udp(sport, dport, data):
    return l4_v4(17, struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data)


def dhcp_offer():
    bootp = struct.pack("!BBBBIHH4s4s4s4s", 2, 1, 6, 0, 0x12345678, 0, 0, b"\0" * 4, OUR_IP,
                        PEER_IP, b"\0" * 4) + OUR_MAC + b"\0" * 10 + b"\0" * 192
    opts = bytes([99, 130, 83, 99, 53, 1, 2, 54, 4]) + PEER_IP + bytes([1, 4, 255, 255, 255, 0,
                                                                        3, 4]) + PEER_IP
    opts += bytes([51, 4, 0, 0, 14, 16, 255])
    return ipv4(17, udp(67, 68, bootp + opts), dst=bytes([255, 255, 255, 255]))


def dns_answer():
    q = b"\x04fuzz\x07example\x00" + struct.pack("!HH", 1, 1)
    a = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + PEER_IP
    msg = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + q + a
    return ipv4(17, udp(53, 49153, msg))


def router_advert():
    prefix = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + bytes.fromhex(
        "fec00000000000000000000000000000")
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + prefix
    return ipv6(58, ra, dst=bytes.fromhex("ff020000000000000000000000000001"),
                dst_mac=bytes([0x33, 0x33, 0, 0, 0, 1]))


def seeds():
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER_MAC + PEER_IP + b"\0" * 6 + OUR_IP
    yield "arp_request", 0, eth(arp, 0x0806, b"\xff" * 6)
    echo = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    yield "icmp_echo", 0, ipv4(1, echo)
    yield "udp_5000", 0, ipv4(17, udp(4321, 5000, b"hello"))
    opts = bytes([2, 4, 5, 180, 4, 2, 3, 3, 7, 1])
    yield "tcp_syn_80", 0, ipv4(6, tcp(1234, 80, 0x02, opts=opts + b"\0\0"))
    yield "tcp_synack", 0, ipv4(6, tcp(80, 49153, 0x12, ack=1, opts=opts + b"\0\0"))
    yield "tcp_data", 0, ipv4(6, tcp(1234, 80, 0x18, ack=1) + b"GET / HTTP/1.1\r\n\r\n")
    yield "dhcp_offer", 1, dhcp_offer()
    yield "dns_answer", 0, dns_answer()
    yield "icmp6_echo", 0, ipv6(58, struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"ping")
    yield "router_advert", 0, router_advert()
    frag = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 7, 0x2000, 64, 17, 0, PEER_IP, OUR_IP)
    yield "ipv4_fragment", 0, eth(frag + b"\0" * 8, 0x0800)


def main():
    out = os.path.join(HERE, "fuzz_corpus")
    driver = os.path.join(HERE, "driver_corpus")
    os.makedirs(out, exist_ok=True)
    os.makedirs(driver, exist_ok=True)
    for name, mode, frame in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([mode]) + frame)
        # driver_fuzz.cc: an honest device (mode 0, no claimed length),
        # the 10-byte legacy virtio header, the frame.
        with open(os.path.join(driver, name), "wb") as f:
            f.write(bytes(3 + 10) + frame)


if __name__ == "__main__":
    main()
