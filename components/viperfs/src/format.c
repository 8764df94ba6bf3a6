/* The ViperFS on-disk format: see include/viperfs/format.h. */
#include <viperfs/format.h>

#include <viper/component.h>

static const char SUPER_MAGIC[8] = "VIPERFS";
static const char JSUPER_MAGIC[8] = "VJSUPER";
static const char DESC_MAGIC[8] = "VJDESC";
static const char COMMIT_MAGIC[8] = "VJCOMMIT";

#define CRC_AT (VFS_BLOCK - 4u) /* a block's own checksum: its last four bytes */

static uint32_t crc_table[256];
static int crc_ready;

/* Computes the table once; threads that race here write the same values. */
static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
	__atomic_store_n(&crc_ready, 1, __ATOMIC_RELEASE);
}

uint32_t vfs_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!__atomic_load_n(&crc_ready, __ATOMIC_ACQUIRE))
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Seals a block: its last four bytes become the CRC32C of the rest. */
static void seal(uint8_t *block)
{
	put32(block + CRC_AT, vfs_crc32c(0, block, CRC_AT));
}

static bool sealed(const uint8_t *block)
{
	return get32(block + CRC_AT) == vfs_crc32c(0, block, CRC_AT);
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

void vfs_super_encode(const struct vfs_super *s, uint8_t *b)
{
	vc_memset(b, 0, VFS_BLOCK);
	vc_memcpy(b, SUPER_MAGIC, 8);
	put32(b + 8, VFS_VERSION);
	put32(b + 12, VFS_BLOCK);
	put64(b + 16, s->block_count);
	put64(b + 24, s->inode_count);
	put64(b + 32, s->journal_start);
	put64(b + 40, s->journal_blocks);
	put64(b + 48, s->block_bitmap_start);
	put64(b + 56, s->block_bitmap_blocks);
	put64(b + 64, s->inode_bitmap_start);
	put64(b + 72, s->inode_bitmap_blocks);
	put64(b + 80, s->inode_table_start);
	put64(b + 88, s->inode_table_blocks);
	put64(b + 96, s->data_start);
	put64(b + 104, s->created_ns);
	put32(b + 112, s->state);
	vc_memcpy(b + 120, s->uuid, 16);
	vc_memcpy(b + 136, s->label, VFS_LABEL_MAX + 1);
	seal(b);
}

/* Whether the regions of `s` follow each other as vfs_layout places them. */
static const char *check_layout(const struct vfs_super *s)
{
	if (s->inode_count == 0 || s->inode_count > UINT32_MAX)
		return "inode count out of range";
	if (s->journal_start != 1 || s->journal_blocks < 16 || s->journal_blocks > s->block_count)
		return "journal out of place";
	if (s->block_bitmap_start != s->journal_start + s->journal_blocks ||
	    s->block_bitmap_blocks != div_up(s->block_count, VFS_BLOCK * 8ull))
		return "block bitmap out of place";
	if (s->inode_bitmap_start != s->block_bitmap_start + s->block_bitmap_blocks ||
	    s->inode_bitmap_blocks != div_up(s->inode_count + 1, VFS_BLOCK * 8ull))
		return "inode bitmap out of place";
	if (s->inode_table_start != s->inode_bitmap_start + s->inode_bitmap_blocks ||
	    s->inode_table_blocks != div_up(s->inode_count, VFS_INODES_PER_BLOCK))
		return "inode table out of place";
	if (s->data_start != s->inode_table_start + s->inode_table_blocks ||
	    s->data_start >= s->block_count)
		return "no room for data";
	return 0;
}

const char *vfs_super_decode(const uint8_t *b, struct vfs_super *s)
{
	if (vc_memcmp(b, SUPER_MAGIC, 8) != 0)
		return "not a ViperFS volume (no magic)";
	if (!sealed(b))
		return "superblock checksum mismatch";
	if (get32(b + 8) != VFS_VERSION)
		return "unknown ViperFS version";
	if (get32(b + 12) != VFS_BLOCK)
		return "block size is not 4096";
	s->block_count = get64(b + 16);
	s->inode_count = get64(b + 24);
	s->journal_start = get64(b + 32);
	s->journal_blocks = get64(b + 40);
	s->block_bitmap_start = get64(b + 48);
	s->block_bitmap_blocks = get64(b + 56);
	s->inode_bitmap_start = get64(b + 64);
	s->inode_bitmap_blocks = get64(b + 72);
	s->inode_table_start = get64(b + 80);
	s->inode_table_blocks = get64(b + 88);
	s->data_start = get64(b + 96);
	s->created_ns = get64(b + 104);
	s->state = get32(b + 112);
	vc_memcpy(s->uuid, b + 120, 16);
	vc_memcpy(s->label, b + 136, VFS_LABEL_MAX + 1);
	if (s->label[VFS_LABEL_MAX] != 0)
		return "label not terminated";
	if (s->state != VFS_STATE_CLEAN && s->state != VFS_STATE_DIRTY)
		return "unknown state";
	if (s->block_count < 32 || s->block_count > (1ull << 40))
		return "block count out of range";
	return check_layout(s);
}

void vfs_inode_encode(const struct vfs_inode *in, uint8_t *p)
{
	vc_memset(p, 0, VFS_INODE_BYTES);
	if (in->mode == 0 && in->generation == 0)
		return; /* never used: all zeros */
	put16(p, in->mode);
	put16(p + 2, in->links);
	put32(p + 4, in->generation);
	put64(p + 8, in->size);
	put64(p + 16, in->blocks);
	put64(p + 24, in->mtime_ns);
	put64(p + 32, in->ctime_ns);
	put64(p + 40, in->crtime_ns);
	put32(p + 48, in->parent);
	for (unsigned i = 0; i < VFS_DIRECT; i++)
		put64(p + 56 + 8 * i, in->direct[i]);
	for (unsigned i = 0; i < 3; i++)
		put64(p + 56 + 8 * (VFS_DIRECT + i), in->indirect[i]);
	put32(p + VFS_INODE_BYTES - 4, vfs_crc32c(0, p, VFS_INODE_BYTES - 4));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool block_ok(const struct vfs_super *s, uint64_t b)
{
	return b == 0 || (b >= s->data_start && b < s->block_count);
}

/* The fields of a decoded inode that must make sense whatever its checksum. */
static const char *check_inode(const struct vfs_inode *in, const struct vfs_super *s)
{
	uint16_t type = in->mode & VFS_S_IFMT;

	if (type != VFS_S_IFREG && type != VFS_S_IFDIR && type != VFS_S_IFLNK)
		return "unknown inode type";
	if (in->links == 0)
		return "in use with no links";
	if (in->parent > s->inode_count || (type == VFS_S_IFDIR && in->parent == 0))
		return "bad parent";
	if (in->size > VFS_MAX_FILE_BLOCKS * VFS_BLOCK ||
	    (type == VFS_S_IFDIR && in->size % VFS_BLOCK) ||
	    (type == VFS_S_IFLNK && (in->size == 0 || in->size > VFS_SYMLINK_MAX)))
		return "size out of range";
	if (type == VFS_S_IFLNK && in->size <= VFS_INLINE_LINK)
		return 0; /* the pointers hold the target's bytes */
	for (unsigned i = 0; i < VFS_DIRECT; i++)
		if (!block_ok(s, in->direct[i]))
			return "block pointer out of range";
	for (unsigned i = 0; i < 3; i++)
		if (!block_ok(s, in->indirect[i]))
			return "block pointer out of range";
	if (in->blocks > s->block_count)
		return "block count out of range";
	return 0;
}

const char *vfs_inode_decode(const uint8_t *p, const struct vfs_super *s, struct vfs_inode *in)
{
	vc_memset(in, 0, sizeof(*in));
	if (all_zero(p, VFS_INODE_BYTES))
		return 0; /* free */
	if (get32(p + VFS_INODE_BYTES - 4) != vfs_crc32c(0, p, VFS_INODE_BYTES - 4))
		return "inode checksum mismatch";
	in->mode = get16(p);
	in->links = get16(p + 2);
	in->generation = get32(p + 4);
	in->size = get64(p + 8);
	in->blocks = get64(p + 16);
	in->mtime_ns = get64(p + 24);
	in->ctime_ns = get64(p + 32);
	in->crtime_ns = get64(p + 40);
	in->parent = get32(p + 48);
	for (unsigned i = 0; i < VFS_DIRECT; i++)
		in->direct[i] = get64(p + 56 + 8 * i);
	for (unsigned i = 0; i < 3; i++)
		in->indirect[i] = get64(p + 56 + 8 * (VFS_DIRECT + i));
	if (in->mode == 0) {
		uint32_t generation = in->generation;
		in->generation = 0;
		if (!all_zero((const uint8_t *)in, sizeof(*in)))
			return "free but not empty";
		in->generation = generation;
		return 0;
	}
	return check_inode(in, s);
}

bool vfs_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > VFS_NAME_MAX)
		return false;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == 0)
			return false;
	return true;
}

void vfs_dirent_encode(const struct vfs_dirent *d, uint8_t *block, unsigned i)
{
	uint8_t *p = block + (size_t)i * VFS_DIRENT_BYTES;

	vc_memset(p, 0, VFS_DIRENT_BYTES);
	if (d->inode == 0)
		return;
	put32(p, d->inode);
	p[4] = d->type;
	p[5] = d->name_len;
	vc_memcpy(p + 8, d->name, d->name_len);
}

const char *vfs_dirent_decode(const uint8_t *block, unsigned i, const struct vfs_super *s,
			      struct vfs_dirent *d)
{
	const uint8_t *p = block + (size_t)i * VFS_DIRENT_BYTES;

	vc_memset(d, 0, sizeof(*d));
	d->inode = get32(p);
	if (d->inode == 0)
		return 0;
	d->type = p[4];
	d->name_len = p[5];
	if (d->inode > s->inode_count)
		return "entry names an inode out of range";
	if (d->type < VFS_DT_FILE || d->type > VFS_DT_LINK)
		return "entry of unknown type";
	if (d->name_len > VFS_NAME_MAX)
		return "entry name too long";
	vc_memcpy(d->name, p + 8, d->name_len);
	if (!vfs_name_valid(d->name, d->name_len))
		return "entry name invalid";
	return 0;
}

/*
 * The journal's superblock is the one block written again in place, so it
 * is sealed within its first 512-byte sector: a disk writes a sector whole
 * or not at all, and a torn block write leaves the old or the new one.
 */
#define JSUPER_CRC_AT 508u

void vfs_journal_super_encode(const struct vfs_journal_super *j, uint8_t *b)
{
	vc_memset(b, 0, VFS_BLOCK);
	vc_memcpy(b, JSUPER_MAGIC, 8);
	put64(b + 8, j->sequence);
	put64(b + 16, j->start);
	put32(b + JSUPER_CRC_AT, vfs_crc32c(0, b, JSUPER_CRC_AT));
}

const char *vfs_journal_super_decode(const uint8_t *b, const struct vfs_super *s,
				     struct vfs_journal_super *j)
{
	if (vc_memcmp(b, JSUPER_MAGIC, 8) != 0 ||
	    get32(b + JSUPER_CRC_AT) != vfs_crc32c(0, b, JSUPER_CRC_AT))
		return "journal superblock damaged";
	j->sequence = get64(b + 8);
	j->start = get64(b + 16);
	if (j->start == 0 || j->start >= s->journal_blocks)
		return "journal start out of range";
	return 0;
}

void vfs_descriptor_encode(const struct vfs_descriptor *d, uint8_t *b)
{
	vc_memset(b, 0, VFS_BLOCK);
	vc_memcpy(b, DESC_MAGIC, 8);
	put64(b + 8, d->sequence);
	put32(b + 16, d->count);
	for (uint32_t i = 0; i < d->count && i < VFS_JOURNAL_MAX_BLOCKS; i++)
		put64(b + 24 + 8 * i, d->targets[i]);
	seal(b);
}

const char *vfs_descriptor_decode(const uint8_t *b, const struct vfs_super *s,
				  struct vfs_descriptor *d)
{
	if (vc_memcmp(b, DESC_MAGIC, 8) != 0 || !sealed(b))
		return "no descriptor";
	d->sequence = get64(b + 8);
	d->count = get32(b + 16);
	if (d->count == 0 || d->count > VFS_JOURNAL_MAX_BLOCKS)
		return "descriptor count out of range";
	for (uint32_t i = 0; i < d->count; i++) {
		d->targets[i] = get64(b + 24 + 8 * i);
		/* Only metadata is journaled, and never the journal itself. */
		if (d->targets[i] < s->block_bitmap_start || d->targets[i] >= s->block_count)
			return "descriptor target out of range";
	}
	return 0;
}

void vfs_commit_encode(const struct vfs_commit *c, uint8_t *b)
{
	vc_memset(b, 0, VFS_BLOCK);
	vc_memcpy(b, COMMIT_MAGIC, 8);
	put64(b + 8, c->sequence);
	put32(b + 16, c->count);
	put32(b + 20, c->checksum);
	seal(b);
}

const char *vfs_commit_decode(const uint8_t *b, struct vfs_commit *c)
{
	if (vc_memcmp(b, COMMIT_MAGIC, 8) != 0 || !sealed(b))
		return "no commit";
	c->sequence = get64(b + 8);
	c->count = get32(b + 16);
	c->checksum = get32(b + 20);
	return 0;
}

const char *vfs_layout(uint64_t block_count, uint64_t inode_count, uint64_t journal_blocks,
		       struct vfs_super *s)
{
	vc_memset(s, 0, sizeof(*s));
	if (block_count < 128 || block_count > (1ull << 40))
		return "the disk must have 128 to 2^40 blocks (512 KiB to 4 PiB)";
	if (inode_count == 0)
		inode_count = block_count / 4 < 16 ? 16 : block_count / 4;
	if (journal_blocks == 0) {
		journal_blocks = block_count / 64;
		journal_blocks = journal_blocks < 64	 ? 64
				 : journal_blocks > 2048 ? 2048
							 : journal_blocks;
	}
	if (inode_count > UINT32_MAX || journal_blocks < 64)
		return "too many inodes, or a journal under 64 blocks";
	s->block_count = block_count;
	s->inode_count = inode_count;
	s->journal_start = 1;
	s->journal_blocks = journal_blocks;
	s->block_bitmap_start = 1 + journal_blocks;
	s->block_bitmap_blocks = div_up(block_count, VFS_BLOCK * 8ull);
	s->inode_bitmap_start = s->block_bitmap_start + s->block_bitmap_blocks;
	s->inode_bitmap_blocks = div_up(inode_count + 1, VFS_BLOCK * 8ull);
	s->inode_table_start = s->inode_bitmap_start + s->inode_bitmap_blocks;
	s->inode_table_blocks = div_up(inode_count, VFS_INODES_PER_BLOCK);
	s->data_start = s->inode_table_start + s->inode_table_blocks;
	s->state = VFS_STATE_CLEAN;
	if (s->data_start + 16 > block_count)
		return "the disk is too small for its journal and inodes";
	return 0;
}
