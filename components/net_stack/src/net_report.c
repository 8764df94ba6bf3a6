/* What the stack reports of itself: net.proto's Configuration, Counters and Sockets. */
#include <net_stack/net_stack.h>

#include "lwip/dns.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "socket_ops.h"

static uint32_t prefix_of(const ip4_addr_t *mask)
{
	uint32_t m = lwip_ntohl(ip4_addr_get_u32(mask)), n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

static void ipv6_addresses(struct netif *n, viper_net_ConfigurationReply *rep)
{
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && rep->ipv6_count < 3; i++) {
		u8_t st = netif_ip6_addr_state(n, i);

		if (ip6_addr_isinvalid(st))
			continue;
		rep->ipv6[rep->ipv6_count].size = (pb_size_t)net_addr_to_bytes(
			&n->ip6_addr[i], rep->ipv6[rep->ipv6_count].bytes);
		rep->ipv6_state[rep->ipv6_count] = ip6_addr_istentative(st)    ? 1
						   : ip6_addr_isdeprecated(st) ? 3
									       : 2;
		rep->ipv6_count++;
		rep->ipv6_state_count = rep->ipv6_count;
	}
}

void net_report_configuration(struct net_stack *s, viper_net_ConfigurationReply *rep)
{
	struct netif *n = &s->netif;

	vc_memcpy(rep->name, "en0", 4);
	rep->mac.size = 6;
	vc_memcpy(rep->mac.bytes, n->hwaddr, 6);
	rep->link_up = netif_is_link_up(n) && !s->link.failed;
	rep->mtu = n->mtu;
	rep->ipv4_config = s->ipv4_config;
	rep->ipv4.size = 4;
	vc_memcpy(rep->ipv4.bytes, &ip_2_ip4(&n->ip_addr)->addr, 4);
	rep->ipv4_prefix = prefix_of(ip_2_ip4(&n->netmask));
	rep->gateway.size = 4;
	vc_memcpy(rep->gateway.bytes, &ip_2_ip4(&n->gw)->addr, 4);
	ipv6_addresses(n, rep);
	for (u8_t i = 0; i < DNS_MAX_SERVERS && rep->dns_count < 2; i++) {
		const ip_addr_t *d = dns_getserver(i);

		if (!ip_addr_isany(d)) {
			rep->dns[rep->dns_count].size =
				(pb_size_t)net_addr_to_bytes(d, rep->dns[rep->dns_count].bytes);
			rep->dns_count++;
		}
	}
}

/* The driver's counters (under the stack's lock: one thread at a time uses the link's slot). */
static void link_counters(struct net_stack *s, viper_net_CountersReply *rep)
{
	viper_netdev_InfoRequest req = viper_netdev_InfoRequest_init_zero;
	viper_netdev_InfoReply info;

	if (s->link.dev == NULL || netdev_info(s->link.dev, &req, &info) != VIPER_OK)
		return;
	rep->link_rx_frames = info.rx_frames;
	rep->link_tx_frames = info.tx_frames;
	rep->link_rx_bytes = info.rx_bytes;
	rep->link_tx_bytes = info.tx_bytes;
	rep->link_rx_dropped = (uint32_t)info.rx_dropped;
}

void net_report_counters(struct net_stack *s, viper_net_CountersReply *rep)
{
	net_enter(s);
	link_counters(s, rep);
	rep->ip_rx = lwip_stats.ip.recv + lwip_stats.ip6.recv;
	rep->ip_tx = lwip_stats.ip.xmit + lwip_stats.ip6.xmit;
	rep->ip_dropped = lwip_stats.ip.drop + lwip_stats.ip6.drop;
	rep->tcp_rx = lwip_stats.tcp.recv;
	rep->tcp_tx = lwip_stats.tcp.xmit;
	rep->tcp_retransmits = lwip_stats.mib2.tcpretranssegs;
	rep->tcp_dropped = lwip_stats.tcp.drop;
	rep->udp_rx = lwip_stats.udp.recv;
	rep->udp_tx = lwip_stats.udp.xmit;
	rep->udp_dropped = lwip_stats.udp.drop;
	rep->icmp_rx = lwip_stats.icmp.recv + lwip_stats.icmp6.recv;
	rep->icmp_tx = lwip_stats.icmp.xmit + lwip_stats.icmp6.xmit;
	rep->stack_rx_dropped = (uint32_t)s->link.no_memory;
	net_leave(s);
}

void net_report_sockets(struct net_stack *s, uint32_t start, viper_net_SocketsReply *rep)
{
	uint32_t i = 0;

	net_enter(s);
	for (struct net_socket *so = s->sockets; so; so = so->next, i++) {
		if (i >= start && rep->sockets_count < 2)
			net_socket_entry(so, &rep->sockets[rep->sockets_count++]);
	}
	rep->total = s->socket_count;
	net_leave(s);
}
