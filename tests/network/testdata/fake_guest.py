#!/usr/bin/python3
"""A pretend guest for net_test_test.py: started like QEMU (net_test.py adds
-netdev/-device), it talks over stdin/stdout like a serial console and
reaches the peers the way a guest behind slirp would, with 10.0.2.2 meaning
127.0.0.1. For each hostfwd=tcp:127.0.0.1:H-:G it serves an echo service on
127.0.0.1:H itself (standing in for slirp plus a guest echo server on G).

Commands: fetch HOST PORT PATH | resolve NAME | leak NAME | send HOST PORT N |
recv HOST PORT | tlsfetch HOST HTTPPORT NAME PORT PATH | poweroff

tlsfetch fetches the test CA over HTTP (HOST:HTTPPORT/certs/test-ca.pem),
then PATH over TLS 1.2 from HOST:PORT as server NAME, trusting only that
CA and offering only ECDHE with AES-GCM or ChaCha20 (as the guest's BearSSL
client does)."""

import hashlib
import http.client
import os
import re
import socket
import ssl
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import peers  # noqa: E402

SLIRP = {"10.0.2.2": "127.0.0.1", "fec0::2": "::1"}


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def echo_service(port):
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(4)
        while True:
            conn, _ = server.accept()
            with conn:
                while True:
                    piece = conn.recv(65536)
                    if not piece:
                        break
                    conn.sendall(piece)


def fetch(host, port, path):
    for _ in range(8):
        conn = http.client.HTTPConnection(SLIRP.get(host, host), int(port), timeout=30)
        conn.request("GET", path, headers={"Host": "%s:%s" % (host, port)})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 302:
            return response.status, body
        url = urllib.parse.urljoin("http://%s:%s%s" % (host, port, path),
                                   response.getheader("Location"))
        parts = urllib.parse.urlsplit(url)
        host, port, path = parts.hostname, parts.port, parts.path
    return 310, b""


def tls_fetch(host, http_port, name, port, path):
    status, ca = fetch(host, http_port, "/certs/test-ca.pem")
    if status != 200:
        return "tls error: the CA download gave status %d" % status
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=ca.decode())
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    try:
        with socket.create_connection((SLIRP.get(host, host), int(port)), timeout=30) as raw:
            with ctx.wrap_socket(raw, server_hostname=name) as conn:
                conn.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
                data = b""
                while True:
                    piece = conn.recv(65536)
                    if not piece:
                        break
                    data += piece
    except ssl.SSLCertVerificationError as e:
        return "tls error verify_code=%d" % e.verify_code
    except ssl.SSLError as e:
        return "tls error reason=%s" % e.reason
    head, _, body = data.partition(b"\r\n\r\n")
    return "tlsfetched %s %s bytes=%d sha256=%s" % (
        path, head.split(b"\r\n")[0].decode(), len(body), hashlib.sha256(body).hexdigest())


def main():
    args = sys.argv[1:]
    for arg in args:
        for port in re.findall(r"hostfwd=tcp:127\.0\.0\.1:(\d+)-:\d+", arg):
            threading.Thread(target=echo_service, args=(int(port),), daemon=True).start()
    net = "with a network" if "-netdev" in args else "without a network"
    say("fake guest up %s" % net)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        verb = words[0]
        try:
            if verb == "fetch":
                status, body = fetch(*words[1:4])
                say("fetched %s status=%d bytes=%d sha256=%s" % (
                    words[3], status, len(body), hashlib.sha256(body).hexdigest()))
            elif verb == "resolve":
                _, rcode, answers = peers.dns_ask("127.0.0.1", words[1], 1)
                say("resolved %s rcode=%d %s" % (words[1], rcode,
                                                 " ".join(a for _, a in answers)))
            elif verb == "leak":
                # What slirp does with a query to its forwarder under netns --private-resolv.
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.sendto(peers.dns_query(words[1], 1), ("127.0.0.3", 53))
                say("leaked %s" % words[1])
            elif verb == "send":
                with socket.create_connection((SLIRP.get(words[1], words[1]), int(words[2])),
                                              timeout=30) as s:
                    s.sendall(peers.pattern("stream", int(words[3])))
                say("sent %s" % words[3])
            elif verb == "recv":
                h, count = hashlib.sha256(), 0
                with socket.create_connection((SLIRP.get(words[1], words[1]), int(words[2])),
                                              timeout=30) as s:
                    while True:
                        piece = s.recv(65536)
                        if not piece:
                            break
                        h.update(piece)
                        count += len(piece)
                say("received %d sha256=%s" % (count, h.hexdigest()))
            elif verb == "tlsfetch":
                say(tls_fetch(*words[1:6]))
            elif verb == "poweroff":
                say("powering off")
                return 0
            else:
                say("unknown command %s" % verb)
        except OSError as e:
            say("error: %s" % e)
        say("guest> ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
