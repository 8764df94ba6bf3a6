// libFuzzer on the driver-plus-stack receive path: a fake legacy virtio
// network device (//platform/virtio:fake_device) delivers each input as a
// received buffer, the virtio_net driver checks it (header, length, the
// used ring's id and length, which the input may make lie) and passes it
// on netdev's rings, and net_stack parses it as receive_fuzz.c does. A
// lying device makes the driver reset and restart it; the harness lets it
// restart without end, so the fuzzer keeps reaching the stack. Built by
// receive_fuzz_test.sh and tests/benchmarks/run_net_fuzz.
#include <cstdint>
#include <cstring>
#include <vector>

#include "fake_virtio.h"

extern "C" {
#include <net_stack/net_stack.h>
#include <viper/component.h>
#include <viper/host_transport.h>
#include <virtio_net/virtio_net.h>

#include "fake_link.h"
}

namespace
{

const uint8_t kMac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};

struct Harness {
	FakeVirtio dev{1, VIRTIO_NET_DEVICE_ID, VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS};
	FakeDma ring{VIRTIO_NET_RING_BYTES};
	FakeDma dma{VIRTIO_NET_DMA_BYTES};
	virtio_net *nic = static_cast<virtio_net *>(calloc(1, sizeof(virtio_net)));
	net_stack *stack = nullptr;
	viper_slot link = {}, entropy = {};
	viper_instance_env env = {};
	const uint8_t *data = nullptr;
	size_t size = 0;
	uint32_t used = 0; // the used length the device claims; 0: what it wrote

	static int32_t NoWait(void *)
	{
		return VIPER_E_TIMEOUT;
	}

	Harness()
	{
		dev.queue_num_max = 256;
		dev.complete_on_notify = false;
		dev.config.assign(64, 0);
		memcpy(dev.config.data(), kMac, 6);
		dev.config[6] = VIRTIO_NET_S_LINK_UP;
		dev.handler = [this](uint32_t q, const std::vector<FakeVirtio::Part> &parts) {
			return q == VIRTIO_NET_RX_QUEUE ? Fill(parts) : 0u;
		};
		virtio_net_memory mem = {};
		void *p;
		uint64_t got;
		mem.ring = {ring.p, ring.Phys(0), ring.size};
		mem.buffers = {dma.p, dma.Phys(0), dma.size};
		if (vc_memory_create(VIRTIO_NET_DMA_BYTES, &mem.shared) ||
		    vc_memory_map(mem.shared, &p, &got))
			__builtin_trap();
		mem.shared_virt = static_cast<uint8_t *>(p);
		virtio_bus bus = dev.Bus();
		virtq_waiter waiter = {NoWait, nullptr, nullptr};
		if (virtio_net_start(nic, &bus, &mem, &waiter) != VIPER_OK)
			__builtin_trap();
		StartStack();
	}

	void StartStack()
	{
		static const uint64_t params[] = {0x0a00020f, 24, 0x0a000202, 0x0a000202, 0};
		void *state;
		int32_t status;

		link = {};
		link.interface = &netdev_interface;
		link.peer_ops = &virtio_net_server;
		link.peer = nic;
		entropy = {};
		entropy.interface = &entropy_interface;
		entropy.peer_ops = &fake_entropy_server;
		env.name = "net";
		env.slots[0] = &link;
		env.slots[1] = &entropy;
		env.slot_count = 2;
		memcpy(env.params, params, sizeof(params));
		env.param_count = 5;
		if (!viper_host_start("net_stack", &env, &state, &status) || status ||
		    net_stack_start(static_cast<net_stack *>(state)) != VIPER_OK)
			__builtin_trap();
		stack = static_cast<net_stack *>(state);
	}

	// The device writes the input (virtio header and frame) into the
	// posted buffer's parts and claims `used` bytes.
	uint32_t Fill(const std::vector<FakeVirtio::Part> &parts)
	{
		size_t at = 0;

		for (const FakeVirtio::Part &part : parts) {
			size_t n = std::min<size_t>(part.len, size - at);
			memcpy(part.p, data + at, n);
			at += n;
		}
		return used ? used : uint32_t(at);
	}

	void One(const uint8_t *in, size_t n)
	{
		static const FakeVirtio::Lie lies[] = {
			FakeVirtio::Lie::kNone, FakeVirtio::Lie::kUsedIdOutOfRange,
			FakeVirtio::Lie::kUsedIdNotInFlight, FakeVirtio::Lie::kLengthBeyondBuffer};
		uint8_t how = in[0];

		data = in + 3;
		size = n - 3;
		used = (how & 0x40) ? uint32_t(in[1] << 8 | in[2]) : 0;
		dev.lie = (how & 0x80) ? lies[how & 3] : FakeVirtio::Lie::kNone;
		nic->restarts = 0; // never given up: the fuzzer keeps reaching the stack
		dev.Serve(VIRTIO_NET_RX_QUEUE, 1);
		dev.lie = FakeVirtio::Lie::kNone;
		virtio_net_poll(nic);
		(void)net_stack_poll(stack);
		dev.Serve(VIRTIO_NET_TX_QUEUE);
		virtio_net_poll(nic);
		(void)net_stack_poll(stack);
	}
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static Harness *h = new Harness();

	if (size >= 3)
		h->One(data, size);
	return 0;
}
