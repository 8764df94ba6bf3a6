/*
 * Randomness for lwIP (port/net_hooks.h): SipHash-2-4 under keys read from
 * the entropy device at start. LWIP_RAND (DNS IDs and ports, DHCP
 * transaction IDs, ephemeral ports) is SipHash of a counter under one key;
 * a TCP initial sequence number is RFC 6528's: a 4-microsecond clock plus
 * SipHash of the connection's addresses and ports under the other key, so
 * sequence numbers are unpredictable off the path and never repeat soon
 * for one connection.
 */
#include "net_random.h"

#include <viper/component.h>

#include "lwip/ip_addr.h"

static uint64_t keys[4]; /* random_key (2 words), isn_key (2 words) */
static uint64_t counter;
static bool seeded;

static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

uint64_t net_siphash(const uint64_t key[2], const uint8_t *data, uint32_t len)
{
	uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
			 key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull};
	uint64_t last = (uint64_t)len << 56;
	uint32_t whole = len & ~7u;

	for (uint32_t i = 0; i < whole; i += 8) {
		uint64_t m = load64(data + i);

		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (uint32_t i = whole; i < len; i++)
		last |= (uint64_t)data[i] << (8 * (i - whole));
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

void net_random_seed(const uint8_t seed[NET_RANDOM_SEED_BYTES])
{
	for (unsigned i = 0; i < 4; i++)
		keys[i] = load64(seed + 8 * i);
	counter = 0;
	seeded = true;
}

bool net_random_seeded(void)
{
	return seeded;
}

uint32_t net_random_u32(void)
{
	uint8_t block[8];
	uint64_t c = counter++;

	for (unsigned i = 0; i < 8; i++)
		block[i] = (uint8_t)(c >> (8 * i));
	return (uint32_t)net_siphash(&keys[0], block, sizeof(block));
}

/* Appends `a`'s family and bytes to `out` at *n. */
static void put_address(const ip_addr_t *a, uint8_t *out, uint32_t *n)
{
	if (IP_IS_V6(a)) {
		out[(*n)++] = 6;
		vc_memcpy(out + *n, ip_2_ip6(a)->addr, 16);
		*n += 16;
	} else {
		out[(*n)++] = 4;
		vc_memcpy(out + *n, &ip_2_ip4(a)->addr, 4);
		*n += 4;
	}
}

uint32_t net_tcp_isn(const struct ip_addr *local_ip, uint16_t local_port,
		     const struct ip_addr *remote_ip, uint16_t remote_port)
{
	uint8_t tuple[2 * 17 + 4];
	uint32_t n = 0;

	put_address(local_ip, tuple, &n);
	put_address(remote_ip, tuple, &n);
	tuple[n++] = (uint8_t)(local_port >> 8);
	tuple[n++] = (uint8_t)local_port;
	tuple[n++] = (uint8_t)(remote_port >> 8);
	tuple[n++] = (uint8_t)remote_port;
	return (uint32_t)(vc_now_ns() / 4000) + (uint32_t)net_siphash(&keys[2], tuple, n);
}
