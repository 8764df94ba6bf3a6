/*
 * libFuzzer on the stack's receive path: each input is a frame (or, when
 * its first byte says so, a raw descriptor naming any offset and length)
 * put on the fake device's receive ring, then the stack polls, so lwIP
 * parses it as Ethernet, ARP, IPv4 and IPv6 (fragments too), ICMP and
 * ICMPv6 (neighbour discovery, router advertisements), UDP, TCP (with a
 * listening socket and a connection being made) and DHCP and DNS replies
 * (a DHCP client and a DNS query are kept running; the entropy is fixed,
 * so their IDs and ports are the same every run). A failed lwIP assertion
 * traps, so the fuzzer reports it as a crash. Built by
 * receive_fuzz_test.sh and tests/benchmarks/run_net_fuzz.
 */
#include <net_stack/net_stack.h>

#include "fake_link.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/tcp.h"
#include "socket_ops.h"

static struct fake_link link;
static struct viper_slot link_slot, entropy_slot;
static struct viper_instance_env env;
static struct net_stack *stack;

static void bind(struct viper_slot *slot, const struct viper_interface *iface, const void *ops,
		 void *self)
{
	*slot = (struct viper_slot){.interface = iface, .peer_ops = ops, .peer = self};
}

static void on_found(const char *name, const ip_addr_t *a, void *arg)
{
	(void)name;
	(void)a;
	(void)arg;
}

/* A listening socket on port 80, and a connection to 10.0.2.2:80 being made. */
static void sockets(void)
{
	struct net_socket *l = net_socket_new(stack, viper_net_Kind_TCP, 6);
	struct net_socket *c = net_socket_new(stack, viper_net_Kind_TCP, 4);
	struct net_socket *u = net_socket_new(stack, viper_net_Kind_UDP, 6);
	ip_addr_t peer = IPADDR4_INIT_BYTES(10, 0, 2, 2);
	uint32_t port;

	if (l && net_tcp_open(l) == VIPER_OK) {
		(void)net_tcp_bind(l, IP_ANY_TYPE, 80, &port);
		(void)net_tcp_listen(l, 4);
	}
	if (c && net_tcp_open(c) == VIPER_OK)
		(void)net_tcp_connect(c, &peer, 80);
	if (u && net_udp_open(u) == VIPER_OK)
		(void)net_udp_bind(u, IP_ANY_TYPE, 5000, &port);
}

static void setup(void)
{
	static const uint64_t params[] = {0x0a00020f, 24, 0x0a000202, 0x0a000202, 0};
	void *state;
	int32_t status;

	bind(&link_slot, &netdev_interface, &fake_link_server, &link);
	bind(&entropy_slot, &entropy_interface, &fake_entropy_server, NULL);
	env.name = "net";
	env.slots[0] = &link_slot;
	env.slots[1] = &entropy_slot;
	env.slot_count = 2;
	for (unsigned i = 0; i < 5; i++)
		env.params[i] = params[i];
	env.param_count = 5;
	if (!viper_host_start("net_stack", &env, &state, &status) || status ||
	    net_stack_start(state) != VIPER_OK)
		__builtin_trap();
	stack = state;
	net_enter(stack);
	sockets();
	net_leave(stack);
}

/* Mode 0: the static address; mode 1: a DHCP client asking; either way a DNS query waits. */
static void set_mode(uint8_t mode)
{
	static int current = -1;
	ip_addr_t a;
	ip4_addr_t ip = IPADDR4_INIT_BYTES(10, 0, 2, 15),
		   mask = IPADDR4_INIT_BYTES(255, 255, 255, 0),
		   gw = IPADDR4_INIT_BYTES(10, 0, 2, 2);

	if (mode != current) {
		if (mode)
			(void)dhcp_start(&stack->netif);
		else {
			dhcp_stop(&stack->netif);
			netif_set_addr(&stack->netif, &ip, &mask, &gw);
		}
		current = mode;
	}
	(void)dns_gethostbyname("fuzz.example", &a, on_found, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (stack == NULL)
		setup();
	if (size < 1)
		return 0;
	net_enter(stack);
	set_mode(data[0] & 1);
	net_leave(stack);
	if ((data[0] & 0x80) && size >= 9) {
		uint32_t offset = (uint32_t)data[1] << 24 | data[2] << 16 | data[3] << 8 | data[4];
		uint32_t length = (uint32_t)data[5] << 24 | data[6] << 16 | data[7] << 8 | data[8];
		(void)fake_link_inject_descriptor(&link, offset, length);
	} else {
		(void)fake_link_inject(&link, data + 1, (uint32_t)(size - 1));
	}
	(void)net_stack_poll(stack);
	(void)net_stack_poll(stack);
	fake_link_clear(&link);
	return 0;
}
