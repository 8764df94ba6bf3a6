/*
 * The stack's network interface over a provider of netdev (slot link):
 * Attach gives four rings and the packet buffers; a received frame is
 * copied into a pbuf and its buffer given straight back; a frame to send
 * is copied into a transmit buffer the stack holds and pushed to tx, and
 * the driver is kicked (Transmit) once per pass, not per frame.
 */
#include <net_stack/net_stack.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#define RING_PAGE 4096u

static uint64_t ring_span(uint32_t capacity)
{
	uint64_t n = viper_ring_bytes(capacity, sizeof(viper_netdev_Frame));

	return (n + RING_PAGE - 1) & ~(uint64_t)(RING_PAGE - 1);
}

/* Attaches the client's ends of the four rings the driver formatted. */
static int32_t attach_rings(struct net_link *l, uint32_t capacity)
{
	uint64_t span = ring_span(capacity);
	struct viper_ring *rings[4] = {&l->rx, &l->rx_free, &l->tx, &l->tx_done};
	const bool producer[4] = {false, true, true, false};

	if (l->rings_size < 4 * span)
		return VIPER_E_CORRUPT;
	for (unsigned i = 0; i < 4; i++) {
		int32_t err = netdev_frame_ring_attach(rings[i], l->rings + i * span, span,
						       capacity, producer[i]);
		if (err)
			return err;
	}
	return VIPER_OK;
}

/* Maps what Attach gave: rings and buffers. */
/* Maps what Attach gave, rings and buffers, and closes the handles either way. */
static int32_t map_attach(struct net_link *l, const viper_netdev_AttachReply *rep,
			  const viper_netdev_InfoReply *info)
{
	void *rings = NULL, *buffers = NULL;
	int32_t err = vc_memory_map(rep->rings, &rings, &l->rings_size);

	if (err == VIPER_OK)
		err = vc_memory_map(rep->buffers, &buffers, &l->buffers_size);
	(void)vc_handle_close(rep->rings);
	(void)vc_handle_close(rep->buffers);
	l->rings = rings;
	l->buffers = buffers;
	if (err)
		return err;
	return attach_rings(l, info->ring_capacity);
}

static bool buffer_ok(const struct net_link *l, uint32_t offset, uint32_t length)
{
	return offset % l->buffer_size == 0 &&
	       (uint64_t)offset + l->buffer_size <= l->buffers_size && length <= l->max_frame;
}

/* Takes transmit buffers back from tx_done. */
static void take_tx_done(struct net_link *l)
{
	viper_netdev_Frame f;

	while (l->tx_free_count < NET_STACK_TX_MAX &&
	       netdev_frame_pop(&l->tx_done, &f) == VIPER_OK) {
		if (buffer_ok(l, f.offset, 0))
			l->tx_free[l->tx_free_count++] = f.offset;
	}
}

static err_t link_output(struct netif *netif, struct pbuf *p)
{
	struct net_stack *s = netif->state;
	struct net_link *l = &s->link;
	viper_netdev_Frame f;

	if (l->failed)
		return ERR_IF;
	if (p->tot_len > l->max_frame) {
		LINK_STATS_INC(link.lenerr);
		return ERR_BUF;
	}
	if (l->tx_free_count == 0)
		take_tx_done(l);
	if (l->tx_free_count == 0) {
		l->no_tx_buffer++;
		LINK_STATS_INC(link.memerr);
		return ERR_MEM; /* TCP sends it again; the driver gives buffers back on completion
				 */
	}
	f.offset = l->tx_free[--l->tx_free_count];
	f.length = pbuf_copy_partial(p, l->buffers + f.offset, p->tot_len, 0);
	if (netdev_frame_push(&l->tx, &f) != VIPER_OK) {
		l->tx_free[l->tx_free_count++] = f.offset;
		LINK_STATS_INC(link.drop);
		return ERR_MEM;
	}
	l->kick = true;
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

static err_t link_netif_init(struct netif *netif)
{
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->mtu = 1500;
	netif->mtu6 = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	netif->flags =
		NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = link_output;
	return ERR_OK;
}

/* Info and Attach: the rings and buffers of a (possibly restarted) driver. */
static int32_t link_connect(struct net_link *l, viper_netdev_InfoReply *info)
{
	viper_netdev_InfoRequest ireq = {0};
	viper_netdev_AttachRequest areq = {0};
	viper_netdev_AttachReply arep;
	viper_handle_t wake_send;
	int32_t err = netdev_info(l->dev, &ireq, info);

	if (err)
		return err;
	if (info->mac.size != 6 || info->buffer_size < info->max_frame || info->max_frame < 60 ||
	    info->ring_capacity == 0)
		return VIPER_E_CORRUPT;
	err = vc_channel_create(&wake_send, &l->wake_recv);
	if (err)
		return err;
	areq.wake = wake_send;
	err = netdev_attach(l->dev, &areq, &arep);
	if (err)
		return err;
	l->buffer_size = info->buffer_size;
	l->max_frame = info->max_frame;
	err = map_attach(l, &arep, info);
	if (err)
		return err;
	viper_ring_set_wake(&l->rx, VIPER_HANDLE_INVALID, l->wake_recv);
	viper_ring_set_wake(&l->tx_done, VIPER_HANDLE_INVALID, l->wake_recv);
	l->tx_free_count = 0;
	take_tx_done(l);
	return VIPER_OK;
}

/* Drops what the last Attach gave. */
static void link_disconnect(struct net_link *l)
{
	if (l->rings)
		(void)vc_memory_unmap(l->rings, l->rings_size);
	if (l->buffers)
		(void)vc_memory_unmap(l->buffers, l->buffers_size);
	if (l->wake_recv != VIPER_HANDLE_INVALID)
		(void)vc_handle_close(l->wake_recv);
	l->rings = l->buffers = NULL;
	l->wake_recv = VIPER_HANDLE_INVALID;
}

int32_t net_link_attach(struct net_stack *s, struct viper_slot *dev)
{
	struct net_link *l = &s->link;
	viper_netdev_InfoReply info;

	l->dev = dev;
	l->wake_recv = VIPER_HANDLE_INVALID;
	int32_t err = link_connect(l, &info);
	if (err)
		return err;
	if (!netif_add(&s->netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, s, link_netif_init,
		       ethernet_input))
		return VIPER_E_NOMEM;
	vc_memcpy(s->netif.hwaddr, info.mac.bytes, 6);
	netif_set_default(&s->netif);
	netif_set_up(&s->netif);
	if (info.link_up)
		netif_set_link_up(&s->netif);
	return VIPER_OK;
}

void net_link_retry(struct net_stack *s, uint64_t now_ns)
{
	struct net_link *l = &s->link;
	viper_netdev_InfoReply info;

	if (!l->failed || l->dev == NULL || now_ns < l->retry_ns)
		return;
	l->retry_ns = now_ns + NET_STACK_LINK_RETRY_NS;
	link_disconnect(l);
	if (link_connect(l, &info) != VIPER_OK)
		return; /* the driver is not back yet */
	l->failed = false;
	vc_log("net_stack: attached to the network driver again");
	netif_set_link_down(&s->netif);
	if (info.link_up)
		netif_set_link_up(&s->netif); /* renews DHCP and IPv6 neighbours */
}

/* One received frame, copied into a pbuf for lwIP; its buffer goes back at once. */
static void receive_frame(struct net_stack *s, const viper_netdev_Frame *f)
{
	struct net_link *l = &s->link;
	viper_netdev_Frame back = {f->offset, 0};
	struct pbuf *p = NULL;

	if (buffer_ok(l, f->offset, f->length) && f->length >= 14) {
		p = pbuf_alloc(PBUF_RAW, (u16_t)f->length, PBUF_POOL);
		if (p)
			(void)pbuf_take(p, l->buffers + f->offset, (u16_t)f->length);
		else
			l->no_memory++;
	} else {
		LINK_STATS_INC(link.lenerr);
	}
	if (netdev_frame_push(&l->rx_free, &back) != VIPER_OK)
		l->failed = true; /* the ring holds every buffer: it cannot be full */
	l->kick = true;
	if (p == NULL) {
		LINK_STATS_INC(link.drop);
		return;
	}
	LINK_STATS_INC(link.recv);
	if (s->netif.input(p, &s->netif) != ERR_OK)
		pbuf_free(p);
}

void net_link_poll(struct net_stack *s)
{
	struct net_link *l = &s->link;
	viper_netdev_Frame f;

	if (l->dev == NULL || l->failed)
		return;
	for (unsigned n = 0; n < NET_STACK_RX_BATCH; n++) {
		int32_t err = netdev_frame_pop(&l->rx, &f);

		if (err == VIPER_E_WOULDBLOCK)
			break;
		if (err) {
			l->failed = true;
			vc_log("net_stack: the driver's receive ring is corrupt; the link is down");
			return;
		}
		receive_frame(s, &f);
	}
	take_tx_done(l);
}

void net_link_flush(struct net_stack *s)
{
	struct net_link *l = &s->link;
	viper_netdev_TransmitRequest req = {0};
	viper_netdev_TransmitReply rep;

	if (!l->kick || l->dev == NULL || l->failed)
		return;
	l->kick = false;
	int32_t err = netdev_transmit(l->dev, &req, &rep);
	/* UNSUPPORTED: a restarted driver that does not know this client yet. */
	if (err == VIPER_E_PEERCLOSED || err == VIPER_E_CORRUPT || err == VIPER_E_IO ||
	    err == VIPER_E_UNSUPPORTED) {
		l->failed = true;
		vc_log("net_stack: the network driver failed (%d); the link is down", err);
	}
}

bool net_link_arm(struct net_stack *s)
{
	struct net_link *l = &s->link;

	if (l->dev == NULL || l->failed)
		return false; /* nothing will come: sleep until the next timer */
	if (viper_ring_arm(&l->rx) != VIPER_E_WOULDBLOCK)
		return true;
	/* Completions matter only when the stack is short of transmit buffers. */
	return l->tx_free_count < NET_STACK_TX_LOW &&
	       viper_ring_arm(&l->tx_done) != VIPER_E_WOULDBLOCK;
}
