#!/usr/bin/python3
"""A lossy Ethernet relay for QEMU's `-netdev dgram` backend.

QEMU 7.2 with
    -netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=P1,
            remote.type=inet,remote.host=127.0.0.1,remote.port=P2
sends each frame the guest transmits as one UDP datagram from P1 to P2, and
gives the guest each datagram it receives on P1. The relay owns P2 and
forwards frames between QEMU and the other side:

  tap      (TapEndpoint) a tap device made in the test's namespace
           (`ip tuntap add tap0 mode tap`, /dev/net/tun with TUNSETIFF
           IFF_TAP|IFF_NO_PI), addressed 10.0.3.1/24 and fd00:3::1/64; the
           guest uses 10.0.3.2/24 with gateway 10.0.3.1, and peers bind the
           tap addresses. Needs root: /dev/net/tun is mode 0600 here, so it
           cannot be opened inside `unshare -rn`.
  slirp    (SlirpRouter) a second QEMU with no machine (`-M none`) whose hub
           joins a `-netdev user` (slirp) to a `-netdev dgram` that talks to
           the relay. The guest sees the usual slirp network (10.0.2.15 by
           DHCP, gateway 10.0.2.2 = this namespace's loopback), now lossy.
           Works without root.
  udp      (UdpEndpoint) any other UDP peer; the self-tests use it.

In each direction it drops a fraction of frames (default 5%) and reorders
some (default 2%: the frame is held back and sent right after the next
forwarded one, or after `hold` seconds if none comes), decided by a
random.Random seeded from (seed, direction), so a run is reproducible for the
same frame sequence. stats() counts what it did; report() prints it.

As a program (inside netns.py's namespace; prints the counts on exit):
    lossy_relay.py --qemu-port P1 --port P2 --tap tap0 [--drop 0.05]
                   [--reorder 0.02] [--seed 1] [--duration S]
"""

import argparse
import fcntl
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
SIOCGIFHWADDR = 0x8927

TAP_NAME = "tap0"
TAP_V4 = "10.0.3.1/24"
TAP_V6 = "fd00:3::1/64"
GUEST_V4 = "10.0.3.2"
GUEST_MAC = "52:54:00:12:34:56"  # QEMU's default for the first NIC

QEMU = "/usr/bin/qemu-system-aarch64"


class UdpEndpoint:
    """Frames as UDP datagrams: receives on `local`, sends to `remote`.
    Datagrams from anywhere but `remote` are ignored (counted in .strays)."""

    def __init__(self, local, remote, rcvbuf=4 << 20):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind(local)
        self.local = self.sock.getsockname()
        self.remote = remote
        self.strays = 0

    def fileno(self):
        return self.sock.fileno()

    def recv(self):
        frame, source = self.sock.recvfrom(65536)
        if source[:2] != tuple(self.remote[:2]):
            self.strays += 1
            return None
        return frame

    def send(self, frame):
        self.sock.sendto(frame, self.remote)

    def close(self):
        self.sock.close()


class TapEndpoint:
    """Frames read from and written to a tap device's file descriptor."""

    def __init__(self, fd, name):
        self.fd = fd
        self.name = name

    def fileno(self):
        return self.fd

    def recv(self):
        return os.read(self.fd, 65536)

    def send(self, frame):
        os.write(self.fd, frame)

    def close(self):
        os.close(self.fd)


def open_tap(name):
    """Attaches to (or creates) tap device `name`; returns its fd."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


def tap_problem():
    """None if a tap device can be made here, else why not. Call it only
    inside the test's namespace: it makes (and drops) a device."""
    netns.assert_isolated()
    try:
        fd = open_tap("vprobe0")
    except OSError as e:
        return "cannot make a tap device (%s): /dev/net/tun needs root here " \
            "(it is mode 0600, and unshare -rn maps us to root only inside)" % e
    os.close(fd)  # not persistent: the device goes with the fd
    if not netns._tool("ip"):
        return "no `ip` (iproute2) to address the tap device"
    return None


def hw_address(name):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        out = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack("16s24x", name.encode()))
    return out[18:24]


def setup_tap(name=TAP_NAME, v4=TAP_V4, v6=TAP_V6, guest_neighbours=()):
    """Makes tap `name` in this (isolated) namespace, addresses it and
    brings it up; returns a TapEndpoint. guest_neighbours: (ip, mac) pairs
    to add as permanent neighbour entries (saves ARP, for self-tests)."""
    netns.assert_isolated()
    ip = netns._tool("ip")
    if not ip:
        raise RuntimeError("no `ip` (iproute2) to make the tap device")
    subprocess.run([ip, "tuntap", "add", "dev", name, "mode", "tap"], check=True)
    fd = open_tap(name)
    subprocess.run([ip, "addr", "add", v4, "dev", name], check=True)
    subprocess.run([ip, "-6", "addr", "add", v6, "dev", name, "nodad"], check=True)
    subprocess.run([ip, "link", "set", name, "up"], check=True)
    for address, mac in guest_neighbours:
        subprocess.run([ip, "neigh", "replace", address, "lladdr", mac, "dev", name,
                        "nud", "permanent"], check=True)
    netns.assert_isolated(allow=(name,))
    return TapEndpoint(fd, name)


class _Direction:
    def __init__(self, name, seed, out, drop, reorder):
        self.name = name
        self.rng = random.Random("%s/%s" % (seed, name))
        self.out = out
        self.drop = drop
        self.reorder = reorder
        self.held = None
        self.held_at = 0.0
        self.frames = 0
        self.bytes = 0
        self.dropped = 0
        self.reordered = 0   # held frames sent after a later one
        self.held_late = 0   # held frames sent after `hold` seconds, nothing came
        self.forwarded = 0
        self.send_errors = 0

    def _send(self, frame):
        try:
            self.out.send(frame)
            self.forwarded += 1
        except OSError:
            self.send_errors += 1

    def frame(self, frame, now):
        self.frames += 1
        self.bytes += len(frame)
        r = self.rng.random()
        if r < self.drop:
            self.dropped += 1
            return
        if r < self.drop + self.reorder and self.held is None:
            self.held = frame
            self.held_at = now
            return
        self._send(frame)
        if self.held is not None:
            self._send(self.held)
            self.held = None
            self.reordered += 1

    def tick(self, now, hold):
        if self.held is not None and now - self.held_at >= hold:
            self._send(self.held)
            self.held = None
            self.held_late += 1

    def stats(self):
        return {k: getattr(self, k) for k in
                ("frames", "bytes", "dropped", "reordered", "held_late", "forwarded",
                 "send_errors")}


class LossyRelay:
    """Relays frames between `qemu` and `other` (endpoints with fileno(),
    recv() -> frame or None, send(frame)), dropping and reordering."""

    def __init__(self, qemu, other, drop=0.05, reorder=0.02, seed=1, hold=0.05):
        if not (0 <= drop < 1 and 0 <= reorder < 1 and drop + reorder < 1):
            raise ValueError("drop and reorder are fractions in [0, 1)")
        self.qemu = qemu
        self.other = other
        self.hold = hold
        self.drop = drop
        self.reorder = reorder
        self.seed = seed
        self.to_other = _Direction("to-other", seed, other, drop, reorder)
        self.to_qemu = _Direction("to-qemu", seed, qemu, drop, reorder)
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True, name="lossy-relay")
        self._thread.start()
        return self

    def _run(self):
        pairs = {self.qemu.fileno(): (self.qemu, self.to_other),
                 self.other.fileno(): (self.other, self.to_qemu)}
        while not self._stop.is_set():
            ready, _, _ = select.select(list(pairs), [], [], self.hold / 2)
            now = time.monotonic()
            with self._lock:
                for fd in ready:
                    source, direction = pairs[fd]
                    try:
                        frame = source.recv()
                    except OSError:
                        continue
                    if frame:
                        direction.frame(frame, now)
                self.to_other.tick(now, self.hold)
                self.to_qemu.tick(now, self.hold)

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        with self._lock:
            self.to_other.tick(float("inf"), 0)
            self.to_qemu.tick(float("inf"), 0)

    def stats(self):
        with self._lock:
            return {"to_other": self.to_other.stats(), "to_qemu": self.to_qemu.stats()}

    def report(self):
        lines = ["relay: drop %.3f reorder %.3f seed %s" % (self.drop, self.reorder, self.seed)]
        for name, s in self.stats().items():
            lines.append("relay: %-8s frames %d (%d bytes): dropped %d (%.2f%%), reordered %d, "
                         "held late %d, forwarded %d, send errors %d" % (
                             name, s["frames"], s["bytes"], s["dropped"],
                             100.0 * s["dropped"] / max(1, s["frames"]), s["reordered"],
                             s["held_late"], s["forwarded"], s["send_errors"]))
        return "\n".join(lines)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def dgram_netdev(netdev_id, qemu_port, relay_port, host="127.0.0.1"):
    """The -netdev value for a QEMU that talks to the relay."""
    return ("dgram,id=%s,local.type=inet,local.host=%s,local.port=%d,"
            "remote.type=inet,remote.host=%s,remote.port=%d" %
            (netdev_id, host, qemu_port, host, relay_port))


class SlirpRouter:
    """A machine-less QEMU joining slirp to a dgram socket through a hub:
    the far side of the relay when no tap device can be made.

    It speaks dgram from `port` (pick with peers.free_udp_port) to
    `relay_port`. `user_options` extend `-netdev user` (such as
    "hostfwd=tcp:127.0.0.1:H-:G"). Note ipv4=on: in QEMU 7.2, naming only
    ipv6=on turns IPv4 off."""

    def __init__(self, port, relay_port, user_options=(), qemu=QEMU, log=None):
        self.port = port
        self.relay_port = relay_port
        self.user_options = list(user_options)
        self.qemu = qemu
        self.log = log
        self.proc = None

    def command(self):
        user = ",".join(["user", "id=u0", "ipv4=on", "ipv6=on"] + self.user_options)
        return [self.qemu, "-M", "none", "-nodefaults", "-display", "none",
                "-monitor", "none", "-serial", "none",
                "-netdev", user,
                "-netdev", dgram_netdev("d0", self.port, self.relay_port),
                "-netdev", "hubport,id=h0,hubid=0,netdev=u0",
                "-netdev", "hubport,id=h1,hubid=0,netdev=d0"]

    def start(self):
        netns.assert_isolated()
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=out)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise RuntimeError("the slirp router QEMU exited (%d)" % self.proc.returncode)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qemu-port", type=int, required=True,
                        help="QEMU's local.port (the relay sends frames there)")
    parser.add_argument("--port", type=int, required=True,
                        help="QEMU's remote.port (the relay listens there)")
    parser.add_argument("--tap", default=TAP_NAME, help="tap device to make (default tap0)")
    parser.add_argument("--drop", type=float, default=0.05)
    parser.add_argument("--reorder", type=float, default=0.02)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--duration", type=float, default=600.0,
                        help="stop after this many seconds (default 600)")
    args = parser.parse_args()
    problem = tap_problem()
    if problem:
        sys.exit("lossy_relay: %s" % problem)
    tap = setup_tap(args.tap)
    qemu = UdpEndpoint(("127.0.0.1", args.port), ("127.0.0.1", args.qemu_port))
    relay = LossyRelay(qemu, tap, args.drop, args.reorder, args.seed).start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait(args.duration)
    relay.stop()
    print(relay.report())


if __name__ == "__main__":
    main()
