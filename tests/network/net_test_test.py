#!/usr/bin/python3
"""Self-tests of net_test.py without QEMU: the "machine" is
testdata/fake_guest.py (started through testdata/fake_launcher.py), which
acts as a guest behind slirp would. net_test.py makes its own namespace."""

import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import net_test  # noqa: E402


def _runner():
    for where in (os.path.join(HERE, "..", "qemu", "runner.py"),
                  os.path.join(os.environ.get("TEST_SRCDIR", ""),
                               os.environ.get("TEST_WORKSPACE", "viperos"),
                               "tests", "qemu", "runner.py")):
        if os.path.exists(where):
            return where
    raise RuntimeError("no tests/qemu/runner.py")


def run(*steps, timeout=60):
    cmd = [sys.executable, os.path.join(HERE, "net_test.py"),
           "--launcher", os.path.join(HERE, "testdata", "fake_launcher.py"),
           "--runner", _runner(), "--image", "fake.img", "--timeout", str(timeout)] + list(steps)
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout + 60)
    return done.returncode, done.stdout


class PlaceholderTest(unittest.TestCase):
    def test_fill(self):
        ctx = net_test.Context(net_test.SLIRP_ADDRESSES)
        ctx.forwards = [(4007, 7), (4022, 22)]
        self.assertEqual(ctx.fill("{host}:{hostfwd:22} {hostfwd} {guest}"),
                         "10.0.2.2:4022 4007 10.0.2.15")
        self.assertEqual(ctx.fill("x{dns}y", escape=True), r"x10\.0\.2\.2y")
        # Regex braces and unknown names stay as they are.
        self.assertEqual(ctx.fill(r"\d{3} {nothing} {2,5}"), r"\d{3} {nothing} {2,5}")
        self.assertEqual(ctx.fill("{sha256:stream:32}"),
                         net_test.peers.pattern_sha256("stream", 32))
        self.assertEqual(ctx.fill("{size:stream:100}"), "100")
        with self.assertRaises(ValueError):
            ctx.fill("{http_port}")
        with self.assertRaises(ValueError):
            ctx.fill("{hostfwd:80}")

    def test_tls_port(self):
        ctx = net_test.Context(net_test.SLIRP_ADDRESSES)
        with self.assertRaises(ValueError) as caught:
            ctx.fill("{tls_port:rsa}")
        self.assertIn("--peer tls", str(caught.exception))

        class FakeTls:
            port = {"rsa": 4443, "expired": 4444}
        ctx.tls = FakeTls()
        self.assertEqual(ctx.fill("https://test-host:{tls_port:rsa}/ {tls_port:expired}"),
                         "https://test-host:4443/ 4444")
        self.assertEqual(ctx.fill(r"port={tls_port:rsa}\b", escape=True), r"port=4443\b")
        with self.assertRaises(ValueError) as caught:
            ctx.fill("{tls_port:nosuchcase}")
        self.assertIn("badsig", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            ctx.fill("{tls_port}")
        self.assertIn("badsig", str(caught.exception))

    def test_tap_addresses(self):
        ctx = net_test.Context(net_test.TAP_ADDRESSES)
        self.assertEqual(ctx.fill("{guest} {gateway} {host6}"), "10.0.3.2 10.0.3.1 fd00:3::1")

    def test_place_network(self):
        class Machine:
            virtio = [("blk", "disk.img"), ("net", "isolated"), ("rng", None)]
            hostfwd = []
        machine = Machine()
        net_test.place_network(machine, "user", net_test.hostfwd_rules([(4007, 7)]))
        self.assertEqual(machine.virtio, [("blk", "disk.img"), ("net", "user"), ("rng", None)])
        self.assertEqual(machine.hostfwd, ["tcp:127.0.0.1:4007-:7"])
        machine.virtio = [("rng", None)]
        net_test.place_network(machine, "dgram:1:2", [])
        self.assertEqual(machine.virtio, [("rng", None), ("net", "dgram:1:2")])


class DriverTest(unittest.TestCase):
    def test_everything_passes(self):
        status, out = run(
            "--peer", "http", "--peer", "dns", "--peer", "sink", "--peer", "source",
            "--source-bytes", "1000000", "--hostfwd", "7",
            "--expect", "fake guest up with a network",
            "--send", "fetch {host} {http_port} /redirect/3/files/1m\\n",
            "--expect", "fetched /redirect/3/files/1m status=200 bytes={size:/files/1m} "
                        "sha256={sha256:/files/1m}",
            "--host", r"http-log GET /files/1m 200 sent=\d+ complete=True",
            "--send", "fetch {host6} {http_port} /chunked/5000\\n",
            "--expect", "sha256={sha256:/chunked/5000}",
            "--send", "resolve test-host\\n", "--expect", "resolved test-host rcode=0 {host}",
            "--send", "resolve no.such.name\\n", "--expect", "rcode=3",
            "--host", r"dns-log A no\.such\.name 127\.0\.0\.1",
            "--host", "echo 4000000 7",
            "--host", "echo 100000 &",
            "--send", "send {host} {sink_port} 300000\\n",
            "--host", "sink 300000 {sha256:stream:300000}",
            "--send", "recv {host} {source_port}\\n",
            "--expect", "received {source_bytes} sha256={sha256:stream:1000000}",
            "--host", "source",
            "--host", "wait",
            "--send", "poweroff\\n", "--expect", "powering off", "--exit")
        self.assertEqual(status, 0, out)
        self.assertIn("PASS", out)
        self.assertIn("echo: 4000000 bytes back intact", out)
        self.assertTrue(re.search(r"-netdev user,ipv4=on,ipv6=on,hostfwd=tcp:127\.0\.0\.1:\d+-:7,"
                                  r"id=net0 -device virtio-net-device,netdev=net0,"
                                  r"mac=52:54:00:12:34:56", out), out)

    def test_tls(self):
        status, out = run(
            "--peer", "http", "--peer", "dns", "--peer", "tls",
            "--expect", "fake guest up",
            "--send", "fetch {host} {http_port} /certs/test-ca.pem\\n",
            "--expect", "status=200 bytes={size:/certs/test-ca.pem} "
                        "sha256={sha256:/certs/test-ca.pem}",
            "--host", "http-log GET /certs/test-ca.pem 200",
            "--send", "fetch {host} {http_port} /tls/cases\\n",
            "--expect", "status=200 bytes={size:/tls/cases} sha256={sha256:/tls/cases}",
            "--send", "tlsfetch {host} {http_port} test-host {tls_port:rsa} /files/1m\\n",
            "--expect", "tlsfetched /files/1m HTTP/1.0 200 ok bytes={size:/files/1m} "
                        "sha256={sha256:/files/1m}",
            "--send", "resolve www.wild.test-host\\n",
            "--expect", "resolved www.wild.test-host rcode=0 {host}",
            "--send", "tlsfetch {host} {http_port} www.wild.test-host {tls_port:wildcard} "
                      "/files/1\\n",
            "--expect", "tlsfetched /files/1 HTTP/1.0 200 ok bytes=1 sha256={sha256:/files/1}",
            "--send", "tlsfetch {host} {http_port} test-host {tls_port:expired} /files/1\\n",
            "--expect", "tls error verify_code=10",
            "--send", "tlsfetch {host} {http_port} test-host {tls_port:noshared} /files/1\\n",
            "--expect", "tls error reason=SSLV3_ALERT_HANDSHAKE_FAILURE",
            "--send", "poweroff\\n", "--expect", "powering off", "--exit")
        self.assertEqual(status, 0, out)
        self.assertRegex(out, r"tls on ports rsa \d+, ecdsa \d+, .*garbage \d+")

    def test_tls_needs_http(self):
        status, out = run("--peer", "tls", "--expect", "fake guest up", timeout=10)
        self.assertEqual(status, 2, out)
        self.assertIn("--peer tls needs --peer http", out)

    def test_spec_file(self):
        import json
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False,
                                         dir=os.environ.get("TEST_TMPDIR")) as f:
            json.dump({"steps": ["expect:fake guest up", "send:fetch {host} {http_port} "
                                 "/files/1\\n", "expect:sha256={sha256:/files/1}",
                                 "send:poweroff\\n"],
                       "forbid": ["error"], "require": ["guest> "], "exit": True,
                       "timeout": 30, "machine": ["--mem", "64M"], "net": "user",
                       "peers": ["http"], "hostfwd": []}, f)
        status, out = run("--spec", f.name)
        os.unlink(f.name)
        self.assertEqual(status, 0, out)
        self.assertIn("-m 64M", out)

    def test_dns_to_slirp_forwarder_fails(self):
        status, out = run("--peer", "dns", "--expect", "fake guest up",
                          "--send", "leak secret.example\\n", "--expect", "leaked",
                          "--send", "poweroff\\n", "--exit")
        self.assertEqual(status, 1, out)
        self.assertIn("slirp's forwarder", out)
        self.assertIn("secret.example", out)
        self.assertIn("---- serial log ----", out)

    def test_failed_expect_shows_log(self):
        status, out = run("--peer", "http", "--expect", "fake guest up",
                          "--expect", r"never \d{3} {http_port}", timeout=3)
        self.assertEqual(status, 1, out)
        self.assertTrue(re.search(r"FAIL: step 2: expected /never \\d\{3\} \d+/: no match", out),
                        out)
        self.assertIn("fake guest up with a network", out)

    def test_failed_host_action(self):
        status, out = run("--peer", "sink", "--expect", "fake guest up",
                          "--send", "send {host} {sink_port} 1000\\n",
                          "--host", "sink 1000 " + "0" * 64, timeout=20)
        self.assertEqual(status, 1, out)
        self.assertIn("FAIL: step 3: host:sink", out)
        self.assertIn("SHA-256", out)

    def test_missing_peer(self):
        status, out = run("--expect", "fake guest up", "--send", "{sink_port}\\n", timeout=10)
        self.assertEqual(status, 1, out)
        self.assertIn("--peer sink", out)


if __name__ == "__main__":
    unittest.main()
