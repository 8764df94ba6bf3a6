/* The fake network device (fake_link.h). */
#include "fake_link.h"

#define RING_CAPACITY 64u
#define RING_SPAN     4096u
#define TX_BASE	      (FAKE_LINK_BUFFERS * FAKE_LINK_BUFFER_SIZE)

static int32_t link_info(void *self, struct viper_rpc_context *ctx,
			 const viper_netdev_InfoRequest *req, viper_netdev_InfoReply *rep)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
	struct fake_link *l = self;

	(void)ctx;
	(void)req;
	rep->mac.size = 6;
	vc_memcpy(rep->mac.bytes, mac, 6);
	rep->link_up = true;
	rep->mtu = 1500;
	rep->max_frame = 1514;
	rep->buffer_size = FAKE_LINK_BUFFER_SIZE;
	rep->rx_buffers = FAKE_LINK_BUFFERS;
	rep->tx_buffers = FAKE_LINK_BUFFERS;
	rep->ring_capacity = RING_CAPACITY;
	rep->tx_frames = l->sent_total;
	return VIPER_OK;
}

static int32_t format_rings(struct fake_link *l)
{
	struct viper_ring *r[4] = {&l->rx, &l->rx_free, &l->tx, &l->tx_done};
	const bool producer[4] = {true, false, false, true};

	for (unsigned i = 0; i < 4; i++) {
		int32_t err = netdev_frame_ring_format(r[i], l->rings + i * RING_SPAN, RING_SPAN,
						       RING_CAPACITY, producer[i]);
		if (err)
			return err;
		viper_ring_set_wake(r[i], l->wake, VIPER_HANDLE_INVALID);
	}
	return VIPER_OK;
}

static int32_t make_memory(uint64_t size, viper_handle_t *h, uint8_t **p)
{
	void *m;
	uint64_t got;
	int32_t err = vc_memory_create(size, h);

	if (err == VIPER_OK)
		err = vc_memory_map(*h, &m, &got);
	if (err == VIPER_OK)
		*p = m;
	return err;
}

static int32_t link_attach(void *self, struct viper_rpc_context *ctx,
			   const viper_netdev_AttachRequest *req, viper_netdev_AttachReply *rep)
{
	struct fake_link *l = self;
	int32_t err;

	(void)ctx;
	if (l->attached || req->wake == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	l->wake = req->wake;
	err = make_memory(4 * RING_SPAN, &rep->rings, &l->rings);
	if (err == VIPER_OK)
		err = make_memory(2 * TX_BASE, &rep->buffers, &l->buffers);
	if (err == VIPER_OK)
		err = format_rings(l);
	for (uint32_t i = 0; i < FAKE_LINK_BUFFERS && err == VIPER_OK; i++) {
		viper_netdev_Frame f = {TX_BASE + i * FAKE_LINK_BUFFER_SIZE, 0};
		err = netdev_frame_push(&l->tx_done, &f);
	}
	l->attached = err == VIPER_OK;
	return err;
}

static void keep(struct fake_link *l, const viper_netdev_Frame *f)
{
	l->sent_total++;
	if (l->sent_count == FAKE_LINK_SENT_MAX || f->length > FAKE_LINK_BUFFER_SIZE)
		return;
	struct fake_frame *k = &l->sent[l->sent_count++];
	k->length = f->length;
	vc_memcpy(k->bytes, l->buffers + f->offset, f->length);
}

static int32_t link_transmit(void *self, struct viper_rpc_context *ctx,
			     const viper_netdev_TransmitRequest *req,
			     viper_netdev_TransmitReply *rep)
{
	struct fake_link *l = self;
	viper_netdev_Frame f;

	(void)ctx;
	(void)req;
	l->transmits++;
	while (netdev_frame_pop(&l->rx_free, &f) == VIPER_OK) {
		uint32_t i = f.offset / FAKE_LINK_BUFFER_SIZE;
		if (f.offset % FAKE_LINK_BUFFER_SIZE == 0 && i < FAKE_LINK_BUFFERS)
			l->rx_owned[i] = false;
	}
	while (netdev_frame_pop(&l->tx, &f) == VIPER_OK) {
		if (f.offset < TX_BASE || f.offset >= 2 * TX_BASE)
			continue;
		keep(l, &f);
		rep->queued++;
		viper_netdev_Frame back = {f.offset, 0};
		(void)netdev_frame_push(&l->tx_done, &back);
	}
	return VIPER_OK;
}

const struct netdev_server fake_link_server = {
	.info = link_info,
	.attach = link_attach,
	.transmit = link_transmit,
};

bool fake_link_inject_descriptor(struct fake_link *l, uint32_t offset, uint32_t length)
{
	viper_netdev_Frame f = {offset, length};

	return l->attached && netdev_frame_push(&l->rx, &f) == VIPER_OK;
}

bool fake_link_inject(struct fake_link *l, const void *frame, uint32_t length)
{
	for (uint32_t i = 0; i < FAKE_LINK_BUFFERS && l->attached; i++) {
		if (l->rx_owned[i])
			continue;
		if (length > FAKE_LINK_BUFFER_SIZE)
			return false;
		vc_memcpy(l->buffers + i * FAKE_LINK_BUFFER_SIZE, frame, length);
		l->rx_owned[i] = true;
		return fake_link_inject_descriptor(l, i * FAKE_LINK_BUFFER_SIZE, length);
	}
	return false;
}

void fake_link_clear(struct fake_link *l)
{
	l->sent_count = 0;
}

static int32_t fake_entropy_read(void *self, struct viper_rpc_context *ctx,
				 const viper_entropy_ReadRequest *req, viper_entropy_ReadReply *rep)
{
	(void)self;
	(void)ctx;
	if (req->length == 0 || req->length > sizeof(rep->data.bytes))
		return VIPER_E_RANGE;
	for (uint32_t i = 0; i < req->length; i++)
		rep->data.bytes[i] = (uint8_t)(i * 37 + 11); /* fixed: runs repeat exactly */
	rep->data.size = (pb_size_t)req->length;
	return VIPER_OK;
}

const struct entropy_server fake_entropy_server = {
	.read = fake_entropy_read,
};
