/* What a socket reports: Status for its client, a SocketEntry for netstat. */
#include <net_stack/net_stack.h>

#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "socket_ops.h"

/* net.State for a TCP pcb: lwIP's states in the same order, from 1. */
static viper_net_State tcp_state_of(const struct net_socket *so)
{
	if (so->pcb.tcp == NULL)
		return viper_net_State_CLOSED;
	return (viper_net_State)(so->pcb.tcp->state + 1);
}

static bool tcp_readable(const struct net_socket *so)
{
	if (so->listening)
		return so->pending_count > 0;
	return so->rx != NULL || so->end || so->error != VIPER_OK;
}

static bool tcp_writable(const struct net_socket *so)
{
	const struct tcp_pcb *pcb = so->pcb.tcp;

	if (so->error != VIPER_OK || so->shut_write)
		return true; /* Send says why at once */
	return pcb && so->connected && tcp_sndbuf(pcb) > 0 &&
	       tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN;
}

static void endpoints(const struct net_socket *so, viper_socket_StatusReply *rep)
{
	if (so->kind == viper_net_Kind_TCP && so->pcb.tcp) {
		rep->local.size =
			(pb_size_t)net_addr_to_bytes(&so->pcb.tcp->local_ip, rep->local.bytes);
		rep->local_port = so->pcb.tcp->local_port;
		rep->remote.size =
			(pb_size_t)net_addr_to_bytes(&so->pcb.tcp->remote_ip, rep->remote.bytes);
		rep->remote_port = so->pcb.tcp->remote_port;
	} else if (so->kind == viper_net_Kind_UDP && so->pcb.udp) {
		rep->local.size =
			(pb_size_t)net_addr_to_bytes(&so->pcb.udp->local_ip, rep->local.bytes);
		rep->local_port = so->pcb.udp->local_port;
		rep->remote.size =
			(pb_size_t)net_addr_to_bytes(&so->pcb.udp->remote_ip, rep->remote.bytes);
		rep->remote_port = so->pcb.udp->remote_port;
	}
}

void net_socket_status(struct net_socket *so, viper_socket_StatusReply *rep)
{
	if (so->kind == viper_net_Kind_TCP) {
		rep->state = tcp_state_of(so);
		rep->readable = tcp_readable(so);
		rep->writable = tcp_writable(so);
	} else {
		rep->state = viper_net_State_BOUND;
		rep->readable = so->dgram_count > 0;
		rep->writable = true;
	}
	rep->end = so->end;
	rep->error = so->error;
	endpoints(so, rep);
}

void net_socket_entry(struct net_socket *so, viper_net_SocketEntry *e)
{
	viper_socket_StatusReply st = viper_socket_StatusReply_init_zero;

	net_socket_status(so, &st);
	e->kind = so->kind;
	e->state = (viper_net_State)st.state;
	e->local.size = st.local.size;
	vc_memcpy(e->local.bytes, st.local.bytes, st.local.size);
	e->local_port = st.local_port;
	e->remote.size = st.remote.size;
	vc_memcpy(e->remote.bytes, st.remote.bytes, st.remote.size);
	e->remote_port = st.remote_port;
	if (so->kind == viper_net_Kind_TCP) {
		e->rx_queued = so->rx_bytes;
		/* A listening pcb is a smaller struct: it has no send buffer. */
		e->tx_queued =
			so->pcb.tcp && !so->listening ? TCP_SND_BUF - tcp_sndbuf(so->pcb.tcp) : 0;
	} else {
		e->rx_queued = so->dgram_count;
	}
}
