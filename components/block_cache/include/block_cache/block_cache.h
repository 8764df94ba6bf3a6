/*
 * block_cache: interface block (interfaces/block.proto) in front of another
 * provider of it (its slot `disk`), with a write-back cache of 4 KiB pages
 * whose number is the instance's param `pages`.
 *
 * - Reads are served from the cache; a miss reads the run of missing pages
 *   it needs, and READ_AHEAD_PAGES more after it, in one call to the disk.
 * - Writes go to the cache and are answered at once (a page written only in
 *   part is read first). Dirty pages reach the disk when they are evicted
 *   (least recently used first, with the run of dirty neighbours around
 *   them in one call) or at a Flush.
 * - Flush is the ordering point: it writes every dirty page, in block
 *   order, then flushes the disk, and answers once all of it is stable. A
 *   write answered before a Flush is on stable storage when the Flush
 *   answers; a write after it may reach the disk at any time from then on,
 *   never before the pages of the earlier Flush (a journal's barrier).
 * - A page the disk fails to take stays dirty and the error is the
 *   answer to the call that tried (an eviction's caller, or Flush); the
 *   next Flush tries again. Data is never dropped silently.
 *
 * - A Read or Write of CACHE_THROUGH_PAGES whole pages or more goes past
 *   the cache: its lease is lent on to the disk (in calls of the disk's
 *   max_blocks), so its bytes are never copied here. A read first writes
 *   back the dirty cached pages it covers; a write drops the cached pages
 *   it replaces. The Flush rules above hold for them alike.
 *
 * Memory: one memory object of pages * 4 KiB plus a staging area of
 * CACHE_RUN_PAGES, through which every call to the disk moves by lease.
 */
#ifndef BLOCK_CACHE_BLOCK_CACHE_H
#define BLOCK_CACHE_BLOCK_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viper/rpc.h>

#include "block.viper.h"

#define CACHE_PAGE	    4096u
#define CACHE_SECTOR	    512u
#define PAGE_SECTORS	    (CACHE_PAGE / CACHE_SECTOR)
#define CACHE_RUN_PAGES	    32u	  /* pages one call to the disk moves at most: 128 KiB */
#define READ_AHEAD_PAGES    8u	  /* read past a miss */
#define CACHE_MAX_BLOCKS    2048u /* a Read or Write of the cache's clients: 1 MiB */
#define CACHE_THROUGH_PAGES 16u	  /* whole pages a Read or Write moves to go past the cache */
#define CACHE_NONE	    UINT32_MAX

struct cache_page {
	uint64_t page; /* the disk's page number (block / PAGE_SECTORS) */
	uint32_t lru_prev, lru_next;
	uint32_t hash_next;
	bool valid, dirty;
};

struct cache_stats {
	uint64_t hits, misses;				/* pages */
	uint64_t disk_reads, disk_writes, disk_flushes; /* calls */
	uint64_t evictions;
	uint64_t through_pages; /* moved past the cache, by large Reads and Writes */
};

struct block_cache {
	struct viper_slot *disk;
	viper_block_InfoReply info; /* the disk's */
	uint64_t page_count;	    /* of the disk: its blocks, rounded up to pages */
	uint32_t capacity;	    /* pages the cache holds */
	struct cache_page *pages;
	uint32_t *buckets; /* hash heads, bucket_mask + 1 of them */
	uint32_t bucket_mask;
	uint32_t lru_head, lru_tail; /* most and least recently used */
	uint32_t free_head;	     /* pages never used, linked by lru_next */
	viper_handle_t memory;	     /* the pages' data, then the staging area */
	uint8_t *bytes;
	uint32_t *order; /* scratch for Flush: dirty pages in block order */
	struct cache_stats stats;
};

/*
 * Sets up a cache of `capacity` pages over the provider bound to `disk`:
 * asks its Info and makes the memory. Errors: the disk's; VIPER_E_NOMEM;
 * VIPER_E_UNSUPPORTED for a disk whose blocks are not 512 bytes or that
 * moves fewer than CACHE_RUN_PAGES pages in a call.
 */
int32_t block_cache_start(struct block_cache *c, struct viper_slot *disk, uint32_t capacity);

/* Reads or writes blocks [block, block + count) of the cache from or to `data`. */
int32_t block_cache_read(struct block_cache *c, uint64_t block, uint32_t count, uint8_t *data);
int32_t block_cache_write(struct block_cache *c, uint64_t block, uint32_t count,
			  const uint8_t *data);

/*
 * Whether a Read or Write of blocks [block, block + count) goes past the
 * cache: CACHE_THROUGH_PAGES whole pages or more. Then these move them
 * between the disk and `memory` at `offset` (a lease, lent on).
 */
bool block_cache_through(const struct block_cache *c, uint64_t block, uint32_t count);
int32_t block_cache_read_through(struct block_cache *c, uint64_t block, uint32_t count,
				 viper_handle_t memory, uint64_t offset);
int32_t block_cache_write_through(struct block_cache *c, uint64_t block, uint32_t count,
				  viper_handle_t memory, uint64_t offset);

/* Writes every dirty page in block order, then flushes the disk. */
int32_t block_cache_flush(struct block_cache *c);

extern const struct block_server block_cache_server;

#endif
