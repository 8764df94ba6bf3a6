/*
 * blob_worker: provides interface blob (interfaces/blob.proto): checksums
 * and reverses ranges of each connection's bulk buffer. Passive; links into
 * a process or the kernel unchanged, so it uses nothing but
 * viper/component.h.
 */
#ifndef BLOB_WORKER_BLOB_WORKER_H
#define BLOB_WORKER_BLOB_WORKER_H

#include <stdint.h>

#include "blob.viper.h"

/* One instance's state; the component host zeroes it before init. */
struct blob_worker {
	uint32_t calls;	  /* methods served */
	uint32_t refused; /* of which refused with an error */
};

/* The worker's implementation of interface blob, for tests and hosts. */
extern const struct blob_server blob_worker_server;

/* The CRC-32 of `n` bytes at `p` (IEEE 802.3, reflected, as zlib's crc32). */
uint32_t blob_worker_crc32(const uint8_t *p, uint32_t n);

#endif
