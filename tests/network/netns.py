#!/usr/bin/python3
"""Runs network tests inside a fresh network namespace that holds loopback alone.

Every guest with a network device, and every peer it talks to, runs inside a
namespace that the test makes for itself: `unshare -n` as root, `unshare -rn`
(a user namespace mapping us to root) otherwise. There the only interface is
`lo`, so nothing the guest or a peer sends can leave the machine: slirp's
rewrites of 10.0.2.2 to 127.0.0.1 and fec0::2 to ::1 land on our peers, and
any other destination is unreachable.

As a library:
    netns.enter()           at the top of a test program: re-executes the
                            program (same interpreter, same arguments) inside
                            a fresh namespace, brings lo up and checks the
                            namespace; returns only there.
    netns.assert_isolated() exits with an error unless this process runs in a
                            namespace holding only lo (plus the interfaces
                            named in `allow`, such as a test's own tap0).

As a program:
    netns.py [--private-resolv] -- COMMAND [ARG...]
runs COMMAND in a fresh, checked namespace.

--private-resolv (enter(private_resolv=True)) also unshares the mount
namespace and covers /etc/resolv.conf with one naming only tripwire
addresses (127.0.0.3, fd00:dead::3), so that a guest query to slirp's DNS
forwarder (slirp's built-in resolver address) goes to a tripwire listener (peers.DnsTripwire)
instead of to whatever the host's resolver is, and the test can fail on it.
(Without that, libslirp forwards to the first nameserver in /etc/resolv.conf,
and falls back to 127.0.0.1 when there is none, which would be our dnsmasq:
a guest using the forbidden forwarder would then pass unnoticed.)

Note: /sys/class/net shows the interfaces of the namespace that mounted
/sys, not of the caller's, so after a plain `unshare -n` it still lists the
host's eth0 (verified here). The checks read /proc/net/dev and use ioctls on
a socket instead, which always see the caller's own namespace.
"""

import ctypes
import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

# Set, by enter(), to the inode of the namespace we left, so the re-executed
# program can tell it now runs in a different (fresh) one.
PARENT_ENV = "VIPER_NETNS_PARENT"
RESOLV_ENV = "VIPER_NETNS_PRIVATE_RESOLV"

# Where slirp's DNS forwarder lands under --private-resolv.
TRIPWIRE_V4 = "127.0.0.3"
TRIPWIRE_V6 = "fd00:dead::3"

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
MS_BIND = 4096


class NetnsError(Exception):
    pass


def _tool(name):
    """Path of an iproute2/util-linux tool; Bazel's strict PATH omits /sbin."""
    found = shutil.which(name)
    if found:
        return found
    for where in ("/usr/sbin", "/sbin", "/usr/bin", "/bin"):
        path = os.path.join(where, name)
        if os.access(path, os.X_OK):
            return path
    return None


def netns_inode(pid="self"):
    return os.stat("/proc/%s/ns/net" % pid).st_ino


def interfaces():
    """Names of the interfaces of this process's network namespace."""
    with open("/proc/net/dev") as f:
        lines = f.readlines()[2:]
    return sorted(line.split(":", 1)[0].strip() for line in lines if ":" in line)


def _ifreq(name, flags=0):
    return struct.pack("16sH22x", name.encode(), flags)


def link_flags(name):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        out = fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, _ifreq(name))
    return struct.unpack("16sH22x", out)[1]


def set_link_up(name):
    """`ip link set NAME up`, or the same with an ioctl when there is no `ip`."""
    ip = _tool("ip")
    if ip:
        subprocess.run([ip, "link", "set", name, "up"], check=True)
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            flags = link_flags(name)
            fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, _ifreq(name, flags | IFF_UP))
    if not link_flags(name) & IFF_UP:
        raise NetnsError("could not bring %s up" % name)


def _default_routes():
    """Default routes (IPv4 and IPv6) of this namespace's main table."""
    found = []
    try:
        with open("/proc/net/route") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if len(fields) > 7 and fields[1] == "00000000" and fields[7] == "00000000":
                    found.append("IPv4 default via %s" % fields[0])
    except OSError:
        pass
    try:
        with open("/proc/net/ipv6_route") as f:
            for line in f:
                fields = line.split()
                # Destination ::/0, not the unreachable/loopback entries of lo.
                if len(fields) == 10 and fields[0] == "0" * 32 and fields[1] == "00" \
                        and fields[9] != "lo":
                    found.append("IPv6 default via %s" % fields[9])
    except OSError:
        pass
    return found


def isolation_problems(allow=()):
    """Why this process is not in an isolated namespace ([] if it is)."""
    problems = []
    names = interfaces()
    extra = [n for n in names if n != "lo" and n not in allow]
    if extra:
        problems.append("interfaces other than lo: %s" % ", ".join(extra))
    if "lo" not in names:
        problems.append("no lo interface")
    elif not link_flags("lo") & IFF_UP:
        problems.append("lo is down")
    problems += _default_routes()
    try:
        if netns_inode() == netns_inode(1):
            problems.append("this is the network namespace of PID 1 (the host's)")
    except OSError:
        pass  # /proc/1/ns/net is not ours to read (not root): the checks above stand
    parent = _parent()
    if parent is not None and parent[1] == os.getpid() and parent[0] == netns_inode():
        problems.append("still in the namespace the test started in")
    return problems


def assert_isolated(allow=()):
    """Exits with an error unless this process runs in a namespace holding
    only lo (and the interfaces named in `allow`, which this test made)."""
    problems = isolation_problems(allow)
    if problems:
        sys.exit("netns: refusing to run network tests outside an isolated network "
                 "namespace (only lo allowed): %s. Run through tests/network/netns.py "
                 "(unshare -n / unshare -rn)." % "; ".join(problems))


def _unshare_command(private_resolv):
    unshare = _tool("unshare")
    if not unshare:
        raise NetnsError("no `unshare` (util-linux) to make a network namespace")
    flags = "-n" if os.geteuid() == 0 else "-rn"
    if private_resolv:
        flags += "m"
    return [unshare, flags]


def _cover_resolv_conf():
    """In our own mount namespace: /etc/resolv.conf names only tripwires."""
    if not os.path.exists("/etc/resolv.conf"):
        raise NetnsError("no /etc/resolv.conf to cover: slirp would send DNS for its "
                         "forwarder to 127.0.0.1, where the test's dnsmasq would answer it "
                         "and hide the mistake")
    where = tempfile.mkdtemp(prefix="viper-netns-")
    path = os.path.join(where, "resolv.conf")
    with open(path, "w") as f:
        f.write("# ViperOS network test: slirp's DNS forwarder lands on tripwires\n"
                "nameserver %s\nnameserver %s\n" % (TRIPWIRE_V4, TRIPWIRE_V6))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(path.encode(), b"/etc/resolv.conf", None, MS_BIND, None) != 0:
        err = ctypes.get_errno()
        raise NetnsError("cannot bind-mount over /etc/resolv.conf: %s" % os.strerror(err))
    with open("/etc/resolv.conf") as f:
        if TRIPWIRE_V4 not in f.read():
            raise NetnsError("/etc/resolv.conf is still the host's after the bind mount")
    ip = _tool("ip")
    if ip:
        subprocess.run([ip, "-6", "addr", "add", TRIPWIRE_V6 + "/128", "dev", "lo"],
                       check=True)


def _set_up_inside():
    set_link_up("lo")
    if os.environ.get(RESOLV_ENV) == "1":
        _cover_resolv_conf()


def _parent():
    """(netns inode, pid) that enter() recorded before re-executing, or None."""
    try:
        inode, pid = os.environ[PARENT_ENV].split(":")
        return int(inode), int(pid)
    except (KeyError, ValueError):
        return None


def inside():
    """True if enter() moved this very process (unshare execs in place, so
    the pid stays) into a fresh namespace. A child of it, such as another
    test program, is not "inside": it makes its own namespace."""
    parent = _parent()
    return parent is not None and parent[1] == os.getpid() and parent[0] != netns_inode()


def enter(argv=None, private_resolv=False):
    """Re-executes this program in a fresh network namespace (only returns
    there, with lo up and the namespace checked). `argv` defaults to the
    command line this interpreter was started with."""
    if inside():
        try:
            _set_up_inside()
        except (NetnsError, OSError, subprocess.CalledProcessError) as e:
            sys.exit("netns: setting up the namespace failed: %s" % e)
        assert_isolated()
        return
    try:
        cmd = _unshare_command(private_resolv)
    except NetnsError as e:
        sys.exit("netns: %s" % e)
    probe = subprocess.run(cmd + ["true"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if probe.returncode != 0:
        sys.exit("netns: cannot create a network namespace with `%s`: %s\n"
                 "Network tests run only inside one; they do not fall back to the "
                 "host network." % (" ".join(cmd), probe.stdout.decode(errors="replace").strip()))
    if argv is None:
        argv = [sys.executable] + sys.orig_argv[1:]
    env = dict(os.environ)
    env[PARENT_ENV] = "%d:%d" % (netns_inode(), os.getpid())
    env[RESOLV_ENV] = "1" if private_resolv else "0"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(cmd[0], cmd + ["--"] + list(argv), env)


def main():
    args = sys.argv[1:]
    private_resolv = False
    if args[:1] == ["--private-resolv"]:
        private_resolv = True
        args = args[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit("usage: netns.py [--private-resolv] -- COMMAND [ARG...]")
    enter(private_resolv=private_resolv)
    os.execvp(args[0], args)


if __name__ == "__main__":
    main()
