/*
 * The checks every provider of interface block (interfaces/block.proto)
 * makes on a Read or Write before it touches anything, so that
 * components/virtio_blk and components/ram_disk answer bad requests alike.
 */
#ifndef VIPER_BLOCK_REQUEST_H
#define VIPER_BLOCK_REQUEST_H

#include <stdint.h>

#include <viper/abi.h>
#include <viper/component.h>

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

#endif
