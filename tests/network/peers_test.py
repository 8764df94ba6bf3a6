#!/usr/bin/python3
"""Self-tests of peers.py, without QEMU, inside a fresh network namespace
(the test enters it itself; it fails, loudly, if it cannot)."""

import hashlib
import http.client
import os
import socket
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

netns.enter(private_resolv=True)

import peers  # noqa: E402

HOSTS = peers.LOOPBACK


def get(host, port, path, method="GET"):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read()
    headers = dict(response.getheaders())
    conn.close()
    return response.status, headers, body


def raw_get(host, port, path):
    """The whole raw response (the server closes after it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect((host, port))
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        data = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                return data
            data += piece


class PatternTest(unittest.TestCase):
    def test_definition(self):
        self.assertEqual(peers.pattern("stream", 32),
                         hashlib.sha256(b"stream" + bytes(8)).digest())
        self.assertEqual(peers.pattern("stream", 40)[32:],
                         hashlib.sha256(b"stream" + (1).to_bytes(8, "little")).digest()[:8])

    def test_chunks_and_hash_agree(self):
        whole = peers.pattern("x", 200001)
        self.assertEqual(len(whole), 200001)
        self.assertEqual(b"".join(peers.pattern_chunks("x", 200001, chunk=4096)), whole)
        self.assertEqual(peers.pattern_sha256("x", 200001), hashlib.sha256(whole).hexdigest())
        self.assertEqual(peers.pattern("x", 0), b"")


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.peer = peers.HttpPeer().start()
        cls.port = cls.peer.port

    @classmethod
    def tearDownClass(cls):
        cls.peer.stop()

    def test_files_over_both_families(self):
        sizes = {"0": 0, "1": 1, "1m": 1 << 20, "16m": 16 << 20}
        for host in HOSTS:
            for name, size in sizes.items():
                status, headers, body = get(host, self.port, "/files/" + name)
                self.assertEqual(status, 200)
                self.assertEqual(len(body), size)
                self.assertEqual(int(headers["Content-Length"]), size)
                digest = hashlib.sha256(body).hexdigest()
                self.assertEqual(digest, self.peer.sha256["/files/" + name])
                self.assertEqual(headers["X-Content-SHA256"], digest)
                self.assertEqual(body, peers.pattern("files/" + name, size))

    def test_keep_alive_and_head(self):
        conn = http.client.HTTPConnection("::1", self.port, timeout=30)
        for _ in range(3):
            conn.request("GET", "/files/1")
            response = conn.getresponse()
            self.assertEqual(len(response.read()), 1)
        conn.request("HEAD", "/files/16m")
        response = conn.getresponse()
        self.assertEqual(response.getheader("Content-Length"), str(16 << 20))
        self.assertEqual(response.read(), b"")
        conn.close()

    def test_chunked_decoded(self):
        for n in (0, 1, 5000, 300000):
            for host in HOSTS:
                status, headers, body = get(host, self.port, "/chunked/%d" % n)
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("Transfer-Encoding"), "chunked")
                self.assertNotIn("Content-Length", headers)
                self.assertEqual(body, peers.pattern("chunked", n))
                self.assertEqual(self.peer.sha256_of("/chunked/%d" % n),
                                 hashlib.sha256(body).hexdigest())

    def test_chunked_framing_raw(self):
        n = 100000
        data = raw_get("127.0.0.1", self.port, "/chunked/%d" % n)
        head, _, rest = data.partition(b"\r\n\r\n")
        self.assertIn(b"Transfer-Encoding: chunked", head)
        self.assertIn(b"Trailer: X-Content-SHA256", head)
        body, sizes, extensions, upper = b"", [], 0, False
        while True:
            line, _, rest = rest.partition(b"\r\n")
            size_text, semi, ext = line.partition(b";")
            extensions += bool(semi)
            upper |= size_text != size_text.lower()
            size = int(size_text, 16)
            if size == 0:
                break
            sizes.append(size)
            body += rest[:size]
            self.assertEqual(rest[size:size + 2], b"\r\n")
            rest = rest[size + 2:]
        self.assertEqual(body, peers.pattern("chunked", n))
        self.assertGreater(len(set(sizes)), 5)
        self.assertGreater(extensions, 3)
        self.assertTrue(upper)
        trailer = rest
        self.assertEqual(trailer, b"X-Content-SHA256: %s\r\n\r\n" %
                         hashlib.sha256(body).hexdigest().encode())

    def test_redirect_chain(self):
        for host in HOSTS:
            url = self.peer.url("/redirect/4/files/1m", host)
            locations = []
            for _ in range(10):
                parts = urllib.parse.urlsplit(url)
                status, headers, body = get(parts.hostname, parts.port, parts.path)
                if status != 302:
                    break
                locations.append(headers["Location"])
                url = urllib.parse.urljoin(url, headers["Location"])
            self.assertEqual(status, 200)
            self.assertEqual(len(locations), 4)
            # k = 4 and 2 give path-absolute references, k = 3 and 1 absolute URLs
            # built from the Host header.
            base = "http://%s:%d" % (peers.host_for_url(host), self.port)
            self.assertEqual(locations, ["/redirect/3/files/1m", base + "/redirect/2/files/1m",
                                         "/redirect/1/files/1m", base + "/files/1m"])
            self.assertEqual(hashlib.sha256(body).hexdigest(), self.peer.sha256["/files/1m"])
        self.assertEqual(self.peer.sha256_of("/redirect/4/files/1m"),
                         self.peer.sha256["/files/1m"])
        status, _, body = get("127.0.0.1", self.port, "/redirect/0/files/1")
        self.assertEqual((status, len(body)), (200, 1))

    def test_redirect_to_any_url(self):
        status, headers, _ = get("127.0.0.1", self.port,
                                 "/redirect-to?url=https%3A%2F%2Ftest-host%3A8443%2Ffiles%2F1")
        self.assertEqual((status, headers["Location"]), (302, "https://test-host:8443/files/1"))
        status, _, _ = get("127.0.0.1", self.port, "/redirect-to")
        self.assertEqual(status, 404)

    def test_redirect_loop(self):
        url = self.peer.url("/loop/a")
        seen = []
        for _ in range(6):
            parts = urllib.parse.urlsplit(url)
            status, headers, _ = get(parts.hostname, parts.port, parts.path)
            self.assertEqual(status, 302)
            url = urllib.parse.urljoin(url, headers["Location"])
            seen.append(urllib.parse.urlsplit(url).path)
        self.assertEqual(seen, ["/loop/b", "/loop/a"] * 3)

    def test_close_mid_body(self):
        n = 100000
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/close-mid-body/%d" % n)
        response = conn.getresponse()
        self.assertEqual(response.getheader("Content-Length"), str(n))
        with self.assertRaises(http.client.IncompleteRead) as caught:
            response.read()
        self.assertEqual(len(caught.exception.partial), n // 2)
        self.assertEqual(caught.exception.partial, peers.pattern("close-mid-body", n)[:n // 2])
        conn.close()
        self.assertIsNotNone(self.peer.wait_log(
            r"GET /close-mid-body/%d 200 sent=%d complete=False" % (n, n // 2), 5))

    def test_bad_chunk(self):
        conn = http.client.HTTPConnection("::1", self.port, timeout=30)
        conn.request("GET", "/bad-chunk")
        response = conn.getresponse()
        with self.assertRaises((http.client.HTTPException, ValueError)):
            response.read()
        conn.close()
        data = raw_get("127.0.0.1", self.port, "/bad-chunk")
        self.assertIn(b"\r\n\r\n4\r\nabcd\r\nzz\r\n", data)

    def test_extra_files(self):
        import tempfile
        with tempfile.NamedTemporaryFile("wb", delete=False,
                                         dir=os.environ.get("TEST_TMPDIR")) as f:
            f.write(b"-----BEGIN CERTIFICATE-----\nnot really\n")
        self.peer.add_file("/certs/test-ca.pem", f.name, "application/x-pem-file")
        os.unlink(f.name)  # read when added
        for host in HOSTS:
            status, headers, body = get(host, self.port, "/certs/test-ca.pem")
            self.assertEqual((status, body), (200, b"-----BEGIN CERTIFICATE-----\nnot really\n"))
            self.assertEqual(headers["Content-Type"], "application/x-pem-file")
            self.assertEqual(headers["X-Content-SHA256"], hashlib.sha256(body).hexdigest())
            self.assertEqual(self.peer.sha256_of("/certs/test-ca.pem"),
                             hashlib.sha256(body).hexdigest())
        status, headers, body = get("127.0.0.1", self.port, "/certs/test-ca.pem", "HEAD")
        self.assertEqual((status, headers["Content-Length"], body), (200, "39", b""))
        self.assertEqual(len(self.peer.expected_body("/redirect/1/certs/test-ca.pem")), 39)
        status, _, _ = get("127.0.0.1", self.port, "/certs/other.pem")
        self.assertEqual(status, 404)
        with self.assertRaises(ValueError):
            self.peer.add_file("certs/x", __file__)
        with self.assertRaises(RuntimeError):
            self.peer.add_file("/certs/x", "/nonexistent/file")

    def test_status(self):
        for path in ("/status/404", "/no/such/thing", "/files/2m"):
            status, _, body = get("127.0.0.1", self.port, path)
            self.assertEqual(status, 404, path)
            self.assertTrue(body)
        status, _, _ = get("::1", self.port, "/status/503")
        self.assertEqual(status, 503)

    def test_slow_complete_and_aborted(self):
        start = time.monotonic()
        status, _, body = get("127.0.0.1", self.port, "/slow/20000?seconds=1")
        self.assertGreaterEqual(time.monotonic() - start, 0.9)
        self.assertEqual(body, peers.pattern("slow", 20000))
        self.assertIsNotNone(self.peer.wait_log(r"/slow/20000\?seconds=1 200 sent=20000 "
                                                r"complete=True", 5))
        # A client that goes away mid-download.
        conn = http.client.HTTPConnection("::1", self.port, timeout=30)
        conn.request("GET", "/slow/1000000?seconds=4")
        response = conn.getresponse()
        self.assertEqual(len(response.read(100000)), 100000)
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        line = self.peer.wait_log(r"/slow/1000000\?seconds=4 200 sent=\d+ complete=False", 8)
        self.assertIsNotNone(line, self.peer.log)
        self.assertLess(int(line.split("sent=")[1].split()[0]), 1000000)


class DnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = peers.Dnsmasq().start()

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()

    def test_records(self):
        for server in HOSTS:
            _, rcode, answers = peers.dns_ask(server, "test-host", 1)
            self.assertEqual((rcode, answers), (0, [(1, "10.0.2.2")]))
            _, rcode, answers = peers.dns_ask(server, "test-host", 28)
            self.assertEqual((rcode, answers), (0, [(28, "fec0::2")]))

    def test_unknown_names_are_nxdomain(self):
        for name in ("unknown-name", "example.com", "www.debian.org"):
            _, rcode, answers = peers.dns_ask("127.0.0.1", name, 1)
            self.assertEqual((rcode, answers), (3, []), name)

    def test_queries_logged_and_pid_file(self):
        peers.dns_ask("127.0.0.1", "logged-name", 28)
        deadline = time.monotonic() + 5
        while ("AAAA", "logged-name", "127.0.0.1") not in self.dns.queries():
            self.assertLess(time.monotonic(), deadline, self.dns.queries())
            time.sleep(0.05)
        with open(self.dns.pid_path) as f:
            self.assertEqual(int(f.read()), self.dns.proc.pid)
        self.assertIn("--no-resolv", self.dns.command())
        self.assertFalse([a for a in self.dns.command() if a.startswith("--server")])


class TripwireTest(unittest.TestCase):
    def test_resolv_conf_points_at_tripwires(self):
        with open("/etc/resolv.conf") as f:
            names = [line.split()[1] for line in f if line.startswith("nameserver")]
        self.assertEqual(names, [netns.TRIPWIRE_V4, netns.TRIPWIRE_V6])

    def test_catches_queries(self):
        with peers.DnsTripwire() as wire:
            for address in (netns.TRIPWIRE_V4, netns.TRIPWIRE_V6):
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                with socket.socket(family, socket.SOCK_DGRAM) as s:
                    s.sendto(peers.dns_query("leak.example", 1), (address, 53))
            with socket.create_connection((netns.TRIPWIRE_V4, 53), timeout=5) as s:
                q = peers.dns_query("tcp.example", 1)
                s.sendall(len(q).to_bytes(2, "big") + q)
                s.recv(10)
            deadline = time.monotonic() + 5
            while len(wire.hits) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(sorted(h[2] for h in wire.hits),
                             ["leak.example", "leak.example", "tcp.example"])


class StreamTest(unittest.TestCase):
    def test_echo_16m(self):
        for host in HOSTS:
            with peers.EchoServer() as echo:
                result = peers.echo_client(host, echo.port, 16 << 20, timeout=60)
                self.assertTrue(result.ok, result)
                self.assertEqual(result.sha256, peers.pattern_sha256("stream", 16 << 20))
                self.assertEqual(result.received, 16 << 20)

    def test_echo_detects_corruption(self):
        class Corrupting(peers.EchoServer):
            def _serve(self, conn):
                data = b""
                while len(data) < 100000:
                    data += conn.recv(65536)
                data = data[:5000] + bytes([data[5000] ^ 1]) + data[5001:]
                conn.sendall(data)
                while True:
                    piece = conn.recv(65536)
                    if not piece:
                        break
                    conn.sendall(piece)
                return {}
        with Corrupting() as echo:
            result = peers.echo_client("127.0.0.1", echo.port, 200000, timeout=30)
        self.assertFalse(result.ok)
        self.assertEqual(result.mismatch_at, 5000)

    def test_echo_gives_up_in_time(self):
        port = peers.free_port(("127.0.0.1",))
        start = time.monotonic()
        result = peers.echo_client("127.0.0.1", port, 1000, timeout=2)
        self.assertFalse(result.ok)
        self.assertLess(time.monotonic() - start, 4)
        self.assertIn("connect", result.summary())

    def test_sink(self):
        with peers.SinkServer() as sink:
            for host in HOSTS:
                with socket.create_connection((host, sink.port), timeout=10) as s:
                    s.sendall(peers.pattern("stream", 3 << 20))
            results = sink.wait(2, timeout=10)
        self.assertEqual(len(results), 2)
        for r in results:
            self.assertEqual(r["bytes"], 3 << 20)
            self.assertEqual(r["sha256"], peers.pattern_sha256("stream", 3 << 20))
            self.assertGreater(r["mbit_s"], 0)
        self.assertEqual(sorted(r["client"] for r in results), ["127.0.0.1", "::1"])

    def test_source(self):
        with peers.SourceServer(5 << 20) as source:
            for host in HOSTS:
                with socket.create_connection((host, source.port), timeout=10) as s:
                    h, count = hashlib.sha256(), 0
                    while True:
                        piece = s.recv(65536)
                        if not piece:
                            break
                        h.update(piece)
                        count += len(piece)
                self.assertEqual((count, h.hexdigest()), (5 << 20, source.sha256))
            results = source.wait(2, timeout=10)
        self.assertEqual([r["bytes"] for r in results], [5 << 20] * 2)
        self.assertFalse([r for r in results if r["error"]])

    def test_connection_cap(self):
        with peers.SinkServer(max_connections=2) as sink:
            for _ in range(4):
                with socket.create_connection(("127.0.0.1", sink.port), timeout=10) as s:
                    s.sendall(b"x")
            time.sleep(0.5)
            self.assertEqual(sink.accepted, 2)


if __name__ == "__main__":
    unittest.main()
