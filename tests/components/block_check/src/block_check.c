/*
 * block_check: drives the block provider in its slot (a virtio_blk driver
 * or a RAM disk: the checks are the same) and checks its answers. The disk
 * must be at most 4 MiB, and its contents are overwritten. A shadow copy of
 * the whole disk is kept in memory, every write goes to both, and every
 * read is compared with it: one transfer of the provider's largest size,
 * single blocks at both ends, a stream of writes of assorted sizes at
 * assorted places, and bad requests of every kind, which must change
 * nothing. Prints "block_check: N passed, M failed".
 */
#include <viper/component.h>

#include "block.viper.h"
#include "block_check_slots.h"

#define MAX_DISK  (4u << 20)
#define MAX_BYTES (2048u * 512u)      /* the largest transfer checked */
#define IO_BYTES  (MAX_BYTES + 4096u) /* room for one block more than the largest transfer */
#define STREAM	  64u		      /* writes of the stream */

struct block_check {
	struct viper_slot *disk;
	unsigned passed, failed;
	viper_block_InfoReply info;
	viper_handle_t io; /* the lent memory: IO_BYTES */
	uint8_t *io_bytes;
	uint8_t *shadow; /* what the disk must hold */
	uint32_t seed;
	uint32_t step; /* blocks a transfer moves at most: max_blocks, up to MAX_BYTES */
};

static void check(struct block_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("block_check: FAIL %s", what);
	}
}

static uint32_t next_random(struct block_check *c)
{
	c->seed = c->seed * 1103515245u + 12345u;
	return c->seed >> 8;
}

static int32_t write_blocks(struct block_check *c, uint64_t block, uint32_t count, uint64_t offset)
{
	viper_block_WriteRequest req = {block, count, c->io, offset, (uint64_t)count * 512};
	viper_block_WriteReply rep;

	return block_write(c->disk, &req, &rep);
}

static int32_t read_blocks(struct block_check *c, uint64_t block, uint32_t count, uint64_t offset)
{
	viper_block_ReadRequest req = {block, count, c->io, offset, (uint64_t)count * 512};
	viper_block_ReadReply rep;

	return block_read(c->disk, &req, &rep);
}

/* Fills io[0, count blocks) with fresh bytes and writes them to `block` and the shadow. */
static bool write_fresh(struct block_check *c, uint64_t block, uint32_t count)
{
	uint32_t bytes = count * 512;

	for (uint32_t i = 0; i < bytes; i += 4) {
		uint32_t v = next_random(c);
		vc_memcpy(c->io_bytes + i, &v, 4);
	}
	if (write_blocks(c, block, count, 0) != VIPER_OK)
		return false;
	vc_memcpy(c->shadow + block * 512, c->io_bytes, bytes);
	return true;
}

/* Reads `count` blocks at `block` and compares them with the shadow. */
static bool read_matches(struct block_check *c, uint64_t block, uint32_t count)
{
	vc_memset(c->io_bytes, 0x5a, count * 512);
	return read_blocks(c, block, count, 0) == VIPER_OK &&
	       vc_memcmp(c->io_bytes, c->shadow + block * 512, count * 512) == 0;
}

/* The whole disk, read in the largest transfers, against the shadow. */
static bool disk_matches(struct block_check *c)
{
	for (uint64_t b = 0; b < c->info.block_count; b += c->step) {
		uint64_t left = c->info.block_count - b;
		if (!read_matches(c, b, left < c->step ? (uint32_t)left : c->step))
			return false;
	}
	return true;
}

static void check_transfers(struct block_check *c)
{
	uint64_t last = c->info.block_count - 1;
	uint32_t big = c->step;
	bool ok = true;

	check(c, disk_matches(c), "the disk reads back as the shadow copy taken at start");
	check(c, write_fresh(c, 0, big) && read_matches(c, 0, big),
	      "one transfer of the largest size");
	check(c, write_fresh(c, last, 1) && read_matches(c, last, 1), "the last block");
	check(c, write_fresh(c, 0, 1) && read_matches(c, 0, 1), "the first block");
	for (unsigned i = 0; i < STREAM && ok; i++) {
		uint32_t count = 1 + next_random(c) % big;
		uint64_t block = next_random(c) % (c->info.block_count - count + 1);
		ok = write_fresh(c, block, count);
	}
	check(c, ok, "a stream of writes of assorted sizes and places");
	check(c, disk_matches(c), "the whole disk then reads back as written");
	viper_block_FlushRequest f = {};
	viper_block_FlushReply frep;
	check(c, block_flush(c->disk, &f, &frep) == VIPER_OK, "Flush");
}

static void check_refusals(struct block_check *c)
{
	uint64_t n = c->info.block_count;
	viper_block_ReadRequest r = {0, 2, c->io, 0, 512};
	viper_block_ReadReply rrep;

	check(c, read_blocks(c, n, 1, 0) == VIPER_E_RANGE, "a read past the end");
	check(c, write_blocks(c, n - 1, 2, 0) == VIPER_E_RANGE, "a write running past the end");
	check(c, write_blocks(c, UINT64_MAX, 2, 0) == VIPER_E_RANGE, "a block number that wraps");
	check(c, read_blocks(c, 0, 0, 0) == VIPER_E_INVAL, "a count of 0");
	check(c, block_read(c->disk, &r, &rrep) == VIPER_E_INVAL, "a lease of the wrong length");
	r = (viper_block_ReadRequest){0, 1, c->io, IO_BYTES - 256, 512};
	check(c, block_read(c->disk, &r, &rrep) == VIPER_E_RANGE, "a lease past its memory");
	r = (viper_block_ReadRequest){0, 1, 0, 0, 512};
	check(c, block_read(c->disk, &r, &rrep) == VIPER_E_INVAL, "no lease");
	r = (viper_block_ReadRequest){0, 1, c->io + 0x1000, 0, 512};
	check(c, block_read(c->disk, &r, &rrep) == VIPER_E_BADHANDLE, "a forged lease handle");
	if ((uint64_t)(c->info.max_blocks + 1) * 512 <= IO_BYTES)
		check(c, read_blocks(c, 0, c->info.max_blocks + 1, 0) == VIPER_E_INVAL,
		      "more than max_blocks");
	check(c, disk_matches(c), "refused requests changed nothing");
}

static int32_t block_check_init(void *state, const struct viper_instance_env *env)
{
	struct block_check *c = state;

	if (env->slot_count != BLOCK_CHECK_SLOT_COUNT)
		return VIPER_E_INVAL;
	c->disk = env->slots[BLOCK_CHECK_SLOT_DISK];
	c->seed = 20261202;
	return VIPER_OK;
}

/* The lent memory and the shadow: VIPER_OK, or why not. */
static int32_t set_up(struct block_check *c)
{
	viper_block_InfoRequest req = {};
	viper_handle_t shadow;
	void *p;
	uint64_t size;
	int32_t err = block_info(c->disk, &req, &c->info);

	if (err)
		return err;
	vc_log("block_check: %s, %llu blocks of %u, at most %u a transfer%s%s", c->info.model,
	       (unsigned long long)c->info.block_count, c->info.block_bytes, c->info.max_blocks,
	       c->info.read_only ? ", read-only" : "",
	       c->info.volatile_cache ? ", volatile cache" : "");
	if (c->info.block_bytes != 512 || c->info.block_count < 16 ||
	    c->info.block_count > MAX_DISK / 512 || c->info.max_blocks < 8 || c->info.read_only)
		return VIPER_E_UNSUPPORTED;
	err = vc_memory_create(IO_BYTES, &c->io);
	if (err == VIPER_OK)
		err = vc_memory_map(c->io, &p, &size);
	if (err)
		return err;
	c->io_bytes = p;
	err = vc_memory_create(c->info.block_count * 512, &shadow);
	if (err == VIPER_OK)
		err = vc_memory_map(shadow, &p, &size);
	if (err)
		return err;
	c->shadow = p;
	c->step = c->info.max_blocks < MAX_BYTES / 512 ? c->info.max_blocks : MAX_BYTES / 512;
	for (uint64_t b = 0; b < c->info.block_count && err == VIPER_OK; b += c->step) {
		uint64_t left = c->info.block_count - b;
		uint32_t n = left < c->step ? (uint32_t)left : c->step;
		err = read_blocks(c, b, n, 0);
		vc_memcpy(c->shadow + b * 512, c->io_bytes, n * 512);
	}
	return err;
}

static int32_t block_check_run(void *state)
{
	struct block_check *c = state;
	int32_t err = set_up(c);

	check(c, err == VIPER_OK, "Info, and a first read of the whole disk");
	if (err == VIPER_OK) {
		check_transfers(c);
		check_refusals(c);
	}
	vc_log("block_check: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(block_check) = {
	.name = "block_check",
	.state_size = sizeof(struct block_check),
	.slot_count = BLOCK_CHECK_SLOT_COUNT,
	.init = block_check_init,
	.run = block_check_run,
};
