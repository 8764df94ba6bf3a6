#!/usr/bin/python3
"""Self-tests of netns.py: the test re-executes itself in a fresh namespace
and checks what it finds there."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netns  # noqa: E402

# The namespace the test was started in, before enter() leaves it.
STARTED_IN = os.environ.get("NETNS_TEST_STARTED_IN") or str(netns.netns_inode())
os.environ["NETNS_TEST_STARTED_IN"] = STARTED_IN

netns.enter()


class NetnsTest(unittest.TestCase):
    def test_fresh_namespace_with_lo_only(self):
        self.assertTrue(netns.inside())
        self.assertNotEqual(str(netns.netns_inode()), STARTED_IN)
        self.assertEqual(netns.interfaces(), ["lo"])
        self.assertTrue(netns.link_flags("lo") & netns.IFF_UP)
        self.assertEqual(netns.isolation_problems(), [])
        netns.assert_isolated()  # does not exit

    def test_loopback_works_both_families(self):
        import socket
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            with socket.socket(family, socket.SOCK_STREAM) as server:
                server.bind((host, 0))
                server.listen(1)
                with socket.create_connection((host, server.getsockname()[1]), timeout=5):
                    pass

    def test_nothing_else_reachable(self):
        import socket
        for family, host in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                with self.assertRaises(OSError):
                    s.sendto(b"x", (host, 9))

    def test_extra_interface_is_refused(self):
        ip = netns._tool("ip")
        subprocess.run([ip, "link", "add", "vtest0", "type", "bridge"], check=True)
        try:
            problems = netns.isolation_problems()
            self.assertIn("interfaces other than lo: vtest0", problems)
            self.assertEqual(netns.isolation_problems(allow=("vtest0",)), [])
            child = subprocess.run([sys.executable, "-c",
                                    "import sys; sys.path.insert(0, %r); import netns; "
                                    "netns.assert_isolated()" % HERE],
                                   stderr=subprocess.PIPE, text=True)
            self.assertNotEqual(child.returncode, 0)
            self.assertIn("refusing to run", child.stderr)
        finally:
            subprocess.run([ip, "link", "del", "vtest0"], check=True)

    def test_children_make_their_own(self):
        # A child program is not "inside" (it would make its own namespace).
        child = subprocess.run([sys.executable, "-c",
                                "import sys; sys.path.insert(0, %r); import netns; "
                                "print(netns.inside())" % HERE],
                               stdout=subprocess.PIPE, text=True, check=True)
        self.assertEqual(child.stdout.strip(), "False")

    def test_command_line(self):
        out = subprocess.run([sys.executable, os.path.join(HERE, "netns.py"), "--",
                              sys.executable, "-c",
                              "import os; print(os.stat('/proc/self/ns/net').st_ino); "
                              "print(open('/proc/net/dev').read())"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             check=True)
        inode, rest = out.stdout.split("\n", 1)
        self.assertNotEqual(int(inode), netns.netns_inode())  # yet another namespace
        names = [line.split(":")[0].strip() for line in rest.splitlines()[2:] if ":" in line]
        self.assertEqual(names, ["lo"])

    def test_unshare_failure_is_loud(self):
        # As where unshare is not allowed (a container without the right):
        # the program stops with a message instead of running on the host.
        child = subprocess.run(
            [sys.executable, "-c",
             "import sys; sys.path.insert(0, %r); import netns; "
             "netns._unshare_command = lambda private: ['/bin/false']; "
             "netns.enter(); print('ran anyway')" % HERE],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertNotEqual(child.returncode, 0)
        self.assertNotIn("ran anyway", child.stdout)
        self.assertIn("cannot create a network namespace", child.stderr)

    def test_private_resolv(self):
        out = subprocess.run([sys.executable, os.path.join(HERE, "netns.py"),
                              "--private-resolv", "--", "cat", "/etc/resolv.conf"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             check=True)
        self.assertIn("nameserver %s\n" % netns.TRIPWIRE_V4, out.stdout)
        self.assertIn("nameserver %s\n" % netns.TRIPWIRE_V6, out.stdout)
        # The cover is private to that namespace: ours is unchanged.
        with open("/etc/resolv.conf") as f:
            self.assertNotIn(netns.TRIPWIRE_V4, f.read())


if __name__ == "__main__":
    unittest.main()
