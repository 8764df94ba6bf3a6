#!/usr/bin/python3
"""A pretend guest for net_test_test.py: started like QEMU (net_test.py adds
-netdev/-device), it talks over stdin/stdout like a serial console and
reaches the peers the way a guest behind slirp would, with 10.0.2.2 meaning
127.0.0.1. For each hostfwd=tcp:127.0.0.1:H-:G it serves an echo service on
127.0.0.1:H itself (standing in for slirp plus a guest echo server on G).

Commands: fetch HOST PORT PATH | resolve NAME | leak NAME | send HOST PORT N |
recv HOST PORT | poweroff"""

import hashlib
import http.client
import os
import re
import socket
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
