#!/usr/bin/python3
"""A test PKI and TLS peers for the network system tests, to run inside
netns.py's namespace (the servers; making the PKI needs no network).

Everything comes from the `openssl` command-line tool (OpenSSL 3.0,
/usr/bin/openssl) and the Python standard library.

  TestPki(dir)   makes, in `dir`, a test root CA ("ViperOS Test Root CA",
                 RSA-2048; ca.pem is its certificate, the trust anchor a
                 guest installs), an intermediate CA signed by it, an
                 unrelated "Unknown CA", and a key plus certificate
                 chain for every server case below
  TlsServer      `openssl s_server -WWW` for one case, on one port of
                 127.0.0.1 and ::1 (one s_server per address)
  ResetPeer      accepts, reads the ClientHello, resets the connection
  GarbagePeer    accepts, reads the ClientHello, answers with ~200 bytes
                 that are not TLS, closes
  TlsPeers       a context manager: the PKI and one server per case;
                 .port[name], .ca_pem_path, .pki

The cases (CASES; every leaf also has CN = its first DNS name; "root" means
signed by the test root CA, RSA/SHA-256, unless said otherwise):

  rsa             RSA-2048 leaf, SAN DNS:test-host, root       verifies
  ecdsa           P-256 leaf, SAN DNS:test-host, root          verifies
  chain           RSA leaf for test-host signed by the         verifies
                  intermediate; the server sends leaf + intermediate
  wildcard        SAN DNS:*.wild.test-host, root               verifies as
                                                               www.wild.test-host
  expired         valid 2000-01-01 .. 2001-01-01               expired
  notyet          valid 2090-01-01 .. 2100-01-01               not yet valid
  wronghost       SAN DNS:other-host only (CN other-host)      name mismatch
  unknownca       signed by the Unknown CA, sent with that CA  untrusted
  selfsigned      self-signed leaf for test-host, CA:FALSE     untrusted
  nointermediate  leaf signed by the intermediate, sent alone  untrusted
  badsig          root-signed leaf for test-host, one bit of   bad signature
                  its signature flipped (the DER's last byte)
  tls11           valid RSA leaf; the server speaks only       no TLS 1.2
                  TLS 1.0 and 1.1                              (see below)
  noshared        valid RSA leaf; the server allows only       handshake_failure
                  AES128-SHA256 (no ECDHE) over TLS 1.2        alert
  reset           raw: a TCP RST after the ClientHello         connection reset
  garbage         raw: "HTTP/1.1 400 Bad Request..." (~200      protocol error
                  bytes) after the ClientHello, then FIN

What clients see (checked by tls_peers_test.py with Python's ssl module,
that is OpenSSL: its verify codes in brackets; a BearSSL x509_minimal
client reports the BR_ERR_X509_* in braces): expired [10] and notyet [9]
{EXPIRED, 54, for both}, wronghost [62] {BAD_SERVER_NAME, 56}, unknownca
[19] and nointermediate [20] {NOT_TRUSTED, 62}, selfsigned [18]
{NOT_TRUSTED}, badsig [7] (x509_minimal: NOT_TRUSTED when the leaf's issuer
is an anchor whose key does not verify it; platform/tls tells these apart
by what the chain holds, platform/tls/README.md). noshared answers an ECDHE-only ClientHello
with a handshake_failure alert (BearSSL: BR_ERR_RECV_FATAL_ALERT + 40).
tls11 picks TLS 1.1 for a TLS 1.2 ClientHello and then needs a suite TLS
1.1 has: a client that offers only TLS-1.2 suites (AES-GCM, ChaCha20, as
the guest does) gets a handshake_failure alert too ("no shared cipher" in
the server's log), while one that also offers a CBC suite such as
ECDHE-RSA-AES128-SHA gets a TLS 1.1 ServerHello and must refuse it itself
(BearSSL: BR_ERR_UNSUPPORTED_VERSION). Either way the server's first
record has version 3.2 (TLS 1.1: the alert is 15 03 02 00 02 02 28), while
noshared's alert record is 3.3: that is how a client tells the two apart.
garbage
starts with "HT", not a TLS record header: OpenSSL says
WRONG_VERSION_NUMBER, and BearSSL, which checks the record's major version
(0x48 here, not 3) first, BR_ERR_UNSUPPORTED_VERSION. reset reaches a
BearSSL client as a failed transport read (BR_ERR_IO through br_sslio).

How the certificates are made (OpenSSL 3.0's `x509 -req` cannot set a
start date, so everything goes through `openssl ca`, which can):
  key     openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048
          (EC: -algorithm EC -pkeyopt ec_paramgen_curve:P-256)
  request openssl req -new -key KEY -subj /CN=NAME
  sign    openssl ca -batch -config ISSUER.cnf -notext -md sha256
          -startdate YYYYMMDDHHMMSSZ -enddate ... -extfile EXT -extensions ext
          -in REQ -out CERT [-selfsign]   (a minimal generated config: its
          own database, random serials, policy "commonName supplied")
Good certificates are valid from a day before now for 10 years (CAs too).
Leaf extensions: basicConstraints critical CA:FALSE, keyUsage critical
(digitalSignature, plus keyEncipherment for RSA), extendedKeyUsage
serverAuth (not critical: BearSSL rejects critical extensions it does not
know), subjectAltName, subject and authority key identifiers. The
self-signed leaf has no keyUsage (OpenSSL would not see a cert whose
keyUsage lacks keyCertSign as self-signed, and would say 20, not 18). CAs:
basicConstraints critical CA:TRUE (the intermediate pathlen:0), keyUsage
critical keyCertSign, cRLSign. All openssl commands run with OPENSSL_CONF
set to the PKI's own minimal openssl.cnf, not the system's.

Files in the PKI directory: ca.pem (the root certificate), root/,
intermediate/, unknown-ca/ (key.pem, cert.pem, the CA database), and per
case NAME/key.pem, NAME/cert.pem (the leaf), NAME/chain.pem (what the
server sends after the leaf; only for chain: the intermediate) and
NAME/sent.pem (everything the server sends, leaf first).

The servers (s_server commands, cwd = the document root):
  openssl s_server -accept 127.0.0.1:PORT (and [::1]:PORT) -WWW
      -http_server_binmode -quiet -no-CAfile -no-CApath -no-CAstore
      -cert NAME/cert.pem -key NAME/key.pem [-cert_chain NAME/chain.pem]
      [tls11: -no_tls1_2 -no_tls1_3 -cipher DEFAULT:@SECLEVEL=0]
      [noshared: -tls1_2 -cipher AES128-SHA256]
-WWW answers `GET /PATH` with "HTTP/1.0 200 ok", a Content-type line and
the file ./PATH (no Content-Length: the body ends with the connection,
after close_notify); TlsPeers gives it HttpPeer's root, so /files/0,
/files/1, /files/1m and /files/16m are the same bytes (same SHA-256) as
over plain HTTP. s_server serves one connection at a time, keeps its
session cache on (the default: clients can resume by session ID; the
IPv4 and IPv6 servers of a case have separate caches), loads no system CA
store (-no-CA*, so it never builds a chain of its own), and logs to
WORKDIR/s_server-NAME-v4.log / -v6.log. start() returns once every
address accepts a connection; stop() kills the processes.

Safety: every server binds the given loopback (or test-made) addresses
only, and start() refuses to run outside an isolated namespace
(peers._guard()). The raw peers cap connections (64) and time (10 s per
connection).
"""

import base64
import datetime
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

OPENSSL = "/usr/bin/openssl"
HOSTNAME = "test-host"
WILD_DOMAIN = "wild." + HOSTNAME
WILDCARD_HOST = "www." + WILD_DOMAIN  # a name the wildcard case covers
ROOT_CN = "ViperOS Test Root CA"
INTERMEDIATE_CN = "ViperOS Test Intermediate CA"
UNKNOWN_CN = "Unknown CA"

# Server cases, in the order TlsPeers starts them.
CERT_CASES = ("rsa", "ecdsa", "chain", "wildcard", "expired", "notyet", "wronghost",
              "unknownca", "selfsigned", "nointermediate", "badsig", "tls11", "noshared")
RAW_CASES = ("reset", "garbage")
CASES = CERT_CASES + RAW_CASES

# The server name a client should ask for in each case (a wrong one only
# for wronghost, whose certificate names other-host).
SERVER_NAME = dict({name: HOSTNAME for name in CASES}, wildcard=WILDCARD_HOST)

# Every refused case and the enum tls_failure name (platform/tls,
# tls_failure_name()) a ViperOS client reports for it; net_test.py serves
# this as /tls/cases ("NAME PORT FAILURE" lines) for tests/network/tls_check.
REFUSALS = {
    "expired": "expired",
    "notyet": "not-yet-valid",
    "wronghost": "wrong-host",
    "unknownca": "unknown-issuer",
    "selfsigned": "self-signed",
    "nointermediate": "incomplete-chain",
    "badsig": "bad-signature",
    "tls11": "version",
    "noshared": "peer-alert",
    "reset": "reset",
    "garbage": "not-tls",
}

# Extra s_server options per case.
SERVER_OPTIONS = {
    # OpenSSL 3.0 allows TLS < 1.2 only at security level 0.
    "tls11": ["-no_tls1_2", "-no_tls1_3", "-cipher", "DEFAULT:@SECLEVEL=0"],
    # RSA key exchange only: nothing an ECDHE-only client offers.
    "noshared": ["-tls1_2", "-cipher", "AES128-SHA256"],
}

GARBAGE = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
           b"Connection: close\r\nContent-Length: 94\r\n\r\n"
           b"This is not TLS: a plain HTTP server answered the ClientHello." +
           b" " * 30 + b"\n")

DAY = datetime.timedelta(days=1)


class PkiError(RuntimeError):
    pass


def _asn1(when):
    """A date as `openssl ca -startdate/-enddate` takes it (it writes a
    UTCTime up to 2049, a GeneralizedTime from 2050)."""
    return when.strftime("%Y%m%d%H%M%SZ")


def pem_to_der(text):
    body = "".join(line for line in text.splitlines()
                   if line and not line.startswith("-----"))
    return base64.b64decode(body)


def der_to_pem(der, label="CERTIFICATE"):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def der_element(der, at):
    """(tag, start of contents, end of element) of the DER element at `at`."""
    tag = der[at]
    length = der[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[at:at + count], "big")
        at += count
    return tag, at, at + length


def flip_signature_bit(der):
    """The certificate `der` with the lowest bit of the last byte of its
    signature BIT STRING flipped. Certificate ::= SEQUENCE { tbsCertificate,
    signatureAlgorithm, signatureValue BIT STRING }: the BIT STRING is the
    last element, so its last byte is the DER's last byte (checked)."""
    tag, at, end = der_element(der, 0)
    if tag != 0x30 or end != len(der):
        raise PkiError("not a DER certificate (outer SEQUENCE)")
    children = []
    while at < end:
        child = der_element(der, at)
        children.append(child)
        at = child[2]
    if len(children) != 3 or children[2][0] != 0x03 or children[2][2] != len(der):
        raise PkiError("unexpected certificate layout: %s" % [c[0] for c in children])
    out = bytearray(der)
    out[-1] ^= 0x01
    return bytes(out)


class Credential:
    """A key and certificate: .key, .cert (PEM paths), .chain (PEM of the
    certificates a server sends after .cert, or None), .sent (all it sends)."""

    def __init__(self, name, folder):
        self.name = name
        self.dir = folder
        self.key = os.path.join(folder, "key.pem")
        self.cert = os.path.join(folder, "cert.pem")
        self.chain = None
        self.sent = os.path.join(folder, "sent.pem")

    def __repr__(self):
        return "Credential(%r, %r)" % (self.name, self.dir)


class TestPki:
    """The test PKI, made in `dir` by the constructor (see the module
    docstring): .ca_pem (root certificate), .root, .intermediate,
    .unknown_ca and .cred[case] (Credential). `ca_key` "rsa" (RSA-2048,
    the default) or "ec" (P-256) is the key type of the three CAs; leaves
    are RSA-2048 except ecdsa (P-256). `now` (a UTC datetime) fixes the
    validity of the good certificates."""

    __test__ = False  # not a unittest class

    def __init__(self, dir, ca_key="rsa", now=None, openssl=OPENSSL):
        if ca_key not in ("rsa", "ec"):
            raise ValueError("ca_key is 'rsa' or 'ec', not %r" % ca_key)
        if not os.access(openssl, os.X_OK):
            raise PkiError("no openssl at %s (Debian package openssl)" % openssl)
        self.openssl = openssl
        self.dir = os.path.abspath(dir)
        os.makedirs(self.dir, exist_ok=True)
        self.config = os.path.join(self.dir, "openssl.cnf")
        with open(self.config, "w") as f:
            f.write("# ViperOS test PKI: openssl runs with this file, not the system's.\n"
                    "[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = unused\n")
        self.env = dict(os.environ, OPENSSL_CONF=self.config)
        now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        now = now.replace(microsecond=0)
        self.good = (now - DAY, now - DAY + 3650 * DAY)
        self.ca_pem = os.path.join(self.dir, "ca.pem")
        self.cred = {}
        self._make(ca_key)

    # -- openssl

    def run(self, args, what):
        """Runs `openssl ARGS`; raises PkiError with its output on failure."""
        cmd = [self.openssl] + list(args)
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=self.env, cwd=self.dir)
        if done.returncode != 0:
            raise PkiError("%s: `%s` failed (%d):\n%s" % (
                what, " ".join(cmd), done.returncode, done.stdout.decode(errors="replace")))
        return done.stdout.decode(errors="replace")

    def _keys(self, wanted):
        """Generates [(path, "rsa"|"ec")] keys, a few at a time."""
        running = []
        jobs = list(wanted)
        parallel = max(2, os.cpu_count() or 2)
        while jobs or running:
            while jobs and len(running) < parallel:
                path, kind = jobs.pop(0)
                args = ["genpkey", "-quiet", "-out", path]
                if kind == "rsa":
                    args += ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
                else:
                    args += ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                             "-pkeyopt", "ec_param_enc:named_curve"]
                proc = subprocess.Popen([self.openssl] + args, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env=self.env, cwd=self.dir)
                running.append((proc, path, args))
            proc, path, args = running.pop(0)
            out = proc.communicate()[0]
            if proc.returncode != 0:
                for other, _, _ in running:
                    other.wait()
                raise PkiError("key %s: `openssl %s` failed (%d):\n%s" % (
                    path, " ".join(args), proc.returncode, out.decode(errors="replace")))

    def _issuer_config(self, issuer):
        """A minimal `openssl ca` configuration for `issuer` (its own
        database in its folder)."""
        db = os.path.join(issuer.dir, "db")
        shutil.rmtree(db, ignore_errors=True)
        os.makedirs(db)
        open(os.path.join(db, "index.txt"), "w").close()
        path = os.path.join(issuer.dir, "ca.cnf")
        with open(path, "w") as f:
            f.write("[ ca ]\ndefault_ca = issuer\n"
                    "[ issuer ]\n"
                    "database = %s\n"
                    "new_certs_dir = %s\n"
                    "certificate = %s\n"
                    "private_key = %s\n"
                    "rand_serial = yes\n"
                    "default_md = sha256\n"
                    "policy = policy_cn\n"
                    "unique_subject = no\n"
                    "email_in_dn = no\n"
                    "copy_extensions = none\n"
                    "[ policy_cn ]\ncommonName = supplied\n" % (
                        os.path.join(db, "index.txt"), db, issuer.cert, issuer.key))
        return path

    def _sign(self, cred, cn, extensions, issuer, validity):
        """Makes cred.cert for cred.key: subject CN=cn, `extensions` (lines
        of an openssl extension section), signed by `issuer` (a Credential,
        None for self-signed), valid over `validity` (start, end)."""
        request = os.path.join(cred.dir, "request.pem")
        self.run(["req", "-new", "-key", cred.key, "-subj", "/CN=" + cn, "-out", request],
                 "request for %s" % cred.name)
        ext = os.path.join(cred.dir, "ext.cnf")
        with open(ext, "w") as f:
            f.write("[ ext ]\n" + "\n".join(extensions) + "\n")
        signer = issuer or cred
        config = self._issuer_config(signer)
        args = ["ca", "-batch", "-config", config, "-notext", "-md", "sha256",
                "-startdate", _asn1(validity[0]), "-enddate", _asn1(validity[1]),
                "-extfile", ext, "-extensions", "ext", "-in", request, "-out", cred.cert]
        if issuer is None:
            args += ["-selfsign", "-keyfile", cred.key]
        self.run(args, "certificate for %s" % cred.name)

    def _new(self, name):
        cred = Credential(name, os.path.join(self.dir, name))
        os.makedirs(cred.dir, exist_ok=True)
        return cred

    @staticmethod
    def _ca_extensions(pathlen=None, issued=True):
        lines = ["basicConstraints = critical, CA:TRUE%s" %
                 ("" if pathlen is None else ", pathlen:%d" % pathlen),
                 "keyUsage = critical, keyCertSign, cRLSign",
                 "subjectKeyIdentifier = hash"]
        if issued:
            lines.append("authorityKeyIdentifier = keyid:always")
        return lines

    @staticmethod
    def _leaf_extensions(names, kind, key_usage=True, issued=True):
        lines = ["basicConstraints = critical, CA:FALSE",
                 "extendedKeyUsage = serverAuth",
                 "subjectAltName = " + ", ".join("DNS:" + n for n in names),
                 "subjectKeyIdentifier = hash"]
        if key_usage:
            lines.append("keyUsage = critical, digitalSignature%s" %
                         (", keyEncipherment" if kind == "rsa" else ""))
        if issued:
            lines.append("authorityKeyIdentifier = keyid:always")
        return lines

    def _make(self, ca_key):
        self.root = self._new("root")
        self.intermediate = self._new("intermediate")
        self.unknown_ca = self._new("unknown-ca")
        leaves = {
            # name: (key, names, issuer, validity)
            "rsa": ("rsa", [HOSTNAME], "root", self.good),
            "ecdsa": ("ec", [HOSTNAME], "root", self.good),
            "chain": ("rsa", [HOSTNAME], "intermediate", self.good),
            "wildcard": ("rsa", ["*." + WILD_DOMAIN], "root", self.good),
            "expired": ("rsa", [HOSTNAME], "root", (datetime.datetime(2000, 1, 1),
                                                    datetime.datetime(2001, 1, 1))),
            "notyet": ("rsa", [HOSTNAME], "root", (datetime.datetime(2090, 1, 1),
                                                   datetime.datetime(2100, 1, 1))),
            "wronghost": ("rsa", ["other-host"], "root", self.good),
            "unknownca": ("rsa", [HOSTNAME], "unknown", self.good),
            "selfsigned": ("rsa", [HOSTNAME], None, self.good),
            "nointermediate": ("rsa", [HOSTNAME], "intermediate", self.good),
            "badsig": ("rsa", [HOSTNAME], "root", self.good),
            "tls11": ("rsa", [HOSTNAME], "root", self.good),
            "noshared": ("rsa", [HOSTNAME], "root", self.good),
        }
        assert tuple(leaves) == CERT_CASES
        for name in CERT_CASES:
            self.cred[name] = self._new(name)
        self._keys([(c.key, ca_key) for c in (self.root, self.intermediate, self.unknown_ca)] +
                   [(self.cred[n].key, leaves[n][0]) for n in CERT_CASES])

        self._sign(self.root, ROOT_CN, self._ca_extensions(issued=False), None, self.good)
        self._sign(self.intermediate, INTERMEDIATE_CN, self._ca_extensions(pathlen=0),
                   self.root, self.good)
        self._sign(self.unknown_ca, UNKNOWN_CN, self._ca_extensions(issued=False), None,
                   self.good)
        shutil.copyfile(self.root.cert, self.ca_pem)
        issuers = {"root": self.root, "intermediate": self.intermediate,
                   "unknown": self.unknown_ca, None: None}
        for name in CERT_CASES:
            kind, names, issuer, validity = leaves[name]
            selfsigned = issuer is None
            self._sign(self.cred[name], names[0],
                       self._leaf_extensions(names, kind, key_usage=not selfsigned,
                                             issued=not selfsigned),
                       issuers[issuer], validity)
        with open(self.cred["badsig"].cert) as f:
            der = pem_to_der(f.read())
        with open(self.cred["badsig"].cert, "w") as f:
            f.write(der_to_pem(flip_signature_bit(der)))
        # What each server sends after its leaf.
        # unknownca sends its root too: the chain then ends at a root the guest
        # does not hold ("unknown issuer"), where a leaf alone would look
        # like nointermediate's chain cut short.
        for name, extra in (("chain", self.intermediate), ("unknownca", self.unknown_ca)):
            cred = self.cred[name]
            cred.chain = os.path.join(cred.dir, "chain.pem")
            shutil.copyfile(extra.cert, cred.chain)
        for cred in self.cred.values():
            with open(cred.sent, "w") as out:
                for path in [cred.cert] + ([cred.chain] if cred.chain else []):
                    with open(path) as f:
                        out.write(f.read())

    def describe(self, name):
        """`openssl x509 -text` of a case's (or CA's) certificate."""
        cred = {"root": self.root, "intermediate": self.intermediate,
                "unknown-ca": self.unknown_ca}.get(name) or self.cred[name]
        return self.run(["x509", "-in", cred.cert, "-noout", "-text"], "describe " + name)


# ---------------------------------------------------------------- servers

def _can_connect(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class TlsServer:
    """`openssl s_server -WWW` for one credential, serving `docroot`, on one
    port (.port) of every address in `hosts` (an s_server each). `options`
    are extra s_server arguments; logs go to WORKDIR/s_server-NAME-v4.log
    (-v6.log). start() waits until every address accepts."""

    def __init__(self, name, cred, docroot, workdir, hosts=peers.LOOPBACK, options=(),
                 openssl=OPENSSL, env=None, avoid=()):
        self.name = name
        self.cred = cred
        self.docroot = docroot
        self.workdir = workdir
        self.hosts = list(hosts)
        self.options = list(options)
        self.openssl = openssl
        self.env = env
        self.avoid = set(avoid)  # ports not to pick (other servers' picks)
        self.port = None
        self.procs = []
        self.logs = []

    def command(self, host, port):
        cmd = [self.openssl, "s_server", "-accept", "%s:%d" % (peers.host_for_url(host), port),
               "-WWW", "-http_server_binmode", "-quiet",
               "-no-CAfile", "-no-CApath", "-no-CAstore",
               "-cert", self.cred.cert, "-key", self.cred.key]
        if self.cred.chain:
            cmd += ["-cert_chain", self.cred.chain]
        return cmd + self.options

    def log_path(self, host):
        index = self.hosts.index(host)
        tag = "v6" if ":" in host else "v4"
        if [h for h in self.hosts[:index] if (":" in h) == (":" in host)]:
            tag += "-%d" % index
        return os.path.join(self.workdir, "s_server-%s-%s.log" % (self.name, tag))

    def output(self):
        text = []
        for path in self.logs:
            try:
                with open(path, errors="replace") as f:
                    text.append("%s:\n%s" % (path, f.read()))
            except OSError:
                pass
        return "\n".join(text)

    def launch(self):
        """Starts the processes on a free port; returns without waiting."""
        peers._guard()
        for _ in range(20):
            port = peers.free_port(self.hosts)
            if port not in self.avoid:
                break
        self.port = port
        self.procs = []
        self.logs = []
        for host in self.hosts:
            log = self.log_path(host)
            self.logs.append(log)
            with open(log, "wb") as out:
                self.procs.append(subprocess.Popen(
                    self.command(host, port), cwd=self.docroot, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=subprocess.STDOUT, env=self.env))

    def ready(self):
        """True once every address accepts; raises if a process exited."""
        for proc in self.procs:
            if proc.poll() is not None:
                raise _Exited(proc.returncode)
        return all(_can_connect(h, self.port) for h in self.hosts)

    def start(self, timeout=10.0, attempts=5):
        for attempt in range(attempts):
            self.launch()
            try:
                self.wait(timeout)
                return self
            except _Exited as e:
                output = self.output()
                self.stop()
                if "in use" in output and attempt + 1 < attempts:
                    continue  # someone took the port meanwhile: another one
                raise RuntimeError("openssl s_server for %s exited (%d): %s" % (
                    self.name, e.status, output))

    def wait(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not self.ready():
            if time.monotonic() >= deadline:
                output = self.output()
                self.stop()
                raise RuntimeError("openssl s_server for %s did not accept on port %d within "
                                   "%.0f s: %s" % (self.name, self.port, timeout, output))
            time.sleep(0.05)

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _Exited(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _RawTlsPeer(peers._StreamServer):
    """Accepts (at most 64 connections, 10 s each) and reads the client's
    first TLS record (the ClientHello) before doing its thing; results:
    {"bytes": bytes of the record read, "client_hello": bool}."""

    def __init__(self, hosts=peers.LOOPBACK, max_connections=64, idle=10.0):
        super().__init__(hosts, max_connections=max_connections, idle=idle)

    @staticmethod
    def read_record(conn):
        data = b""
        while len(data) < 5:
            piece = conn.recv(5 - len(data))
            if not piece:
                return data
            data += piece
        want = 5 + min(struct.unpack(">H", data[3:5])[0], 1 << 15)
        while len(data) < want:
            piece = conn.recv(want - len(data))
            if not piece:
                break
            data += piece
        return data

    def _serve(self, conn):
        record = self.read_record(conn)
        result = {"bytes": len(record),
                  "client_hello": len(record) > 5 and record[0] == 0x16 and record[5] == 0x01}
        try:
            self._act(conn)
        except OSError as e:
            result["error"] = str(e)
        return result


class ResetPeer(_RawTlsPeer):
    """Reads the ClientHello, then closes with SO_LINGER {1, 0}: the client
    gets a TCP RST in the middle of its handshake."""

    def _act(self, conn):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class GarbagePeer(_RawTlsPeer):
    """Reads the ClientHello, answers GARBAGE (an HTTP 400 response, ~200
    bytes, no TLS record), half-closes and reads until the client closes
    (so the close is a FIN, not a RST)."""

    def _act(self, conn):
        conn.sendall(GARBAGE)
        try:
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(4096):
                pass
        except OSError:
            pass  # the client gave up first (and may have reset)


class TlsPeers:
    """Every TLS case at once (CASES): makes the PKI in WORKDIR/pki
    (TestPki), starts a TlsServer per certificate case with `root` as its
    document root (give it HttpPeer.root to serve the same /files/...), and
    the raw reset and garbage peers, all on `hosts`. .port[name],
    .ca_pem_path (the root CA's PEM, for a client's trust store),
    .pki, .servers[name]."""

    def __init__(self, root, workdir, hosts=peers.LOOPBACK, ca_key="rsa"):
        self.root = root
        self.workdir = workdir
        self.hosts = list(hosts)
        self.ca_key = ca_key
        self.pki = None
        self.port = {}
        self.servers = {}
        self.raw = {}

    @property
    def ca_pem_path(self):
        return self.pki.ca_pem

    def start(self):
        peers._guard()
        if not os.path.isdir(self.root):
            raise RuntimeError("TLS document root %s does not exist" % self.root)
        os.makedirs(self.workdir, exist_ok=True)
        self.pki = TestPki(os.path.join(self.workdir, "pki"), ca_key=self.ca_key)
        try:
            for name in CERT_CASES:
                server = TlsServer(name, self.pki.cred[name], self.root, self.workdir,
                                   self.hosts, SERVER_OPTIONS.get(name, ()),
                                   env=self.pki.env, avoid=set(self.port.values()))
                self.servers[name] = server
                server.launch()
                self.port[name] = server.port
            for name in CERT_CASES:
                # Launched together, waited for together; a port taken in
                # between gets its server started again.
                try:
                    self.servers[name].wait()
                except _Exited:
                    self.servers[name].stop()
                    self.servers[name].avoid = set(self.port.values())
                    self.servers[name].start()
                    self.port[name] = self.servers[name].port
            for name, kind in (("reset", ResetPeer), ("garbage", GarbagePeer)):
                self.raw[name] = kind(self.hosts).start()
                self.port[name] = self.raw[name].port
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for server in self.servers.values():
            server.stop()
        for peer in self.raw.values():
            peer.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def cases_text(self):
        """The refused cases as "NAME PORT FAILURE" lines (REFUSALS)."""
        return "".join("%s %d %s\n" % (name, self.port[name], failure)
                       for name, failure in REFUSALS.items())

    def summary(self):
        return ", ".join("%s %d" % (name, self.port[name]) for name in CASES if name in self.port)
