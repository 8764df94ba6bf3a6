#!/usr/bin/python3
"""Boots ViperOS with a network device, inside a fresh network namespace,
with host-side peers, and runs a script of steps over the serial console.

    net_test.py --launcher toolchain/qemu_virt.py --runner tests/qemu/runner.py
                --image IMAGE [--disk DISK]... [--timeout S] [--log FILE]
                [--net user|lossy-tap|lossy-slirp] [--hostfwd GUESTPORT]...
                [--peer http|dns|sink|source|tls]... [--source-bytes N]
                [--drop F] [--reorder F] [--seed S]
                [--expect REGEX | --send TEXT | --host ACTION | --reboot]...
                [--forbid REGEX]... [--require REGEX]... [--exit]
                [--spec JSON] [QEMU MACHINE OPTIONS (qemu_virt.py's)...]

The program first re-executes itself in a new network namespace holding only
lo (netns.py: `unshare -n`, or `unshare -rn` when not root; with its own
mount namespace whose /etc/resolv.conf points slirp's DNS forwarder at a
tripwire). Then it starts the peers and boots the machine through the
launcher with a network device: qemu_virt.py's `--virtio-net user` plus
`--hostfwd tcp:127.0.0.1:H-:G` per --hostfwd (that is
`-netdev user,ipv4=on,ipv6=on,hostfwd=...,id=netN -device
virtio-net-device,netdev=netN,mac=...`), or `--virtio-net dgram:P1:P2` to
the lossy relay. If the machine options already name a --virtio-net
device, its place in the slot order is kept and its backend set by --net;
otherwise the device comes after the other --virtio-* devices (the next
virtio-mmio slot down). Then it runs the steps and on failure prints which
step failed and the serial log (the steps, Serial and fail() are
tests/qemu/runner.py's).

Networks (--net):
  user         slirp: guest 10.0.2.15 (DHCP) / fec0::/64 (SLAAC), host and
               DNS at 10.0.2.2 / fec0::2 (this namespace's 127.0.0.1 / ::1).
  lossy-slirp  the same network through lossy_relay.py: the guest's
               `-netdev dgram` goes to the relay, the relay to a machine-less
               QEMU that hubs a dgram socket to slirp (hostfwd lives there).
               Works without root.
  lossy-tap    through lossy_relay.py to a tap device in the namespace
               (root only): guest 10.0.3.2/24 static, gateway, host and DNS
               10.0.3.1 (fd00:3::1); peers also bind the tap addresses.

Peers (--peer): http (peers.HttpPeer), dns (peers.Dnsmasq: test-host, and
www.wild.test-host when tls runs too, at {host} / {host6}), sink, source,
and tls (tls_peers.TlsPeers; needs http): a test PKI and one TLS server per
case (rsa, ecdsa, chain, wildcard, expired, notyet, wronghost, unknownca,
selfsigned, nointermediate, badsig, tls11, noshared, reset, garbage; see
tls_peers.py), `openssl s_server -WWW` serving the HTTP peer's files
(/files/1m over TLS has the same {sha256:/files/1m}). The HTTP peer then
also serves the test root CA as /certs/test-ca.pem, for the guest's trust
store, and the refused cases as /tls/cases: lines "NAME PORT FAILURE"
(tls_peers.REFUSALS: the enum tls_failure name a ViperOS client reports). The PKI and the servers' logs are in the work directory
($TEST_TMPDIR or a temporary one), under tls/.

Steps, in order (on the command line, or in the spec as "kind:value"):
  expect:REGEX   wait for REGEX in the serial output after the last match
  send:TEXT      type TEXT ("\\n" ends a line)
  reboot:        wait for power-off, boot again (peers keep running)
  host:ACTION    run a host-side action (serial output keeps being read):
      echo N [GUESTPORT]   connect to the guest's echo service through
                           hostfwd, send N bytes of pattern("stream", N)
                           while reading the echo, compare SHA-256
      sink N [SHA256]      wait for a guest connection to the sink to end
                           with N bytes (and that SHA-256)
      source [COUNT]       wait for COUNT (1) guests to have taken the
                           source's --source-bytes bytes
      http-log REGEX       wait for an HTTP log line, such as
                           "GET /slow/1048576 200 sent=\\d+ complete=False"
      dns-log REGEX        wait for a dnsmasq query line "TYPE NAME CLIENT"
      sleep SECONDS
      wait                 wait for all background (" &") actions
    An action ending in " &" runs in the background; host:wait joins them.
Placeholders in every step ({name} or {name:arg}; other braces stay):
  {host} {host6} {dns} {gateway} {guest}   the guest-side addresses
  {http_port} {sink_port} {source_port} {source_bytes}
  {tls_port:NAME}     port of the TLS case NAME (e.g. {tls_port:expired})
  {hostfwd:G} (host port forwarded to guest port G; {hostfwd} the first)
  {sha256:/files/1m}  SHA-256 of an HTTP path's whole body
  {sha256:stream:N}   SHA-256 of pattern("stream", N) (any SEED:N)
  {size:/files/16m}   its length ({sha256:/certs/test-ca.pem} works too)
In expect steps substituted values are regex-escaped.

After the steps: --forbid/--require as runner.py does, and the test fails if
the DNS tripwire saw any query (the guest used slirp's forwarder (its built-in
resolver address) instead of {dns}).
"""

import argparse
import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time


def _here():
    """This file's folder, where its sibling modules are: beside it, or in
    the runfiles when Bazel runs a copy of it under another name."""
    candidates = [os.path.dirname(os.path.abspath(__file__))]
    if os.environ.get("TEST_SRCDIR"):
        candidates.append(os.path.join(os.environ["TEST_SRCDIR"],
                                       os.environ.get("TEST_WORKSPACE", "viperos"),
                                       "tests", "network"))
    candidates.append(os.path.dirname(os.path.realpath(__file__)))
    for where in candidates:
        if os.path.exists(os.path.join(where, "peers.py")):
            return where
    return candidates[0]


HERE = _here()
sys.path.insert(0, HERE)
import lossy_relay  # noqa: E402
import netns  # noqa: E402
import peers  # noqa: E402
import tls_peers  # noqa: E402

NETS = ("user", "lossy-slirp", "lossy-tap")
PEERS = ("http", "dns", "sink", "source", "tls")
CA_PATH = "/certs/test-ca.pem"  # where the HTTP peer serves the TLS peers' root CA
CASES_PATH = "/tls/cases"  # and their refused cases, "NAME PORT FAILURE" lines

SLIRP_ADDRESSES = {"host": "10.0.2.2", "host6": "fec0::2", "dns": "10.0.2.2",
                   "gateway": "10.0.2.2", "guest": "10.0.2.15"}
TAP_ADDRESSES = {"host": "10.0.3.1", "host6": "fd00:3::1", "dns": "10.0.3.1",
                 "gateway": "10.0.3.1", "guest": lossy_relay.GUEST_V4}


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hostfwd_rules(forwards):
    """qemu_virt.py --hostfwd rules for (host port, guest port) pairs: TCP,
    bound to the namespace's 127.0.0.1."""
    return ["tcp:127.0.0.1:%d-:%d" % (h, g) for h, g in forwards]


def place_network(machine_args, backend, hostfwd):
    """Gives the machine its network device: the first --virtio-net of the
    machine options gets `backend` (keeping its slot), or one is added
    after the other virtio devices."""
    devices = list(machine_args.virtio)
    for i, (kind, _) in enumerate(devices):
        if kind == "net":
            devices[i] = ("net", backend)
            break
    else:
        devices.append(("net", backend))
    machine_args.virtio = devices
    machine_args.hostfwd = list(getattr(machine_args, "hostfwd", None) or []) + hostfwd


# ---------------------------------------------------------------- placeholders

PLACEHOLDER = re.compile(r"\{(host6|host|dns|gateway|guest|http_port|sink_port|source_port|"
                         r"source_bytes|hostfwd|sha256|size|tls_port)(?::([^{}]*))?\}")


class Context:
    """What placeholders and host actions need: peers, ports, addresses."""

    def __init__(self, addresses):
        self.addresses = dict(addresses)
        self.http = None
        self.dns = None
        self.tripwire = None
        self.sink = None
        self.source = None
        self.tls = None
        self.relay = None
        self.forwards = []  # (host port, guest port)
        self.sink_seen = 0  # sink/source connections host actions have used
        self.source_seen = 0

    def value(self, name, arg):
        if name in self.addresses:
            return self.addresses[name]
        if name == "http_port":
            return str(self._need(self.http, "http").port)
        if name == "sink_port":
            return str(self._need(self.sink, "sink").port)
        if name in ("source_port", "source_bytes"):
            source = self._need(self.source, "source")
            return str(source.port if name == "source_port" else source.n)
        if name == "hostfwd":
            return str(self.host_port(int(arg) if arg else None))
        if name == "tls_port":
            tls = self._need(self.tls, "tls")
            if arg not in tls.port:
                raise ValueError("{tls_port:%s}: no such TLS case (there are %s)" % (
                    arg or "", ", ".join(tls_peers.CASES)))
            return str(tls.port[arg])
        if name in ("sha256", "size"):
            if not arg:
                raise ValueError("{%s} needs an argument" % name)
            if arg.startswith("/"):
                http = self._need(self.http, "http")
                if name == "sha256":
                    return http.sha256_of(arg)
                return str(len(http.expected_body(arg)))
            seed, _, n = arg.rpartition(":")
            if not seed or not n.isdigit():
                raise ValueError("{%s:%s}: give /PATH or SEED:N" % (name, arg))
            return peers.pattern_sha256(seed, int(n)) if name == "sha256" else n
        raise ValueError("unknown placeholder %s" % name)

    @staticmethod
    def _need(peer, name):
        if peer is None:
            raise ValueError("the test uses the %s peer but does not start it (--peer %s)" %
                             (name, name))
        return peer

    def host_port(self, guest_port=None):
        for host, guest in self.forwards:
            if guest_port is None or guest == guest_port:
                return host
        raise ValueError("no --hostfwd %s" % (guest_port if guest_port else "at all"))

    def fill(self, text, escape=False):
        def one(m):
            value = self.value(m.group(1), m.group(2))
            return re.escape(value) if escape else value
        return PLACEHOLDER.sub(one, text)


# ---------------------------------------------------------------- host actions

def host_action(ctx, words, deadline):
    """Runs one host action, `words` its text split once (verb, rest);
    returns (ok, message). Regex arguments are the rest of the line as is."""
    left = lambda: max(0.1, deadline - time.monotonic())  # noqa: E731
    verb, raw = words[0], (words[1] if len(words) > 1 else "")
    args = raw.split()
    if verb == "echo":
        n = int(args[0])
        port = ctx.host_port(int(args[1]) if len(args) > 1 else None)
        result = peers.echo_client("127.0.0.1", port, n, timeout=left())
        return result.ok, result.summary()
    if verb == "sink":
        n = int(args[0])
        sink = Context._need(ctx.sink, "sink")
        while True:
            results = sink.wait(ctx.sink_seen + 1, timeout=left())
            if len(results) <= ctx.sink_seen:
                return False, "sink: no connection with %d bytes ended (others: %s)" % (
                    n, [(r.get("bytes"), r.get("error")) for r in results] or "none")
            r = results[ctx.sink_seen]
            ctx.sink_seen += 1
            if r.get("bytes") != n:
                print("net_test: sink: skipping a connection with %s bytes (%s)" %
                      (r.get("bytes"), r.get("error")))
                continue
            if len(args) > 1 and r["sha256"] != args[1]:
                return False, "sink: %d bytes but SHA-256 %s, not %s" % (
                    n, r["sha256"], args[1])
            return True, "sink: %d bytes in %.2f s (%.1f Mbit/s)" % (
                n, r["seconds"], r["mbit_s"])
    if verb == "source":
        count = int(args[0]) if args else 1
        source = Context._need(ctx.source, "source")
        want = ctx.source_seen + count
        results = source.wait(want, timeout=left())[ctx.source_seen:]
        ctx.source_seen += len(results)
        if len(results) < count:
            return False, "source: %d of %d guests connected and finished" % (
                len(results), count)
        bad = [r for r in results if r.get("error") or r.get("bytes") != source.n]
        if bad:
            return False, "source: %s" % bad
        return True, "source: %s" % ", ".join(
            "%d bytes in %.2f s (%.1f Mbit/s)" % (r["bytes"], r["seconds"], r["mbit_s"])
            for r in results)
    if verb == "http-log":
        http = Context._need(ctx.http, "http")
        line = http.wait_log(raw, timeout=left())
        return line is not None, "http: %s" % (line or "no request matched /%s/; log: %s" % (
            raw, http.log[-10:]))
    if verb == "dns-log":
        dns = Context._need(ctx.dns, "dns")
        regex = re.compile(raw)
        while True:
            lines = [" ".join(q) for q in dns.queries()]
            for line in lines:
                if regex.search(line):
                    return True, "dns: %s" % line
            if time.monotonic() >= deadline:
                return False, "dns: no query matched /%s/; queries: %s" % (
                    regex.pattern, lines[-10:])
            time.sleep(0.1)
    if verb == "sleep":
        time.sleep(min(float(args[0]), left()))
        return True, "slept %s s" % args[0]
    return False, "unknown host action %r" % verb


class Background:
    """A host action running in a thread, with its outcome."""

    def __init__(self, ctx, words, deadline):
        self.words = words
        self.outcome = (False, "did not finish")
        self.thread = threading.Thread(target=self._run, args=(ctx, words, deadline),
                                       daemon=True)
        self.thread.start()

    def _run(self, ctx, words, deadline):
        try:
            self.outcome = host_action(ctx, words, deadline)
        except Exception as e:  # a broken action fails its step, not the driver
            self.outcome = (False, "%s: %s" % (type(e).__name__, e))


def pump_until(serial, job, deadline):
    """Keeps reading the serial output (so the guest never blocks on a full
    pipe) while `job` runs."""
    while job.thread.is_alive() and time.monotonic() < deadline:
        if serial.exited:
            job.thread.join(timeout=min(0.1, max(0.0, deadline - time.monotonic())))
        else:
            serial.pump(min(0.1, max(0.0, deadline - time.monotonic())))
    return not job.thread.is_alive()


# ---------------------------------------------------------------- main

def parse_args(argv, runner):
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--launcher", required=True, help="path of toolchain/qemu_virt.py")
    parser.add_argument("--runner", required=True, help="path of tests/qemu/runner.py")
    parser.add_argument("--image", required=True)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--expect", action=runner.Step, dest="expect")
    parser.add_argument("--send", action=runner.Step, dest="send")
    parser.add_argument("--host", action=runner.Step, dest="host")
    parser.add_argument("--reboot", action=runner.Step, dest="reboot", nargs=0)
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--require", action="append", default=[])
    parser.add_argument("--exit", action="store_true")
    parser.add_argument("--log", help="also write the serial log here")
    parser.add_argument("--disk", action="append", default=[])
    parser.add_argument("--spec", help="a JSON test (see net_test.bzl)")
    parser.add_argument("--net", choices=NETS, default=None, help="default user")
    parser.add_argument("--hostfwd", type=int, action="append", default=[],
                        metavar="GUESTPORT", help="forward a free host port to this guest "
                        "TCP port")
    parser.add_argument("--peer", action="append", default=[], choices=PEERS)
    parser.add_argument("--source-bytes", type=int, default=None)
    parser.add_argument("--drop", type=float, default=None)
    parser.add_argument("--reorder", type=float, default=None)
    parser.add_argument("--seed", default=None)
    args, rest = parser.parse_known_args(argv)
    args.steps = [(k, v if isinstance(v, str) else "") for k, v in
                  (getattr(args, "steps", None) or [])]
    if args.spec:
        with open(args.spec) as f:
            spec = json.load(f)
        args.steps += [tuple(step.split(":", 1)) for step in spec["steps"]]
        args.forbid += spec.get("forbid", [])
        args.require += spec.get("require", [])
        args.exit = args.exit or spec.get("exit", False)
        args.timeout = float(spec.get("timeout", args.timeout))
        rest = spec.get("machine", []) + rest
        args.net = args.net or spec.get("net")
        args.hostfwd += spec.get("hostfwd", [])
        args.peer += spec.get("peers", [])
        for key in ("source_bytes", "drop", "reorder", "seed"):
            if getattr(args, key) is None and key in spec:
                setattr(args, key, spec[key])
            if getattr(args, key) is None and key + "_permille" in spec:
                setattr(args, key, spec[key + "_permille"] / 1000.0)
    args.net = args.net or "user"
    args.source_bytes = 16 * peers.MIB if args.source_bytes is None else args.source_bytes
    args.drop = 0.05 if args.drop is None else args.drop
    args.reorder = 0.02 if args.reorder is None else args.reorder
    args.seed = "1" if args.seed is None else str(args.seed)
    if "tls" in args.peer and "http" not in args.peer:
        parser.error("--peer tls needs --peer http too: the TLS servers serve the HTTP "
                     "peer's files, and the HTTP peer serves their CA (%s)" % CA_PATH)
    for kind, _ in args.steps:
        if kind not in ("expect", "send", "host", "reboot"):
            parser.error("unknown step kind %r" % kind)
    return args, rest


def start_peers(stack, args, ctx, workdir):
    hosts = list(peers.LOOPBACK)
    if args.net == "lossy-tap":
        hosts += [lossy_relay.TAP_V4.split("/")[0], lossy_relay.TAP_V6.split("/")[0]]
    if args.net != "lossy-tap":
        ctx.tripwire = stack.enter_context(peers.DnsTripwire())
    wanted = list(dict.fromkeys(args.peer))
    if "http" in wanted:  # first: the TLS peers serve its files
        wanted.remove("http")
        wanted.insert(0, "http")
    for peer in wanted:
        if peer == "http":
            ctx.http = stack.enter_context(peers.HttpPeer(hosts))
        elif peer == "tls":
            ctx.tls = stack.enter_context(tls_peers.TlsPeers(
                ctx.http.root, os.path.join(workdir, "tls"), hosts))
            ctx.http.add_file(CA_PATH, ctx.tls.ca_pem_path, "application/x-pem-file")
            cases = os.path.join(workdir, "tls", "cases.txt")
            with open(cases, "w") as f:
                f.write(ctx.tls.cases_text())
            ctx.http.add_file(CASES_PATH, cases, "text/plain")
        elif peer == "dns":
            addresses = [ctx.addresses["host"], ctx.addresses["host6"]]
            records = {"test-host": addresses}
            if "tls" in wanted:
                records[tls_peers.WILDCARD_HOST] = addresses
            ctx.dns = stack.enter_context(peers.Dnsmasq(records=records, listen=hosts))
        elif peer == "sink":
            ctx.sink = stack.enter_context(peers.SinkServer(hosts))
        elif peer == "source":
            ctx.source = stack.enter_context(peers.SourceServer(args.source_bytes, hosts))


def network_backend(stack, args, ctx, workdir):
    """The --virtio-net backend and --hostfwd rules for the guest's network
    (starting the relay and the slirp router when the network is lossy)."""
    ctx.forwards = [(peers.free_port(("127.0.0.1",)), g) for g in args.hostfwd]
    if args.net == "user":
        return "user", hostfwd_rules(ctx.forwards)
    qemu_port = peers.free_udp_port()
    if args.net == "lossy-tap":
        problem = lossy_relay.tap_problem()
        if problem:
            raise RuntimeError("--net lossy-tap: %s (try --net lossy-slirp)" % problem)
        if ctx.forwards:
            raise RuntimeError("--hostfwd needs slirp: with lossy-tap connect to %s directly" %
                               lossy_relay.GUEST_V4)
        other = lossy_relay.setup_tap()
        stack.callback(other.close)
    else:
        router_port = peers.free_udp_port()
        other = lossy_relay.UdpEndpoint(("127.0.0.1", 0), ("127.0.0.1", router_port))
        stack.callback(other.close)
        stack.enter_context(lossy_relay.SlirpRouter(
            router_port, other.local[1],
            ["hostfwd=" + rule for rule in hostfwd_rules(ctx.forwards)],
            log=os.path.join(workdir, "slirp-router.log")))
    qemu = lossy_relay.UdpEndpoint(("127.0.0.1", 0), ("127.0.0.1", qemu_port))
    stack.callback(qemu.close)
    ctx.relay = stack.enter_context(lossy_relay.LossyRelay(
        qemu, other, args.drop, args.reorder, args.seed))
    # QEMU binds qemu_port and sends to the relay's port.
    return "dgram:%d:%d" % (qemu_port, qemu.local[1]), []


def run_steps(runner, serial, ctx, args, start_qemu):
    """Runs the steps; returns 0 or the status of runner.fail()."""
    background = []
    for number, (kind, value) in enumerate(args.steps, 1):
        try:
            if kind == "expect":
                pattern = ctx.fill(value, escape=True)
                if not serial.expect(pattern):
                    what = "QEMU exited" if serial.exited else \
                        "no match within %.0f s" % args.timeout
                    return runner.fail(serial, "step %d: expected /%s/: %s" %
                                       (number, pattern, what))
            elif kind == "send":
                text = ctx.fill(value)
                serial.proc.stdin.write(text.encode().decode("unicode_escape").encode())
                serial.proc.stdin.flush()
            elif kind == "reboot":
                if not serial.wait_exit():
                    return runner.fail(serial, "step %d: the guest did not power off to "
                                       "reboot" % number)
                serial.restart(start_qemu())
            else:
                text = ctx.fill(value).strip()
                if text == "wait":
                    jobs, background = background, []
                else:
                    words = text.rstrip("&").strip().split(None, 1)
                    job = Background(ctx, words, serial.deadline)
                    if text.endswith("&"):
                        print("net_test: step %d: host:%s started" % (number, text))
                        background.append(job)
                        continue
                    jobs = [job]
                for job in jobs:
                    if not pump_until(serial, job, serial.deadline):
                        return runner.fail(serial, "step %d: host:%s did not finish within "
                                           "%.0f s" % (number, " ".join(job.words),
                                                       args.timeout))
                    ok, message = job.outcome
                    print("net_test: step %d: host:%s: %s" % (number, " ".join(job.words),
                                                             message))
                    if not ok:
                        return runner.fail(serial, "step %d: host:%s: %s" % (
                            number, " ".join(job.words), message))
        except (ValueError, IndexError) as e:
            return runner.fail(serial, "step %d (%s:%s): %s" % (number, kind, value, e))
    for job in background:
        if not pump_until(serial, job, serial.deadline) or not job.outcome[0]:
            return runner.fail(serial, "background host:%s: %s" % (
                " ".join(job.words), job.outcome[1]))
    return 0


def check_after(runner, serial, ctx, args):
    if args.exit and not serial.wait_exit():
        return runner.fail(serial, "QEMU did not exit within %.0f s" % args.timeout)
    for pattern in args.forbid:
        match = re.search(pattern, serial.log, re.MULTILINE)
        if match:
            return runner.fail(serial, "forbidden /%s/ appeared: %r" % (pattern, match.group(0)))
    for pattern in args.require:
        if not re.search(pattern, serial.log, re.MULTILINE):
            return runner.fail(serial, "required /%s/ never appeared" % pattern)
    if ctx.tripwire is not None and ctx.tripwire.hits:
        return runner.fail(serial, "the guest sent DNS to slirp's forwarder (its built-in resolver), "
                           "which must never be used; use {dns}: %s" %
                           ctx.tripwire.hits[:5])
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--runner")
    known, _ = pre.parse_known_args(argv)
    if not known.runner:
        sys.exit("net_test: --runner (path of tests/qemu/runner.py) is required")
    runner = load_module("runner", known.runner)
    args, rest = parse_args(argv, runner)
    netns.enter(private_resolv=args.net != "lossy-tap")

    launcher = load_module("qemu_virt", args.launcher)
    if not hasattr(launcher, "has_network"):
        sys.exit("net_test: %s has no --virtio-net (toolchain/qemu_virt.py has)" % args.launcher)
    machine = argparse.ArgumentParser()
    launcher.add_machine_args(machine)
    machine_args = machine.parse_args(rest)
    machine_args.virtio = runner.scratch_images(machine_args.virtio, args.disk)

    workdir = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp(prefix="viper-net-")
    ctx = Context(TAP_ADDRESSES if args.net == "lossy-tap" else SLIRP_ADDRESSES)
    start = time.monotonic()
    serial = runner.Serial(None, start + args.timeout)
    status = 0
    with contextlib.ExitStack() as stack:
        try:
            # The network first: with lossy-tap, peers bind the tap's addresses.
            backend, hostfwd = network_backend(stack, args, ctx, workdir)
            place_network(machine_args, backend, hostfwd)
            start_peers(stack, args, ctx, workdir)
            cmd = launcher.command(args.image, machine_args, interactive=False)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            print("FAIL: setting up the network test: %s" % e)
            return 1
        print("net_test: %s" % " ".join(cmd))
        running = ["%s on port %s" % (name, getattr(ctx, name).port)
                   for name in ("http", "dns", "sink", "source") if getattr(ctx, name)]
        if ctx.tls:
            running.append("tls on ports %s (CA at %s)" % (ctx.tls.summary(), CA_PATH))
        if ctx.tripwire:
            running.append("DNS tripwire")
        print("net_test: peers: %s" % (", ".join(running) or "none"))

        def start_qemu():
            return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)

        serial.proc = start_qemu()
        try:
            status = run_steps(runner, serial, ctx, args, start_qemu)
            if status == 0:
                status = check_after(runner, serial, ctx, args)
        finally:
            if serial.proc.poll() is None:
                serial.proc.kill()
                serial.proc.wait()
            if args.log:
                with open(args.log, "w") as f:
                    f.write(serial.log)
            if ctx.relay is not None:
                ctx.relay.stop()
                print(ctx.relay.report())
    if status == 0:
        print("PASS in %.1f s" % (time.monotonic() - start))
    return status


if __name__ == "__main__":
    sys.exit(main())
