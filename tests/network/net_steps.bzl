"""Steps of the network system tests (//tests/network), the same for
microkernel and hybrid. Placeholders ({http_port}, {sha256:PATH}, ...) are
net_test.py's."""

load("//tests/qemu:qemu_test.bzl", "expect", "send")
load(":net_test.bzl", "host")

PROMPT = "SYS:> "

def command(line, *patterns):
    """Types `line` and expects each pattern in turn, then the prompt."""
    return [send(line + "\\n")] + [expect(p) for p in patterns] + [expect(PROMPT)]

def fetch_ok(url, path, to = "T:f"):
    """Fetches `url` to a file with HASH: the body's SHA-256 is the peer's."""
    return command(
        "fetch %s TO %s HASH" % (url, to),
        "^fetch: {size:%s} bytes from " % path,
        "^sha256 {sha256:%s}$" % path,
    )

# To the prompt, then until DHCP has given the address: the stack asks on
# its own thread, so its report and the prompt come in either order.
BOOT = [expect("ViperOS 0\\.1\\.0 shell: type Help for commands"), expect(PROMPT)] + command(
    "netinfo WAIT 60",
    "^  inet   10\\.0\\.2\\.15/24 \\(DHCP\\)$",
)

END = [send("EndShell\\n"), expect("EndShell: goodbye")]

# Files of 0 bytes, 1 byte, 1 MiB and 16 MiB by address, checked by SHA-256;
# the connection is seen in netstat's counters.
FETCH = (
    fetch_ok("http://{host}:{http_port}/files/0", "/files/0") +
    fetch_ok("http://{host}:{http_port}/files/1", "/files/1") +
    fetch_ok("http://{host}:{http_port}/files/1m", "/files/1m") +
    fetch_ok("http://{host}:{http_port}/files/16m", "/files/16m") +
    command("netstat", "^  tcp   [1-9][0-9]* segments in") +
    command("ping {host} COUNT 3", "^3 sent, 3 received, 0% lost$", "^round trip min/avg/max = ")
)

# HTTP's cases: chunked, redirects, every failure with its message.
HTTP = (
    fetch_ok("http://{host}:{http_port}/chunked/100000", "/chunked/100000") +
    fetch_ok("http://{host}:{http_port}/redirect/3/files/1m", "/files/1m") +
    command("fetch http://{host}:{http_port}/loop/a", "^fetch: .*: redirect loop$") +
    command("fetch http://{host}:{http_port}/redirect/6/files/1", "^fetch: .*: too many redirects$") +
    command(
        "fetch http://{host}:{http_port}/close-mid-body/1048576 TO T:c",
        "^fetch: .*: truncated body: the connection closed after 524288 of 1048576 bytes$",
        "^fetch: removed the unfinished T:c$",
    ) +
    command("fetch http://{host}:{http_port}/bad-chunk", "fetch: .*: bad chunk in a chunked body$") +
    command("fetch http://{host}:{http_port}/status/404", "^fetch: .*: the server answered 404 ") +
    command("Why", "return code 5") +
    command("fetch http://{host}:{http_port}/slow/50?seconds=100 TO T:t TIMEOUT 1", "^fetch: .*: timed out$") +
    command("fetch http://{host}:1/", "^fetch: http://{host}:1/: connection refused by {host}$") +
    command("Why", "return code 10") +
    command("fetch htp://x/", "^fetch: htp://x/: ") +
    command("Why", "return code 20") +
    command("fetch http://[fec0::2/", "^fetch: http://\\[fec0::2/: bad URL$")
)

# Names from the test's dnsmasq (10.0.2.2:53): A and AAAA, and an unknown name.
DNS = (
    fetch_ok("http://test-host:{http_port}/files/1m", "/files/1m") +
    [host("dns-log test-host")] +
    command("ping test-host COUNT 1", "^1 sent, 1 received") +
    command("fetch http://no-such-host.test:{http_port}/", "^fetch: .*: no such host$") +
    command("ping no-such-host.test", "^ping: no-such-host.test: no such host$") +
    fetch_ok("http://gateway:{http_port}/files/1", "/files/1")
)

# IPv6: SLAAC's address (a router advertisement, then duplicate address
# detection), an echo, and a fetch from the server on ::1.
IPV6 = (
    # SLAAC's address comes after the router's advertisement: wait for it.
    command("netinfo WAIT 60 IPV6", "^  inet6  fec0::[0-9a-f:]+ \\(preferred\\)$") +
    command("ping fec0::2 COUNT 2", "^2 sent, 2 received") +
    fetch_ok("http://[fec0::2]:{http_port}/files/1m", "/files/1m") +
    command("ping test-host IPV6 COUNT 1", "^PING test-host \\(fec0::2\\)", "^1 sent, 1 received")
)

# A host client through QEMU's port forwarding to the guest's echo service:
# 16 MiB both ways, intact.
INBOUND = [
    send("echoservice 7 COUNT 1\\n"),
    expect("^echoservice: listening on port 7$"),
    host("echo 16777216 7"),
    expect("^echoservice: echoed 16777216 bytes to "),
    expect(PROMPT),
]

# The default system with storage and network in 32 MiB of memory.
MEM32M = (
    fetch_ok("http://{host}:{http_port}/files/16m", "/files/16m") +
    command("ping {host} COUNT 1", "^1 sent, 1 received") +
    command("Avail", "^KiB ")
)

# Through a link that drops 5% of frames and reorders 2%, both ways: 16 MiB
# down, intact by SHA-256, and 2 MiB up (lwIP's sender recovers from loss
# by fast retransmit and time-outs only, without the peer's SACK blocks, so
# its rate under 5% loss is low: components/net_stack/README.md), with its
# retransmissions counted.
LOSS = (
    [expect(PROMPT)] +
    command("netinfo", "^  inet   10\\.0\\.3\\.2/24 \\(static") +
    fetch_ok("http://{host}:{http_port}/files/16m", "/files/16m") +
    [send("netbench SEND {host} {sink_port} 2097152\\n"), host("sink 2097152")] +
    [expect("^netbench: sent 2097152 bytes in "), expect(PROMPT)] +
    command("netstat", "^  tcp   .* [1-9][0-9]* retransmitted")
)

# The stack stopped during a download: the download fails with its
# reason, the stack is restarted, and the next fetch works.
KILL = [
    send("RunBack fetch http://{host}:{http_port}/slow/8388608?seconds=30 TO T:slow\\n"),
    expect("started in the background"),
    expect(PROMPT),
    # The download is seen in netstat while it runs.
    send("netstat\\n"),
    expect("^  tcp    10\\.0\\.2\\.15:[0-9]+ +10\\.0\\.2\\.2:{http_port} +ESTABLISHED"),
    expect(PROMPT),
    host("sleep 2"),
    send("Break net\\n"),
    expect("^fetch: .*: the network stack stopped \\(it restarts; try again\\)$"),
    expect("^fetch: removed the unfinished T:slow$"),
    host("http-log GET /slow/8388608.* complete=False"),
    send("netinfo WAIT 60\\n"),
    expect("^  inet   10\\.0\\.2\\.15/24 \\(DHCP\\)$"),
    expect("fetch: ended with return code 10$"),
    expect(PROMPT),
] + fetch_ok("http://{host}:{http_port}/files/1m", "/files/1m")

# The POSIX layer's sockets, checked from a program on the disk against the
# same peers (socket_check/socket_check.c).
SOCKETS = command(
    "socket_check {host} {http_port} {dns}",
    "^socket_check: [0-9]+ passed, 0 failed$",
)

# The same network on modern (virtio 1.0) devices: the 12-byte header.
MODERN = (
    fetch_ok("http://{host}:{http_port}/files/16m", "/files/16m") +
    command("netinfo WAIT 60 IPV6", "^  inet6  fec0::[0-9a-f:]+ \\(preferred\\)$") +
    command("ping fec0::2 COUNT 1", "^1 sent, 1 received")
)

def tls_url(case, path = "/files/1", host = "test-host"):
    """The URL of a path on the TLS peer of `case` (tests/network/tls_peers.py)."""
    return "https://%s:{tls_port:%s}%s" % (host, case, path)

def tls_ok(case, path, suite, host = "test-host"):
    """Fetches over TLS to a file with HASH: the body is the peer's, the suite the one named."""
    url = tls_url(case, path, host)
    return command(
        "fetch %s TO T:f HASH" % url,
        "^fetch: {size:%s} bytes from %s in " % (path, url),
        "^sha256 {sha256:%s}$" % path,
        "^fetch: TLS 1\\.2 %s[A-Z0-9-]*, full handshake in [0-9.]+ ms \\(after [0-9.]+ ms to connect\\)$" % suite,
    )

def tls_refused(case, message, host = "test-host"):
    """Fetch refuses the peer of `case` with `message` (a regex), return code 10."""
    url = tls_url(case, host = host)
    return command("fetch " + url, "^fetch: %s: %s" % (url, message))

# TLS against openssl s_server peers with certificates from the test's own
# CA (tls_peers.py): refused while CERTS: holds only the built Mozilla
# roots, accepted once the test's root is added as a PEM file (no rebuild),
# RSA and ECDSA leaves, a chain through an intermediate, a wildcard name,
# 1 MiB and 16 MiB bodies intact, a resumed session; then every refusal of
# the matrix with its own message.
TLS = (
    tls_refused("rsa", "the server sent an incomplete certificate chain: .*ViperOS Test Root CA") +
    command("Why", "return code 10") +
    command(
        "fetch http://test-host:{http_port}/certs/test-ca.pem TO CERTS:test-ca.pem",
        "^fetch: {size:/certs/test-ca.pem} bytes from ",
    ) +
    tls_ok("rsa", "/files/1m", "ECDHE-RSA-") +
    tls_ok("ecdsa", "/files/1m", "ECDHE-ECDSA-") +
    tls_ok("chain", "/files/1", "ECDHE-") +
    tls_ok("wildcard", "/files/1", "ECDHE-", host = "www.wild.test-host") +
    tls_ok("rsa", "/files/16m", "ECDHE-RSA-") +
    # From http to https: the redirect's Location takes fetch to the TLS peer.
    command(
        "fetch http://test-host:{http_port}/redirect-to?url=https://test-host:{tls_port:ecdsa}/files/1m TO T:f HASH",
        "^fetch: {size:/files/1m} bytes from https://test-host:{tls_port:ecdsa}/files/1m in ",
        "^sha256 {sha256:/files/1m}$",
    ) +
    command(
        "fetch %s REPEAT 3" % tls_url("ecdsa"),
        "^fetch: TLS 1\\.2 ECDHE-ECDSA-[A-Z0-9-]+, full handshake",
        "^fetch: TLS 1\\.2 ECDHE-ECDSA-[A-Z0-9-]+, resumed handshake",
        "^fetch: TLS 1\\.2 ECDHE-ECDSA-[A-Z0-9-]+, resumed handshake",
    ) +
    tls_refused("expired", "the certificate has expired: .* expired on 2001-01-01$") +
    tls_refused("notyet", "the certificate is not valid yet: .* is valid from 2090-01-01$") +
    tls_refused("wronghost", "the certificate is for another host") +
    tls_refused("unknownca", "the certificate's issuer is not in the trust store \\(CERTS:\\): the chain ends at the root \"Unknown CA\"$") +
    tls_refused("selfsigned", "the certificate is self-signed and not in the trust store") +
    tls_refused("nointermediate", "the server sent an incomplete certificate chain: .*Intermediate.*which the server did not send") +
    tls_refused("badsig", "a certificate's signature is not valid") +
    tls_refused("tls11", "the server does not speak TLS 1\\.2 \\(older versions are refused\\)") +
    tls_refused("noshared", "the server refused the handshake: alert 40, handshake_failure$") +
    tls_refused("reset", "the connection was reset during the TLS handshake") +
    tls_refused("garbage", "the server's answer is not TLS") +
    command("Why", "return code 10") +
    command(
        "fetch https://{host}:{tls_port:rsa}/files/1",
        "^fetch: .*: a certificate cannot be checked against an IP address",
    )
)

# Refusals leave nothing behind: tls_check (tls_check/tls_check.c) runs every
# refused case of the matrix three times in one process and compares its
# handles and heap; net_test.py serves the case list as /tls/cases.
TLS_LEAKS = command(
    "fetch http://test-host:{http_port}/certs/test-ca.pem TO CERTS:test-ca.pem",
    "^fetch: {size:/certs/test-ca.pem} bytes from ",
) + command(
    "fetch http://test-host:{http_port}/tls/cases TO T:cases",
    "^fetch: {size:/tls/cases} bytes from ",
) + command(
    "tls_check test-host {tls_port:rsa} T:cases",
    "^tls_check: 11 cases$",
    "^tls_check: [0-9]+ passed, 0 failed$",
)
