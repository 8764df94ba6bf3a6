/*
 * ram_disk: interface block (interfaces/block.proto) over a memory object
 * of the instance's own, `blocks` 512-byte blocks (the component's param),
 * zeroed at start. Writes are stable when answered: it has no cache to
 * flush, and its contents end with its process.
 */
#ifndef RAM_DISK_RAM_DISK_H
#define RAM_DISK_RAM_DISK_H

#include <stdint.h>

#include <viper/abi.h>

#include "block.viper.h"

#define RAM_DISK_BLOCK	    512u
#define RAM_DISK_MAX_BLOCKS 256u /* a Read or Write, as virtio_blk */

struct ram_disk {
	viper_handle_t memory;
	uint8_t *bytes; /* mapped: block_count * RAM_DISK_BLOCK */
	uint64_t block_count;
	uint64_t epoch; /* Info's: the monotonic clock when this instance started */
};

extern const struct block_server ram_disk_server;

#endif
