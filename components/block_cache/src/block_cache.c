/* block_cache: see include/block_cache/block_cache.h. */
#include <block_cache/block_cache.h>

#include <viper/block_request.h>
#include <viper/component.h>

#include "block_cache_slots.h"

/* The sectors of disk page `page`: PAGE_SECTORS, fewer for a short last page. */
static uint32_t page_sectors(const struct block_cache *c, uint64_t page)
{
	uint64_t left = c->info.block_count - page * PAGE_SECTORS;

	return left < PAGE_SECTORS ? (uint32_t)left : PAGE_SECTORS;
}

static uint8_t *page_data(const struct block_cache *c, uint32_t i)
{
	return c->bytes + (uint64_t)i * CACHE_PAGE;
}

static uint8_t *staging(const struct block_cache *c)
{
	return c->bytes + (uint64_t)c->capacity * CACHE_PAGE;
}

static uint32_t bucket_of(const struct block_cache *c, uint64_t page)
{
	return (uint32_t)((page * 0x9e3779b97f4a7c15ull) >> 32) & c->bucket_mask;
}

/* The cache's index of disk page `page`, or CACHE_NONE. */
static uint32_t lookup(const struct block_cache *c, uint64_t page)
{
	for (uint32_t i = c->buckets[bucket_of(c, page)]; i != CACHE_NONE;
	     i = c->pages[i].hash_next)
		if (c->pages[i].page == page)
			return i;
	return CACHE_NONE;
}

static void lru_unlink(struct block_cache *c, uint32_t i)
{
	struct cache_page *p = &c->pages[i];

	if (p->lru_prev != CACHE_NONE)
		c->pages[p->lru_prev].lru_next = p->lru_next;
	else
		c->lru_head = p->lru_next;
	if (p->lru_next != CACHE_NONE)
		c->pages[p->lru_next].lru_prev = p->lru_prev;
	else
		c->lru_tail = p->lru_prev;
}

static void lru_push(struct block_cache *c, uint32_t i)
{
	struct cache_page *p = &c->pages[i];

	p->lru_prev = CACHE_NONE;
	p->lru_next = c->lru_head;
	if (c->lru_head != CACHE_NONE)
		c->pages[c->lru_head].lru_prev = i;
	c->lru_head = i;
	if (c->lru_tail == CACHE_NONE)
		c->lru_tail = i;
}

static void touch(struct block_cache *c, uint32_t i)
{
	if (c->lru_head != i) {
		lru_unlink(c, i);
		lru_push(c, i);
	}
}

static void unhash(struct block_cache *c, uint32_t i)
{
	uint32_t *at = &c->buckets[bucket_of(c, c->pages[i].page)];

	while (*at != i)
		at = &c->pages[*at].hash_next;
	*at = c->pages[i].hash_next;
}

/* Makes slot `i` hold disk page `page` (its data is the caller's), most recently used. */
static void insert(struct block_cache *c, uint32_t i, uint64_t page)
{
	uint32_t b = bucket_of(c, page);

	c->pages[i] = (struct cache_page){.page = page, .valid = true, .hash_next = c->buckets[b]};
	c->buckets[b] = i;
	lru_push(c, i);
}

/* Moves blocks [block, block + count) between the disk and lent memory, counting the calls. */
static int32_t disk_lent(struct block_cache *c, bool write, uint64_t block, uint32_t count,
			 const struct block_lent *lent)
{
	uint64_t calls = (count + c->info.max_blocks - 1) / c->info.max_blocks;

	if (write)
		c->stats.disk_writes += calls;
	else
		c->stats.disk_reads += calls;
	return block_move_lent(c->disk, write, block, count, c->info.max_blocks, lent);
}

/* Moves pages [first, first + n) between the staging area and the disk. */
static int32_t disk_io(struct block_cache *c, bool write, uint64_t first, uint32_t n)
{
	uint64_t block = first * PAGE_SECTORS;
	uint64_t end = (first + n) * PAGE_SECTORS;
	uint32_t count =
		(uint32_t)((end < c->info.block_count ? end : c->info.block_count) - block);
	struct block_lent staging = {c->memory, (uint64_t)c->capacity * CACHE_PAGE};

	return disk_lent(c, write, block, count, &staging);
}

/*
 * Writes the run of dirty cached pages around slot `i` (at most
 * CACHE_RUN_PAGES, consecutive on the disk) in one call, and marks them
 * clean; on an error they stay dirty.
 */
static int32_t write_back_around(struct block_cache *c, uint32_t i)
{
	uint64_t first = c->pages[i].page, end = first + 1;
	int32_t err;

	while (first > 0 && end - first < CACHE_RUN_PAGES) {
		uint32_t j = lookup(c, first - 1);
		if (j == CACHE_NONE || !c->pages[j].dirty)
			break;
		first--;
	}
	while (end < c->page_count && end - first < CACHE_RUN_PAGES) {
		uint32_t j = lookup(c, end);
		if (j == CACHE_NONE || !c->pages[j].dirty)
			break;
		end++;
	}
	for (uint64_t p = first; p < end; p++)
		vc_memcpy(staging(c) + (p - first) * CACHE_PAGE, page_data(c, lookup(c, p)),
			  CACHE_PAGE);
	err = disk_io(c, true, first, (uint32_t)(end - first));
	if (err)
		return err;
	for (uint64_t p = first; p < end; p++)
		c->pages[lookup(c, p)].dirty = false;
	return VIPER_OK;
}

/* A slot to reuse: a free one, else the least recently used, written back when dirty. */
static int32_t take_slot(struct block_cache *c, uint32_t *out)
{
	uint32_t i = c->free_head;
	int32_t err;

	if (i != CACHE_NONE) {
		c->free_head = c->pages[i].lru_next;
		*out = i;
		return VIPER_OK;
	}
	i = c->lru_tail;
	if (c->pages[i].dirty) {
		err = write_back_around(c, i);
		if (err)
			return err;
	}
	unhash(c, i);
	lru_unlink(c, i);
	c->stats.evictions++;
	*out = i;
	return VIPER_OK;
}

/* Puts slots taken for a fill that failed back on the free list. */
static void give_back(struct block_cache *c, const uint32_t *slots, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		c->pages[slots[k]] = (struct cache_page){.lru_next = c->free_head};
		c->free_head = slots[k];
	}
}

/*
 * Reads the missing pages from `page` on into the cache: at least that one,
 * then those that follow up to `want` pages and READ_AHEAD_PAGES past them,
 * stopping at the first one already cached, at the end of the disk, at
 * CACHE_RUN_PAGES, and at half the cache (so a fill never evicts itself).
 */
static int32_t fill(struct block_cache *c, uint64_t page, uint32_t want)
{
	uint32_t limit = c->capacity / 2 < CACHE_RUN_PAGES ? c->capacity / 2 : CACHE_RUN_PAGES;
	uint32_t slots[CACHE_RUN_PAGES];
	uint32_t n = 1;
	int32_t err;

	want += READ_AHEAD_PAGES;
	while (n < want && n < limit && page + n < c->page_count &&
	       lookup(c, page + n) == CACHE_NONE)
		n++;
	/* The slots first: an eviction's write-back goes through the staging area. */
	for (uint32_t k = 0; k < n; k++) {
		err = take_slot(c, &slots[k]);
		if (err) {
			give_back(c, slots, k);
			return err;
		}
	}
	err = disk_io(c, false, page, n);
	if (err) {
		give_back(c, slots, n);
		return err;
	}
	c->stats.misses += n;
	for (uint32_t k = 0; k < n; k++) {
		vc_memcpy(page_data(c, slots[k]), staging(c) + (uint64_t)k * CACHE_PAGE,
			  CACHE_PAGE);
		insert(c, slots[k], page + k);
	}
	return VIPER_OK;
}

/* The slot holding `page`, read in (with `want` pages wanted from it on) when missing. */
static int32_t cached(struct block_cache *c, uint64_t page, uint32_t want, uint32_t *out)
{
	uint32_t i = lookup(c, page);
	int32_t err;

	if (i == CACHE_NONE) {
		err = fill(c, page, want);
		if (err)
			return err;
		i = lookup(c, page);
	} else {
		c->stats.hits++;
	}
	touch(c, i);
	*out = i;
	return VIPER_OK;
}

int32_t block_cache_read(struct block_cache *c, uint64_t block, uint32_t count, uint8_t *data)
{
	uint64_t end = block + count;

	for (uint64_t b = block; b < end;) {
		uint64_t page = b / PAGE_SECTORS;
		uint32_t in_page = (uint32_t)(b % PAGE_SECTORS);
		uint32_t n = page_sectors(c, page) - in_page;
		uint32_t want = (uint32_t)((end - b + PAGE_SECTORS - 1) / PAGE_SECTORS);
		uint32_t i;
		int32_t err = cached(c, page, want, &i);

		if (err)
			return err;
		if (n > end - b)
			n = (uint32_t)(end - b);
		vc_memcpy(data + (b - block) * CACHE_SECTOR,
			  page_data(c, i) + in_page * CACHE_SECTOR, (size_t)n * CACHE_SECTOR);
		b += n;
	}
	return VIPER_OK;
}

int32_t block_cache_write(struct block_cache *c, uint64_t block, uint32_t count,
			  const uint8_t *data)
{
	uint64_t end = block + count;

	for (uint64_t b = block; b < end;) {
		uint64_t page = b / PAGE_SECTORS;
		uint32_t in_page = (uint32_t)(b % PAGE_SECTORS);
		uint32_t n = page_sectors(c, page) - in_page;
		uint32_t i = lookup(c, page);
		int32_t err = VIPER_OK;

		if (n > end - b)
			n = (uint32_t)(end - b);
		if (i != CACHE_NONE) {
			touch(c, i);
		} else if (in_page == 0 && n == page_sectors(c, page)) {
			err = take_slot(c, &i); /* all of it is written: nothing to read */
			if (err == VIPER_OK)
				insert(c, i, page);
		} else {
			err = cached(c, page, 1, &i);
		}
		if (err)
			return err;
		vc_memcpy(page_data(c, i) + in_page * CACHE_SECTOR,
			  data + (b - block) * CACHE_SECTOR, (size_t)n * CACHE_SECTOR);
		c->pages[i].dirty = true;
		b += n;
	}
	return VIPER_OK;
}

bool block_cache_through(const struct block_cache *c, uint64_t block, uint32_t count)
{
	(void)c; /* the same for every cache so far */
	return block % PAGE_SECTORS == 0 && count % PAGE_SECTORS == 0 &&
	       count >= CACHE_THROUGH_PAGES * PAGE_SECTORS;
}

int32_t block_cache_read_through(struct block_cache *c, uint64_t block, uint32_t count,
				 viper_handle_t memory, uint64_t offset)
{
	uint64_t first = block / PAGE_SECTORS, end = (block + count) / PAGE_SECTORS;

	/* The disk must hold what the cache holds newer. */
	for (uint64_t p = first; p < end; p++) {
		uint32_t i = lookup(c, p);
		int32_t err =
			i != CACHE_NONE && c->pages[i].dirty ? write_back_around(c, i) : VIPER_OK;
		if (err)
			return err;
	}
	c->stats.through_pages += end - first;
	return disk_lent(c, false, block, count, &(struct block_lent){memory, offset});
}

int32_t block_cache_write_through(struct block_cache *c, uint64_t block, uint32_t count,
				  viper_handle_t memory, uint64_t offset)
{
	uint64_t first = block / PAGE_SECTORS, end = (block + count) / PAGE_SECTORS;

	/* Every cached page it covers is replaced whole: dropped, dirty or not. */
	for (uint64_t p = first; p < end; p++) {
		uint32_t i = lookup(c, p);
		if (i == CACHE_NONE)
			continue;
		unhash(c, i);
		lru_unlink(c, i);
		give_back(c, &i, 1);
	}
	c->stats.through_pages += end - first;
	return disk_lent(c, true, block, count, &(struct block_lent){memory, offset});
}

static uint64_t page_at(const struct block_cache *c, const uint32_t *order, uint32_t k)
{
	return c->pages[order[k]].page;
}

static void swap_order(uint32_t *order, uint32_t a, uint32_t b)
{
	uint32_t t = order[a];

	order[a] = order[b];
	order[b] = t;
}

static void sift_down(const struct block_cache *c, uint32_t *order, uint32_t root, uint32_t size)
{
	for (uint32_t child; (child = 2 * root + 1) < size; root = child) {
		if (child + 1 < size && page_at(c, order, child + 1) > page_at(c, order, child))
			child++;
		if (page_at(c, order, root) >= page_at(c, order, child))
			return;
		swap_order(order, root, child);
	}
}

/* Sorts order[0, n) by disk page: a heap sort, without recursion or memory. */
static void sort_by_page(const struct block_cache *c, uint32_t *order, uint32_t n)
{
	for (uint32_t k = n / 2; k > 0; k--)
		sift_down(c, order, k - 1, n);
	for (uint32_t end = n; end > 1; end--) {
		swap_order(order, 0, end - 1);
		sift_down(c, order, 0, end - 1);
	}
}

int32_t block_cache_flush(struct block_cache *c)
{
	uint32_t n = 0;
	int32_t err;

	for (uint32_t i = 0; i < c->capacity; i++)
		if (c->pages[i].valid && c->pages[i].dirty)
			c->order[n++] = i;
	sort_by_page(c, c->order, n);
	for (uint32_t k = 0; k < n;) {
		uint32_t run = 1;
		while (k + run < n && run < CACHE_RUN_PAGES &&
		       c->pages[c->order[k + run]].page == c->pages[c->order[k]].page + run)
			run++;
		for (uint32_t r = 0; r < run; r++)
			vc_memcpy(staging(c) + (uint64_t)r * CACHE_PAGE,
				  page_data(c, c->order[k + r]), CACHE_PAGE);
		err = disk_io(c, true, c->pages[c->order[k]].page, run);
		if (err)
			return err; /* these pages and the rest stay dirty for the next Flush */
		for (uint32_t r = 0; r < run; r++)
			c->pages[c->order[k + r]].dirty = false;
		k += run;
	}
	viper_block_FlushRequest req = {};
	viper_block_FlushReply rep;
	c->stats.disk_flushes++;
	return block_flush(c->disk, &req, &rep);
}

int32_t block_cache_start(struct block_cache *c, struct viper_slot *disk, uint32_t capacity)
{
	viper_block_InfoRequest req = {};
	uint32_t buckets = 1;
	uint64_t size;
	void *p;
	int32_t err;

	c->disk = disk;
	err = block_info(disk, &req, &c->info);
	if (err)
		return err;
	if (c->info.block_bytes != CACHE_SECTOR ||
	    c->info.max_blocks < CACHE_RUN_PAGES * PAGE_SECTORS)
		return VIPER_E_UNSUPPORTED;
	while (buckets < capacity)
		buckets *= 2;
	c->capacity = capacity;
	c->page_count = (c->info.block_count + PAGE_SECTORS - 1) / PAGE_SECTORS;
	c->pages = vc_alloc((size_t)capacity * sizeof(*c->pages));
	c->buckets = vc_alloc((size_t)buckets * sizeof(*c->buckets));
	c->order = vc_alloc((size_t)capacity * sizeof(*c->order));
	if (!c->pages || !c->buckets || !c->order)
		return VIPER_E_NOMEM;
	err = vc_memory_create((uint64_t)(capacity + CACHE_RUN_PAGES) * CACHE_PAGE, &c->memory);
	if (err == VIPER_OK)
		err = vc_memory_map(c->memory, &p, &size);
	if (err)
		return err;
	c->bytes = p;
	c->bucket_mask = buckets - 1;
	for (uint32_t b = 0; b < buckets; b++)
		c->buckets[b] = CACHE_NONE;
	for (uint32_t i = 0; i < capacity; i++)
		c->pages[i] =
			(struct cache_page){.lru_next = i + 1 < capacity ? i + 1 : CACHE_NONE};
	c->free_head = 0;
	c->lru_head = c->lru_tail = CACHE_NONE;
	return VIPER_OK;
}

/* Interface block, for the cache's clients. */

/* The instance: its cache, started at the first call (its disk may start after it). */
struct block_cache_instance {
	struct block_cache cache;
	struct viper_slot *disk;
	uint32_t capacity;
	bool started;
	uint64_t epoch; /* Info's: the monotonic clock when this instance started */
};

static int32_t started(struct block_cache_instance *in)
{
	int32_t err;

	if (in->started)
		return VIPER_OK;
	err = block_cache_start(&in->cache, in->disk, in->capacity);
	if (err == VIPER_OK) {
		in->started = true;
		in->epoch = vc_now_ns() | 1; /* what it holds unflushed goes with this instance */
	}
	return err;
}

static int32_t serve_info(void *self, struct viper_rpc_context *ctx,
			  const viper_block_InfoRequest *req, viper_block_InfoReply *rep)
{
	struct block_cache_instance *in = self;
	int32_t err = started(in);

	(void)ctx;
	if (err == VIPER_OK)
		err = block_info(in->disk, req, rep); /* the disk's epoch now: it may restart too */
	if (err)
		return err;
	uint64_t disk_epoch = rep->epoch;
	*rep = in->cache.info;
	rep->epoch = in->epoch + disk_epoch; /* another if either started again */
	rep->max_blocks = CACHE_MAX_BLOCKS;
	rep->volatile_cache = true;
	vc_snprintf(rep->model, sizeof(rep->model), "cached %s", in->cache.info.model);
	return VIPER_OK;
}

/*
 * Starts the cache and checks a Read or Write; VIPER_OK with *through set
 * when it moves whole pages enough to go past the cache, its lease lent on
 * to the disk unmapped; else with its lease mapped (*data).
 */
static int32_t checked(struct block_cache_instance *in, struct viper_rpc_context *ctx,
		       uint64_t block, uint32_t count, bool *through, uint8_t **data)
{
	int32_t err = started(in);

	if (err == VIPER_OK && ctx->lease_count != 1)
		err = VIPER_E_INVAL;
	if (err == VIPER_OK)
		err = block_request_check(in->cache.info.block_count, CACHE_SECTOR,
					  CACHE_MAX_BLOCKS, block, count, ctx->leases[0].length);
	*through = err == VIPER_OK && block_cache_through(&in->cache, block, count);
	if (err == VIPER_OK && !*through)
		err = vc_lease_map(&ctx->leases[0], data);
	return err;
}

static int32_t serve_read(void *self, struct viper_rpc_context *ctx,
			  const viper_block_ReadRequest *req, viper_block_ReadReply *rep)
{
	struct block_cache_instance *in = self;
	uint8_t *data = NULL;
	bool through;
	int32_t err = checked(in, ctx, req->block, req->count, &through, &data);

	(void)rep;
	if (err)
		return err;
	return through ? block_cache_read_through(&in->cache, req->block, req->count,
						  ctx->leases[0].memory, ctx->leases[0].offset)
		       : block_cache_read(&in->cache, req->block, req->count, data);
}

static int32_t serve_write(void *self, struct viper_rpc_context *ctx,
			   const viper_block_WriteRequest *req, viper_block_WriteReply *rep)
{
	struct block_cache_instance *in = self;
	uint8_t *data = NULL;
	bool through;
	int32_t err = checked(in, ctx, req->block, req->count, &through, &data);

	(void)rep;
	if (err == VIPER_OK && in->cache.info.read_only)
		err = VIPER_E_READONLY;
	if (err)
		return err;
	return through ? block_cache_write_through(&in->cache, req->block, req->count,
						   ctx->leases[0].memory, ctx->leases[0].offset)
		       : block_cache_write(&in->cache, req->block, req->count, data);
}

static int32_t serve_flush(void *self, struct viper_rpc_context *ctx,
			   const viper_block_FlushRequest *req, viper_block_FlushReply *rep)
{
	struct block_cache_instance *in = self;
	int32_t err = started(in);

	(void)ctx;
	(void)req;
	(void)rep;
	return err ? err : block_cache_flush(&in->cache);
}

const struct block_server block_cache_server = {
	.info = serve_info,
	.read = serve_read,
	.write = serve_write,
	.flush = serve_flush,
};

static int32_t block_cache_init(void *state, const struct viper_instance_env *env)
{
	struct block_cache_instance *in = state;

	if (env->slot_count != BLOCK_CACHE_SLOT_COUNT ||
	    env->param_count != BLOCK_CACHE_PARAM_COUNT)
		return VIPER_E_INVAL;
	in->disk = env->slots[BLOCK_CACHE_SLOT_DISK];
	in->capacity = (uint32_t)env->params[BLOCK_CACHE_PARAM_PAGES];
	return VIPER_OK;
}

VIPER_COMPONENT(block_cache) = {
	.name = "block_cache",
	.state_size = sizeof(struct block_cache_instance),
	.slot_count = BLOCK_CACHE_SLOT_COUNT,
	.init = block_cache_init,
	.provides = {{.interface = &block_interface, .ops = &block_cache_server}},
	.provide_count = 1,
};
