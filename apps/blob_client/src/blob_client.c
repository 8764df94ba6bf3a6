/*
 * blob_client: exercises interface blob through its slot `blobs` and the
 * connection's bulk buffer, and reports "blob_client: N passed, M failed".
 * It writes data into the buffer, asks the provider for checksums and
 * reversals of ranges of it and checks what comes back, including ranges
 * beyond the buffer. The same code runs whether the provider is co-located
 * (a direct call), in another process or in the kernel.
 */
#include <viper/component.h>

#include "blob.viper.h"
#include "blob_client_slots.h"

struct blob_client {
	struct viper_slot *blobs;
	uint8_t *bulk;
	uint32_t bulk_size;
	unsigned passed;
	unsigned failed;
};

static void check(struct blob_client *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
		vc_log("blob_client: ok %s", what);
	} else {
		c->failed++;
		vc_log("blob_client: FAIL %s", what);
	}
}

/* The client's own CRC-32 (IEEE, as zlib's), to check the provider's. */
static uint32_t crc32(const uint8_t *p, uint32_t n)
{
	uint32_t crc = 0xffffffffu;

	for (uint32_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (unsigned bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* The provider's checksum of a range: VIPER_OK and *crc, or its error. */
static int32_t checksum(struct blob_client *c, uint32_t offset, uint32_t length, uint32_t *crc)
{
	viper_blob_ChecksumRequest req = viper_blob_ChecksumRequest_init_zero;
	viper_blob_ChecksumReply rep;
	req.offset = offset;
	req.length = length;
	int32_t r = blob_checksum(c->blobs, &req, &rep);
	*crc = r == VIPER_OK ? rep.crc32 : 0;
	return r;
}

static int32_t reverse(struct blob_client *c, uint32_t offset, uint32_t length)
{
	viper_blob_ReverseRequest req = viper_blob_ReverseRequest_init_zero;
	viper_blob_ReverseReply rep;
	req.offset = offset;
	req.length = length;
	return blob_reverse(c->blobs, &req, &rep);
}

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 31u + 7u);
}

static void test_small(struct blob_client *c)
{
	uint32_t crc = 1;

	vc_memcpy(c->bulk, "123456789", 9);
	check(c, checksum(c, 0, 9, &crc) == VIPER_OK && crc == 0xcbf43926u,
	      "checksum of the check string");
	check(c, checksum(c, 0, 0, &crc) == VIPER_OK && crc == 0, "checksum of nothing");
	vc_memcpy(c->bulk + 100, "hello, bulk", 11);
	check(c,
	      reverse(c, 100, 11) == VIPER_OK && vc_memcmp(c->bulk + 100, "klub ,olleh", 11) == 0,
	      "reverse in place, seen by the client");
	check(c,
	      reverse(c, 100, 1) == VIPER_OK && c->bulk[100] == 'k' && reverse(c, 0, 0) == VIPER_OK,
	      "reverse one byte and nothing");
}

static void test_whole_buffer(struct blob_client *c)
{
	uint32_t n = c->bulk_size, before = 0, after = 0;

	for (uint32_t i = 0; i < n; i++)
		c->bulk[i] = pattern(i);
	check(c, checksum(c, 0, n, &before) == VIPER_OK && before == crc32(c->bulk, n),
	      "checksum of the whole buffer");
	check(c,
	      reverse(c, 0, n) == VIPER_OK && c->bulk[0] == pattern(n - 1) &&
		      c->bulk[n - 1] == pattern(0) && c->bulk[n / 2] == pattern(n - 1 - n / 2),
	      "reverse the whole buffer");
	check(c,
	      reverse(c, 0, n) == VIPER_OK && checksum(c, 0, n, &after) == VIPER_OK &&
		      after == before,
	      "reverse twice gives the data back");
	check(c, checksum(c, n - 1, 1, &after) == VIPER_OK && after == crc32(c->bulk + n - 1, 1),
	      "checksum of the last byte");
}

static void test_bad_ranges(struct blob_client *c)
{
	uint32_t n = c->bulk_size, crc = 0;

	check(c, checksum(c, 0, n + 1, &crc) == VIPER_E_RANGE,
	      "length over the buffer -> VIPER_E_RANGE");
	check(c, checksum(c, n, 1, &crc) == VIPER_E_RANGE, "range past the end -> VIPER_E_RANGE");
	check(c, checksum(c, n + 1, 0, &crc) == VIPER_E_RANGE,
	      "offset past the end -> VIPER_E_RANGE");
	check(c,
	      checksum(c, UINT32_MAX, 2, &crc) == VIPER_E_RANGE &&
		      checksum(c, 1, UINT32_MAX, &crc) == VIPER_E_RANGE,
	      "wrapping ranges -> VIPER_E_RANGE");
	check(c, checksum(c, n, 0, &crc) == VIPER_OK && crc == 0, "empty range at the end");
	vc_memcpy(c->bulk + n - 4, "abcd", 4);
	check(c,
	      reverse(c, n - 3, 4) == VIPER_E_RANGE && vc_memcmp(c->bulk + n - 4, "abcd", 4) == 0,
	      "refused reverse leaves the buffer alone");
	check(c, reverse(c, n - 4, 4) == VIPER_OK && vc_memcmp(c->bulk + n - 4, "dcba", 4) == 0,
	      "reverse the last bytes");
}

static int32_t client_init(void *state, const struct viper_instance_env *env)
{
	struct blob_client *c = state;
	if (env->slot_count <= BLOB_CLIENT_SLOT_BLOBS || env->slots[BLOB_CLIENT_SLOT_BLOBS] == NULL)
		return VIPER_E_INVAL;
	c->blobs = env->slots[BLOB_CLIENT_SLOT_BLOBS];
	return VIPER_OK;
}

static int32_t client_run(void *state)
{
	struct blob_client *c = state;
	c->passed = 0;
	c->failed = 0;
	c->bulk = c->blobs->bulk;
	c->bulk_size = c->blobs->bulk_size;
	check(c, c->bulk != NULL && c->bulk_size == BLOB_BULK_BYTES,
	      "the slot has a bulk buffer of the interface's size");
	if (c->bulk != NULL && c->bulk_size >= 4096) {
		test_small(c);
		test_whole_buffer(c);
		test_bad_ranges(c);
	}
	vc_log("blob_client: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? 0 : 1;
}

VIPER_COMPONENT(blob_client) = {
	.name = "blob_client",
	.state_size = sizeof(struct blob_client),
	.slot_count = BLOB_CLIENT_SLOT_COUNT,
	.init = client_init,
	.run = client_run,
};
