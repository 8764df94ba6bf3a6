#!/usr/bin/python3
"""Peers for the network system tests, to run inside netns.py's namespace.

Each peer is a context manager that binds 127.0.0.1 and ::1 (or the
addresses given) on one port, picked free, and serves from background
threads (dnsmasq: a subprocess). The guest reaches them through slirp at
10.0.2.2 / fec0::2 (rewritten to 127.0.0.1 / ::1).

  HttpPeer       HTTP/1.1 over both families: generated files and test
                 endpoints (see HttpPeer's docstring)
  Dnsmasq        dnsmasq on port 53 with local records only (NXDOMAIN for the
                 rest, nothing forwarded)
  DnsTripwire    listens where netns --private-resolv sends slirp's DNS
                 forwarder (slirp's built-in resolver address) and records every query
  SinkServer     counts, hashes and times what a guest sends it
  SourceServer   sends N deterministic bytes to each guest that connects
  echo_client()  connects to an echo service (the guest, through hostfwd),
                 sends N bytes while reading the echo back, compares SHA-256

Deterministic data: pattern(seed, n) is SHA-256(seed || LE64(0)) ||
SHA-256(seed || LE64(1)) || ..., cut to n bytes; the seed is the ASCII
string, no terminator. Files use the seed "files/<name>", the chunked and
slow endpoints "chunked" and "slow", and the echo client, the source server
and (by convention) a guest sending to the sink use "stream". A guest with
any SHA-256 can produce or check the same bytes.

Nothing here reaches beyond the namespace: every socket binds the given
loopback (or test-made) addresses, dnsmasq has no upstream server, and all
servers cap connections and time.
"""

import hashlib
import http.server
import os
import re
import select
import shutil
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse

LOOPBACK = ("127.0.0.1", "::1")
# Interfaces a test may add to its namespace (lossy_relay.py's tap).
TEST_INTERFACES = ("tap0",)
DNSMASQ = "/usr/sbin/dnsmasq"
MIB = 1 << 20

FILES = {"0": 0, "1": 1, "1m": MIB, "16m": 16 * MIB}

# Chunk sizes /chunked/<n> cycles through: tiny, odd, around powers of two.
CHUNK_SIZES = [1, 2, 3, 17, 255, 256, 4095, 4096, 4097, 65536, 1000, 7, 8192]


def _guard():
    """Every peer starts only inside an isolated namespace (netns.py)."""
    import netns
    netns.assert_isolated(allow=TEST_INTERFACES)


# ---------------------------------------------------------------- data

def pattern_chunks(seed, n, chunk=1 << 16):
    """pattern(seed, n) in pieces of about `chunk` bytes (a multiple of 32)."""
    base = hashlib.sha256(seed.encode() if isinstance(seed, str) else seed)
    per = max(1, chunk // 32)
    block = 0
    left = n
    while left > 0:
        out = bytearray()
        for i in range(block, block + per):
            h = base.copy()
            h.update(i.to_bytes(8, "little"))
            out += h.digest()
        block += per
        piece = bytes(out[:left])
        left -= len(piece)
        yield piece


def pattern(seed, n):
    return b"".join(pattern_chunks(seed, n))


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def pattern_sha256(seed, n):
    h = hashlib.sha256()
    for piece in pattern_chunks(seed, n):
        h.update(piece)
    return h.hexdigest()


# ---------------------------------------------------------------- sockets

def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bind_all(hosts, make, attempts=50):
    """Calls make(host, port) for every host with one port that all of them
    could bind; the first call gets port 0 (picked by the kernel). Returns
    the list of what make() returned. make() must raise OSError if the port
    is taken, and the objects must have .close() and .port."""
    last = None
    for _ in range(attempts):
        made = []
        try:
            first = make(hosts[0], 0)
            made.append(first)
            for host in hosts[1:]:
                made.append(make(host, first.port))
            return made
        except OSError as e:
            last = e
            for m in made:
                m.close()
    raise OSError("no port free on all of %s: %s" % (", ".join(hosts), last))


class _Listener:
    def __init__(self, host, port, kind=socket.SOCK_STREAM):
        self.sock = socket.socket(_family(host), kind)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if _family(host) == socket.AF_INET6:
                self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            self.sock.bind((host, port))
            if kind == socket.SOCK_STREAM:
                self.sock.listen(16)
        except OSError:
            self.sock.close()
            raise
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


def free_port(hosts=LOOPBACK):
    """A TCP port free on all `hosts` now (for a program that binds it
    itself, like QEMU's hostfwd; there is a small window for a race)."""
    made = bind_all(list(hosts), _Listener)
    port = made[0].port
    for m in made:
        m.close()
    return port


def free_udp_port(host="127.0.0.1"):
    s = _Listener(host, 0, socket.SOCK_DGRAM)
    port = s.port
    s.close()
    return port


def host_for_url(host):
    return "[%s]" % host if ":" in host else host


# ---------------------------------------------------------------- HTTP

class HttpPeer:
    """HTTP/1.1 server on 127.0.0.1 and ::1 (one port, .port), keep-alive.

    GET and HEAD:
      /files/<name>           generated files 0, 1, 1m, 16m (FILES);
                              .sha256["/files/1m"] and .file_path("1m")
      /chunked/<n>            n bytes of pattern("chunked", n), chunked with
                              varying chunk sizes, chunk extensions, and an
                              X-Content-SHA256 trailer
      /redirect/<k>/<path>    k 302s, then /<path>; odd k gives an absolute
                              Location (http://<Host header>/...), even k a
                              path-absolute one (/redirect/...); k = 0 is /<path>
      /loop/a, /loop/b        302 to each other (a: relative, b: absolute)
      /close-mid-body/<n>     Content-Length n, n/2 bytes, then the
                              connection closes
      /bad-chunk              chunked body with an invalid chunk size ("zz")
      /redirect-to?url=URL    302 to URL (any scheme: http to https, say)
      /status/<code>          that status, a short text body (e.g. 404)
      /slow/<n>[?seconds=S]   n bytes of pattern("slow", n) over S seconds
                              (default 5), in 50 pieces
      extra files             any path given to add_file(path, local_file)
                              (or extra_files={path: local_file}), such as
                              /certs/test-ca.pem: the file's bytes as they
                              are when added, with Content-Length and
                              X-Content-SHA256 (.sha256[path] too); the exact
                              path wins over the endpoints above
    Everything else is 404. Every finished response adds a line to .log
    ("GET /slow/100 200 sent=50 complete=False"); wait_log(regex) waits for one.
    """

    def __init__(self, hosts=LOOPBACK, root=None, files=FILES, extra_files=None):
        self.hosts = list(hosts)
        self._own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="viper-http-",
                                             dir=os.environ.get("TEST_TMPDIR"))
        self.files = dict(files)
        self.sha256 = {}
        self.extra = {}  # path -> (bytes, content type)
        for path, local in (extra_files or {}).items():
            self.add_file(path, local)
        self.log = []
        self._cond = threading.Condition()
        self._servers = []
        self._threads = []
        self.port = None

    # -- set-up

    def file_path(self, name):
        return os.path.join(self.root, "files", name)

    def add_file(self, path, local, content_type="application/octet-stream"):
        """Serves the bytes of the file `local` (read now) at URL path
        `path` (which must start with "/"); works before and after start()."""
        if not path.startswith("/") or "?" in path:
            raise ValueError("add_file: %r is not an absolute path without a query" % path)
        try:
            with open(local, "rb") as f:
                data = f.read()
        except OSError as e:
            raise RuntimeError("add_file(%r): cannot read %s: %s" % (path, local, e))
        self.sha256[path] = sha256_hex(data)
        self.extra[path] = (data, content_type)

    def _generate(self):
        os.makedirs(os.path.join(self.root, "files"), exist_ok=True)
        for name, size in self.files.items():
            h = hashlib.sha256()
            with open(self.file_path(name), "wb") as f:
                for piece in pattern_chunks("files/" + name, size):
                    f.write(piece)
                    h.update(piece)
            self.sha256["/files/" + name] = h.hexdigest()

    def start(self):
        _guard()
        self._generate()
        peer = self

        def make(host, port):
            return _HttpServer((host, port), peer)

        self._servers = bind_all(self.hosts, make)
        self.port = self._servers[0].port
        for server in self._servers:
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                 daemon=True, name="http-%s" % server.server_name)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers = []
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- what tests ask

    def url(self, path, host="127.0.0.1"):
        return "http://%s:%d%s" % (host_for_url(host), self.port, path)

    def expected_body(self, path):
        """The whole body a GET of `path` promises (for /close-mid-body and
        /slow, what a complete transfer would give)."""
        path = urllib.parse.urlsplit(path).path
        if path in self.extra:
            return self.extra[path][0]
        m = re.fullmatch(r"/redirect/(\d+)/(.*)", path)
        if m:
            return self.expected_body("/" + m.group(2))
        m = re.fullmatch(r"/files/([^/]+)", path)
        if m and m.group(1) in self.files:
            with open(self.file_path(m.group(1)), "rb") as f:
                return f.read()
        m = re.fullmatch(r"/(chunked|slow|close-mid-body)/(\d+)", path)
        if m:
            seed = "chunked" if m.group(1) == "chunked" else \
                "slow" if m.group(1) == "slow" else "close-mid-body"
            return pattern(seed, int(m.group(2)))
        raise KeyError("no fixed body for %s" % path)

    def sha256_of(self, path):
        if path in self.sha256:
            return self.sha256[path]
        return sha256_hex(self.expected_body(path))

    def _record(self, line):
        with self._cond:
            self.log.append(line)
            self._cond.notify_all()

    def wait_log(self, regex, timeout, start=0):
        """The first log line (from index `start`) matching `regex`, waiting
        up to `timeout` seconds for it; None if none came."""
        compiled = re.compile(regex)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.log[start:]:
                    if compiled.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)


class _HttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 16

    def __init__(self, address, peer):
        self.address_family = _family(address[0])
        self.peer = peer
        super().__init__(address, _HttpHandler)
        self.port = self.server_address[1]

    def server_bind(self):
        # HTTPServer.server_bind would call getfqdn(): a DNS lookup. Skip it.
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def close(self):
        self.server_close()


class _HttpHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "viper-test-http/1"
    timeout = 30  # idle keep-alive connections end after this

    def log_message(self, fmt, *args):
        pass  # requests go to peer.log instead

    def do_HEAD(self):
        self._dispatch(head=True)

    def do_GET(self):
        self._dispatch(head=False)

    # -- plumbing

    def _dispatch(self, head):
        self.head = head
        self.sent = 0
        self.complete = True
        self.status = None
        url = urllib.parse.urlsplit(self.path)
        self.query = urllib.parse.parse_qs(url.query)
        try:
            self._route(url.path)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.complete = False
            self.close_connection = True
        finally:
            self.server.peer._record("%s %s %s sent=%d complete=%s" % (
                self.command, self.path, self.status, self.sent, self.complete))

    def _start(self, status, headers):
        self.status = status
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def _write(self, data):
        if self.head or not data:
            return
        self.wfile.write(data)
        self.sent += len(data)

    def _simple(self, status, text, extra=()):
        body = text.encode()
        self._start(status, [("Content-Type", "text/plain"),
                             ("Content-Length", str(len(body)))] + list(extra))
        self._write(body)

    def _host(self):
        host = self.headers.get("Host")
        if not host:
            host = "%s:%d" % (host_for_url(self.server.server_name), self.server.server_port)
        return host

    # -- endpoints

    def _route(self, path):
        extra = self.server.peer.extra.get(path)
        if extra:
            data, content_type = extra
            self._start(200, [("Content-Type", content_type),
                              ("Content-Length", str(len(data))),
                              ("X-Content-SHA256", sha256_hex(data))])
            return self._write(data)
        m = re.fullmatch(r"/files/([^/]+)", path)
        if m:
            return self._file(m.group(1))
        m = re.fullmatch(r"/chunked/(\d+)", path)
        if m:
            return self._chunked(int(m.group(1)))
        m = re.fullmatch(r"/redirect/(\d+)/(.*)", path)
        if m:
            return self._redirect(int(m.group(1)), m.group(2))
        if path == "/loop/a":
            return self._simple(302, "to b\n", [("Location", "/loop/b")])
        if path == "/loop/b":
            return self._simple(302, "to a\n", [("Location", "http://%s/loop/a" % self._host())])
        m = re.fullmatch(r"/close-mid-body/(\d+)", path)
        if m:
            return self._close_mid_body(int(m.group(1)))
        if path == "/bad-chunk":
            return self._bad_chunk()
        if path == "/redirect-to" and self.query.get("url"):
            return self._simple(302, "to elsewhere\n", [("Location", self.query["url"][0])])
        m = re.fullmatch(r"/status/(\d{3})", path)
        if m:
            code = int(m.group(1))
            if code < 200 or code in (204, 304):
                code = 400
            return self._simple(code, "status %d\n" % code)
        m = re.fullmatch(r"/slow/(\d+)", path)
        if m:
            return self._slow(int(m.group(1)))
        return self._simple(404, "not found\n")

    def _file(self, name):
        peer = self.server.peer
        if name not in peer.files:
            return self._simple(404, "not found\n")
        path = peer.file_path(name)
        size = os.path.getsize(path)
        self._start(200, [("Content-Type", "application/octet-stream"),
                          ("Content-Length", str(size)),
                          ("X-Content-SHA256", peer.sha256["/files/" + name])])
        if self.head:
            return
        with open(path, "rb") as f:
            while True:
                piece = f.read(1 << 16)
                if not piece:
                    break
                self._write(piece)

    def _chunked(self, n):
        body = pattern("chunked", n)
        self._start(200, [("Content-Type", "application/octet-stream"),
                          ("Transfer-Encoding", "chunked"),
                          ("Trailer", "X-Content-SHA256")])
        if self.head:
            return
        at = 0
        index = 0
        while at < n:
            size = min(CHUNK_SIZES[index % len(CHUNK_SIZES)], n - at)
            # Vary the framing: upper-case hex, extensions with and without a value.
            hexsize = ("%X" if index % 2 else "%x") % size
            ext = {0: "", 1: ";name=value", 2: ";flag", 3: ';q="quoted;value"'}[index % 4]
            self.wfile.write(("%s%s\r\n" % (hexsize, ext)).encode())
            self._write(body[at:at + size])
            self.wfile.write(b"\r\n")
            at += size
            index += 1
        self.wfile.write(("0;last=1\r\nX-Content-SHA256: %s\r\n\r\n" %
                          sha256_hex(body)).encode())

    def _redirect(self, k, final):
        if k == 0:
            return self._route("/" + final)
        rest = "/%s" % final if k == 1 else "/redirect/%d/%s" % (k - 1, final)
        location = "http://%s%s" % (self._host(), rest) if k % 2 else rest
        self._simple(302, "redirect\n", [("Location", location)])

    def _close_mid_body(self, n):
        body = pattern("close-mid-body", n)
        self._start(200, [("Content-Type", "application/octet-stream"),
                          ("Content-Length", str(n))])
        self.close_connection = True
        if self.head:
            return
        self._write(body[:n // 2])
        self.wfile.flush()
        self.complete = False
        self.connection.shutdown(socket.SHUT_RDWR)

    def _bad_chunk(self):
        self._start(200, [("Content-Type", "application/octet-stream"),
                          ("Transfer-Encoding", "chunked")])
        self.close_connection = True
        if self.head:
            return
        self.wfile.write(b"4\r\nabcd\r\nzz\r\nnot a chunk\r\n0\r\n\r\n")
        self.sent += 4
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)

    def _slow(self, n):
        seconds = float(self.query.get("seconds", ["5"])[0])
        seconds = max(0.0, min(seconds, 60.0))
        body = pattern("slow", n)
        self._start(200, [("Content-Type", "application/octet-stream"),
                          ("Content-Length", str(n))])
        if self.head:
            return
        pieces = 50
        step = (n + pieces - 1) // pieces or 1
        for i, at in enumerate(range(0, n, step)):
            if i:
                time.sleep(seconds / pieces)
            self._write(body[at:at + step])
            self.wfile.flush()


# ---------------------------------------------------------------- DNS

def dns_query(name, qtype, ident=0x5654):
    """A DNS query packet (RD set) for `name`, qtype 1 = A, 28 = AAAA."""
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.strip(".").split("."))
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + b"\0" + \
        struct.pack(">HH", qtype, 1)


def _skip_name(packet, at):
    while True:
        length = packet[at]
        if length & 0xC0 == 0xC0:
            return at + 2
        if length == 0:
            return at + 1
        at += 1 + length


def _read_name(packet, at):
    labels = []
    for _ in range(128):
        length = packet[at]
        if length & 0xC0 == 0xC0:
            at = ((length & 0x3F) << 8) | packet[at + 1]
            continue
        if length == 0:
            break
        labels.append(packet[at + 1:at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    return ".".join(labels)


def dns_parse(packet):
    """(id, rcode, [(type, value)]) of a DNS response; A/AAAA values are
    address strings, others raw bytes."""
    ident, flags, qd, an, _, _ = struct.unpack(">HHHHHH", packet[:12])
    at = 12
    for _ in range(qd):
        at = _skip_name(packet, at) + 4
    answers = []
    for _ in range(an):
        at = _skip_name(packet, at)
        rtype, _, _, length = struct.unpack(">HHIH", packet[at:at + 10])
        at += 10
        data = packet[at:at + length]
        at += length
        if rtype == 1 and length == 4:
            data = socket.inet_ntop(socket.AF_INET, data)
        elif rtype == 28 and length == 16:
            data = socket.inet_ntop(socket.AF_INET6, data)
        answers.append((rtype, data))
    return ident, flags & 0xF, answers


def dns_ask(server, name, qtype, port=53, timeout=2.0):
    """Asks `server` once over UDP; returns dns_parse() of the answer."""
    with socket.socket(_family(server), socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        query = dns_query(name, qtype)
        s.sendto(query, (server, port))
        while True:
            packet, _ = s.recvfrom(4096)
            if packet[:2] == query[:2]:
                return dns_parse(packet)


class Dnsmasq:
    """dnsmasq answering only from local records, on port 53 of `listen`.

    records: {name: [addresses]} (A and AAAA), by default test-host at
    10.0.2.2 and fec0::2 (the slirp host addresses, that is: this
    namespace's loopback as the guest sees it). Every other name is
    NXDOMAIN (--local=/#/); there is no upstream (--no-resolv, no --server),
    so nothing is ever forwarded. Queries are logged (--log-queries) to
    .log_path; queries() returns the logged names.
    """

    def __init__(self, records=None, listen=LOOPBACK, port=53, binary=DNSMASQ):
        self.records = records if records is not None else {"test-host": ["10.0.2.2", "fec0::2"]}
        self.listen = list(listen)
        self.port = port
        self.binary = binary
        self.dir = None
        self.proc = None

    def command(self):
        cmd = [self.binary, "--no-resolv", "--no-hosts", "--no-daemon", "--bind-interfaces",
               "--conf-file=/dev/null", "--port=%d" % self.port, "--local=/#/",
               "--log-queries", "--log-facility=%s" % self.log_path]
        cmd += ["--listen-address=%s" % a for a in self.listen]
        for name, addresses in self.records.items():
            cmd.append("--host-record=%s" % ",".join([name] + list(addresses)))
        return cmd

    @property
    def log_path(self):
        return os.path.join(self.dir, "dnsmasq.log")

    @property
    def pid_path(self):
        return os.path.join(self.dir, "dnsmasq.pid")

    def start(self, timeout=10.0):
        _guard()
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("no dnsmasq at %s (Debian package dnsmasq-base)" % self.binary)
        self.dir = tempfile.mkdtemp(prefix="viper-dnsmasq-", dir=os.environ.get("TEST_TMPDIR"))
        self._stderr = open(os.path.join(self.dir, "dnsmasq.stderr"), "wb")
        # --no-daemon keeps it in the foreground, as this process's child,
        # and as our own user (no switch to "nobody", which an unshare -rn
        # namespace could not map); it writes no pid file, so we do.
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=self._stderr, stderr=subprocess.STDOUT)
        with open(self.pid_path, "w") as f:
            f.write("%d\n" % self.proc.pid)
        deadline = time.monotonic() + timeout
        probe = next(iter(self.records), "viper-probe")
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("dnsmasq exited (%d): %s" % (self.proc.returncode,
                                                                self.output()))
            try:
                for address in self.listen:
                    dns_ask(address, probe, 1, port=self.port, timeout=0.5)
                return self
            except OSError:
                if time.monotonic() >= deadline:
                    self.stop()
                    raise RuntimeError("dnsmasq did not answer within %.0f s" % timeout)
                time.sleep(0.1)

    def output(self):
        try:
            with open(os.path.join(self.dir, "dnsmasq.stderr"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def queries(self):
        """[(qtype, name, client)] of every query dnsmasq logged."""
        try:
            with open(self.log_path, errors="replace") as f:
                text = f.read()
        except OSError:
            return []
        return re.findall(r"query\[(\w+)\] (\S+) from (\S+)", text)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class DnsTripwire:
    """Listens (UDP and TCP, port 53) where netns --private-resolv points
    slirp's DNS forwarder, and records every packet: a guest that sends a
    query to slirp's forwarder shows up in .hits. It never answers.

    This is how a test checks that no query ever goes to slirp's forwarder: slirp
    forwards DNS sent to its virtual nameserver to the first nameserver of
    /etc/resolv.conf; in the test's mount namespace that file names only
    these tripwires, so every such query lands here (without the tripwire
    the address would be unreachable in the namespace, or, with no
    nameserver at all, slirp would fall back to 127.0.0.1 and our own
    dnsmasq would answer, hiding the mistake). net_test.py fails a test
    whose tripwire saw anything.
    """

    def __init__(self, addresses=None):
        import netns
        self.addresses = list(addresses or (netns.TRIPWIRE_V4, netns.TRIPWIRE_V6))
        self.hits = []
        self._lock = threading.Lock()
        self._socks = []
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        _guard()
        for address in self.addresses:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                try:
                    self._socks.append((_Listener(address, 53, kind).sock, kind))
                except OSError as e:
                    if address == self.addresses[0]:
                        raise RuntimeError("DNS tripwire cannot listen on %s:53: %s" %
                                           (address, e))
                    # The IPv6 tripwire address exists only under --private-resolv.
        self._thread = threading.Thread(target=self._run, daemon=True, name="dns-tripwire")
        self._thread.start()
        return self

    def _name(self, packet):
        try:
            return _read_name(packet, 12)
        except (IndexError, UnicodeError):
            return "?"

    def _run(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([s for s, _ in self._socks], [], [], 0.1)
            for s in ready:
                kind = dict(self._socks)[s]
                try:
                    if kind == socket.SOCK_DGRAM:
                        packet, client = s.recvfrom(4096)
                        hit = ("udp", client[0], self._name(packet))
                    else:
                        conn, client = s.accept()
                        conn.settimeout(1.0)
                        try:
                            packet = conn.recv(4096)
                        except OSError:
                            packet = b""
                        conn.close()
                        hit = ("tcp", client[0], self._name(packet[2:]))
                except OSError:
                    continue
                with self._lock:
                    self.hits.append(hit)

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        for s, _ in self._socks:
            s.close()
        self._socks = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- TCP streams

class EchoResult:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return "EchoResult(%s)" % ", ".join("%s=%r" % kv for kv in sorted(self.__dict__.items()))

    def summary(self):
        if self.ok:
            return "echo: %d bytes back intact in %.2f s (%.1f Mbit/s each way)" % (
                self.received, self.seconds, self.received * 8 / 1e6 / max(self.seconds, 1e-9))
        return "echo: FAILED after %d of %d bytes sent, %d received%s: %s" % (
            self.sent, self.size, self.received,
            "" if self.mismatch_at is None else ", first difference at byte %d" %
            self.mismatch_at, self.error)


def echo_client(host, port, n, timeout=120.0, seed="stream", connect_timeout=None):
    """Sends pattern(seed, n) to host:port while reading the echo back
    concurrently; the echo must be the same n bytes. Retries a connection
    that closes before any byte came back (through hostfwd, slirp accepts
    before the guest listens) until `connect_timeout` (default timeout/2).
    Bounded by `timeout` seconds in all."""
    _guard()
    start = time.monotonic()
    deadline = start + timeout
    connect_deadline = start + (connect_timeout if connect_timeout is not None else timeout / 2)
    expected = pattern(seed, n)
    expected_sha = sha256_hex(expected)
    while True:
        result = _echo_once(host, port, expected, deadline)
        result.expected_sha256 = expected_sha
        result.size = n
        result.seconds = time.monotonic() - result.started
        retry = (not result.ok and result.received == 0 and n > 0 and
                 time.monotonic() + 0.5 < connect_deadline)
        if not retry:
            return result
        time.sleep(0.5)


def _echo_once(host, port, expected, deadline):
    n = len(expected)
    started = time.monotonic()
    state = {"sent": 0, "error": None}
    try:
        sock = socket.create_connection((host, port), timeout=max(0.1, deadline - started))
    except OSError as e:
        return EchoResult(ok=False, sent=0, received=0, sha256=None, mismatch_at=None,
                          error="connect: %s" % e, started=started)
    sock.settimeout(None)

    def send():
        try:
            view = memoryview(expected)
            for at in range(0, n, 1 << 16):
                sock.sendall(view[at:at + (1 << 16)])
                state["sent"] = min(n, at + (1 << 16))
            sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            state["error"] = "send: %s" % e

    sender = threading.Thread(target=send, daemon=True, name="echo-send")
    sender.start()
    got = hashlib.sha256()
    received = 0
    mismatch = None
    error = None
    try:
        while received < n:
            left = deadline - time.monotonic()
            if left <= 0:
                error = "timed out"
                break
            ready, _, _ = select.select([sock], [], [], min(left, 1.0))
            if not ready:
                continue
            piece = sock.recv(1 << 16)
            if not piece:
                error = "connection closed early"
                break
            if mismatch is None and piece != expected[received:received + len(piece)]:
                for i, b in enumerate(piece):
                    if received + i >= n or b != expected[received + i]:
                        mismatch = received + i
                        break
            got.update(piece)
            received += len(piece)
    except OSError as e:
        error = "receive: %s" % e
    finally:
        if error:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        sender.join(timeout=max(0.1, deadline - time.monotonic()))
        sock.close()
    if received > n and mismatch is None:
        mismatch = n
    if error is None and state["error"]:
        error = state["error"]
    ok = error is None and mismatch is None and received == n
    return EchoResult(ok=ok, sent=state["sent"], received=received, sha256=got.hexdigest(),
                      mismatch_at=mismatch, error=error, started=started)


class _StreamServer:
    """Accepts TCP connections on `hosts` (one port) and runs _serve(conn)
    for each in a thread; at most max_connections, each bounded by
    `idle` seconds without progress. Results go to .results."""

    def __init__(self, hosts=LOOPBACK, max_connections=16, idle=60.0):
        self.hosts = list(hosts)
        self.max_connections = max_connections
        self.idle = idle
        self.results = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._listeners = []
        self._threads = []
        self.port = None
        self.accepted = 0

    def start(self):
        _guard()
        self._listeners = bind_all(self.hosts, _Listener)
        self.port = self._listeners[0].port
        t = threading.Thread(target=self._accept_loop, daemon=True,
                             name=type(self).__name__)
        t.start()
        self._threads.append(t)
        return self

    def _accept_loop(self):
        socks = [l.sock for l in self._listeners]
        while not self._stop.is_set():
            ready, _, _ = select.select(socks, [], [], 0.1)
            for s in ready:
                try:
                    conn, client = s.accept()
                except OSError:
                    continue
                if self.accepted >= self.max_connections:
                    conn.close()
                    continue
                self.accepted += 1
                conn.settimeout(self.idle)
                t = threading.Thread(target=self._run_one, args=(conn, client), daemon=True)
                t.start()
                self._threads.append(t)

    def _run_one(self, conn, client):
        try:
            result = self._serve(conn)
        except OSError as e:
            result = {"error": str(e)}
        finally:
            conn.close()
        result["client"] = client[0]
        with self._cond:
            self.results.append(result)
            self._cond.notify_all()

    def wait(self, count=1, timeout=60.0):
        """The first `count` finished connections' results (fewer on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.results) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.results[:count])

    def stop(self):
        self._stop.set()
        for t in self._threads[:1]:
            t.join(timeout=5)
        for l in self._listeners:
            l.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class SinkServer(_StreamServer):
    """Reads each connection to EOF; result: bytes, sha256, seconds (first
    byte to EOF), mbit_s. `limit` caps the bytes read per connection."""

    def __init__(self, hosts=LOOPBACK, limit=1 << 30, **kw):
        super().__init__(hosts, **kw)
        self.limit = limit

    def _serve(self, conn):
        h = hashlib.sha256()
        count = 0
        first = None
        error = None
        accepted = time.monotonic()
        while count < self.limit:
            try:
                piece = conn.recv(1 << 16)
            except OSError as e:
                error = str(e)
                break
            if not piece:
                break
            if first is None:
                first = time.monotonic()
            h.update(piece)
            count += len(piece)
        end = time.monotonic()
        seconds = end - (first if first is not None else accepted)
        return {"bytes": count, "sha256": h.hexdigest(), "seconds": seconds,
                "mbit_s": count * 8 / 1e6 / seconds if seconds > 0 else 0.0,
                "error": error}


class SourceServer(_StreamServer):
    """Sends pattern(seed, n) to each connection, then half-closes and waits
    (bounded) for the guest to close; result: bytes, seconds, mbit_s."""

    def __init__(self, n, hosts=LOOPBACK, seed="stream", **kw):
        super().__init__(hosts, **kw)
        self.n = n
        self.seed = seed
        self.sha256 = pattern_sha256(seed, n)

    def _serve(self, conn):
        start = time.monotonic()
        sent = 0
        error = None
        try:
            for piece in pattern_chunks(self.seed, self.n):
                conn.sendall(piece)
                sent += len(piece)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(1 << 16):
                pass
        except OSError as e:
            error = str(e)
        seconds = time.monotonic() - start
        return {"bytes": sent, "seconds": seconds,
                "mbit_s": sent * 8 / 1e6 / seconds if seconds > 0 else 0.0, "error": error}


class EchoServer(_StreamServer):
    """A plain echo service (stands in for the guest in self-tests)."""

    def _serve(self, conn):
        count = 0
        while True:
            piece = conn.recv(1 << 16)
            if not piece:
                break
            conn.sendall(piece)
            count += len(piece)
        conn.shutdown(socket.SHUT_WR)
        return {"bytes": count}
