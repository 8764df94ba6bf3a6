#!/usr/bin/python3
"""Self-tests of tls_peers.py, without QEMU, inside a fresh network namespace
(the test enters it itself; it fails, loudly, if it cannot). The client is
Python's ssl module (OpenSSL), trusting only the test CA, TLS 1.2 only, with
the server name set, as the guest's BearSSL client would connect; one check
uses `openssl s_client` the same way."""

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

netns.enter(private_resolv=True)

import peers  # noqa: E402
import tls_peers  # noqa: E402

# The guest's suites: ECDHE with AES-GCM or ChaCha20-Poly1305.
GUEST_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"


def context(ca, low=ssl.TLSVersion.TLSv1_2, high=ssl.TLSVersion.TLSv1_2, ciphers=None,
            verify=True, tickets=True):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify:
        ctx.load_verify_locations(cafile=ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        # The TLS 1.0/1.1 clients of the tls11 check.
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = low
        ctx.maximum_version = high
    if ciphers:
        ctx.set_ciphers(ciphers)
    if not tickets:
        ctx.options |= ssl.OP_NO_TICKET
    return ctx


def get(ctx, port, server_name, path="/files/1", host="127.0.0.1", session=None):
    """(status line, body, the SSL socket's version, cipher, session,
    session_reused) of `GET path` over TLS (s_server -WWW closes after it)."""
    raw = socket.create_connection((host, port), timeout=20)
    try:
        conn = ctx.wrap_socket(raw, server_hostname=server_name, session=session)
    except BaseException:
        raw.close()
        raise
    with conn:
        conn.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
        data = b""
        while True:
            piece = conn.recv(1 << 16)
            if not piece:
                break
            data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        return {"status": head.split(b"\r\n")[0].decode(), "body": body,
                "version": conn.version(), "cipher": conn.cipher()[0],
                "session": conn.session, "reused": conn.session_reused}


class TlsPeersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.started = time.monotonic()
        cls.work = tempfile.mkdtemp(prefix="viper-tls-", dir=os.environ.get("TEST_TMPDIR"))
        cls.http = peers.HttpPeer().start()
        try:
            cls.tls = tls_peers.TlsPeers(cls.http.root, cls.work).start()
        except BaseException:
            cls.http.stop()
            raise
        cls.ca = cls.tls.ca_pem_path
        print("tls_peers_test: PKI and servers up in %.1f s" % (time.monotonic() - cls.started),
              file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tls.stop()
        cls.http.stop()
        if not os.environ.get("TEST_TMPDIR"):
            shutil.rmtree(cls.work, ignore_errors=True)
        for server in cls.tls.servers.values():
            for proc in server.procs:
                assert proc.poll() is not None, "s_server %d still runs" % proc.pid

    def test_cases_and_ports(self):
        self.assertEqual(sorted(self.tls.port), sorted(tls_peers.CASES))
        lines = self.tls.cases_text().splitlines()
        self.assertEqual(len(lines), 11)
        self.assertIn("expired %d expired" % self.tls.port["expired"], lines)
        self.assertFalse(set(tls_peers.REFUSALS) - set(tls_peers.CASES))
        self.assertEqual(len(set(self.tls.port.values())), len(tls_peers.CASES))
        with open(self.ca) as f:
            self.assertIn("BEGIN CERTIFICATE", f.read())

    def test_good_cases_verify_and_serve_the_files(self):
        ctx = context(self.ca, ciphers=GUEST_CIPHERS)
        for name in ("rsa", "ecdsa", "chain", "wildcard"):
            for host in peers.LOOPBACK:
                with self.subTest(name=name, host=host):
                    got = get(ctx, self.tls.port[name], tls_peers.SERVER_NAME[name], host=host)
                    self.assertEqual(got["status"], "HTTP/1.0 200 ok")
                    self.assertEqual(got["body"], peers.pattern("files/1", 1))
                    self.assertEqual(got["version"], "TLSv1.2")
                    self.assertTrue(got["cipher"].startswith(
                        "ECDHE-ECDSA-" if name == "ecdsa" else "ECDHE-RSA-"), got["cipher"])
        self.assertEqual(tls_peers.SERVER_NAME["wildcard"], "www.wild.test-host")

    def test_big_file_same_sha256_as_http(self):
        got = get(context(self.ca), self.tls.port["rsa"], "test-host", "/files/1m")
        self.assertEqual(hashlib.sha256(got["body"]).hexdigest(), self.http.sha256["/files/1m"])

    def test_resumption_by_session_id(self):
        ctx = context(self.ca, ciphers=GUEST_CIPHERS, tickets=False)
        first = get(ctx, self.tls.port["rsa"], "test-host")
        self.assertFalse(first["reused"])
        second = get(ctx, self.tls.port["rsa"], "test-host", session=first["session"])
        self.assertTrue(second["reused"])
        self.assertEqual(second["body"], peers.pattern("files/1", 1))

    def test_verification_failures(self):
        expected = {
            "expired": (10, "certificate has expired"),
            "notyet": (9, "certificate is not yet valid"),
            "wronghost": (62, "Hostname mismatch, certificate is not valid for 'test-host'."),
            "unknownca": (19, "self-signed certificate in certificate chain"),
            "selfsigned": (18, "self-signed certificate"),
            "nointermediate": (20, "unable to get local issuer certificate"),
            "badsig": (7, "certificate signature failure"),
        }
        ctx = context(self.ca, ciphers=GUEST_CIPHERS)
        for name, (code, message) in expected.items():
            with self.subTest(name=name):
                with self.assertRaises(ssl.SSLCertVerificationError) as caught:
                    get(ctx, self.tls.port[name], "test-host")
                self.assertEqual((caught.exception.verify_code,
                                  caught.exception.verify_message), (code, message))
        # The wildcard does not cover test-host itself (the leftmost label only).
        with self.assertRaises(ssl.SSLCertVerificationError) as caught:
            get(ctx, self.tls.port["wildcard"], "test-host")
        self.assertEqual(caught.exception.verify_code, 62)

    def test_s_client(self):
        """The openssl s_client command line of the brief: rsa verifies (0),
        expired does not (10)."""
        for name, code in (("rsa", 0), ("expired", 10)):
            done = subprocess.run(
                [tls_peers.OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % self.tls.port[name],
                 "-servername", "test-host", "-verify_return_error", "-verify_hostname",
                 "test-host", "-CAfile", self.ca, "-tls1_2", "-ign_eof"],
                input=b"GET /files/1 HTTP/1.0\r\n\r\n", stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, timeout=20, env=self.tls.pki.env)
            out = done.stdout.decode(errors="replace")
            if code:
                self.assertIn("verify error:num=%d:" % code, out)
            else:
                self.assertIn("Verify return code: 0 (ok)", out)
                self.assertIn("HTTP/1.0 200 ok", out)
            self.assertEqual(done.returncode != 0, code != 0, out)

    def test_tls11_refuses_tls12_only_client(self):
        # A client offering only TLS-1.2 suites (the guest's AEAD ones): the
        # server picks TLS 1.1, finds no suite for it, and sends a
        # handshake_failure alert.
        with self.assertRaises(ssl.SSLError) as caught:
            get(context(self.ca, ciphers=GUEST_CIPHERS), self.tls.port["tls11"], "test-host")
        self.assertEqual(caught.exception.reason, "SSLV3_ALERT_HANDSHAKE_FAILURE",
                         caught.exception)
        # A TLS-1.2-only client that also offers a suite TLS 1.1 has gets a
        # TLS 1.1 ServerHello, and refuses it itself.
        with self.assertRaises(ssl.SSLError) as caught:
            get(context(self.ca, ciphers="ECDHE-RSA-AES128-SHA:" + GUEST_CIPHERS),
                self.tls.port["tls11"], "test-host")
        self.assertNotIsInstance(caught.exception, ssl.SSLCertVerificationError)
        self.assertEqual(caught.exception.reason, "UNSUPPORTED_PROTOCOL", caught.exception)
        # It does speak TLS 1.1 (and 1.0), and its certificate is fine.
        for version in (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1):
            got = get(context(self.ca, version, version, "DEFAULT:@SECLEVEL=0"),
                      self.tls.port["tls11"], "test-host")
            self.assertEqual((got["version"], got["body"]),
                             (version.name.replace("_", "."), peers.pattern("files/1", 1)))

    def test_noshared_refuses_ecdhe_only_client(self):
        with self.assertRaises(ssl.SSLError) as caught:
            get(context(self.ca, ciphers=GUEST_CIPHERS), self.tls.port["noshared"], "test-host")
        self.assertEqual(caught.exception.reason, "SSLV3_ALERT_HANDSHAKE_FAILURE",
                         caught.exception)
        got = get(context(self.ca, ciphers="AES128-SHA256"), self.tls.port["noshared"],
                  "test-host")
        self.assertEqual((got["cipher"], got["body"]),
                         ("AES128-SHA256", peers.pattern("files/1", 1)))

    def test_reset(self):
        before = len(self.tls.raw["reset"].results)
        for host in peers.LOOPBACK:
            with self.assertRaises(ConnectionResetError):
                get(context(self.ca), self.tls.port["reset"], "test-host", host=host)
        results = self.tls.raw["reset"].wait(before + 2, timeout=5)[before:]
        self.assertEqual([r["client_hello"] for r in results], [True, True], results)

    def test_garbage(self):
        before = len(self.tls.raw["garbage"].results)
        with self.assertRaises(ssl.SSLError) as caught:
            get(context(self.ca), self.tls.port["garbage"], "test-host")
        self.assertNotIsInstance(caught.exception, ssl.SSLCertVerificationError)
        self.assertIn(caught.exception.reason, ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE",
                                                "PACKET_LENGTH_TOO_LONG"), caught.exception)
        results = self.tls.raw["garbage"].wait(before + 1, timeout=5)[before:]
        self.assertTrue(results and results[0].get("client_hello"), results)
        self.assertGreater(len(tls_peers.GARBAGE), 150)
        self.assertFalse(tls_peers.GARBAGE.startswith(b"\x16"))

    def test_badsig_is_one_bit_off(self):
        with open(os.path.join(self.tls.pki.cred["badsig"].cert)) as f:
            der = tls_peers.pem_to_der(f.read())
        again = tls_peers.flip_signature_bit(der)
        self.assertEqual(len(again), len(der))
        self.assertEqual([i for i in range(len(der)) if der[i] != again[i]], [len(der) - 1])
        with self.assertRaises(tls_peers.PkiError):
            tls_peers.flip_signature_bit(der[:-1])

    def test_files_the_servers_send(self):
        pki = self.tls.pki
        for name, count in (("rsa", 1), ("chain", 2), ("nointermediate", 1), ("unknownca", 2)):
            with open(pki.cred[name].sent) as f:
                self.assertEqual(f.read().count("BEGIN CERTIFICATE"), count, name)
        self.assertIn("-cert_chain", self.tls.servers["chain"].command("127.0.0.1", 1))
        self.assertNotIn("-cert_chain", self.tls.servers["nointermediate"].command("::1", 1))

    def test_ec_root(self):
        pki = tls_peers.TestPki(os.path.join(self.work, "ec-pki"), ca_key="ec")
        self.assertIn("id-ecPublicKey", pki.describe("root"))
        self.assertIn("Issuer: CN = Unknown CA", pki.describe("unknownca"))
        self.assertIn("ecdsa-with-SHA256", pki.describe("rsa"))
        for name, ok in (("rsa", True), ("chain", True), ("expired", False)):
            done = subprocess.run(
                [tls_peers.OPENSSL, "verify", "-CAfile", pki.ca_pem, "-untrusted",
                 pki.intermediate.cert, "-verify_hostname", "test-host", pki.cred[name].cert],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=pki.env)
            self.assertEqual(done.returncode == 0, ok, done.stdout)


if __name__ == "__main__":
    unittest.main()
