/*
 * TCP sockets over lwIP's raw API. Received data waits in the socket's
 * pbuf chain until the client reads it, and only then is the window
 * opened again (tcp_recved), so a slow reader slows the sender instead
 * of filling the stack's memory. Every event notifies the client's wake
 * channel; the client asks Status for what changed.
 */
#include <net_stack/net_stack.h>

#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "socket_ops.h"

static void tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

/* Opens the window again by `n` bytes the client took. */
static void window_open(struct tcp_pcb *pcb, uint32_t n)
{
	while (n > 0) {
		u16_t step = n > 0xffff ? 0xffff : (u16_t)n;

		tcp_recved(pcb, step);
		n -= step;
	}
}

/* A small segment leaves the pbuf pool: a peer's 1-byte segments must not pin a pool buffer each.
 */
static struct pbuf *compact(struct pbuf *p)
{
	struct pbuf *q;

	if (p->tot_len > NET_STACK_SMALL_SEGMENT ||
	    p->type_internal == PBUF_TYPE_ALLOC_SRC_MASK_STD_HEAP)
		return p;
	q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (q == NULL)
		return p;
	pbuf_free(p);
	return q;
}

/*
 * The peer's FIN after ours: lwIP moves the pcb to CLOSING or TIME_WAIT and
 * later frees it without a callback, so the socket lets go of it now.
 */
static void both_closed(struct net_socket *so, struct tcp_pcb *pcb)
{
	so->pcb.tcp = NULL;
	tcp_detach(pcb); /* tcp_close would do nothing more in CLOSING or TIME_WAIT */
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct net_socket *so = arg;

	if (so == NULL) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (p == NULL) {
		so->end = true;
		if (so->shut_write) {
			both_closed(so, pcb);
			net_socket_notify(so);
			return ERR_OK; /* the pcb lives on in lwIP: it still acknowledges the FIN */
		}
	} else if (err != ERR_OK || so->shut_read) {
		window_open(pcb, p->tot_len); /* discarded: reading was shut down */
		pbuf_free(p);
	} else {
		p = compact(p);
		so->rx_bytes += p->tot_len;
		if (so->rx)
			pbuf_cat(so->rx, p);
		else
			so->rx = p;
	}
	net_socket_notify(so);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	if (arg)
		net_socket_notify(arg);
	return ERR_OK;
}

/* The pcb is gone (freed by lwIP): remember why. */
static void on_err(void *arg, err_t err)
{
	struct net_socket *so = arg;

	if (so == NULL)
		return;
	so->pcb.tcp = NULL;
	if (err == ERR_CLSD)
		so->end = true; /* both sides closed gracefully: not an error */
	else if (so->connecting && err == ERR_RST)
		so->error = VIPER_E_REFUSED;
	else
		so->error = net_error_from_lwip(err);
	so->connecting = false;
	net_socket_notify(so);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct net_socket *so = arg;

	(void)pcb;
	if (so) {
		so->connecting = false;
		so->connected = err == ERR_OK;
		if (err != ERR_OK)
			so->error = net_error_from_lwip(err);
		net_socket_notify(so);
	}
	return ERR_OK;
}

static void track(struct net_socket *so, struct tcp_pcb *pcb)
{
	so->pcb.tcp = pcb;
	tcp_arg(pcb, so);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_nagle_disable(pcb); /* the client's writes are large already */
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct net_socket *ls = arg, *so;

	if (ls == NULL || err != ERR_OK || newpcb == NULL)
		return ERR_VAL;
	if (ls->pending_count >= ls->backlog)
		return ERR_MEM; /* lwIP aborts it: the peer sees a reset */
	so = net_socket_new(ls->stack, viper_net_Kind_TCP, IP_IS_V6(&newpcb->local_ip) ? 6 : 4);
	if (so == NULL)
		return ERR_MEM;
	track(so, newpcb);
	so->connected = true;
	ls->pending[ls->pending_count++] = so;
	net_socket_notify(ls);
	return ERR_OK;
}

int32_t net_tcp_open(struct net_socket *so)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(so->family == 6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);

	if (pcb == NULL)
		return VIPER_E_LIMIT;
	track(so, pcb);
	return VIPER_OK;
}

void net_tcp_close(struct net_socket *so)
{
	struct tcp_pcb *pcb = so->pcb.tcp;

	for (uint32_t i = 0; i < so->pending_count; i++) {
		net_tcp_close(so->pending[i]);
		net_socket_free(so->pending[i]);
	}
	so->pending_count = 0;
	if (so->rx)
		pbuf_free(so->rx);
	so->rx = NULL;
	so->rx_bytes = 0;
	if (pcb == NULL)
		return;
	so->pcb.tcp = NULL;
	tcp_detach(pcb);
	/* Closing, it has no client: the first lwIP reclaims when out of pcbs
	 * (a peer that never sends its FIN would hold it for 20 s). */
	if (pcb->state != LISTEN)
		tcp_setprio(pcb, TCP_PRIO_MIN);
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb); /* no memory for the FIN: reset instead */
}

int32_t net_tcp_connect(struct net_socket *so, const ip_addr_t *to, uint16_t port)
{
	err_t e;

	if (so->pcb.tcp == NULL)
		return so->error ? so->error : VIPER_E_CLOSED;
	if (so->connecting || so->connected || so->listening)
		return VIPER_E_BUSY;
	if (so->family == 4 && IP_IS_V6(to))
		return VIPER_E_INVAL;
	e = tcp_connect(so->pcb.tcp, to, port, on_connected);
	if (e != ERR_OK)
		return net_error_from_lwip(e);
	so->connecting = true;
	return VIPER_E_WOULDBLOCK;
}

int32_t net_tcp_bind(struct net_socket *so, const ip_addr_t *at, uint16_t port, uint32_t *bound)
{
	err_t e;

	if (so->pcb.tcp == NULL || so->pcb.tcp->local_port != 0)
		return VIPER_E_BUSY;
	if (so->family == 4 && IP_IS_ANY_TYPE_VAL(*at))
		at = IP4_ADDR_ANY; /* an IPv4 socket stays IPv4: "any" is not dual-stack */
	e = tcp_bind(so->pcb.tcp, at, port);
	if (e != ERR_OK)
		return net_error_from_lwip(e);
	*bound = so->pcb.tcp->local_port;
	return VIPER_OK;
}

int32_t net_tcp_listen(struct net_socket *so, uint32_t backlog)
{
	struct tcp_pcb *lpcb;
	err_t e = ERR_OK;

	if (backlog == 0 || backlog > NET_STACK_BACKLOG_MAX)
		return VIPER_E_INVAL;
	if (so->pcb.tcp == NULL || so->connecting || so->connected || so->listening)
		return VIPER_E_BUSY;
	if (so->pcb.tcp->local_port == 0 && tcp_bind(so->pcb.tcp, IP_ANY_TYPE, 0) != ERR_OK)
		return VIPER_E_ADDRINUSE;
	lpcb = tcp_listen_with_backlog_and_err(so->pcb.tcp, (u8_t)backlog, &e);
	if (lpcb == NULL)
		return net_error_from_lwip(e);
	so->pcb.tcp = lpcb; /* the old pcb is freed */
	tcp_arg(lpcb, so);
	tcp_accept(lpcb, on_accept);
	so->listening = true;
	so->backlog = backlog;
	return VIPER_OK;
}

struct net_socket *net_tcp_take_pending(struct net_socket *so)
{
	struct net_socket *first;

	if (so->pending_count == 0)
		return NULL;
	first = so->pending[0];
	so->pending_count--;
	for (uint32_t i = 0; i < so->pending_count; i++)
		so->pending[i] = so->pending[i + 1];
	return first;
}

/* Queues what fits of `data` now: *sent bytes, or an error. */
int32_t net_tcp_send(struct net_socket *so, const uint8_t *data, uint32_t len, uint32_t *sent)
{
	struct tcp_pcb *pcb = so->pcb.tcp;
	uint32_t n = 0;

	*sent = 0;
	if (so->error)
		return so->error;
	if (so->shut_write)
		return VIPER_E_CLOSED;
	if (pcb == NULL || !so->connected)
		return so->connecting ? VIPER_E_WOULDBLOCK : VIPER_E_NOTCONN;
	/* lwIP's heap also holds every ACK, ARP and DNS message: a socket with
	 * data in flight waits (its acknowledgements wake it) once most of it
	 * is taken, so no few senders starve the rest. */
	if (tcp_sndqueuelen(pcb) > 0 && lwip_stats.mem.used > NET_STACK_SEND_HEAP_SHARE)
		return VIPER_E_WOULDBLOCK;
	while (n < len) {
		uint32_t room = tcp_sndbuf(pcb), step = len - n;

		step = step < room ? step : room;
		step = step < 0xffff ? step : 0xffff;
		if (step == 0)
			break;
		err_t e = tcp_write(pcb, data + n, (u16_t)step, TCP_WRITE_FLAG_COPY);
		if (e == ERR_MEM)
			break; /* the queue of segments is full before the bytes are */
		if (e != ERR_OK && n == 0)
			return net_error_from_lwip(e);
		if (e != ERR_OK)
			break; /* say what was queued; the error comes with the next Send */
		n += step;
	}
	if (n == 0)
		return VIPER_E_WOULDBLOCK;
	*sent = n;
	(void)tcp_output(pcb);
	return VIPER_OK;
}

/* Copies up to `cap` received bytes to `out`: *got, and whether the peer ended. */
int32_t net_tcp_receive(struct net_socket *so, uint8_t *out, uint32_t cap, uint32_t *got, bool *end)
{
	uint32_t n = 0;

	*end = false;
	if (cap == 0) {
		*got = 0;
		return VIPER_OK; /* nothing asked, nothing taken */
	}
	while (so->rx && n < cap) {
		struct pbuf *head = so->rx;
		uint32_t left = head->len - so->rx_taken;
		uint32_t take = left < cap - n ? left : cap - n;

		vc_memcpy(out + n, (uint8_t *)head->payload + so->rx_taken, take);
		n += take;
		so->rx_bytes -= take;
		so->rx_taken += take;
		if (so->rx_taken == head->len) {
			so->rx = head->next;
			if (so->rx)
				pbuf_ref(so->rx);
			pbuf_free(head); /* frees head alone: the rest holds its own reference */
			so->rx_taken = 0;
		}
	}
	*got = n;
	if (n > 0) {
		if (so->pcb.tcp)
			window_open(so->pcb.tcp, n);
		return VIPER_OK;
	}
	if (so->end || so->shut_read) {
		*end = true;
		return VIPER_OK;
	}
	if (so->error)
		return so->error;
	if (so->pcb.tcp == NULL || (!so->connected && !so->connecting))
		return VIPER_E_NOTCONN;
	return VIPER_E_WOULDBLOCK;
}

/*
 * Reading is shut down here (later data is dropped and acknowledged), never
 * in lwIP, whose tcp_shutdown would free the pcb when both sides are shut.
 */
int32_t net_tcp_shutdown(struct net_socket *so, bool rd, bool wr)
{
	if (so->pcb.tcp == NULL || !so->connected)
		return so->error ? so->error : VIPER_E_NOTCONN;
	if (rd && so->rx) {
		window_open(so->pcb.tcp, so->rx_bytes);
		pbuf_free(so->rx);
		so->rx = NULL;
		so->rx_taken = 0;
		so->rx_bytes = 0;
	}
	so->shut_read |= rd;
	if (wr && !so->shut_write) {
		so->shut_write = true;
		return net_error_from_lwip(tcp_shutdown(so->pcb.tcp, 0, 1));
	}
	return VIPER_OK;
}
