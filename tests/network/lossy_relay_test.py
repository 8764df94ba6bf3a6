#!/usr/bin/python3
"""Self-tests of lossy_relay.py inside a fresh network namespace: on a
synthetic stream (UDP sockets standing in for QEMU and the tap), through a
real tap device when one can be made (root), and through the slirp router
(a machine-less QEMU, no guest)."""

import os
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

netns.enter()

import lossy_relay  # noqa: E402
import peers  # noqa: E402

FRAMES = 4000


def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.5)
    return s


def drain(sock, quiet=0.6):
    """Datagrams until none came for `quiet` seconds."""
    got = []
    sock.settimeout(quiet)
    while True:
        try:
            got.append(sock.recv(65536))
        except socket.timeout:
            return got


def send_paced(sock, frames, to, batch=50):
    for i, frame in enumerate(frames):
        sock.sendto(frame, to)
        if i % batch == batch - 1:
            time.sleep(0.002)


class Synthetic:
    """fake QEMU <-> relay <-> fake tap, all UDP on loopback."""

    def __init__(self, **kw):
        self.fake_qemu = udp_socket()
        self.fake_tap = udp_socket()
        self.qemu_side = lossy_relay.UdpEndpoint(("127.0.0.1", 0),
                                                 self.fake_qemu.getsockname())
        self.tap_side = lossy_relay.UdpEndpoint(("127.0.0.1", 0), self.fake_tap.getsockname())
        # A held frame goes out after the next one; only a long stall (here
        # 0.25 s, far above the pacing) releases it alone, so a loaded
        # machine does not change which frames get reordered.
        kw.setdefault("hold", 0.25)
        self.relay = lossy_relay.LossyRelay(self.qemu_side, self.tap_side, **kw)

    def __enter__(self):
        self.relay.start()
        return self

    def __exit__(self, *exc):
        self.relay.stop()
        for s in (self.fake_qemu, self.fake_tap, self.qemu_side, self.tap_side):
            s.close()

    def run(self, frames, from_qemu=True):
        source, sink, to = (self.fake_qemu, self.fake_tap, self.qemu_side.local) if from_qemu \
            else (self.fake_tap, self.fake_qemu, self.tap_side.local)
        send_paced(source, frames, to)
        return drain(sink)


def numbered(n):
    return [struct.pack(">I", i) + bytes(60) for i in range(n)]


def sequence(frames):
    return [struct.unpack(">I", f[:4])[0] for f in frames]


def inversions(seq):
    return sum(1 for a, b in zip(seq, seq[1:]) if b < a)


class SyntheticTest(unittest.TestCase):
    def check_direction(self, from_qemu):
        with Synthetic(drop=0.05, reorder=0.02, seed=7) as s:
            got = sequence(s.run(numbered(FRAMES), from_qemu))
            stats = s.relay.stats()["to_other" if from_qemu else "to_qemu"]
        missing = FRAMES - len(set(got))
        self.assertEqual(len(got), len(set(got)), "no duplicates")
        self.assertEqual(stats["frames"], FRAMES)
        self.assertEqual(stats["dropped"], missing)
        self.assertEqual(stats["forwarded"], len(got))
        # 5% of 4000 is 200 (sd about 14): allow a wide margin, still "about 5%".
        self.assertTrue(0.035 < missing / FRAMES < 0.065, missing)
        self.assertGreater(stats["reordered"], 40)
        self.assertLess(stats["reordered"], 130)
        self.assertEqual(inversions(got), stats["reordered"])
        # A reordered frame comes right after its successor.
        for a, b in zip(got, got[1:]):
            if b < a:
                self.assertLess(a - b, 10)
        return got

    def test_qemu_to_tap(self):
        self.check_direction(True)

    def test_tap_to_qemu(self):
        self.check_direction(False)

    def test_reproducible(self):
        runs = []
        for seed in (7, 7, 8):
            with Synthetic(drop=0.05, reorder=0.02, seed=seed) as s:
                runs.append(sequence(s.run(numbered(1000))))
        self.assertEqual(runs[0], runs[1])
        self.assertNotEqual(runs[0], runs[2])

    def test_lossless(self):
        with Synthetic(drop=0.0, reorder=0.0) as s:
            self.assertEqual(sequence(s.run(numbered(1000))), list(range(1000)))
            self.assertEqual(sequence(s.run(numbered(500), from_qemu=False)), list(range(500)))

    def test_held_frame_released_when_nothing_follows(self):
        with Synthetic(drop=0.0, reorder=0.999, hold=0.05) as s:
            got = s.run(numbered(1))
            self.assertEqual(sequence(got), [0])
            self.assertEqual(s.relay.stats()["to_other"]["held_late"], 1)

    def test_ignores_strangers(self):
        with Synthetic(drop=0.0, reorder=0.0) as s:
            stranger = udp_socket()
            stranger.sendto(b"x" * 64, s.qemu_side.local)
            self.assertEqual(drain(s.fake_tap), [])
            self.assertEqual(s.qemu_side.strays, 1)
            stranger.close()

    def test_report(self):
        with Synthetic(drop=0.5, reorder=0.1, seed=3) as s:
            s.run(numbered(100))
        report = s.relay.report()
        self.assertIn("relay: to_other frames 100", report)
        self.assertIn("dropped", report)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_frame(dst_mac, src_mac, src, dst, sport, dport, payload):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    header = header[:10] + struct.pack(">H", checksum(header)) + header[12:]
    return dst_mac + src_mac + b"\x08\x00" + header + udp


def parse_udp(frame):
    """(dst port, payload) of an IPv4 UDP frame, else None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 0xF) * 4
    udp = frame[14 + ihl:]
    _, dport, length, _ = struct.unpack(">HHHH", udp[:8])
    return dport, udp[8:length]


GUEST_MAC = bytes.fromhex(lossy_relay.GUEST_MAC.replace(":", ""))


class TapTest(unittest.TestCase):
    """Through a real tap device: only where one can be made (root); the
    synthetic tests above cover the relay itself everywhere."""

    @classmethod
    def setUpClass(cls):
        problem = lossy_relay.tap_problem()
        if problem:
            raise unittest.SkipTest(problem)
        cls.tap = lossy_relay.setup_tap(
            guest_neighbours=[(lossy_relay.GUEST_V4, lossy_relay.GUEST_MAC)])
        cls.tap_mac = lossy_relay.hw_address("tap0")

    @classmethod
    def tearDownClass(cls):
        cls.tap.close()

    def test_both_directions(self):
        self.assertEqual(netns.isolation_problems(allow=("tap0",)), [])
        self.assertIn("interfaces other than lo: tap0", " ".join(netns.isolation_problems()))
        fake_qemu = udp_socket()
        qemu_side = lossy_relay.UdpEndpoint(("127.0.0.1", 0), fake_qemu.getsockname())
        host = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        host.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        host.bind(("10.0.3.1", 0))
        port = host.getsockname()[1]
        n = 2000
        with lossy_relay.LossyRelay(qemu_side, self.tap, drop=0.05, reorder=0.02,
                                    seed=5) as relay:
            # Guest to host: frames the "guest" sends arrive on a host socket.
            frames = [udp_frame(self.tap_mac, GUEST_MAC, lossy_relay.GUEST_V4, "10.0.3.1",
                                4000, port, struct.pack(">I", i)) for i in range(n)]
            send_paced(fake_qemu, frames, qemu_side.local)
            got = [struct.unpack(">I", p)[0] for p in drain(host)]
            self.assertTrue(0.03 < 1 - len(got) / n < 0.07, len(got))
            self.assertGreater(inversions(got), 0)
            # Host to guest: the kernel's frames for 10.0.3.2 reach "QEMU".
            for i in range(n):
                host.sendto(struct.pack(">I", i), (lossy_relay.GUEST_V4, 5000))
                if i % 20 == 19:
                    time.sleep(0.002)
            udp = [parse_udp(f) for f in drain(fake_qemu)]
            back = [struct.unpack(">I", p[1])[0] for p in udp if p and p[0] == 5000]
            self.assertTrue(0.03 < 1 - len(back) / n < 0.07, len(back))
            self.assertGreater(inversions(back), 0)
            stats = relay.stats()
        print(relay.report())
        self.assertGreaterEqual(stats["to_other"]["frames"], n)
        host.close()
        fake_qemu.close()
        qemu_side.close()


class SlirpRouterTest(unittest.TestCase):
    """Fake guest <-> relay <-> machine-less QEMU with slirp: works without
    root, and gives the guest the usual 10.0.2.0/24 network."""

    def test_udp_through_lossy_slirp(self):
        guest = udp_socket()  # plays the guest's QEMU (-netdev dgram)
        guest_side = lossy_relay.UdpEndpoint(("127.0.0.1", 0), guest.getsockname())
        router_port = peers.free_udp_port()
        router_side = lossy_relay.UdpEndpoint(("127.0.0.1", 0), ("127.0.0.1", router_port))
        host = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        host.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        host.bind(("127.0.0.1", 0))
        port = host.getsockname()[1]
        n = 1000
        with lossy_relay.SlirpRouter(router_port, router_side.local[1]), \
                lossy_relay.LossyRelay(guest_side, router_side, drop=0.05, reorder=0.02,
                                       seed=2) as relay:
            # ARP for the gateway until slirp answers (requests may be dropped).
            arp = b"\xff" * 6 + GUEST_MAC + b"\x08\x06" + \
                struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + GUEST_MAC + \
                socket.inet_aton("10.0.2.15") + bytes(6) + socket.inet_aton("10.0.2.2")
            gateway = None
            deadline = time.monotonic() + 10
            while gateway is None and time.monotonic() < deadline:
                guest.sendto(arp + bytes(60 - len(arp)), guest_side.local)
                for frame in drain(guest, 0.3):
                    if frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02":
                        gateway = frame[22:28]
            self.assertIsNotNone(gateway, "slirp never answered ARP")
            frames = [udp_frame(gateway, GUEST_MAC, "10.0.2.15", "10.0.2.2", 4000, port,
                                struct.pack(">I", i)) for i in range(n)]
            send_paced(guest, frames, guest_side.local, batch=20)
            got = [struct.unpack(">I", p)[0] for p in drain(host, 1.0)]
            print(relay.report())
        # 10.0.2.2 is this namespace's 127.0.0.1: slirp delivered to our socket.
        self.assertTrue(0.03 < 1 - len(got) / n < 0.07, len(got))
        for s in (guest, guest_side, router_side, host):
            s.close()


if __name__ == "__main__":
    unittest.main()
