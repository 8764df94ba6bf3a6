// net_stack on the host over a fake network device (fake_link.h): what it
// sends at start (a full-size DHCP request), ARP and ICMP echo answered,
// a UDP socket receiving a datagram, the TCP SYN's options and initial
// sequence numbers, and hostile frames and descriptors dropped, counted
// and harmless. The stack's run thread is replaced by calls to
// net_stack_poll, so every step is deterministic.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include <net_stack/net_stack.h>
#include <viper/component.h>
#include <viper/host_transport.h>

#include "fake_link.h"
#include "lwip/stats.h"
#include "net.viper.h"
#include "net_random.h"
#include "socket.viper.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

const uint8_t kOurMac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
const uint8_t kPeerMac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
const uint8_t kOurIp[4] = {10, 0, 2, 15};
const uint8_t kPeerIp[4] = {10, 0, 2, 2};

uint16_t Checksum(const uint8_t *p, size_t n, uint32_t sum = 0)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void Put16(Bytes &b, size_t at, uint16_t v)
{
	b[at] = (uint8_t)(v >> 8);
	b[at + 1] = (uint8_t)v;
}

// An Ethernet frame to us carrying an IPv4 packet of `proto` with `payload`.
Bytes Ipv4Frame(uint8_t proto, const Bytes &payload)
{
	Bytes f(14 + 20);
	memcpy(&f[0], kOurMac, 6);
	memcpy(&f[6], kPeerMac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	Put16(f, 16, (uint16_t)(20 + payload.size()));
	f[22] = 64;
	f[23] = proto;
	memcpy(&f[26], kPeerIp, 4);
	memcpy(&f[30], kOurIp, 4);
	Put16(f, 24, Checksum(&f[14], 20));
	f.insert(f.end(), payload.begin(), payload.end());
	return f;
}

Bytes Udp(uint16_t from, uint16_t to, const Bytes &data)
{
	Bytes u(8);
	Put16(u, 0, from);
	Put16(u, 2, to);
	Put16(u, 4, (uint16_t)(8 + data.size()));
	u.insert(u.end(), data.begin(), data.end());
	Bytes pseudo(kPeerIp, kPeerIp + 4);
	pseudo.insert(pseudo.end(), kOurIp, kOurIp + 4);
	pseudo.push_back(0);
	pseudo.push_back(17);
	pseudo.push_back((uint8_t)(u.size() >> 8));
	pseudo.push_back((uint8_t)u.size());
	pseudo.insert(pseudo.end(), u.begin(), u.end());
	uint16_t c = Checksum(pseudo.data(), pseudo.size());
	Put16(u, 6, c ? c : 0xffff);
	return u;
}

// One stack for the whole program: lwIP's state is static, as on the
// target (one stack per address space). The tests share it in order.
class NetStackTest : public ::testing::Test
{
      protected:
	static void SetUpTestSuite()
	{
		viper_host_reset();
		viper_host_bind_direct(&link_slot_, &netdev_interface, &fake_link_server, &link_);
		viper_host_bind_direct(&entropy_slot_, &entropy_interface, &fake_entropy_server,
				       nullptr);
		env_.name = "net";
		env_.slots[0] = &link_slot_;
		env_.slots[1] = &entropy_slot_;
		env_.slot_count = 2;
		// address 10.0.2.15/24, gateway and DNS 10.0.2.2, no DHCP: static at once
		uint64_t params[] = {0x0a00020f, 24, 0x0a000202, 0x0a000202, 0};
		memcpy(env_.params, params, sizeof(params));
		env_.param_count = 5;
		int32_t status;
		component_ = viper_host_start("net_stack", &env_, &state_, &status);
		ASSERT_NE(component_, nullptr);
		ASSERT_EQ(status, VIPER_OK);
		stack_ = static_cast<net_stack *>(state_);
		ASSERT_EQ(viper_host_sessions(state_, 16, 16), VIPER_OK);
		ASSERT_EQ(net_stack_start(stack_), VIPER_OK);
		viper_host_bind(&net_, &component_->provides[0], state_, true);
		Poll();
	}

	void SetUp() override
	{
		ASSERT_NE(stack_, nullptr);
		ASSERT_TRUE(stack_->up);
	}

	static void Poll()
	{
		for (int i = 0; i < 4; i++)
			(void)net_stack_poll(stack_);
	}

	// Delivers `f` and returns what the stack sent in answer.
	std::vector<Bytes> Exchange(const Bytes &f)
	{
		fake_link_clear(&link_);
		EXPECT_TRUE(fake_link_inject(&link_, f.data(), (uint32_t)f.size()));
		Poll();
		std::vector<Bytes> out;
		for (uint32_t i = 0; i < link_.sent_count; i++)
			out.emplace_back(link_.sent[i].bytes,
					 link_.sent[i].bytes + link_.sent[i].length);
		return out;
	}

	viper_slot OpenSocket(viper_net_Kind kind)
	{
		viper_handle_t send, recv;
		EXPECT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
		viper_net_SocketRequest req = {kind, 4, send, 1};
		viper_net_SocketReply rep = {};
		EXPECT_EQ(net_socket(&net_, &req, &rep), VIPER_OK);
		viper_slot s;
		vc_slot_bind(&s, &socket_interface, rep.socket);
		return s;
	}

	static fake_link link_;
	static viper_slot link_slot_, entropy_slot_, net_;
	static viper_instance_env env_;
	static const viper_component *component_;
	static void *state_;
	static net_stack *stack_;
};

fake_link NetStackTest::link_;
viper_slot NetStackTest::link_slot_, NetStackTest::entropy_slot_, NetStackTest::net_;
viper_instance_env NetStackTest::env_;
const viper_component *NetStackTest::component_;
void *NetStackTest::state_;
net_stack *NetStackTest::stack_;

TEST(NetRandom, SipHashMatchesTheReferenceVector)
{
	// The SipHash paper's vector: key 00..0f, message 00..0e.
	uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
	uint8_t msg[15];
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	EXPECT_EQ(net_siphash(key, msg, sizeof(msg)), 0xa129ca6149be45e5ull);
}

TEST_F(NetStackTest, AnswersArpForItsAddress)
{
	Bytes f(42, 0);
	memset(&f[0], 0xff, 6);
	memcpy(&f[6], kPeerMac, 6);
	f[12] = 0x08, f[13] = 0x06, f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = 1;
	memcpy(&f[22], kPeerMac, 6);
	memcpy(&f[28], kPeerIp, 4);
	memcpy(&f[38], kOurIp, 4);
	auto out = Exchange(f);
	ASSERT_EQ(out.size(), 1u);
	const Bytes &r = out[0];
	EXPECT_EQ(memcmp(&r[0], kPeerMac, 6), 0);
	EXPECT_EQ(r[21], 2) << "an ARP reply";
	EXPECT_EQ(memcmp(&r[22], kOurMac, 6), 0);
	EXPECT_EQ(memcmp(&r[28], kOurIp, 4), 0);
}

TEST_F(NetStackTest, AnswersPingWithTheSamePayload)
{
	Bytes icmp = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'v', 'i', 'p', 'e', 'r'};
	Put16(icmp, 2, Checksum(icmp.data(), icmp.size()));
	auto out = Exchange(Ipv4Frame(1, icmp));
	ASSERT_GE(out.size(), 1u);
	const Bytes &r = out.back();
	ASSERT_EQ(r.size(), 14u + 20 + icmp.size());
	EXPECT_EQ(r[14 + 9], 1);
	EXPECT_EQ(r[34], 0) << "an echo reply";
	EXPECT_EQ(Checksum(&r[34], icmp.size()), 0) << "its checksum is right";
	EXPECT_EQ(memcmp(&r[34 + 4], &icmp[4], icmp.size() - 4), 0);
}

TEST_F(NetStackTest, UdpSocketReceivesADatagramWithItsSender)
{
	viper_slot so = OpenSocket(viper_net_Kind_UDP);
	viper_socket_BindRequest b = {};
	b.port = 5000;
	viper_socket_BindReply br = {};
	ASSERT_EQ(socket_bind(&so, &b, &br), VIPER_OK);
	EXPECT_EQ(br.port, 5000u);
	Exchange(Ipv4Frame(17, Udp(4321, 5000, {'h', 'e', 'l', 'l', 'o'})));
	viper_socket_StatusRequest sreq = {};
	viper_socket_StatusReply st = {};
	ASSERT_EQ(socket_status(&so, &sreq, &st), VIPER_OK);
	EXPECT_TRUE(st.readable);
	viper_handle_t mem;
	ASSERT_EQ(vc_memory_create(4096, &mem), VIPER_OK);
	viper_socket_ReceiveRequest r = {mem, 0, 64};
	viper_socket_ReceiveFromReply rep = {};
	ASSERT_EQ(socket_receive_from(&so, &r, &rep), VIPER_OK);
	EXPECT_EQ(rep.received, 5u);
	EXPECT_EQ(rep.size, 5u);
	EXPECT_EQ(rep.port, 4321u);
	ASSERT_EQ(rep.address.size, 4u);
	EXPECT_EQ(memcmp(rep.address.bytes, kPeerIp, 4), 0);
	void *p;
	uint64_t size;
	ASSERT_EQ(vc_memory_map(mem, &p, &size), VIPER_OK);
	EXPECT_EQ(memcmp(p, "hello", 5), 0);
	EXPECT_EQ(socket_receive_from(&so, &r, &rep), VIPER_E_WOULDBLOCK) << "one datagram only";
}

TEST_F(NetStackTest, UdpWithABadChecksumIsDropped)
{
	viper_slot so = OpenSocket(viper_net_Kind_UDP);
	viper_socket_BindRequest b = {};
	b.port = 5001;
	viper_socket_BindReply br = {};
	ASSERT_EQ(socket_bind(&so, &b, &br), VIPER_OK);
	Bytes u = Udp(4321, 5001, {'x'});
	u[6] ^= 0x55;
	uint32_t bad = lwip_stats.udp.chkerr;
	Exchange(Ipv4Frame(17, u));
	EXPECT_EQ(lwip_stats.udp.chkerr, bad + 1);
	viper_socket_StatusRequest sreq = {};
	viper_socket_StatusReply st = {};
	ASSERT_EQ(socket_status(&so, &sreq, &st), VIPER_OK);
	EXPECT_FALSE(st.readable);
}

// The SYN of a connect: MSS 1460, window scaling and SACK offered, and an
// initial sequence number that is neither 0 nor a counter's next value.
TEST_F(NetStackTest, TcpSynOffersScalingAndSackWithRandomSequenceNumbers)
{
	std::vector<uint32_t> isns;
	for (uint16_t port : {80, 81}) {
		viper_slot so = OpenSocket(viper_net_Kind_TCP);
		viper_socket_ConnectRequest c = {};
		c.address.size = 4;
		memcpy(c.address.bytes, kPeerIp, 4);
		c.port = port;
		viper_socket_ConnectReply cr = {};
		fake_link_clear(&link_);
		ASSERT_EQ(socket_connect(&so, &c, &cr), VIPER_E_WOULDBLOCK);
		Poll();
		// An ARP request first (the peer is unknown), then the SYN once answered.
		Bytes arp(42, 0);
		memcpy(&arp[0], kOurMac, 6);
		memcpy(&arp[6], kPeerMac, 6);
		arp[12] = 0x08, arp[13] = 0x06, arp[15] = 1, arp[16] = 0x08, arp[18] = 6,
		arp[19] = 4;
		arp[21] = 2;
		memcpy(&arp[22], kPeerMac, 6);
		memcpy(&arp[28], kPeerIp, 4);
		memcpy(&arp[32], kOurMac, 6);
		memcpy(&arp[38], kOurIp, 4);
		auto find_syn = [&](std::vector<Bytes> &frames) -> const Bytes * {
			for (uint32_t i = 0; i < link_.sent_count; i++)
				frames.emplace_back(link_.sent[i].bytes,
						    link_.sent[i].bytes + link_.sent[i].length);
			for (const Bytes &f : frames)
				if (f.size() > 54 && f[12] == 0x08 && f[13] == 0 && f[23] == 6 &&
				    (f[47] & 0x02))
					return &f;
			return nullptr;
		};
		std::vector<Bytes> out;
		const Bytes *syn = find_syn(out);
		if (syn == nullptr) { // the peer's address was not known yet: answer the ARP
			out.clear();
			Exchange(arp);
			syn = find_syn(out);
		}
		ASSERT_NE(syn, nullptr) << "a SYN to port " << port;
		const Bytes &s = *syn;
		uint32_t isn = (uint32_t)s[38] << 24 | (uint32_t)s[39] << 16 | s[40] << 8 | s[41];
		isns.push_back(isn);
		size_t opt_end = 34 + (s[46] >> 4) * 4;
		bool mss = false, ws = false, sack = false;
		for (size_t i = 54; i < opt_end;) {
			uint8_t kind = s[i];
			if (kind == 0)
				break;
			if (kind == 1) {
				i++;
				continue;
			}
			mss |= kind == 2 && (s[i + 2] << 8 | s[i + 3]) == 1460;
			ws |= kind == 3 && s[i + 2] == 2;
			sack |= kind == 4;
			i += s[i + 1];
		}
		EXPECT_TRUE(mss);
		EXPECT_TRUE(ws) << "window scale 2";
		EXPECT_TRUE(sack) << "SACK permitted";
		vc_slot_close(&so);
		Poll();
	}
	ASSERT_EQ(isns.size(), 2u);
	EXPECT_NE(isns[0], 0u);
	uint32_t gap = isns[1] - isns[0];
	EXPECT_TRUE(gap > 1000000u && gap < 0xfff00000u)
		<< "not a counter: " << isns[0] << " then " << isns[1];
}

// A listening socket in the Sockets list (its pcb is lwIP's smaller listen
// struct: nothing is read past it) and accept with nobody waiting.
TEST_F(NetStackTest, ListeningSocketIsListedAndAcceptWaits)
{
	viper_slot so = OpenSocket(viper_net_Kind_TCP);
	viper_socket_BindRequest b = {};
	b.port = 8080;
	viper_socket_BindReply br = {};
	ASSERT_EQ(socket_bind(&so, &b, &br), VIPER_OK);
	viper_socket_ListenRequest l = {4};
	viper_socket_ListenReply lr = {};
	ASSERT_EQ(socket_listen(&so, &l, &lr), VIPER_OK);
	viper_net_SocketsRequest req = {0};
	viper_net_SocketsReply rep = {};
	ASSERT_EQ(net_sockets(&net_, &req, &rep), VIPER_OK);
	bool found = false;
	for (pb_size_t i = 0; i < rep.sockets_count; i++) {
		if (rep.sockets[i].local_port == 8080) {
			found = true;
			EXPECT_EQ(rep.sockets[i].state, viper_net_State_LISTEN);
			EXPECT_EQ(rep.sockets[i].tx_queued, 0u);
			EXPECT_EQ(rep.sockets[i].local.size, 4u)
				<< "an IPv4 socket bound to any stays IPv4";
		}
	}
	EXPECT_TRUE(found);
	viper_handle_t send, recv;
	ASSERT_EQ(vc_channel_create(&send, &recv), VIPER_OK);
	viper_socket_AcceptRequest a = {send, 2};
	viper_socket_AcceptReply ar = {};
	EXPECT_EQ(socket_accept(&so, &a, &ar), VIPER_E_WOULDBLOCK);
	vc_slot_close(&so);
	Poll();
}

TEST_F(NetStackTest, HostileFramesAndDescriptorsAreDroppedAndCounted)
{
	uint32_t before = lwip_stats.link.drop + lwip_stats.link.lenerr;
	uint8_t runt[10] = {0};
	EXPECT_TRUE(fake_link_inject(&link_, runt, sizeof(runt)));
	EXPECT_TRUE(fake_link_inject_descriptor(&link_, 0, 4000));	// longer than a buffer
	EXPECT_TRUE(fake_link_inject_descriptor(&link_, 100, 60));	// not a buffer's start
	EXPECT_TRUE(fake_link_inject_descriptor(&link_, 1u << 30, 60)); // outside the buffers
	fake_link_clear(&link_);
	Poll();
	EXPECT_EQ(link_.sent_count, 0u) << "nothing answers garbage";
	EXPECT_GE(lwip_stats.link.drop + lwip_stats.link.lenerr, before + 4);

	// IPv4 with a bad header checksum, a length past the frame, and TCP with broken options.
	Bytes bad_sum = Ipv4Frame(1, {8, 0, 0, 0, 0, 0, 0, 0});
	bad_sum[24] ^= 0xff;
	uint32_t ip_bad = lwip_stats.ip.chkerr;
	EXPECT_TRUE(Exchange(bad_sum).empty());
	EXPECT_EQ(lwip_stats.ip.chkerr, ip_bad + 1);
	Bytes too_long = Ipv4Frame(17, Udp(1, 2, {1, 2, 3}));
	Put16(too_long, 16, 1400);
	Put16(too_long, 24, 0);
	Put16(too_long, 24, Checksum(&too_long[14], 20));
	EXPECT_TRUE(Exchange(too_long).empty());
	Bytes tcp(40, 0);
	Put16(tcp, 0, 1234);
	Put16(tcp, 2, 80);
	tcp[12] = 0xa0; // 40-byte header: 20 bytes of options
	tcp[13] = 0x02; // SYN
	for (int i = 20; i < 40; i++)
		tcp[i] = (uint8_t)(i % 2 ? 0xff : 3); // options whose lengths lie
	Bytes frame = Ipv4Frame(6, tcp);
	EXPECT_LE(Exchange(frame).size(), 1u) << "at most a reset";

	// The stack still works afterwards.
	Bytes icmp = {8, 0, 0, 0, 0, 1, 0, 1};
	Put16(icmp, 2, Checksum(icmp.data(), icmp.size()));
	EXPECT_FALSE(Exchange(Ipv4Frame(1, icmp)).empty());
}

} // namespace
