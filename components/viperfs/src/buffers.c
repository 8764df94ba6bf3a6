/*
 * Metadata buffers: a fixed set of 4 KiB blocks with a hash by block
 * number and an LRU list. Dirty buffers belong to the running transaction
 * and are never evicted; the journal keeps a transaction under half the
 * buffers, so a clean one is always there to reuse.
 */
#include "volume.h"

static uint32_t bucket_of(const struct vfs *fs, uint64_t block)
{
	return (uint32_t)((block * 0x9e3779b97f4a7c15ull) >> 32) & fs->bucket_mask;
}

int32_t vfs_buffers_init(struct vfs *fs, uint32_t count)
{
	uint32_t buckets = 1;
	uint8_t *data;

	while (buckets < count)
		buckets *= 2;
	fs->bufs = vc_alloc((size_t)count * sizeof(*fs->bufs));
	fs->buckets = vc_alloc((size_t)buckets * sizeof(*fs->buckets));
	data = vc_alloc((size_t)count * VFS_BLOCK);
	if (!fs->bufs || !fs->buckets || !data) {
		vc_free(data);
		return VIPER_E_NOMEM;
	}
	fs->buf_count = count;
	fs->bucket_mask = buckets - 1;
	for (uint32_t i = 0; i < buckets; i++)
		fs->buckets[i] = VFS_NONE;
	for (uint32_t i = 0; i < count; i++) {
		fs->bufs[i] = (struct vfs_buf){.data = data + (size_t)i * VFS_BLOCK,
					       .lru_prev = i ? i - 1 : VFS_NONE,
					       .lru_next = i + 1 < count ? i + 1 : VFS_NONE,
					       .hash_next = VFS_NONE};
	}
	fs->lru_head = 0;
	fs->lru_tail = count - 1;
	return VIPER_OK;
}

void vfs_buffers_free(struct vfs *fs)
{
	if (fs->bufs)
		vc_free(fs->bufs[0].data);
	vc_free(fs->bufs);
	vc_free(fs->buckets);
	fs->bufs = NULL;
	fs->buckets = NULL;
}

static void lru_unlink(struct vfs *fs, uint32_t i)
{
	struct vfs_buf *b = &fs->bufs[i];

	if (b->lru_prev != VFS_NONE)
		fs->bufs[b->lru_prev].lru_next = b->lru_next;
	else
		fs->lru_head = b->lru_next;
	if (b->lru_next != VFS_NONE)
		fs->bufs[b->lru_next].lru_prev = b->lru_prev;
	else
		fs->lru_tail = b->lru_prev;
}

static void lru_push(struct vfs *fs, uint32_t i)
{
	struct vfs_buf *b = &fs->bufs[i];

	b->lru_prev = VFS_NONE;
	b->lru_next = fs->lru_head;
	if (fs->lru_head != VFS_NONE)
		fs->bufs[fs->lru_head].lru_prev = i;
	fs->lru_head = i;
	if (fs->lru_tail == VFS_NONE)
		fs->lru_tail = i;
}

static uint32_t find(const struct vfs *fs, uint64_t block)
{
	for (uint32_t i = fs->buckets[bucket_of(fs, block)]; i != VFS_NONE;
	     i = fs->bufs[i].hash_next)
		if (fs->bufs[i].block == block && fs->bufs[i].valid)
			return i;
	return VFS_NONE;
}

static void unhash(struct vfs *fs, uint32_t i)
{
	uint32_t *at = &fs->buckets[bucket_of(fs, fs->bufs[i].block)];

	while (*at != i)
		at = &fs->bufs[*at].hash_next;
	*at = fs->bufs[i].hash_next;
	fs->bufs[i].valid = false;
}

/* The least recently used clean buffer, taken out of the hash. */
static uint32_t victim(struct vfs *fs)
{
	uint32_t i = fs->lru_tail;

	while (i != VFS_NONE && fs->bufs[i].dirty)
		i = fs->bufs[i].lru_prev;
	if (i != VFS_NONE && fs->bufs[i].valid)
		unhash(fs, i);
	return i;
}

int32_t vfs_buf_get(struct vfs *fs, uint64_t block, bool fresh, struct vfs_buf **out)
{
	uint32_t i = find(fs, block);
	int32_t err;

	if (block >= fs->sb.block_count)
		return vfs_fail(fs, "block", block, "past the end of the volume");
	if (i == VFS_NONE) {
		i = victim(fs);
		if (i == VFS_NONE)
			return VIPER_E_LIMIT; /* the journal keeps transactions smaller */
		if (fresh) {
			vc_memset(fs->bufs[i].data, 0, VFS_BLOCK);
		} else {
			err = fs->disk.read(fs->disk.ctx, block, 1, fs->bufs[i].data);
			if (err)
				return err;
		}
		uint32_t b = bucket_of(fs, block);
		fs->bufs[i].block = block;
		fs->bufs[i].valid = true;
		fs->bufs[i].dirty = false;
		fs->bufs[i].hash_next = fs->buckets[b];
		fs->buckets[b] = i;
	} else if (fresh) {
		vc_memset(fs->bufs[i].data, 0, VFS_BLOCK);
	}
	lru_unlink(fs, i);
	lru_push(fs, i);
	*out = &fs->bufs[i];
	return VIPER_OK;
}

void vfs_buf_dirty(struct vfs *fs, struct vfs_buf *b)
{
	if (!b->dirty) {
		b->dirty = true;
		fs->dirty_bufs++;
	}
}

void vfs_buf_forget(struct vfs *fs, uint64_t block)
{
	uint32_t i = find(fs, block);

	if (i == VFS_NONE)
		return;
	if (fs->bufs[i].dirty) {
		fs->bufs[i].dirty = false;
		fs->dirty_bufs--;
	}
	unhash(fs, i);
}
