/*
 * virtio_net: see include/virtio_net/virtio_net.h and README.md. This
 * file: starting the driver, the run thread, interface netdev and the
 * component; the device and client halves are device.c and client.c.
 */
#include "virtio_net_private.h"

#include "virtio_net_slots.h"

#define WAIT_NS 1000000000ll /* a wait for the interrupt; a pass follows even when none came */

int32_t virtio_net_start(struct virtio_net *net, const struct virtio_bus *bus,
			 const struct virtio_net_memory *mem, const struct virtq_waiter *waiter)
{
	int32_t err;

	if (mem->ring.size < VIRTIO_NET_RING_BYTES || mem->buffers.size < VIRTIO_NET_DMA_BYTES ||
	    mem->shared_virt == NULL || mem->shared == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	vc_memset(net, 0, sizeof(*net)); /* every buffer the driver's, no client */
	err = vc_lock_init(&net->lock);
	if (err)
		return err;
	net->bus = *bus;
	net->mem = *mem;
	net->waiter = *waiter;
	err = net_device_start(net);
	net_device_kick(net, net_device_take_kicks(net));
	return err;
}

/* Gives the lock, then notifies the device of what was posted under it. */
static void unlock_and_kick(struct virtio_net *net)
{
	uint32_t kicks = net_device_take_kicks(net);

	vc_lock_give(&net->lock);
	net_device_kick(net, kicks);
}

void virtio_net_poll(struct virtio_net *net)
{
	uint32_t queued;

	vc_lock_take(&net->lock);
	if (!net->failed) {
		uint32_t causes = virtio_interrupt_take(&net->dev);
		int32_t err = net_device_take_used(net);

		if (err == VIPER_OK && (causes & VIRTIO_INTERRUPT_CONFIG) &&
		    virtio_device_needs_reset(&net->dev))
			err = VIPER_E_IO;
		if (err)
			net_device_restart(net);
	}
	if (!net->failed && net->client.attached) {
		(void)net_client_serve(net, &queued); /* its errors are for Transmit to answer */
		net_client_give_all_tx(net);	      /* any tx_done refused before */
	}
	net_device_post_rx(net);
	unlock_and_kick(net);
}

int32_t virtio_net_run(struct virtio_net *net)
{
	for (;;) {
		int32_t r = net->waiter.wait(net->waiter.context);

		if (r < 0 && r != VIPER_E_TIMEOUT)
			return r;
		virtio_net_poll(net);
		if (r == VIPER_OK && net->waiter.ack &&
		    (r = net->waiter.ack(net->waiter.context)) < 0)
			return r;
	}
}

/* Interface netdev. */

/* The link: the device's status field when it has one, else up. */
static bool link_up(const struct virtio_net *net)
{
	uint64_t status;

	if (net->failed)
		return false;
	if (!(net->dev.features & VIRTIO_NET_F_STATUS))
		return true; /* the device cannot say */
	return virtio_config_read(&net->dev, 6, 2, &status) == VIPER_OK &&
	       (status & VIRTIO_NET_S_LINK_UP);
}

static int32_t serve_info(void *self, struct viper_rpc_context *ctx,
			  const viper_netdev_InfoRequest *req, viper_netdev_InfoReply *rep)
{
	struct virtio_net *net = self;

	(void)ctx;
	(void)req;
	vc_lock_take(&net->lock);
	vc_memcpy(rep->mac.bytes, net->mac, sizeof(net->mac));
	rep->mac.size = sizeof(net->mac);
	rep->link_up = link_up(net);
	rep->mtu = VIRTIO_NET_MTU;
	rep->max_frame = VIRTIO_NET_MAX_FRAME;
	rep->buffer_size = VIRTIO_NET_BUFFER_SIZE;
	rep->rx_buffers = VIRTIO_NET_RX_BUFFERS;
	rep->tx_buffers = VIRTIO_NET_TX_BUFFERS;
	rep->ring_capacity = VIRTIO_NET_RING_CAPACITY;
	rep->modern = net->dev.version == 2;
	rep->rx_frames = net->count.rx_frames;
	rep->rx_bytes = net->count.rx_bytes;
	rep->tx_frames = net->count.tx_frames;
	rep->tx_bytes = net->count.tx_bytes;
	rep->rx_dropped = net->count.rx_dropped;
	rep->client_errors = net->count.client_errors;
	vc_lock_give(&net->lock);
	return VIPER_OK;
}

static int32_t serve_attach(void *self, struct viper_rpc_context *ctx,
			    const viper_netdev_AttachRequest *req, viper_netdev_AttachReply *rep)
{
	struct virtio_net *net = self;
	struct virtio_net_client fresh;
	viper_handle_t rings, buffers;
	int32_t err;

	(void)ctx;
	if (req->wake == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	vc_lock_take(&net->lock);
	err = net->failed ? VIPER_E_IO : net_client_make(net, req->wake, &fresh, &rings, &buffers);
	if (err == VIPER_OK)
		net_client_replace(net, &fresh);
	unlock_and_kick(net);
	if (err) {
		(void)vc_handle_close(req->wake); /* it moved here: refused, it is closed */
		return err;
	}
	rep->rings = rings;
	rep->buffers = buffers;
	return VIPER_OK;
}

static int32_t serve_transmit(void *self, struct viper_rpc_context *ctx,
			      const viper_netdev_TransmitRequest *req,
			      viper_netdev_TransmitReply *rep)
{
	struct virtio_net *net = self;
	uint32_t queued = 0;
	int32_t err;

	(void)ctx;
	(void)req;
	vc_lock_take(&net->lock);
	if (!net->client.attached)
		err = VIPER_E_UNSUPPORTED;
	else if (net->failed)
		err = VIPER_E_IO;
	else
		err = net_client_serve(net, &queued);
	unlock_and_kick(net);
	rep->queued = queued;
	return err;
}

const struct netdev_server virtio_net_server = {
	.info = serve_info,
	.attach = serve_attach,
	.transmit = serve_transmit,
};

/* The component: its interrupt wait, its memory, its grants. */

static int32_t irq_wait(void *context)
{
	return vc_irq_wait(((const struct viper_device *)context)->irq, WAIT_NS);
}

static int32_t irq_ack(void *context)
{
	return vc_irq_ack(((const struct viper_device *)context)->irq);
}

/*
 * What the clients map: the buffers' own memory when its handle may be
 * passed on, else a copy (a process's or the kernel's DMA grant carries
 * neither the derive nor the transfer right; virtio_net_memory).
 */
static int32_t shared_memory(const struct viper_dma *buffers, struct virtio_net_memory *mem)
{
	viper_handle_t probe;
	uint64_t size;
	void *p;
	int32_t err;

	if (vc_handle_derive(buffers->memory, VIRTIO_NET_CLIENT_RIGHTS, &probe) == VIPER_OK) {
		(void)vc_handle_close(probe);
		mem->shared = buffers->memory;
		mem->shared_virt = buffers->virt;
		return VIPER_OK;
	}
	err = vc_memory_create(VIRTIO_NET_DMA_BYTES, &mem->shared);
	if (err)
		return err;
	err = vc_memory_map(mem->shared, &p, &size);
	if (err) {
		(void)vc_handle_close(mem->shared);
		return err;
	}
	mem->shared_virt = p;
	return VIPER_OK;
}

static bool grants_fit(const struct viper_instance_env *env)
{
	const struct viper_device *d = &env->devices[VIRTIO_NET_DEVICE_NET];
	const struct viper_dma *ring = &env->dma[VIRTIO_NET_DMA_RING];
	const struct viper_dma *buffers = &env->dma[VIRTIO_NET_DMA_BUFFERS];

	return env->device_count == VIRTIO_NET_DEVICE_COUNT &&
	       env->dma_count == VIRTIO_NET_DMA_COUNT && d->regs != NULL && d->size >= 0x200 &&
	       d->irq != VIPER_HANDLE_INVALID && ring->virt != NULL && ring->contiguous &&
	       ring->size >= VIRTIO_NET_RING_BYTES && buffers->virt != NULL &&
	       buffers->contiguous && buffers->size >= VIRTIO_NET_DMA_BYTES;
}

static void log_started(const struct virtio_net *net, const char *name)
{
	const uint8_t *m = net->mac;

	vc_log("%s: virtio-net %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, %s", name,
	       net->dev.version == 2 ? "modern" : "legacy", m[0], m[1], m[2], m[3], m[4], m[5],
	       net->mem.shared_virt == net->mem.buffers.virt ? "zero-copy" : "buffers copied");
}

static int32_t virtio_net_init(void *state, const struct viper_instance_env *env)
{
	struct virtio_net *net = state;
	const struct viper_device *d = &env->devices[VIRTIO_NET_DEVICE_NET];
	const struct viper_dma *ring = &env->dma[VIRTIO_NET_DMA_RING];
	const struct viper_dma *buffers = &env->dma[VIRTIO_NET_DMA_BUFFERS];
	struct virtio_net_memory mem = {
		.ring = {ring->virt, ring->phys, ring->size},
		.buffers = {buffers->virt, buffers->phys, buffers->size},
	};

	if (!grants_fit(env))
		return VIPER_E_INVAL;
	int32_t err = shared_memory(buffers, &mem);
	if (err == VIPER_OK) {
		const struct virtio_bus bus = virtio_mmio_bus(d->regs);
		const struct virtq_waiter waiter = {irq_wait, irq_ack, (void *)d};
		err = virtio_net_start(net, &bus, &mem, &waiter);
	}
	if (err == VIPER_OK) {
		log_started(net, env->name);
		return VIPER_OK;
	}
	if (mem.shared_virt != NULL && mem.shared_virt != buffers->virt) {
		(void)vc_memory_unmap(mem.shared_virt, VIRTIO_NET_DMA_BYTES); /* the copy's */
		(void)vc_handle_close(mem.shared);
	}
	vc_log("%s: the virtio network device does not start: %d", env->name, err);
	return err;
}

static int32_t virtio_net_thread(void *state)
{
	int32_t err = virtio_net_run(state);

	vc_log("virtio_net: waiting for the device's interrupt failed (%d): the driver stops", err);
	return err;
}

VIPER_COMPONENT(virtio_net) = {
	.name = "virtio_net",
	.state_size = sizeof(struct virtio_net),
	.init = virtio_net_init,
	.run = virtio_net_thread,
	.provides = {{.interface = &netdev_interface, .ops = &virtio_net_server}},
	.provide_count = 1,
};
