// A fake virtio-mmio device for host tests of the transport and the queues:
// registers as virtio 1.1 describes them (legacy and modern), queues it
// serves when notified, and ways to lie. Physical addresses are host
// pointers here.
#ifndef FAKE_VIRTIO_H
#define FAKE_VIRTIO_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

extern "C" {
#include <viper/virtio_mmio.h>
}

class FakeVirtio
{
      public:
	// What the device does wrong, if anything.
	enum class Lie {
		kNone,
		kUsedIndexRunsAhead, // publishes more completions than requests
		kUsedIdOutOfRange,   // names a descriptor past the queue
		kUsedIdNotInFlight,  // names a descriptor that heads no request
		kLengthBeyondBuffer, // says it wrote more than the request lets it
		kDropsFeaturesOk,    // never keeps FEATURES_OK
		kIgnoresReset,	     // keeps its status over a reset
		kConfigKeepsChanging // a new configuration generation at every read
	};

	FakeVirtio(uint32_t version, uint32_t device_id, uint64_t features);

	virtio_bus Bus();

	// What the device holds and what the driver wrote.
	uint32_t magic = VIRTIO_MMIO_MAGIC_VALUE;
	uint32_t version;
	uint32_t device_id;
	uint64_t offered;
	uint64_t accepted = 0;
	uint32_t status = 0;
	uint32_t guest_page_size = 0;
	uint32_t queue_num_max = 16;
	uint32_t interrupt_status = 0;
	uint32_t interrupt_acks = 0;
	uint32_t notifications = 0;
	uint32_t config_generation = 0;
	std::vector<uint8_t> config;
	Lie lie = Lie::kNone;
	bool complete_on_notify = true;	 // serve requests at QueueNotify
	bool reverse_order = false;	 // complete a notification's requests last first
	uint32_t max_write = UINT32_MAX; // bytes it writes into one request at most

	struct Queue {
		uint32_t num = 0, align = 0, pfn = 0, ready = 0;
		uint64_t desc = 0, driver = 0, device = 0;
		uint16_t seen = 0; // available entries served
		uint16_t used = 0; // used index published
	};
	Queue queues[2];
	uint32_t queue_sel = 0;

	// One part of a request as the device sees it: `len` bytes at `p`.
	struct Part {
		uint8_t *p;
		uint32_t len;
		bool device_writes;
	};
	// What a device of a real kind does with a request on queue `q` (a
	// driver's test installs it): returns the bytes it wrote. Without
	// one, the device fills what it may write with Pattern(byte), up to
	// max_write.
	std::function<uint32_t(uint32_t q, const std::vector<Part> &parts)> handler;

	// Serves queue `q`'s new requests with the handler (or the pattern)
	// and completes each with the bytes it wrote: all of them, or the
	// oldest `limit` (a network device's receive queue, whose buffers wait
	// for frames one at a time).
	void Serve(uint32_t q, uint32_t limit = UINT32_MAX);
	static uint8_t Pattern(uint32_t i)
	{
		return uint8_t(0xa5 ^ i);
	}

      private:
	uint32_t Read(uint32_t offset);
	void Write(uint32_t offset, uint32_t value);
	uint32_t FillPattern(const std::vector<Part> &parts) const;
	uint8_t *Desc(const Queue &q, uint16_t i);
	uint8_t *Avail(const Queue &q);
	uint8_t *Used(const Queue &q);
	void Complete(Queue &q, uint16_t head, uint32_t len);
	static uint32_t Read32(void *self, uint32_t offset);
	static void Write32(void *self, uint32_t offset, uint32_t value);
	uint32_t features_sel_ = 0, driver_features_sel_ = 0;
};

// Page-aligned memory standing in for a DMA region; physical = virtual in
// these tests, and below 4 GiB (MAP_32BIT), where a legacy device's page
// numbers reach.
struct FakeDma {
	explicit FakeDma(size_t bytes);
	~FakeDma();
	FakeDma(const FakeDma &) = delete;
	FakeDma &operator=(const FakeDma &) = delete;
	uint64_t Phys(size_t offset) const
	{
		return uint64_t(uintptr_t(p + offset));
	}
	size_t size;
	uint8_t *p;
};

#endif
