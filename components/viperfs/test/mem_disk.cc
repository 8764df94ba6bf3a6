// The logged disk in memory (mem_disk.h).
#include "mem_disk.h"

#include <cstring>

vfs_disk MemDisk::Disk()
{
	return vfs_disk{Read, Write, Flush, this, blocks_, max_blocks};
}

int32_t MemDisk::Read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	MemDisk *d = static_cast<MemDisk *>(ctx);
	if (block + count > d->blocks_ || count > d->max_blocks)
		return VIPER_E_RANGE;
	d->reads++;
	memcpy(buf, d->image.data() + block * VFS_BLOCK, size_t(count) * VFS_BLOCK);
	return VIPER_OK;
}

int32_t MemDisk::Write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	MemDisk *d = static_cast<MemDisk *>(ctx);
	if (block + count > d->blocks_ || count > d->max_blocks)
		return VIPER_E_RANGE;
	if (d->fail_writes)
		return d->fail_writes;
	d->writes++;
	const uint8_t *p = static_cast<const uint8_t *>(buf);
	memcpy(d->image.data() + block * VFS_BLOCK, p, size_t(count) * VFS_BLOCK);
	if (d->logging)
		for (uint32_t i = 0; i < count; i++)
			d->log.push_back({false, block + i,
					  std::vector<uint8_t>(p + size_t(i) * VFS_BLOCK,
							       p + size_t(i + 1) * VFS_BLOCK)});
	return VIPER_OK;
}

int32_t MemDisk::Flush(void *ctx)
{
	MemDisk *d = static_cast<MemDisk *>(ctx);
	d->flushes++;
	if (d->logging)
		d->log.push_back({true, 0, {}});
	return VIPER_OK;
}

std::vector<uint8_t> MemDisk::ImageAfter(const std::vector<uint8_t> &base, size_t ops) const
{
	std::vector<uint8_t> out = base;
	for (size_t i = 0; i < ops && i < log.size(); i++)
		if (!log[i].flush)
			memcpy(out.data() + log[i].block * VFS_BLOCK, log[i].data.data(),
			       VFS_BLOCK);
	return out;
}

std::vector<size_t> MemDisk::Flushes() const
{
	std::vector<size_t> out;
	for (size_t i = 0; i < log.size(); i++)
		if (log[i].flush)
			out.push_back(i);
	return out;
}
