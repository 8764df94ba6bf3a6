/*
 * netstat: the network stack's interface, its sockets and their states,
 * and its counters (interface net's Configuration, Sockets and Counters).
 * Return code 0, or 10 when no stack answers.
 */
#include <netinet/in.h>
#include <stdio.h>

#include <viper/component.h>
#include <viper/error_name.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

#include "net.viper.h"

VIPER_PROGRAM_SLOTS({"console", "console"}, {"net", "net"});

static const char *const states[] = {
	"-",	       "CLOSED",     "LISTEN",	   "SYN_SENT",	 "SYN_RECEIVED",
	"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
	"LAST_ACK",    "TIME_WAIT",  "BOUND",
};

static void endpoint(const uint8_t *bytes, uint32_t size, uint32_t port, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "*";

	if (size == 4 || size == 16)
		inet_ntop(size == 16 ? AF_INET6 : AF_INET, bytes, a, sizeof(a));
	if (size == 16)
		snprintf(out, n, "[%s]:%u", a, (unsigned)port);
	else
		snprintf(out, n, "%s:%u", a, (unsigned)port);
}

static int32_t interfaces(struct viper_slot *net)
{
	viper_net_ConfigurationRequest req = viper_net_ConfigurationRequest_init_zero;
	viper_net_ConfigurationReply c;
	char a[INET6_ADDRSTRLEN];
	int32_t err = net_configuration(net, &req, &c);

	if (err)
		return err;
	printf("Interfaces\n");
	printf("  %s  link %s  inet %s/%u", c.name, c.link_up ? "up" : "down",
	       inet_ntop(AF_INET, c.ipv4.bytes, a, sizeof(a)), (unsigned)c.ipv4_prefix);
	for (pb_size_t i = 0; i < c.ipv6_count; i++)
		printf("  inet6 %s", inet_ntop(AF_INET6, c.ipv6[i].bytes, a, sizeof(a)));
	printf("\n");
	return VIPER_OK;
}

static int32_t sockets(struct viper_slot *net)
{
	viper_net_SocketsRequest req = {0};
	viper_net_SocketsReply rep;
	int32_t err;

	printf("Sockets\n  Proto  Local                          Remote                         "
	       "State        Recv-Q  Send-Q\n");
	do {
		err = net_sockets(net, &req, &rep);
		if (err)
			return err;
		for (pb_size_t i = 0; i < rep.sockets_count; i++) {
			const viper_net_SocketEntry *e = &rep.sockets[i];
			char l[64], r[64];

			endpoint(e->local.bytes, e->local.size, e->local_port, l, sizeof(l));
			endpoint(e->remote.bytes, e->remote.size, e->remote_port, r, sizeof(r));
			printf("  %-5s  %-29s  %-29s  %-11s  %6u  %6u\n",
			       e->kind == viper_net_Kind_TCP ? "tcp" : "udp", l, r,
			       e->state < sizeof(states) / sizeof(states[0]) ? states[e->state]
									     : "?",
			       (unsigned)e->rx_queued, (unsigned)e->tx_queued);
		}
		req.start += rep.sockets_count;
	} while (rep.sockets_count > 0 && req.start < rep.total);
	if (rep.total == 0)
		printf("  none\n");
	return VIPER_OK;
}

static int32_t counters(struct viper_slot *net)
{
	viper_net_CountersRequest req = viper_net_CountersRequest_init_zero;
	viper_net_CountersReply c;
	int32_t err = net_counters(net, &req, &c);

	if (err)
		return err;
	printf("Counters\n");
	printf("  link  %llu frames in (%llu bytes), %llu out (%llu bytes), %u dropped by the "
	       "driver, %u by the stack\n",
	       (unsigned long long)c.link_rx_frames, (unsigned long long)c.link_rx_bytes,
	       (unsigned long long)c.link_tx_frames, (unsigned long long)c.link_tx_bytes,
	       (unsigned)c.link_rx_dropped, (unsigned)c.stack_rx_dropped);
	printf("  ip    %u in, %u out, %u dropped\n", (unsigned)c.ip_rx, (unsigned)c.ip_tx,
	       (unsigned)c.ip_dropped);
	printf("  tcp   %u segments in, %u out, %u retransmitted, %u dropped\n", (unsigned)c.tcp_rx,
	       (unsigned)c.tcp_tx, (unsigned)c.tcp_retransmits, (unsigned)c.tcp_dropped);
	printf("  udp   %u in, %u out, %u dropped\n", (unsigned)c.udp_rx, (unsigned)c.udp_tx,
	       (unsigned)c.udp_dropped);
	printf("  icmp  %u in, %u out\n", (unsigned)c.icmp_rx, (unsigned)c.icmp_tx);
	return VIPER_OK;
}

int main(const struct viper_startup *s)
{
	struct viper_slot net;
	int argc;
	char **argv;
	int32_t err;

	viper_posix_start(s, &argc, &argv);
	if (viper_slot(s, "net") == VIPER_HANDLE_INVALID) {
		printf("netstat: no network stack was given to it\n");
		return viper_posix_end(10);
	}
	vc_slot_bind(&net, &net_interface, viper_slot(s, "net"));
	err = interfaces(&net);
	if (err == VIPER_OK)
		err = sockets(&net);
	if (err == VIPER_OK)
		err = counters(&net);
	if (err) {
		printf("netstat: the network stack does not answer: %s\n",
		       viper_error_short_name(err));
		return viper_posix_end(10);
	}
	return viper_posix_end(0);
}
