/*
 * netinfo: the network interface as the stack sees it (interface net's
 * Configuration): its name, hardware address, link, MTU, IPv4 address and
 * how it was configured, gateway, IPv6 addresses and their states, and
 * the DNS servers. Return code 0, or 10 when no stack answers.
 *
 * netinfo WAIT [seconds] [IPV6] first waits (default 30 s) until the
 * stack has an IPv4 address, by DHCP or its static one, and with IPV6 also
 * a preferred IPv6 address that is not link-local (SLAAC's): for scripts,
 * after boot or after the stack was restarted. Return code 5 when the
 * time ran out.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <viper/component.h>
#include <viper/error_name.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

#include "net.viper.h"

VIPER_PROGRAM_SLOTS({"console", "console"}, {"net", "net"});

static const char *ipv4_how(viper_net_Ipv4Config c)
{
	switch (c) {
	case viper_net_Ipv4Config_DHCP:
		return "DHCP";
	case viper_net_Ipv4Config_STATIC:
		return "static (no DHCP answer)";
	case viper_net_Ipv4Config_DHCP_PENDING:
		return "asking DHCP";
	default:
		return "none";
	}
}

static const char *ipv6_state(uint32_t s)
{
	return s == 1 ? "tentative" : s == 3 ? "deprecated" : "preferred";
}

static const char *text(const uint8_t *bytes, uint32_t size, char *out)
{
	return inet_ntop(size == 16 ? AF_INET6 : AF_INET, bytes, out, INET6_ADDRSTRLEN);
}

static void show(const viper_net_ConfigurationReply *c)
{
	char a[INET6_ADDRSTRLEN];

	printf("%s: link %s, mtu %u\n", c->name, c->link_up ? "up" : "down", (unsigned)c->mtu);
	printf("  ether  %02x:%02x:%02x:%02x:%02x:%02x\n", c->mac.bytes[0], c->mac.bytes[1],
	       c->mac.bytes[2], c->mac.bytes[3], c->mac.bytes[4], c->mac.bytes[5]);
	printf("  inet   %s/%u (%s)\n", text(c->ipv4.bytes, 4, a), (unsigned)c->ipv4_prefix,
	       ipv4_how(c->ipv4_config));
	printf("  gateway %s\n", text(c->gateway.bytes, 4, a));
	for (pb_size_t i = 0; i < c->ipv6_count; i++)
		printf("  inet6  %s (%s)\n", text(c->ipv6[i].bytes, 16, a),
		       ipv6_state(i < c->ipv6_state_count ? c->ipv6_state[i] : 2));
	for (pb_size_t i = 0; i < c->dns_count; i++)
		printf("  dns    %s\n", text(c->dns[i].bytes, c->dns[i].size, a));
	if (c->dns_count == 0)
		printf("  dns    none\n");
}

/* Whether the stack holds a preferred IPv6 address outside fe80::/10. */
static bool has_global_ipv6(const viper_net_ConfigurationReply *c)
{
	for (pb_size_t i = 0; i < c->ipv6_count; i++) {
		bool link_local =
			c->ipv6[i].bytes[0] == 0xfe && (c->ipv6[i].bytes[1] & 0xc0) == 0x80;
		bool preferred = i < c->ipv6_state_count && c->ipv6_state[i] == 2;
		if (c->ipv6[i].size == 16 && !link_local && preferred)
			return true;
	}
	return false;
}

/*
 * Asks until the stack has an IPv4 address (and, with ipv6, a global IPv6
 * one) or `seconds` pass: its answer, or the last error.
 */
static int32_t wait_configured(struct viper_slot *net, unsigned long seconds, bool ipv6,
			       viper_net_ConfigurationReply *rep)
{
	viper_net_ConfigurationRequest req = viper_net_ConfigurationRequest_init_zero;
	uint64_t end = vc_now_ns() + seconds * 1000000000ull;

	for (;;) {
		int32_t err = net_configuration(net, &req, rep);

		if (err == VIPER_OK &&
		    (rep->ipv4_config == viper_net_Ipv4Config_DHCP ||
		     rep->ipv4_config == viper_net_Ipv4Config_STATIC) &&
		    (!ipv6 || has_global_ipv6(rep)))
			return VIPER_OK;
		if (vc_now_ns() >= end)
			return err ? err : VIPER_E_TIMEOUT;
		vc_sleep(100000000ll);
	}
}

int main(const struct viper_startup *s)
{
	viper_net_ConfigurationRequest req = viper_net_ConfigurationRequest_init_zero;
	viper_net_ConfigurationReply rep;
	struct viper_slot net;
	unsigned long wait = 0;
	bool ipv6 = false;
	int argc;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	if (argc >= 2 && !strcasecmp(argv[1], "WAIT")) {
		char *end = "";
		ipv6 = argc >= 3 && !strcasecmp(argv[argc - 1], "IPV6");
		int numbers = argc - 2 - (ipv6 ? 1 : 0);
		wait = numbers == 1 ? strtoul(argv[2], &end, 10) : 30;
		if (numbers > 1 || *end || wait == 0 || wait > 3600) {
			printf("Usage: netinfo [WAIT [seconds] [IPV6]]\n");
			return viper_posix_end(20);
		}
	} else if (argc != 1) {
		printf("Usage: netinfo [WAIT [seconds] [IPV6]]\n");
		return viper_posix_end(20);
	}
	if (viper_slot(s, "net") == VIPER_HANDLE_INVALID) {
		printf("netinfo: no network stack was given to it\n");
		return viper_posix_end(10);
	}
	vc_slot_bind(&net, &net_interface, viper_slot(s, "net"));
	int32_t err = wait ? wait_configured(&net, wait, ipv6, &rep)
			   : net_configuration(&net, &req, &rep);
	if (err == VIPER_E_TIMEOUT) {
		printf("netinfo: no IPv4 address%s after %lu s\n", ipv6 ? " or no IPv6 one" : "",
		       wait);
		return viper_posix_end(5);
	}
	if (err) {
		printf("netinfo: the network stack does not answer: %s\n",
		       viper_error_short_name(err));
		return viper_posix_end(10);
	}
	show(&rep);
	return viper_posix_end(0);
}
