/* Split virtqueues (viper/virtq.h). */
#include <viper/virtq.h>

#include <viper/abi.h>

#define PAGE 4096u

#define DESC_F_NEXT  1u
#define DESC_F_WRITE 2u

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the rings are little-endian, and legacy ones in the guest's order");

/*
 * Barriers against a device that reads and writes the rings by DMA: on
 * AArch64 in the outer-shareable domain, as Linux's dma_wmb and dma_rmb (a
 * device is not one of the inner-shareable CPUs); elsewhere (host tests)
 * the C fences.
 */
#if defined(__aarch64__)
#define DMA_WRITE_BARRIER() __asm__ volatile("dmb oshst" ::: "memory")
#define DMA_READ_BARRIER()  __asm__ volatile("dmb oshld" ::: "memory")
#else
#define DMA_WRITE_BARRIER() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define DMA_READ_BARRIER()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

static uint64_t avail_offset(uint16_t size)
{
	return 16ull * size;
}

static uint64_t used_offset(uint16_t size)
{
	uint64_t end = avail_offset(size) + 6 + 2ull * size;

	return (end + PAGE - 1) & ~(uint64_t)(PAGE - 1); /* QueueAlign for a legacy device */
}

uint64_t virtq_memory_bytes(uint16_t size)
{
	return used_offset(size) + 6 + 8ull * size;
}

/* The rings' fields, through volatile pointers: the device writes them too. */
static void put16(volatile uint8_t *p, uint16_t v)
{
	*(volatile uint16_t *)(volatile void *)p = v;
}

static uint16_t get16(const volatile uint8_t *p)
{
	return *(const volatile uint16_t *)(const volatile void *)p;
}

static uint32_t get32(const volatile uint8_t *p)
{
	return *(const volatile uint32_t *)(const volatile void *)p;
}

static void put_desc(struct virtq *q, uint16_t i, const struct virtq_part *part, uint16_t flags,
		     uint16_t next)
{
	volatile uint8_t *d = q->desc + 16u * i;

	*(volatile uint64_t *)(volatile void *)d = part->phys;
	*(volatile uint32_t *)(volatile void *)(d + 8) = part->len;
	put16(d + 12, flags);
	put16(d + 14, next);
}

static void clear(volatile uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		p[i] = 0;
}

static void free_list_init(struct virtq *q)
{
	for (uint16_t i = 0; i < q->size; i++) {
		q->next[i] = (uint16_t)(i + 1);
		q->chain_len[i] = 0;
		q->writable[i] = 0;
	}
	q->free_head = 0;
	q->free_count = q->size;
}

static void write64(struct virtio_device *d, uint32_t low, uint64_t v)
{
	d->bus.write32(d->bus.context, low, (uint32_t)v);
	d->bus.write32(d->bus.context, low + 4, (uint32_t)(v >> 32));
}

/* Tells the device where the queue is: the legacy page number, or the modern three addresses. */
static int32_t place(struct virtq *q, const struct virtq_memory *mem)
{
	struct virtio_device *d = q->dev;
	uint32_t (*rd)(void *, uint32_t) = d->bus.read32;

	if (d->version == 1) {
		if (rd(d->bus.context, VIRTIO_MMIO_QUEUE_PFN) != 0)
			return VIPER_E_BUSY;
		if ((mem->phys >> 12) > UINT32_MAX)
			return VIPER_E_INVAL;
		d->bus.write32(d->bus.context, VIRTIO_MMIO_QUEUE_NUM, q->size);
		d->bus.write32(d->bus.context, VIRTIO_MMIO_QUEUE_ALIGN, PAGE);
		d->bus.write32(d->bus.context, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(mem->phys >> 12));
		return VIPER_OK;
	}
	if (rd(d->bus.context, VIRTIO_MMIO_QUEUE_READY) != 0)
		return VIPER_E_BUSY;
	d->bus.write32(d->bus.context, VIRTIO_MMIO_QUEUE_NUM, q->size);
	write64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, mem->phys);
	write64(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, mem->phys + avail_offset(q->size));
	write64(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, mem->phys + used_offset(q->size));
	d->bus.write32(d->bus.context, VIRTIO_MMIO_QUEUE_READY, 1);
	return VIPER_OK;
}

int32_t virtq_setup(struct virtq *q, struct virtio_device *d, uint16_t index, uint16_t size,
		    const struct virtq_memory *mem)
{
	uint32_t max;

	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)) || mem->virt == 0 ||
	    ((uintptr_t)mem->virt | mem->phys) & (PAGE - 1) || mem->size < virtq_memory_bytes(size))
		return VIPER_E_INVAL;
	d->bus.write32(d->bus.context, VIRTIO_MMIO_QUEUE_SEL, index);
	max = d->bus.read32(d->bus.context, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max == 0 || max < size)
		return VIPER_E_UNSUPPORTED;
	q->dev = d;
	q->index = index;
	q->size = size;
	q->desc = mem->virt;
	q->avail = q->desc + avail_offset(size);
	q->used = q->desc + used_offset(size);
	q->avail_idx = 0;
	q->last_used = 0;
	q->broken = false;
	clear(q->desc, virtq_memory_bytes(size));
	free_list_init(q);
	return place(q, mem);
}

/* The parts' checks: at least one, none empty, the device's reads before its writes. */
static int32_t check_parts(const struct virtq_part *parts, unsigned count, uint32_t *writable)
{
	bool writing = false;
	uint64_t w = 0;

	if (count == 0)
		return VIPER_E_INVAL;
	for (unsigned i = 0; i < count; i++) {
		if (parts[i].len == 0 || (writing && !parts[i].device_writes))
			return VIPER_E_INVAL;
		writing = parts[i].device_writes;
		if (writing)
			w += parts[i].len;
	}
	if (w > UINT32_MAX)
		return VIPER_E_INVAL;
	*writable = (uint32_t)w;
	return VIPER_OK;
}

int32_t virtq_submit(struct virtq *q, const struct virtq_part *parts, unsigned count,
		     uint16_t *head)
{
	uint32_t writable;
	int32_t err;

	if (q->broken)
		return VIPER_E_CORRUPT;
	err = check_parts(parts, count, &writable);
	if (err)
		return err;
	if (count > q->free_count)
		return VIPER_E_WOULDBLOCK;
	uint16_t first = q->free_head, i = first;
	for (unsigned n = 0; n < count; n++) {
		uint16_t next = q->next[i];
		uint16_t flags = (uint16_t)((parts[n].device_writes ? DESC_F_WRITE : 0) |
					    (n + 1 < count ? DESC_F_NEXT : 0));

		put_desc(q, i, &parts[n], flags, n + 1 < count ? next : 0);
		if (n + 1 < count)
			i = next;
		else
			q->free_head = next;
	}
	q->free_count = (uint16_t)(q->free_count - count);
	q->chain_len[first] = (uint16_t)count;
	q->writable[first] = writable;
	put16(q->avail + 4 + 2u * (q->avail_idx % q->size), first);
	DMA_WRITE_BARRIER(); /* the chain and its ring slot before the index */
	q->avail_idx++;
	put16(q->avail + 2, q->avail_idx);
	*head = first;
	return VIPER_OK;
}

void virtq_kick(struct virtq *q)
{
	DMA_WRITE_BARRIER(); /* the index before the notification (as Linux's writel) */
	q->dev->bus.write32(q->dev->bus.context, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

unsigned virtq_in_flight(const struct virtq *q)
{
	return (uint16_t)(q->avail_idx - q->last_used);
}

static int32_t broken(struct virtq *q)
{
	q->broken = true;
	return VIPER_E_CORRUPT;
}

/* Gives chain `head`'s descriptors back to the free list. */
static void release(struct virtq *q, uint16_t head)
{
	uint16_t last = head;

	for (uint16_t n = 1; n < q->chain_len[head]; n++)
		last = q->next[last];
	q->next[last] = q->free_head;
	q->free_head = head;
	q->free_count = (uint16_t)(q->free_count + q->chain_len[head]);
	q->chain_len[head] = 0;
	q->writable[head] = 0;
}

int32_t virtq_take_used(struct virtq *q, uint16_t *head, uint32_t *written)
{
	if (q->broken)
		return VIPER_E_CORRUPT;
	uint16_t idx = get16(q->used + 2);
	DMA_READ_BARRIER(); /* the index before the elements it covers */
	uint16_t pending = (uint16_t)(idx - q->last_used);
	if (pending == 0)
		return VIPER_E_WOULDBLOCK;
	if (pending > virtq_in_flight(q))
		return broken(q); /* more completions than requests */
	const volatile uint8_t *e = q->used + 4 + 8u * (q->last_used % q->size);
	uint32_t id = get32(e), len = get32(e + 4);
	if (id >= q->size || q->chain_len[id] == 0 || len > q->writable[id])
		return broken(q); /* not a chain in flight, or more written than it holds */
	release(q, (uint16_t)id);
	q->last_used++;
	*head = (uint16_t)id;
	*written = len;
	return VIPER_OK;
}

int32_t virtq_wait_used(struct virtq *q, const struct virtq_waiter *w, uint16_t *head,
			uint32_t *written)
{
	for (;;) {
		int32_t r = virtq_take_used(q, head, written);

		if (r != VIPER_E_WOULDBLOCK)
			return r;
		r = w->wait(w->context);
		if (r < 0)
			return r;
		(void)virtio_interrupt_take(q->dev);
		if (w->ack && (r = w->ack(w->context)) < 0)
			return r;
	}
}
