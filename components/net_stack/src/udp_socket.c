/*
 * UDP sockets over lwIP's raw API: received datagrams wait in a FIFO of
 * NET_STACK_UDP_QUEUE per socket (a full one drops the newest, counted in
 * lwIP's UDP drop counter); checksums are generated and checked for every
 * datagram, IPv4 and IPv6.
 */
#include <net_stack/net_stack.h>

#include "lwip/stats.h"
#include "lwip/udp.h"
#include "socket_ops.h"

#define UDP_MAX_V4 1472u
#define UDP_MAX_V6 1452u

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct net_socket *so = arg;

	(void)pcb;
	if (so == NULL || so->dgram_count == NET_STACK_UDP_QUEUE || so->shut_read ||
	    so->stack->udp_queued >= NET_STACK_UDP_QUEUED_MAX) {
		UDP_STATS_INC(udp.drop);
		pbuf_free(p);
		return;
	}
	struct net_datagram *d =
		&so->dgram[(so->dgram_head + so->dgram_count++) % NET_STACK_UDP_QUEUE];
	so->stack->udp_queued++;
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	net_socket_notify(so);
}

int32_t net_udp_open(struct net_socket *so)
{
	struct udp_pcb *pcb = udp_new_ip_type(so->family == 6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);

	if (pcb == NULL)
		return VIPER_E_LIMIT;
	udp_recv(pcb, on_datagram, so);
	so->pcb.udp = pcb;
	return VIPER_OK;
}

void net_udp_close(struct net_socket *so)
{
	while (so->dgram_count) {
		so->stack->udp_queued--;
		pbuf_free(so->dgram[so->dgram_head].p);
		so->dgram_head = (so->dgram_head + 1) % NET_STACK_UDP_QUEUE;
		so->dgram_count--;
	}
	if (so->pcb.udp)
		udp_remove(so->pcb.udp);
	so->pcb.udp = NULL;
}

int32_t net_udp_bind(struct net_socket *so, const ip_addr_t *at, uint16_t port, uint32_t *bound)
{
	err_t e;

	if (so->pcb.udp->local_port != 0)
		return VIPER_E_BUSY;
	if (so->family == 4 && IP_IS_ANY_TYPE_VAL(*at))
		at = IP4_ADDR_ANY;
	e = udp_bind(so->pcb.udp, at, port);
	if (e != ERR_OK)
		return net_error_from_lwip(e);
	*bound = so->pcb.udp->local_port;
	return VIPER_OK;
}

int32_t net_udp_connect(struct net_socket *so, const ip_addr_t *to, uint16_t port)
{
	if (so->family == 4 && IP_IS_V6(to))
		return VIPER_E_INVAL;
	err_t e = udp_connect(so->pcb.udp, to, port);
	if (e != ERR_OK)
		return net_error_from_lwip(e);
	so->connected = true;
	return VIPER_OK;
}

/* One datagram of `len` bytes to `to`:`port` (NULL: the connected peer). */
int32_t net_udp_send(struct net_socket *so, const uint8_t *data, uint32_t len, const ip_addr_t *to,
		     uint16_t port)
{
	struct pbuf *p;
	err_t e;

	if (so->shut_write)
		return VIPER_E_CLOSED;
	if (to == NULL && !so->connected)
		return VIPER_E_NOTCONN;
	const ip_addr_t *dst = to ? to : &so->pcb.udp->remote_ip;
	if (so->family == 4 && IP_IS_V6(dst))
		return VIPER_E_INVAL;
	if (len > (IP_IS_V6(dst) ? UDP_MAX_V6 : UDP_MAX_V4))
		return VIPER_E_TOOBIG;
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (p == NULL)
		return VIPER_E_WOULDBLOCK;
	(void)pbuf_take(p, data, (u16_t)len);
	e = to ? udp_sendto(so->pcb.udp, p, to, port) : udp_send(so->pcb.udp, p);
	pbuf_free(p);
	return e == ERR_MEM ? VIPER_E_WOULDBLOCK : net_error_from_lwip(e);
}

/* The oldest datagram into `out` (truncated to `cap`): its sender and full size. */
int32_t net_udp_receive(struct net_socket *so, uint8_t *out, uint32_t cap,
			viper_socket_ReceiveFromReply *rep)
{
	struct net_datagram *d;

	if (so->dgram_count == 0)
		return VIPER_E_WOULDBLOCK;
	d = &so->dgram[so->dgram_head];
	rep->size = d->p->tot_len;
	rep->received = pbuf_copy_partial(d->p, out, (u16_t)(cap < 0xffff ? cap : 0xffff), 0);
	rep->address.size = (pb_size_t)net_addr_to_bytes(&d->from, rep->address.bytes);
	rep->port = d->port;
	pbuf_free(d->p);
	so->stack->udp_queued--;
	so->dgram_head = (so->dgram_head + 1) % NET_STACK_UDP_QUEUE;
	so->dgram_count--;
	return VIPER_OK;
}
