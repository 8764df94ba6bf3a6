// virtio_net on the host, against the fake virtio device of
// //platform/virtio acting as a virtio-net device (legacy and modern, with
// the client's buffers the DMA memory itself or a copy of it): the MAC and
// the link, frames received into the rx ring with the header size of each
// mode, frames of a wrong length, devices that lie about a queue (reset,
// every buffer posted again), frames sent from the client's buffers with a
// zero header, Frames the client has no right to, attaching again, the
// calls before Attach, rings with impossible indexes, a device that asks
// to be reset, the run thread waking the client over the host transport,
// and the component's grants.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "fake_virtio.h"

extern "C" {
#include <viper/component.h>
#include <viper/host_runtime.h>
#include <viper/host_transport.h>
#include <virtio_net/virtio_net.h>

#include "virtio_net_slots.h"
}

namespace
{

constexpr uint8_t kMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kBuf = VIRTIO_NET_BUFFER_SIZE;
constexpr uint32_t kNone = UINT32_MAX; // no made-up used length: the bytes written

int32_t WaitTimesOut(void *)
{
	return VIPER_E_TIMEOUT;
}

std::vector<uint8_t> Frame(size_t n, uint8_t seed)
{
	std::vector<uint8_t> v(n);
	for (size_t i = 0; i < n; i++)
		v[i] = uint8_t(seed + i * 13 + i / 256);
	return v;
}

// A virtio-net device (virtio 1.1, 5.1.6) behind the fake transport: each
// request is one byte stream over its descriptors, the virtio header of
// the device's own size (10 legacy, 12 modern) then the frame, so a
// driver with the wrong header size finds its frames two bytes off.
struct NetModel {
	uint32_t header = 10;
	std::deque<std::pair<std::vector<uint8_t>, uint32_t>> incoming; // frame, used length
	std::vector<uint32_t> rx_header_parts; // the first descriptor's length, per receive
	struct Sent {
		std::vector<uint8_t> header, frame;
		const uint8_t *at; // where the frame's descriptor points
	};
	std::vector<Sent> sent;

	uint32_t Receive(const std::vector<FakeVirtio::Part> &parts)
	{
		if (incoming.empty())
			return 0;
		auto [frame, used] = incoming.front();
		incoming.pop_front();
		std::vector<uint8_t> stream(header, 0);
		if (header == 12)
			stream[10] = 1; // num_buffers
		stream.insert(stream.end(), frame.begin(), frame.end());
		rx_header_parts.push_back(parts.front().len);
		size_t at = 0;
		for (const FakeVirtio::Part &part : parts) {
			EXPECT_TRUE(part.device_writes);
			size_t n = std::min<size_t>(part.len, stream.size() - at);
			memcpy(part.p, stream.data() + at, n);
			at += n;
		}
		return used == kNone ? uint32_t(at) : used;
	}
	uint32_t Send(const std::vector<FakeVirtio::Part> &parts)
	{
		std::vector<uint8_t> stream;
		for (const FakeVirtio::Part &part : parts) {
			EXPECT_FALSE(part.device_writes);
			stream.insert(stream.end(), part.p, part.p + part.len);
		}
		EXPECT_GE(stream.size(), header);
		EXPECT_EQ(parts.size(), 2u);
		sent.push_back({std::vector<uint8_t>(stream.begin(), stream.begin() + header),
				std::vector<uint8_t>(stream.begin() + header, stream.end()),
				parts.back().p});
		return 0;
	}
};

// The client's side of an Attach: its rings, its view of the buffers.
struct Client {
	viper_handle_t send = VIPER_HANDLE_INVALID, recv = VIPER_HANDLE_INVALID;
	viper_handle_t rings = VIPER_HANDLE_INVALID, buffers = VIPER_HANDLE_INVALID;
	void *rings_map = nullptr;
	uint64_t rings_size = 0;
	uint8_t *data = nullptr;
	uint64_t data_size = 0;
	viper_ring ring[VIRTIO_NET_RING_COUNT] = {};

	// Takes the reply's handles: maps both and attaches the four rings.
	void Take(const viper_netdev_AttachReply &rep)
	{
		rings = rep.rings;
		buffers = rep.buffers;
		void *p = nullptr;
		ASSERT_EQ(vc_memory_map(rings, &rings_map, &rings_size), VIPER_OK);
		ASSERT_EQ(rings_size, uint64_t(VIRTIO_NET_RINGS_BYTES));
		ASSERT_EQ(vc_memory_map(buffers, &p, &data_size), VIPER_OK);
		ASSERT_EQ(data_size, uint64_t(VIRTIO_NET_DMA_BYTES));
		data = static_cast<uint8_t *>(p);
		for (uint32_t r = 0; r < VIRTIO_NET_RING_COUNT; r++) {
			bool producer = r == VIRTIO_NET_RING_RX_FREE || r == VIRTIO_NET_RING_TX;
			ASSERT_EQ(netdev_frame_ring_attach(&ring[r],
							   static_cast<uint8_t *>(rings_map) +
								   r * VIRTIO_NET_RING_STRIDE,
							   VIRTIO_NET_RING_STRIDE,
							   VIRTIO_NET_RING_CAPACITY, producer),
				  VIPER_OK)
				<< r;
			viper_ring_set_wake(&ring[r], VIPER_HANDLE_INVALID, recv);
		}
	}
	std::vector<viper_netdev_Frame> PopAll(uint32_t r)
	{
		std::vector<viper_netdev_Frame> out;
		viper_netdev_Frame f;
		while (netdev_frame_pop(&ring[r], &f) == VIPER_OK)
			out.push_back(f);
		return out;
	}
	void Push(uint32_t r, uint32_t offset, uint32_t length)
	{
		viper_netdev_Frame f = {offset, length};
		ASSERT_EQ(netdev_frame_push(&ring[r], &f), VIPER_OK);
	}
	// Lets go of everything: the rings' memory object dies with it.
	void Release()
	{
		if (rings_map) {
			EXPECT_EQ(vc_memory_unmap(rings_map, rings_size), VIPER_OK);
		}
		if (data) {
			EXPECT_EQ(vc_memory_unmap(data, data_size), VIPER_OK);
		}
		EXPECT_EQ(vc_handle_close(rings), VIPER_OK);
		EXPECT_EQ(vc_handle_close(buffers), VIPER_OK);
		rings_map = nullptr;
		data = nullptr;
	}
};

// Parameters: the device's version (1 legacy, 2 modern) and whether the
// client maps a copy of the buffers (true) or the DMA memory itself.
class VirtioNet : public ::testing::TestWithParam<std::tuple<uint32_t, bool>>
{
      protected:
	VirtioNet()
	    : dev_(Version(), VIRTIO_NET_DEVICE_ID,
		   (Version() == 2 ? VIRTIO_F_VERSION_1 : 0) | VIRTIO_NET_F_MAC |
			   VIRTIO_NET_F_STATUS)
	{
		dev_.queue_num_max = 256; // as QEMU's virtio-net
		dev_.complete_on_notify = false;
		dev_.config.assign(64, 0);
		memcpy(dev_.config.data(), kMac, 6);
		dev_.config[6] = VIRTIO_NET_S_LINK_UP;
		model_.header = Version() == 2 ? 12 : 10;
		dev_.handler = [this](uint32_t q, const std::vector<FakeVirtio::Part> &parts) {
			return q == VIRTIO_NET_RX_QUEUE ? model_.Receive(parts)
							: model_.Send(parts);
		};
	}
	void SetUp() override
	{
		viper_host_reset();
	}
	void TearDown() override
	{
		viper_host_reset();
	}
	static uint32_t Version()
	{
		return std::get<0>(GetParam());
	}
	static bool Copy()
	{
		return std::get<1>(GetParam());
	}
	uint32_t Header() const
	{
		return Version() == 2 ? VIRTIO_NET_HEADER_MODERN : VIRTIO_NET_HEADER_LEGACY;
	}

	// The driver's memory. The device reaches the buffers by host address
	// (FakeDma, or the mapping of the memory object the client maps when
	// that is the DMA memory itself).
	int32_t Start(virtq_waiter waiter = {WaitTimesOut, nullptr, nullptr})
	{
		virtio_net_memory mem = {};
		void *p = nullptr;
		uint64_t size = 0;
		mem.ring = {ring_.p, ring_.Phys(0), ring_.size};
		EXPECT_EQ(vc_memory_create(VIRTIO_NET_DMA_BYTES, &mem.shared), VIPER_OK);
		EXPECT_EQ(vc_memory_map(mem.shared, &p, &size), VIPER_OK);
		mem.shared_virt = static_cast<uint8_t *>(p);
		if (Copy())
			mem.buffers = {dma_.p, dma_.Phys(0), dma_.size};
		else
			mem.buffers = {p, uint64_t(uintptr_t(p)), size};
		virtio_bus bus = dev_.Bus();
		return virtio_net_start(net_.get(), &bus, &mem, &waiter);
	}
	uint8_t *DeviceBuffer(uint32_t b) const
	{
		return static_cast<uint8_t *>(net_->mem.buffers.virt) + b * kBuf;
	}
	int32_t Attach(Client *c)
	{
		EXPECT_EQ(vc_channel_create(&c->send, &c->recv), VIPER_OK);
		viper_netdev_AttachRequest req = {c->send};
		viper_netdev_AttachReply rep = {};
		int32_t r = virtio_net_server.attach(net_.get(), nullptr, &req, &rep);
		if (r == VIPER_OK)
			c->Take(rep);
		return r;
	}
	int32_t Transmit(uint32_t *queued = nullptr)
	{
		viper_netdev_TransmitRequest req = {};
		viper_netdev_TransmitReply rep = {};
		int32_t r = virtio_net_server.transmit(net_.get(), nullptr, &req, &rep);
		if (queued)
			*queued = rep.queued;
		return r;
	}
	viper_netdev_InfoReply Info()
	{
		viper_netdev_InfoRequest req = {};
		viper_netdev_InfoReply rep = {};
		EXPECT_EQ(virtio_net_server.info(net_.get(), nullptr, &req, &rep), VIPER_OK);
		return rep;
	}
	// A frame arrives: the device fills the oldest posted buffer, then
	// the run thread's pass takes it.
	void Receive(const std::vector<uint8_t> &frame, uint32_t used = kNone)
	{
		model_.incoming.emplace_back(frame, used);
		dev_.Serve(VIRTIO_NET_RX_QUEUE, 1);
		virtio_net_poll(net_.get());
	}
	// The device sends what it was given, then the run thread's pass.
	void CompleteSends()
	{
		dev_.Serve(VIRTIO_NET_TX_QUEUE);
		virtio_net_poll(net_.get());
	}
	unsigned Posted() const
	{
		return virtq_in_flight(&net_->rxq);
	}
	unsigned Sending() const
	{
		return virtq_in_flight(&net_->txq);
	}
	// Attaches `c` and takes every transmit buffer tx_done gives it.
	std::vector<uint32_t> AttachWithTxBuffers(Client *c)
	{
		EXPECT_EQ(Attach(c), VIPER_OK);
		std::vector<uint32_t> offsets;
		for (const viper_netdev_Frame &f : c->PopAll(VIRTIO_NET_RING_TX_DONE))
			offsets.push_back(f.offset);
		return offsets;
	}

	NetModel model_;
	FakeVirtio dev_;
	FakeDma ring_{VIRTIO_NET_RING_BYTES};
	FakeDma dma_{VIRTIO_NET_DMA_BYTES};
	std::unique_ptr<virtio_net> net_ = std::make_unique<virtio_net>();
};

TEST_P(VirtioNet, StartsWithTheMacAndTheLinkAndEveryReceiveBufferPosted)
{
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(dev_.accepted, (Version() == 2 ? VIRTIO_F_VERSION_1 : 0) | VIRTIO_NET_F_MAC |
					 VIRTIO_NET_F_STATUS)
		<< "MAC and STATUS only: no MRG_RXBUF, no offloads";
	EXPECT_EQ(net_->header_bytes, Header());
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS);
	EXPECT_EQ(Sending(), 0u);
	viper_netdev_InfoReply info = Info();
	ASSERT_EQ(info.mac.size, 6u);
	EXPECT_EQ(memcmp(info.mac.bytes, kMac, 6), 0);
	EXPECT_TRUE(info.link_up);
	EXPECT_EQ(info.mtu, 1500u);
	EXPECT_EQ(info.max_frame, 1514u);
	EXPECT_EQ(info.buffer_size, 2048u);
	EXPECT_EQ(info.rx_buffers, 64u);
	EXPECT_EQ(info.tx_buffers, 64u);
	EXPECT_EQ(info.ring_capacity, 64u);
	EXPECT_EQ(info.modern, Version() == 2);
	EXPECT_EQ(info.rx_frames + info.tx_frames + info.rx_dropped + info.client_errors, 0u);
	dev_.config[6] = 0;
	EXPECT_FALSE(Info().link_up) << "the status field says down";
}

TEST_P(VirtioNet, WithoutTheStatusFeatureTheLinkIsUp)
{
	dev_.offered &= ~VIRTIO_NET_F_STATUS;
	dev_.config[6] = 0;
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_EQ(dev_.accepted & VIRTIO_NET_F_STATUS, 0u);
	EXPECT_TRUE(Info().link_up);
}

TEST_P(VirtioNet, RefusesAnotherDeviceAndOneWithoutAMac)
{
	dev_.device_id = 2;
	EXPECT_EQ(Start(), VIPER_E_NOTFOUND);
	dev_.device_id = VIRTIO_NET_DEVICE_ID;
	dev_.offered &= ~VIRTIO_NET_F_MAC;
	net_ = std::make_unique<virtio_net>();
	EXPECT_EQ(Start(), VIPER_E_UNSUPPORTED);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_FAILED);
}

TEST_P(VirtioNet, AReceivedFrameReachesTheRxRingWithItsBytesAndLength)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	ASSERT_EQ(Attach(&c), VIPER_OK);
	ASSERT_EQ(viper_ring_arm(&c.ring[VIRTIO_NET_RING_RX]), VIPER_E_WOULDBLOCK);
	std::set<uint32_t> held;
	for (size_t n : {60u, 14u, 1514u}) {
		std::vector<uint8_t> frame = Frame(n, uint8_t(n));
		Receive(frame);
		ASSERT_EQ(model_.rx_header_parts.back(), Header())
			<< "the header descriptor holds exactly the device's header";
		std::vector<viper_netdev_Frame> got = c.PopAll(VIRTIO_NET_RING_RX);
		ASSERT_EQ(got.size(), 1u) << n;
		EXPECT_EQ(got[0].length, n);
		EXPECT_EQ(got[0].offset % kBuf, 0u);
		EXPECT_LT(got[0].offset, VIRTIO_NET_RX_BUFFERS * kBuf);
		EXPECT_EQ(memcmp(c.data + got[0].offset, frame.data(), n), 0)
			<< "the frame from the buffer's first byte: " << n;
		EXPECT_TRUE(held.insert(got[0].offset).second) << "another buffer each time";
	}
	EXPECT_GT(vc_notified_wait(c.recv, 0), 0) << "the client waited for rx: it was woken";
	viper_netdev_InfoReply info = Info();
	EXPECT_EQ(info.rx_frames, 3u);
	EXPECT_EQ(info.rx_bytes, 60u + 14u + 1514u);
	EXPECT_EQ(info.rx_dropped, 0u);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS - 3) << "the client holds three";
	for (uint32_t offset : held)
		c.Push(VIRTIO_NET_RING_RX_FREE, offset, 0);
	uint32_t queued = 99;
	ASSERT_EQ(Transmit(&queued), VIPER_OK);
	EXPECT_EQ(queued, 0u);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS) << "given back: posted again";
	EXPECT_EQ(Info().client_errors, 0u);
}

TEST_P(VirtioNet, FramesOfAWrongLengthAreDroppedAndTheirBuffersPostedAgain)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	ASSERT_EQ(Attach(&c), VIPER_OK);
	Receive(Frame(13, 1));		     // a runt
	Receive(Frame(1515, 2));	     // past the MTU
	Receive({});			     // a header and nothing
	Receive(Frame(60, 3), Header() - 1); // less than a header
	EXPECT_TRUE(c.PopAll(VIRTIO_NET_RING_RX).empty());
	viper_netdev_InfoReply info = Info();
	EXPECT_EQ(info.rx_dropped, 4u);
	EXPECT_EQ(info.rx_frames, 0u);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS) << "every buffer posted again";
	EXPECT_EQ(net_->restarts, 0u) << "a wrong length is no lie: the device stays";
	Receive(Frame(64, 4));
	EXPECT_EQ(c.PopAll(VIRTIO_NET_RING_RX).size(), 1u);
}

TEST_P(VirtioNet, FramesBeforeAttachAreDropped)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Receive(Frame(60, 1));
	EXPECT_EQ(Info().rx_dropped, 1u);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS);
}

// How the device lies about a completion: a made-up used length, or one of
// the fake's lies.
struct Lie {
	const char *name;
	FakeVirtio::Lie lie;
	bool past_buffer; // says it wrote more than the chain holds
};

const Lie kLies[] = {
	{"length past the buffer", FakeVirtio::Lie::kNone, true},
	{"id out of range", FakeVirtio::Lie::kUsedIdOutOfRange, false},
	{"id not in flight", FakeVirtio::Lie::kUsedIdNotInFlight, false},
};

TEST_P(VirtioNet, AReceiveTheDeviceLiesAboutResetsItAndLosesNoBuffer)
{
	for (const Lie &lie : kLies) {
		SCOPED_TRACE(lie.name);
		dev_ = FakeVirtio(Version(), VIRTIO_NET_DEVICE_ID, dev_.offered);
		dev_.queue_num_max = 256;
		dev_.complete_on_notify = false;
		dev_.config.assign(64, 0);
		memcpy(dev_.config.data(), kMac, 6);
		dev_.handler = [this](uint32_t q, const std::vector<FakeVirtio::Part> &parts) {
			return q == VIRTIO_NET_RX_QUEUE ? model_.Receive(parts)
							: model_.Send(parts);
		};
		net_ = std::make_unique<virtio_net>();
		ASSERT_EQ(Start(), VIPER_OK);
		Client c;
		std::vector<uint32_t> tx = AttachWithTxBuffers(&c);
		ASSERT_EQ(tx.size(), VIRTIO_NET_TX_BUFFERS);
		Receive(Frame(60, 1)); // the client holds one receive buffer
		ASSERT_EQ(c.PopAll(VIRTIO_NET_RING_RX).size(), 1u);
		c.Push(VIRTIO_NET_RING_TX, tx[0], 60); // two frames on the device, unsent
		c.Push(VIRTIO_NET_RING_TX, tx[1], 60);
		ASSERT_EQ(Transmit(), VIPER_OK);
		ASSERT_EQ(Sending(), 2u);
		dev_.lie = lie.lie;
		Receive(Frame(60, 2), lie.past_buffer ? Header() + kBuf + 1 : kNone);
		dev_.lie = FakeVirtio::Lie::kNone;
		EXPECT_EQ(net_->restarts, 1u);
		EXPECT_EQ(net_->failed, VIPER_OK);
		EXPECT_TRUE(dev_.status & VIRTIO_STATUS_DRIVER_OK) << "started again";
		EXPECT_EQ(Info().rx_dropped, 1u);
		EXPECT_TRUE(c.PopAll(VIRTIO_NET_RING_RX).empty()) << "nothing from a lie";
		EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS - 1) << "all but the client's, anew";
		EXPECT_EQ(Sending(), 0u);
		std::vector<viper_netdev_Frame> back = c.PopAll(VIRTIO_NET_RING_TX_DONE);
		ASSERT_EQ(back.size(), 2u) << "the sends the reset dropped come back";
		EXPECT_EQ(back[0].offset, tx[0]);
		EXPECT_EQ(back[1].offset, tx[1]);
		Receive(Frame(60, 3));
		EXPECT_EQ(c.PopAll(VIRTIO_NET_RING_RX).size(), 1u) << "the device works again";
		EXPECT_EQ(Info().rx_frames, 2u);
		c.Release();
		viper_host_reset();
	}
}

TEST_P(VirtioNet, ASendTheDeviceLiesAboutResetsItAndGivesTheBufferBack)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	std::vector<uint32_t> tx = AttachWithTxBuffers(&c);
	c.Push(VIRTIO_NET_RING_TX, tx[5], 100);
	ASSERT_EQ(Transmit(), VIPER_OK);
	dev_.lie = FakeVirtio::Lie::kUsedIdOutOfRange;
	CompleteSends();
	dev_.lie = FakeVirtio::Lie::kNone;
	EXPECT_EQ(net_->restarts, 1u);
	EXPECT_EQ(Info().tx_frames, 0u) << "a completion that names nothing is no send";
	std::vector<viper_netdev_Frame> back = c.PopAll(VIRTIO_NET_RING_TX_DONE);
	ASSERT_EQ(back.size(), 1u);
	EXPECT_EQ(back[0].offset, tx[5]);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS);
}

TEST_P(VirtioNet, ADeviceThatKeepsLyingIsGivenUp)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	ASSERT_EQ(Attach(&c), VIPER_OK);
	dev_.lie = FakeVirtio::Lie::kUsedIdOutOfRange;
	for (uint32_t i = 0; i <= VIRTIO_NET_MAX_RESTARTS; i++)
		Receive(Frame(60, 1));
	EXPECT_EQ(net_->failed, VIPER_E_IO);
	EXPECT_EQ(dev_.status, 0u) << "reset: it no longer touches the buffers";
	EXPECT_EQ(Transmit(), VIPER_E_IO);
	Client again;
	EXPECT_EQ(Attach(&again), VIPER_E_IO);
	EXPECT_FALSE(Info().link_up);
	EXPECT_EQ(Info().rx_dropped, VIRTIO_NET_MAX_RESTARTS + 1u);
	virtio_net_poll(net_.get()); // nothing more happens
	EXPECT_EQ(dev_.status, 0u);
}

TEST_P(VirtioNet, ADeviceThatAsksToBeResetIsRestarted)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	ASSERT_EQ(Attach(&c), VIPER_OK);
	dev_.status |= VIRTIO_STATUS_NEEDS_RESET;
	virtio_net_poll(net_.get());
	EXPECT_EQ(net_->restarts, 0u) << "no configuration interrupt: not looked at";
	dev_.interrupt_status |= VIRTIO_INTERRUPT_CONFIG;
	virtio_net_poll(net_.get());
	EXPECT_EQ(net_->restarts, 1u);
	EXPECT_EQ(dev_.status & VIRTIO_STATUS_NEEDS_RESET, 0u);
	EXPECT_TRUE(dev_.status & VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS);
	Receive(Frame(60, 1));
	EXPECT_EQ(c.PopAll(VIRTIO_NET_RING_RX).size(), 1u);
}

TEST_P(VirtioNet, ASentFrameReachesTheDeviceWithAZeroHeader)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	std::vector<uint32_t> tx = AttachWithTxBuffers(&c);
	ASSERT_EQ(tx.size(), VIRTIO_NET_TX_BUFFERS) << "tx_done gives every transmit buffer once";
	std::set<uint32_t> distinct(tx.begin(), tx.end());
	ASSERT_EQ(distinct.size(), VIRTIO_NET_TX_BUFFERS);
	for (uint32_t offset : tx) {
		EXPECT_EQ(offset % kBuf, 0u);
		EXPECT_GE(offset, VIRTIO_NET_RX_BUFFERS * kBuf);
		EXPECT_LT(offset, VIRTIO_NET_BUFFERS * kBuf);
	}
	std::vector<uint8_t> frame = Frame(100, 7);
	memcpy(c.data + tx[3], frame.data(), frame.size());
	c.Push(VIRTIO_NET_RING_TX, tx[3], 100);
	uint32_t queued = 0, notified = dev_.notifications;
	ASSERT_EQ(Transmit(&queued), VIPER_OK);
	EXPECT_EQ(queued, 1u);
	EXPECT_EQ(dev_.notifications, notified + 1);
	EXPECT_EQ(Sending(), 1u);
	EXPECT_EQ(Info().tx_frames, 0u) << "not sent yet";
	CompleteSends();
	ASSERT_EQ(model_.sent.size(), 1u);
	EXPECT_EQ(model_.sent[0].header, std::vector<uint8_t>(Header(), 0))
		<< "no checksum or segmentation asked for";
	EXPECT_EQ(model_.sent[0].frame, frame);
	EXPECT_EQ(model_.sent[0].at, DeviceBuffer(tx[3] / kBuf))
		<< "the device reads the driver's DMA buffer";
	std::vector<viper_netdev_Frame> done = c.PopAll(VIRTIO_NET_RING_TX_DONE);
	ASSERT_EQ(done.size(), 1u);
	EXPECT_EQ(done[0].offset, tx[3]);
	EXPECT_EQ(done[0].length, 0u);
	viper_netdev_InfoReply info = Info();
	EXPECT_EQ(info.tx_frames, 1u);
	EXPECT_EQ(info.tx_bytes, 100u);
}

TEST_P(VirtioNet, EveryTransmitBufferAtOnceIsOneNotification)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	std::vector<uint32_t> tx = AttachWithTxBuffers(&c);
	for (size_t i = 0; i < tx.size(); i++) {
		std::vector<uint8_t> frame = Frame(14 + i * 23, uint8_t(i));
		memcpy(c.data + tx[i], frame.data(), frame.size());
		c.Push(VIRTIO_NET_RING_TX, tx[i], uint32_t(frame.size()));
	}
	uint32_t queued = 0, notified = dev_.notifications;
	ASSERT_EQ(Transmit(&queued), VIPER_OK);
	EXPECT_EQ(queued, VIRTIO_NET_TX_BUFFERS);
	EXPECT_EQ(dev_.notifications, notified + 1);
	CompleteSends();
	ASSERT_EQ(model_.sent.size(), tx.size());
	for (size_t i = 0; i < tx.size(); i++)
		ASSERT_EQ(model_.sent[i].frame, Frame(14 + i * 23, uint8_t(i))) << i;
	EXPECT_EQ(c.PopAll(VIRTIO_NET_RING_TX_DONE).size(), tx.size());
	EXPECT_EQ(Info().tx_frames, uint64_t(tx.size()));
}

TEST_P(VirtioNet, RefusesFramesTheClientHasNoRightToAndTheDeviceSeesNone)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	std::vector<uint32_t> tx = AttachWithTxBuffers(&c);
	c.Push(VIRTIO_NET_RING_TX, 0, 60);	   // a receive buffer it does not hold
	c.Push(VIRTIO_NET_RING_TX, tx[0] + 1, 60); // not a buffer's start
	c.Push(VIRTIO_NET_RING_TX, VIRTIO_NET_BUFFERS * kBuf, 60); // past the buffers
	c.Push(VIRTIO_NET_RING_TX, 0xfffff800u, 60);		   // far past them
	c.Push(VIRTIO_NET_RING_TX, tx[1], 13);			   // a runt
	c.Push(VIRTIO_NET_RING_TX, tx[2], 1515);		   // past the MTU
	c.Push(VIRTIO_NET_RING_TX, tx[3], 0);			   // nothing
	c.Push(VIRTIO_NET_RING_RX_FREE, tx[4], 0); // a transmit buffer as a receive one
	c.Push(VIRTIO_NET_RING_RX_FREE, 0, 0);	   // a receive buffer it does not hold
	uint32_t queued = 99, notified = dev_.notifications;
	ASSERT_EQ(Transmit(&queued), VIPER_OK);
	EXPECT_EQ(queued, 0u);
	EXPECT_EQ(Info().client_errors, 9u);
	EXPECT_EQ(Sending(), 0u);
	EXPECT_EQ(dev_.notifications, notified) << "the device was not even told";
	CompleteSends();
	EXPECT_TRUE(model_.sent.empty());
	std::vector<viper_netdev_Frame> back = c.PopAll(VIRTIO_NET_RING_TX_DONE);
	ASSERT_EQ(back.size(), 3u) << "a bad length gives its buffer straight back";
	EXPECT_EQ(back[0].offset, tx[1]);
	EXPECT_EQ(back[1].offset, tx[2]);
	EXPECT_EQ(back[2].offset, tx[3]);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS) << "no receive buffer posted twice";

	// A buffer on the device is not the client's, nor one given back twice.
	c.Push(VIRTIO_NET_RING_TX, tx[5], 60);
	c.Push(VIRTIO_NET_RING_TX, tx[5], 60);
	ASSERT_EQ(Transmit(&queued), VIPER_OK);
	EXPECT_EQ(queued, 1u);
	EXPECT_EQ(Info().client_errors, 10u);
	Receive(Frame(60, 1));
	std::vector<viper_netdev_Frame> rx = c.PopAll(VIRTIO_NET_RING_RX);
	ASSERT_EQ(rx.size(), 1u);
	c.Push(VIRTIO_NET_RING_RX_FREE, rx[0].offset, 0);
	c.Push(VIRTIO_NET_RING_RX_FREE, rx[0].offset, 0);
	ASSERT_EQ(Transmit(), VIPER_OK);
	EXPECT_EQ(Info().client_errors, 11u);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS);
	CompleteSends();
	EXPECT_EQ(model_.sent.size(), 1u);
}

TEST_P(VirtioNet, AttachingAgainReclaimsEveryBufferAndTracksThoseInFlight)
{
	ASSERT_EQ(Start(), VIPER_OK);
	unsigned objects = viper_host_memory_objects();
	Client a;
	std::vector<uint32_t> tx = AttachWithTxBuffers(&a);
	EXPECT_EQ(viper_host_memory_objects(), objects + 1) << "the rings";
	for (int i = 0; i < 3; i++)
		Receive(Frame(60, uint8_t(i)));
	ASSERT_EQ(a.PopAll(VIRTIO_NET_RING_RX).size(), 3u);
	a.Push(VIRTIO_NET_RING_TX, tx[10], 60); // on the device when b attaches
	a.Push(VIRTIO_NET_RING_TX, tx[11], 60);
	ASSERT_EQ(Transmit(), VIPER_OK);
	a.Push(VIRTIO_NET_RING_TX, tx[12], 60); // still in a's ring: forgotten with it
	ASSERT_EQ(Sending(), 2u);
	while (vc_notified_wait(a.recv, 0) > 0) {
	}

	Client b;
	std::vector<uint32_t> given = AttachWithTxBuffers(&b);
	EXPECT_EQ(given.size(), VIRTIO_NET_TX_BUFFERS - 2) << "all but the two on the device";
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS) << "a's receive buffers are posted again";
	EXPECT_TRUE(b.PopAll(VIRTIO_NET_RING_RX).empty());
	EXPECT_EQ(vc_notified_wait(a.recv, 0), VIPER_E_PEERCLOSED) << "a's wake-up is closed";
	EXPECT_EQ(viper_host_memory_objects(), objects + 2);
	a.Release();
	EXPECT_EQ(viper_host_memory_objects(), objects + 1) << "the driver let a's rings go";

	CompleteSends();
	for (const viper_netdev_Frame &f : b.PopAll(VIRTIO_NET_RING_TX_DONE))
		given.push_back(f.offset);
	std::set<uint32_t> all(given.begin(), given.end());
	EXPECT_EQ(given.size(), VIRTIO_NET_TX_BUFFERS) << "each once";
	EXPECT_EQ(all.size(), VIRTIO_NET_TX_BUFFERS);
	EXPECT_EQ(model_.sent.size(), 2u) << "a's frames in flight were sent";
	uint32_t queued = 99;
	ASSERT_EQ(Transmit(&queued), VIPER_OK);
	EXPECT_EQ(queued, 0u) << "a's ring is no longer read";
	Receive(Frame(60, 9));
	EXPECT_EQ(b.PopAll(VIRTIO_NET_RING_RX).size(), 1u);
	EXPECT_EQ(Info().client_errors, 0u);
}

TEST_P(VirtioNet, CallsBeforeAttachAndWithoutAWakeUpAreRefused)
{
	ASSERT_EQ(Start(), VIPER_OK);
	EXPECT_EQ(Transmit(), VIPER_E_UNSUPPORTED);
	viper_netdev_AttachRequest req = {VIPER_HANDLE_INVALID};
	viper_netdev_AttachReply rep = {};
	EXPECT_EQ(virtio_net_server.attach(net_.get(), nullptr, &req, &rep), VIPER_E_INVAL);
	EXPECT_EQ(rep.rings, VIPER_HANDLE_INVALID);
	EXPECT_EQ(Transmit(), VIPER_E_UNSUPPORTED);
}

TEST_P(VirtioNet, ImpossibleRingIndexesAreCorrupt)
{
	ASSERT_EQ(Start(), VIPER_OK);
	Client c;
	ASSERT_EQ(Attach(&c), VIPER_OK);
	viper_ring_header *tx = c.ring[VIRTIO_NET_RING_TX].shared;
	tx->head = tx->tail + 1000;
	EXPECT_EQ(Transmit(), VIPER_E_CORRUPT);
	tx->head = tx->tail;
	viper_ring_header *rx_free = c.ring[VIRTIO_NET_RING_RX_FREE].shared;
	rx_free->head = rx_free->tail - 1;
	EXPECT_EQ(Transmit(), VIPER_E_CORRUPT);
	rx_free->head = rx_free->tail;
	EXPECT_EQ(Transmit(), VIPER_OK);
	Receive(Frame(60, 1));
	EXPECT_EQ(c.PopAll(VIRTIO_NET_RING_RX).size(), 1u) << "the driver is not disturbed";
}

// The run thread with its interrupt: each device event happens in the
// wait, under the driver's lock (the fake device is no more thread-safe
// than the driver's registers are), and the client runs on the test's
// thread over the host transport.
struct Irq {
	std::mutex m;
	std::condition_variable cv;
	std::deque<std::function<void()>> events; // an empty function ends the run thread
	virtio_net *net = nullptr;
	uint32_t acks = 0;

	void Raise(std::function<void()> event)
	{
		std::lock_guard<std::mutex> g(m);
		events.push_back(std::move(event));
		cv.notify_all();
	}
	static int32_t Wait(void *self)
	{
		Irq *irq = static_cast<Irq *>(self);
		std::function<void()> event;
		{
			std::unique_lock<std::mutex> g(irq->m);
			irq->cv.wait(g, [irq] { return !irq->events.empty(); });
			event = std::move(irq->events.front());
			irq->events.pop_front();
		}
		if (!event)
			return VIPER_E_CLOSED;
		vc_lock_take(&irq->net->lock);
		event();
		vc_lock_give(&irq->net->lock);
		return VIPER_OK;
	}
	static int32_t Ack(void *self)
	{
		static_cast<Irq *>(self)->acks++;
		return VIPER_OK;
	}
};

TEST_P(VirtioNet, TheRunThreadDeliversAndWakesTheClientOverTheTransport)
{
	Irq irq;
	irq.net = net_.get();
	ASSERT_EQ(Start({Irq::Wait, Irq::Ack, &irq}), VIPER_OK);
	int32_t run_status = VIPER_OK;
	std::thread run([&] { run_status = virtio_net_run(net_.get()); });

	viper_slot slot = {};
	viper_host_bind_remote(&slot, &netdev_interface,
			       viper_host_serve(&netdev_interface, &virtio_net_server, net_.get()));
	Client c;
	ASSERT_EQ(vc_channel_create(&c.send, &c.recv), VIPER_OK);
	viper_netdev_AttachRequest req = {c.send};
	viper_netdev_AttachReply rep = {};
	ASSERT_EQ(netdev_attach(&slot, &req, &rep), VIPER_OK);
	c.Take(rep);
	ASSERT_EQ(viper_ring_wait(&c.ring[VIRTIO_NET_RING_TX_DONE], 5000000000ll), VIPER_OK);
	std::vector<viper_netdev_Frame> tx = c.PopAll(VIRTIO_NET_RING_TX_DONE);
	ASSERT_EQ(tx.size(), VIRTIO_NET_TX_BUFFERS);

	std::vector<uint8_t> frame = Frame(98, 5);
	irq.Raise([&] {
		model_.incoming.emplace_back(frame, kNone);
		dev_.Serve(VIRTIO_NET_RX_QUEUE, 1);
	});
	ASSERT_EQ(viper_ring_wait(&c.ring[VIRTIO_NET_RING_RX], 5000000000ll), VIPER_OK)
		<< "woken by the run thread";
	std::vector<viper_netdev_Frame> rx = c.PopAll(VIRTIO_NET_RING_RX);
	ASSERT_EQ(rx.size(), 1u);
	ASSERT_EQ(rx[0].length, 98u);
	EXPECT_EQ(memcmp(c.data + rx[0].offset, frame.data(), 98), 0);

	memcpy(c.data + tx[0].offset, frame.data(), 98); // send it back
	c.Push(VIRTIO_NET_RING_TX, tx[0].offset, 98);
	c.Push(VIRTIO_NET_RING_RX_FREE, rx[0].offset, 0);
	viper_netdev_TransmitRequest treq = {};
	viper_netdev_TransmitReply trep = {};
	ASSERT_EQ(netdev_transmit(&slot, &treq, &trep), VIPER_OK);
	EXPECT_LE(trep.queued, 1u) << "the run thread's pass after the frame may send it first";
	EXPECT_EQ(Sending(), 1u);
	irq.Raise([&] { dev_.Serve(VIRTIO_NET_TX_QUEUE); });
	ASSERT_EQ(viper_ring_wait(&c.ring[VIRTIO_NET_RING_TX_DONE], 5000000000ll), VIPER_OK);
	std::vector<viper_netdev_Frame> done = c.PopAll(VIRTIO_NET_RING_TX_DONE);
	ASSERT_EQ(done.size(), 1u);
	EXPECT_EQ(done[0].offset, tx[0].offset);

	viper_netdev_InfoRequest ireq = {};
	viper_netdev_InfoReply info = {};
	ASSERT_EQ(netdev_info(&slot, &ireq, &info), VIPER_OK);
	EXPECT_EQ(info.rx_frames, 1u);
	EXPECT_EQ(info.tx_frames, 1u);
	EXPECT_EQ(info.tx_bytes, 98u);
	irq.Raise(nullptr);
	run.join();
	EXPECT_EQ(run_status, VIPER_E_CLOSED);
	EXPECT_EQ(irq.acks, 2u) << "each interrupt acknowledged after its pass";
	ASSERT_EQ(model_.sent.size(), 1u);
	EXPECT_EQ(model_.sent[0].frame, frame);
	EXPECT_EQ(Posted(), VIRTIO_NET_RX_BUFFERS);
}

INSTANTIATE_TEST_SUITE_P(LegacyAndModern, VirtioNet,
			 ::testing::Combine(::testing::Values(1u, 2u), ::testing::Bool()),
			 [](const ::testing::TestParamInfo<std::tuple<uint32_t, bool>> &i) {
				 return std::string(std::get<0>(i.param) == 1 ? "legacy"
									      : "modern") +
					(std::get<1>(i.param) ? "_copied" : "_zero_copy");
			 });

// The component's init: its grants, and a device that is not there.
class VirtioNetInit : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		viper_host_reset();
		env_.name = "net";
		env_.device_count = VIRTIO_NET_DEVICE_COUNT;
		env_.devices[VIRTIO_NET_DEVICE_NET].regs = regs_.p;
		env_.devices[VIRTIO_NET_DEVICE_NET].size = 0x200;
		env_.devices[VIRTIO_NET_DEVICE_NET].irq = 7;
		env_.dma_count = VIRTIO_NET_DMA_COUNT;
		ASSERT_EQ(viper_host_dma_create(16384, true, &env_.dma[VIRTIO_NET_DMA_RING]),
			  VIPER_OK);
		ASSERT_EQ(viper_host_dma_create(VIRTIO_NET_DMA_BYTES, true,
						&env_.dma[VIRTIO_NET_DMA_BUFFERS]),
			  VIPER_OK);
	}
	void TearDown() override
	{
		viper_host_reset();
	}
	int32_t Init()
	{
		void *state = nullptr;
		int32_t status = VIPER_OK;
		EXPECT_NE(viper_host_start("virtio_net", &env_, &state, &status), nullptr);
		vc_free(state);
		return status;
	}
	FakeDma regs_{4096}; // no device: no magic value
	viper_instance_env env_ = {};
};

TEST_F(VirtioNetInit, RefusesMissingGrantsAndFindsNoDeviceWhereThereIsNone)
{
	unsigned objects = viper_host_memory_objects();
	memset(regs_.p, 0, regs_.size);
	EXPECT_EQ(Init(), VIPER_E_NOTFOUND);
	EXPECT_EQ(viper_host_memory_objects(), objects) << "nothing kept from a failed start";
	env_.devices[VIRTIO_NET_DEVICE_NET].irq = VIPER_HANDLE_INVALID;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "no interrupt";
	env_.devices[VIRTIO_NET_DEVICE_NET].irq = 7;
	env_.devices[VIRTIO_NET_DEVICE_NET].size = 0x100;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "a short register window";
	env_.devices[VIRTIO_NET_DEVICE_NET].size = 0x200;
	env_.dma[VIRTIO_NET_DMA_BUFFERS].size = VIRTIO_NET_DMA_BYTES / 2;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "too few buffers";
	env_.dma[VIRTIO_NET_DMA_BUFFERS].size = VIRTIO_NET_DMA_BYTES;
	env_.dma[VIRTIO_NET_DMA_RING].contiguous = false;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "queues in scattered pages";
	env_.dma[VIRTIO_NET_DMA_RING].contiguous = true;
	env_.dma_count = 1;
	EXPECT_EQ(Init(), VIPER_E_INVAL) << "no buffers granted";
}

} // namespace
