/*
 * virtio_net's device half: the receive and transmit queues, the buffers
 * posted on them, and restarting a device that corrupted one
 * (virtio_net_private.h). Called with net->lock held.
 */
#include "virtio_net_private.h"

/* What the driver accepts, and what it cannot do without. */
#define WANTED	 (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS)
#define REQUIRED VIRTIO_NET_F_MAC

_Static_assert(VIRTIO_NET_RX_BUFFERS *VIRTIO_NET_HEADER_STRIDE <=
			       VIRTIO_NET_QUEUE_BYTES - VIRTIO_NET_HEADERS_AT &&
		       VIRTIO_NET_TX_BUFFERS * VIRTIO_NET_HEADER_STRIDE <=
			       VIRTIO_NET_QUEUE_BYTES - VIRTIO_NET_HEADERS_AT,
	       "each queue's headers fit at the end of its block");
_Static_assert(2u * VIRTIO_NET_RX_BUFFERS <= VIRTIO_NET_QUEUE_SIZE &&
		       2u * VIRTIO_NET_TX_BUFFERS <= VIRTIO_NET_QUEUE_SIZE,
	       "two descriptors a buffer: every buffer fits on its queue at once");
_Static_assert(VIRTIO_NET_BUFFERS <= 256u, "a buffer's number fits the by-head tables");

static bool is_rx(uint32_t b)
{
	return b < VIRTIO_NET_RX_BUFFERS;
}

/* Buffer b's header: in the ring region, at the end of its queue's block. */
static uint64_t header_offset(uint32_t b)
{
	uint32_t queue = is_rx(b) ? 0 : 1;
	uint32_t slot = is_rx(b) ? b : b - VIRTIO_NET_RX_BUFFERS;

	return (uint64_t)queue * VIRTIO_NET_QUEUE_BYTES + VIRTIO_NET_HEADERS_AT +
	       (uint64_t)slot * VIRTIO_NET_HEADER_STRIDE;
}

static struct virtq_part header_part(const struct virtio_net *net, uint32_t b, bool device_writes)
{
	return (struct virtq_part){net->mem.ring.phys + header_offset(b), net->header_bytes,
				   device_writes};
}

static uint64_t buffer_phys(const struct virtio_net *net, uint32_t b)
{
	return net->mem.buffers.phys + (uint64_t)b * VIRTIO_NET_BUFFER_SIZE;
}

static uint8_t *dma_buffer(const struct virtio_net *net, uint32_t b)
{
	return (uint8_t *)net->mem.buffers.virt + (uint64_t)b * VIRTIO_NET_BUFFER_SIZE;
}

static int32_t read_mac(struct virtio_net *net)
{
	for (uint32_t i = 0; i < 6; i++) {
		uint64_t v;
		int32_t err = virtio_config_read(&net->dev, i, 1, &v);

		if (err)
			return err;
		net->mac[i] = (uint8_t)v;
	}
	return VIPER_OK;
}

static int32_t setup_queues(struct virtio_net *net)
{
	uint8_t *ring = net->mem.ring.virt;
	const struct virtq_memory rx = {ring, net->mem.ring.phys, VIRTIO_NET_QUEUE_BYTES};
	const struct virtq_memory tx = {ring + VIRTIO_NET_QUEUE_BYTES,
					net->mem.ring.phys + VIRTIO_NET_QUEUE_BYTES,
					VIRTIO_NET_QUEUE_BYTES};
	int32_t err;

	err = virtq_setup(&net->rxq, &net->dev, VIRTIO_NET_RX_QUEUE, VIRTIO_NET_QUEUE_SIZE, &rx);
	if (err == VIPER_OK)
		err = virtq_setup(&net->txq, &net->dev, VIRTIO_NET_TX_QUEUE, VIRTIO_NET_QUEUE_SIZE,
				  &tx);
	return err;
}

int32_t net_device_start(struct virtio_net *net)
{
	int32_t err =
		virtio_device_init(&net->dev, &net->bus, VIRTIO_NET_DEVICE_ID, WANTED, REQUIRED);

	if (err)
		return err;
	/* VERSION_1 always has num_buffers; legacy has it only with MRG_RXBUF, never accepted. */
	net->header_bytes =
		net->dev.version == 2 ? VIRTIO_NET_HEADER_MODERN : VIRTIO_NET_HEADER_LEGACY;
	err = read_mac(net);
	if (err == VIPER_OK)
		err = setup_queues(net);
	if (err) {
		virtio_device_fail(&net->dev);
		return err;
	}
	virtio_device_ready(&net->dev);
	net_device_post_rx(net);
	return VIPER_OK;
}

void net_device_restart(struct virtio_net *net)
{
	virtio_device_reset(&net->dev); /* it forgets its queues and stops using the buffers */
	for (uint32_t b = 0; b < VIRTIO_NET_BUFFERS; b++)
		if (net->owner[b] == VIRTIO_NET_OWNER_DEVICE)
			net->owner[b] = VIRTIO_NET_OWNER_DRIVER;
	if (++net->restarts > VIRTIO_NET_MAX_RESTARTS || net_device_start(net) != VIPER_OK) {
		virtio_device_reset(&net->dev);
		net->failed = VIPER_E_IO;
	}
	net_client_give_all_tx(net); /* sent or not, they are the client's to fill again */
}

void net_device_post_rx(struct virtio_net *net)
{
	bool posted = false;

	if (net->failed)
		return;
	for (uint32_t b = 0; b < VIRTIO_NET_RX_BUFFERS; b++) {
		struct virtq_part parts[2] = {
			header_part(net, b, true),
			{buffer_phys(net, b), VIRTIO_NET_BUFFER_SIZE, true},
		};
		uint16_t head;

		if (net->owner[b] != VIRTIO_NET_OWNER_DRIVER)
			continue;
		if (virtq_submit(&net->rxq, parts, 2, &head) != VIPER_OK)
			break; /* room for every buffer: only a broken queue refuses */
		net->rx_buffer[head] = (uint8_t)b;
		net->owner[b] = VIRTIO_NET_OWNER_DEVICE;
		posted = true;
	}
	if (posted)
		net->kicks |= 1u << VIRTIO_NET_RX_QUEUE;
}

bool net_device_tx_room(const struct virtio_net *net)
{
	return virtq_in_flight(&net->txq) < VIRTIO_NET_QUEUE_SIZE / 2;
}

int32_t net_device_send(struct virtio_net *net, uint32_t b, uint32_t length)
{
	volatile uint8_t *header = (volatile uint8_t *)net->mem.ring.virt + header_offset(b);
	const uint8_t *from = net->mem.shared_virt + (uint64_t)b * VIRTIO_NET_BUFFER_SIZE;
	struct virtq_part parts[2] = {
		header_part(net, b, false),
		{buffer_phys(net, b), length, false},
	};
	uint16_t head;
	int32_t err;

	for (uint32_t i = 0; i < net->header_bytes; i++)
		header[i] = 0; /* no checksum to fill, no segmentation: GSO_NONE */
	if (from != dma_buffer(net, b))
		vc_memcpy(dma_buffer(net, b), from, length);
	err = virtq_submit(&net->txq, parts, 2, &head);
	if (err)
		return err;
	net->tx_buffer[head] = (uint8_t)b;
	net->tx_length[b] = (uint16_t)length;
	net->owner[b] = VIRTIO_NET_OWNER_DEVICE;
	net->kicks |= 1u << VIRTIO_NET_TX_QUEUE;
	return VIPER_OK;
}

uint32_t net_device_take_kicks(struct virtio_net *net)
{
	uint32_t kicks = net->kicks;

	net->kicks = 0;
	return kicks;
}

void net_device_kick(struct virtio_net *net, uint32_t kicks)
{
	/* Only the queue's number and device, which a restart sets to the same values. */
	if (kicks & (1u << VIRTIO_NET_RX_QUEUE))
		virtq_kick(&net->rxq);
	if (kicks & (1u << VIRTIO_NET_TX_QUEUE))
		virtq_kick(&net->txq);
}

/* A used receive of `written` bytes holds a frame of an Ethernet length. */
static bool frame_fits(const struct virtio_net *net, uint32_t written)
{
	return written >= net->header_bytes + VIRTIO_NET_MIN_FRAME &&
	       written <= net->header_bytes + VIRTIO_NET_MAX_FRAME;
}

static int32_t take_rx(struct virtio_net *net)
{
	uint16_t head;
	uint32_t written;
	int32_t err;

	while ((err = virtq_take_used(&net->rxq, &head, &written)) == VIPER_OK) {
		uint32_t b = net->rx_buffer[head]; /* the queue checked: a receive in flight */
		uint32_t length = frame_fits(net, written) ? written - net->header_bytes : 0;

		net->owner[b] = VIRTIO_NET_OWNER_DRIVER;
		if (length && net_client_deliver(net, b, length)) {
			net->count.rx_frames++;
			net->count.rx_bytes += length;
		} else {
			net->count.rx_dropped++; /* the buffer is posted again */
		}
	}
	if (err == VIPER_E_CORRUPT)
		net->count.rx_dropped++; /* whatever it was: the device lied about it */
	return err == VIPER_E_WOULDBLOCK ? VIPER_OK : err;
}

static int32_t take_tx(struct virtio_net *net)
{
	uint16_t head;
	uint32_t written;
	int32_t err;

	while ((err = virtq_take_used(&net->txq, &head, &written)) == VIPER_OK) {
		uint32_t b = net->tx_buffer[head];

		net->owner[b] = VIRTIO_NET_OWNER_DRIVER;
		net->count.tx_frames++;
		net->count.tx_bytes += net->tx_length[b];
		net_client_give_tx(net, b);
	}
	return err == VIPER_E_WOULDBLOCK ? VIPER_OK : err;
}

int32_t net_device_take_used(struct virtio_net *net)
{
	int32_t err;

	if (net->failed)
		return VIPER_OK;
	err = take_rx(net);
	if (err == VIPER_OK)
		err = take_tx(net);
	return err;
}
