/*
 * The checks every provider of interface block (interfaces/block.proto)
 * makes on a Read or Write before it touches anything, so that
 * components/virtio_blk and components/ram_disk answer bad requests alike;
 * and, for its clients, a transfer through lent memory in calls the disk
 * takes.
 */
#ifndef VIPER_BLOCK_REQUEST_H
#define VIPER_BLOCK_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viper/component.h>

#include "block.viper.h"

/*
 * VIPER_OK for blocks [block, block + count) of a disk of `block_count`
 * blocks of `block_bytes`, moved through `lease_length` lent bytes, at
 * most `max_blocks` at once; VIPER_E_INVAL for a count of 0 or over
 * max_blocks or a lease of another length; VIPER_E_RANGE for blocks past
 * the end (without wrapping).
 */
static inline int32_t block_request_check(uint64_t block_count, uint32_t block_bytes,
					  uint32_t max_blocks, uint64_t block, uint32_t count,
					  uint64_t lease_length)
{
	if (count == 0 || count > max_blocks || lease_length != (uint64_t)count * block_bytes)
		return VIPER_E_INVAL;
	if (block >= block_count || count > block_count - block)
		return VIPER_E_RANGE;
	return VIPER_OK;
}

/*
 * The whole check of a Read or Write a provider serves: one lease, the
 * request as above against it, and the lease mapped (*data). VIPER_OK, or
 * the first error.
 */
static inline int32_t block_request_lease(struct viper_rpc_context *ctx, uint64_t block_count,
					  uint32_t block_bytes, uint32_t max_blocks, uint64_t block,
					  uint32_t count, uint8_t **data)
{
	int32_t err;

	if (ctx->lease_count != 1)
		return VIPER_E_INVAL;
	err = block_request_check(block_count, block_bytes, max_blocks, block, count,
				  ctx->leases[0].length);
	return err ? err : vc_lease_map(&ctx->leases[0], data);
}

/* Memory a client lends the disk for a transfer: a handle and where in it. */
struct block_lent {
	viper_handle_t memory;
	uint64_t offset;
};

/*
 * Reads (or, with `write`, writes) blocks [block, block + count) of the
 * disk behind `disk` into (from) `lent`, in calls of at most `max` blocks
 * (its Info's max_blocks; blocks of 512 bytes). VIPER_OK, or the first
 * call's error.
 */
static inline int32_t block_move_lent(struct viper_slot *disk, bool write, uint64_t block,
				      uint32_t count, uint32_t max, const struct block_lent *lent)
{
	for (uint32_t done = 0; done < count;) {
		uint32_t n = count - done < max ? count - done : max;
		uint64_t at = lent->offset + (uint64_t)done * 512u, length = (uint64_t)n * 512u;
		int32_t err;
		if (write) {
			viper_block_WriteRequest req = {block + done, n, lent->memory, at, length};
			viper_block_WriteReply rep;
			err = block_write(disk, &req, &rep);
		} else {
			viper_block_ReadRequest req = {block + done, n, lent->memory, at, length};
			viper_block_ReadReply rep;
			err = block_read(disk, &req, &rep);
		}
		if (err)
			return err;
		done += n;
	}
	return VIPER_OK;
}

#endif
