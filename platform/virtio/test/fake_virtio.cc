// The fake virtio-mmio device (fake_virtio.h).
#include "fake_virtio.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

FakeDma::FakeDma(size_t bytes)
    : size(bytes), p(static_cast<uint8_t *>(mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0)))
{
	if (p == MAP_FAILED)
		abort();
	memset(p, 0xee, bytes);
}

FakeDma::~FakeDma()
{
	munmap(p, size);
}

FakeVirtio::FakeVirtio(uint32_t version_, uint32_t device_id_, uint64_t features)
    : version(version_), device_id(device_id_), offered(features), config(64)
{
	for (size_t i = 0; i < config.size(); i++)
		config[i] = uint8_t(0x10 + i);
}

virtio_bus FakeVirtio::Bus()
{
	return virtio_bus{Read32, Write32, this};
}

uint32_t FakeVirtio::Read32(void *self, uint32_t offset)
{
	return static_cast<FakeVirtio *>(self)->Read(offset);
}

void FakeVirtio::Write32(void *self, uint32_t offset, uint32_t value)
{
	static_cast<FakeVirtio *>(self)->Write(offset, value);
}

uint32_t FakeVirtio::Read(uint32_t offset)
{
	Queue &q = queues[queue_sel < 2 ? queue_sel : 0];
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint32_t at = offset - VIRTIO_MMIO_CONFIG, v = 0;
		for (uint32_t i = 0; i < 4; i++)
			v |= uint32_t(at + i < config.size() ? config[at + i] : 0) << (8 * i);
		return v;
	}
	switch (offset) {
	case VIRTIO_MMIO_MAGIC:
		return magic;
	case VIRTIO_MMIO_VERSION:
		return version;
	case VIRTIO_MMIO_DEVICE_ID:
		return device_id;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return uint32_t(offered >> (features_sel_ ? 32 : 0));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return queue_sel < 2 ? queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_PFN:
		return q.pfn;
	case VIRTIO_MMIO_QUEUE_READY:
		return q.ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return lie == Lie::kConfigKeepsChanging ? ++config_generation : config_generation;
	default:
		return 0;
	}
}

void FakeVirtio::Write(uint32_t offset, uint32_t value)
{
	Queue &q = queues[queue_sel < 2 ? queue_sel : 0];
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		features_sel_ = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		driver_features_sel_ = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (driver_features_sel_)
			accepted = (accepted & 0xffffffffu) | uint64_t(value) << 32;
		else
			accepted = (accepted & ~0xffffffffull) | value;
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		guest_page_size = value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		q.num = value;
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		q.align = value;
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		q.pfn = value;
		q.desc = uint64_t(value) << 12;
		q.driver = q.desc + 16ull * q.num;
		q.device = (q.driver + 6 + 2ull * q.num + q.align - 1) & ~uint64_t(q.align - 1);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q.ready = value;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: {
		uint64_t *field = offset < VIRTIO_MMIO_QUEUE_DRIVER_LOW	  ? &q.desc
				  : offset < VIRTIO_MMIO_QUEUE_DEVICE_LOW ? &q.driver
									  : &q.device;
		int shift = (offset & 4) ? 32 : 0;
		*field = (*field & ~(0xffffffffull << shift)) | uint64_t(value) << shift;
		break;
	}
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notifications++;
		if (complete_on_notify)
			Serve(value);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		interrupt_status &= ~value;
		interrupt_acks++;
		break;
	case VIRTIO_MMIO_STATUS:
		if (value == 0) {
			if (lie == Lie::kIgnoresReset)
				break;
			status = 0;
			accepted = 0;
			for (Queue &each : queues)
				each = Queue{};
			break;
		}
		status = value;
		if (lie == Lie::kDropsFeaturesOk)
			status &= ~uint32_t(VIRTIO_STATUS_FEATURES_OK);
		break;
	default:
		break;
	}
}

uint8_t *FakeVirtio::Desc(const Queue &q, uint16_t i)
{
	return reinterpret_cast<uint8_t *>(uintptr_t(q.desc)) + 16u * i;
}

uint8_t *FakeVirtio::Avail(const Queue &q)
{
	return reinterpret_cast<uint8_t *>(uintptr_t(q.driver));
}

uint8_t *FakeVirtio::Used(const Queue &q)
{
	return reinterpret_cast<uint8_t *>(uintptr_t(q.device));
}

void FakeVirtio::Complete(Queue &q, uint16_t head, uint32_t len)
{
	uint8_t *used = Used(q);
	uint32_t id = head;
	if (lie == Lie::kUsedIdOutOfRange)
		id = q.num + 3;
	if (lie == Lie::kLengthBeyondBuffer)
		len += 1;
	uint8_t *e = used + 4 + 8u * (q.used % q.num);
	memcpy(e, &id, 4);
	memcpy(e + 4, &len, 4);
	q.used++;
	uint16_t idx = q.used;
	if (lie == Lie::kUsedIndexRunsAhead)
		idx = uint16_t(q.used + 5);
	memcpy(used + 2, &idx, 2);
}

uint32_t FakeVirtio::FillPattern(const std::vector<Part> &parts) const
{
	uint32_t written = 0;
	for (const Part &part : parts) {
		if (!part.device_writes)
			continue;
		uint32_t room = max_write - std::min(max_write, written);
		uint32_t n = std::min(part.len, room);
		for (uint32_t b = 0; b < n; b++)
			part.p[b] = Pattern(written + b);
		written += n;
	}
	return written;
}

void FakeVirtio::Serve(uint32_t index, uint32_t limit)
{
	if (index >= 2)
		return;
	Queue &q = queues[index];
	uint16_t avail_idx;
	memcpy(&avail_idx, Avail(q) + 2, 2);
	std::vector<std::pair<uint16_t, uint32_t>> done;
	for (uint32_t n = 0; q.seen != avail_idx && n < limit; q.seen++, n++) {
		uint16_t head;
		memcpy(&head, Avail(q) + 4 + 2u * (q.seen % q.num), 2);
		std::vector<Part> parts;
		for (uint16_t i = head, n = 0; n < q.num; n++) {
			uint64_t addr;
			uint32_t len;
			uint16_t flags, next;
			memcpy(&addr, Desc(q, i), 8);
			memcpy(&len, Desc(q, i) + 8, 4);
			memcpy(&flags, Desc(q, i) + 12, 2);
			memcpy(&next, Desc(q, i) + 14, 2);
			parts.push_back({reinterpret_cast<uint8_t *>(uintptr_t(addr)), len,
					 (flags & 2) != 0});
			if (!(flags & 1))
				break;
			i = next;
		}
		uint32_t written = handler ? handler(index, parts) : FillPattern(parts);
		done.emplace_back(head, written);
	}
	if (reverse_order)
		std::reverse(done.begin(), done.end());
	for (auto &request : done) {
		uint16_t head = request.first;
		if (lie == Lie::kUsedIdNotInFlight)
			head = uint16_t(head + 1);
		Complete(q, head, request.second);
	}
	if (!done.empty())
		interrupt_status |= VIRTIO_INTERRUPT_USED;
}
