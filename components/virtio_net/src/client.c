/*
 * virtio_net's client half: the four rings of the attached client and the
 * buffers it holds (virtio_net_private.h). Everything the client writes is
 * shared memory it may change at any time: each Frame is copied out by the
 * ring before it is looked at, and believed only when it names a buffer
 * the driver's own table says the client holds. Called with net->lock
 * held.
 */
#include "virtio_net_private.h"

static bool is_producer(enum virtio_net_ring r)
{
	return r == VIRTIO_NET_RING_RX || r == VIRTIO_NET_RING_TX_DONE;
}

static uint32_t buffer_offset(uint32_t b)
{
	return b * VIRTIO_NET_BUFFER_SIZE;
}

/*
 * Formats the four rings in `map` and gives each end the client's wake-up
 * channel: the client sleeps on rx and tx_done, and may sleep for room in
 * rx_free and tx (never while it keeps to the contract: every ring holds
 * every buffer). The driver never sleeps on a ring.
 */
static int32_t format_rings(struct virtio_net_client *c, uint8_t *map, viper_handle_t wake)
{
	for (uint32_t r = 0; r < VIRTIO_NET_RING_COUNT; r++) {
		int32_t err = netdev_frame_ring_format(
			&c->rings[r], map + r * VIRTIO_NET_RING_STRIDE, VIRTIO_NET_RING_STRIDE,
			VIRTIO_NET_RING_CAPACITY, is_producer(r));
		if (err)
			return err;
		viper_ring_set_wake(&c->rings[r], wake, VIPER_HANDLE_INVALID);
	}
	return VIPER_OK;
}

int32_t net_client_make(struct virtio_net *net, viper_handle_t wake,
			struct virtio_net_client *fresh, viper_handle_t *rings,
			viper_handle_t *buffers)
{
	void *map;
	uint64_t size;

	*rings = *buffers = VIPER_HANDLE_INVALID;
	if (vc_memory_create(VIRTIO_NET_RINGS_BYTES, rings) != VIPER_OK)
		return VIPER_E_NOMEM;
	if (vc_memory_map(*rings, &map, &size) != VIPER_OK)
		goto out_close_rings;
	if (format_rings(fresh, map, wake) != VIPER_OK ||
	    vc_handle_derive(net->mem.shared, VIRTIO_NET_CLIENT_RIGHTS, buffers) != VIPER_OK)
		goto out_unmap;
	fresh->attached = false;
	fresh->rings_map = map;
	fresh->rings_size = size;
	fresh->wake = wake;
	return VIPER_OK;

out_unmap:
	(void)vc_memory_unmap(map, size);
out_close_rings:
	(void)vc_handle_close(*rings);
	*rings = VIPER_HANDLE_INVALID;
	return VIPER_E_NOMEM;
}

void net_client_replace(struct virtio_net *net, const struct virtio_net_client *fresh)
{
	struct virtio_net_client *c = &net->client;

	if (c->attached) {
		/* Its rings are no longer read; what it still maps is its own affair. */
		(void)vc_memory_unmap(c->rings_map, c->rings_size);
		if (c->wake != fresh->wake)
			(void)vc_handle_close(c->wake);
	}
	for (uint32_t b = 0; b < VIRTIO_NET_BUFFERS; b++)
		if (net->owner[b] == VIRTIO_NET_OWNER_CLIENT)
			net->owner[b] = VIRTIO_NET_OWNER_DRIVER;
	*c = *fresh;
	c->attached = true;
	net_device_post_rx(net);
	net_client_give_all_tx(net);
}

bool net_client_deliver(struct virtio_net *net, uint32_t b, uint32_t length)
{
	const uint8_t *dma = (const uint8_t *)net->mem.buffers.virt + buffer_offset(b);
	uint8_t *shared = net->mem.shared_virt + buffer_offset(b);
	const viper_netdev_Frame f = {buffer_offset(b), length};

	if (!net->client.attached)
		return false;
	if (shared != dma)
		vc_memcpy(shared, dma, length);
	if (netdev_frame_push(&net->client.rings[VIRTIO_NET_RING_RX], &f) != VIPER_OK)
		return false; /* full (it holds every buffer: the client broke it) or corrupt */
	net->owner[b] = VIRTIO_NET_OWNER_CLIENT;
	return true;
}

void net_client_give_tx(struct virtio_net *net, uint32_t b)
{
	const viper_netdev_Frame f = {buffer_offset(b), 0};

	if (net->client.attached &&
	    netdev_frame_push(&net->client.rings[VIRTIO_NET_RING_TX_DONE], &f) == VIPER_OK)
		net->owner[b] = VIRTIO_NET_OWNER_CLIENT;
}

void net_client_give_all_tx(struct virtio_net *net)
{
	for (uint32_t b = VIRTIO_NET_RX_BUFFERS; b < VIRTIO_NET_BUFFERS; b++)
		if (net->owner[b] == VIRTIO_NET_OWNER_DRIVER)
			net_client_give_tx(net, b);
}

/*
 * Whether `offset` names a buffer among [first, first + count) that the
 * client holds: *b, its number.
 */
static bool client_buffer(const struct virtio_net *net, uint32_t offset, uint32_t first,
			  uint32_t count, uint32_t *b)
{
	uint32_t n = offset / VIRTIO_NET_BUFFER_SIZE;

	if (offset % VIRTIO_NET_BUFFER_SIZE != 0 || n < first || n - first >= count ||
	    net->owner[n] != VIRTIO_NET_OWNER_CLIENT)
		return false;
	*b = n;
	return true;
}

static int32_t take_rx_free(struct virtio_net *net)
{
	viper_netdev_Frame f;
	int32_t err;
	uint32_t b;

	while ((err = netdev_frame_pop(&net->client.rings[VIRTIO_NET_RING_RX_FREE], &f)) ==
	       VIPER_OK) {
		if (client_buffer(net, f.offset, 0, VIRTIO_NET_RX_BUFFERS, &b))
			net->owner[b] = VIRTIO_NET_OWNER_DRIVER;
		else
			net->count.client_errors++; /* not a receive buffer it holds: twice, say */
	}
	return err == VIPER_E_WOULDBLOCK ? VIPER_OK : err;
}

/*
 * One Frame from tx: sent; refused and counted when it names no transmit
 * buffer the client holds; refused, counted and given straight back
 * through tx_done when its length is not an Ethernet frame's, so the
 * client's count of its buffers stays right.
 */
static void send_one(struct virtio_net *net, const viper_netdev_Frame *f, uint32_t *queued)
{
	uint32_t b;

	if (!client_buffer(net, f->offset, VIRTIO_NET_RX_BUFFERS, VIRTIO_NET_TX_BUFFERS, &b)) {
		net->count.client_errors++;
		return;
	}
	net->owner[b] = VIRTIO_NET_OWNER_DRIVER;
	if (f->length < VIRTIO_NET_MIN_FRAME || f->length > VIRTIO_NET_MAX_FRAME) {
		net->count.client_errors++;
		net_client_give_tx(net, b);
		return;
	}
	if (net_device_send(net, b, f->length) != VIPER_OK) {
		net_client_give_tx(net, b); /* the queue had room: only a broken one refuses */
		return;
	}
	(*queued)++;
}

static int32_t take_tx(struct virtio_net *net, uint32_t *queued)
{
	viper_netdev_Frame f;
	int32_t err = VIPER_OK;

	/* With no room on the queue the rest wait in the ring, for the next call or completion. */
	while (net_device_tx_room(net) &&
	       (err = netdev_frame_pop(&net->client.rings[VIRTIO_NET_RING_TX], &f)) == VIPER_OK)
		send_one(net, &f, queued);
	return err == VIPER_E_WOULDBLOCK ? VIPER_OK : err;
}

int32_t net_client_serve(struct virtio_net *net, uint32_t *queued)
{
	int32_t rx_err = take_rx_free(net);
	int32_t tx_err;

	*queued = 0;
	net_device_post_rx(net);
	tx_err = take_tx(net, queued);
	return rx_err ? rx_err : tx_err;
}
