// A disk in memory for the ViperFS tests: every write and flush is logged,
// so a test can build the image a power cut would have left at any point
// (a prefix of the log, and any subset of the writes since the last flush),
// and it can be told to fail.
#ifndef VIPERFS_MEM_DISK_H
#define VIPERFS_MEM_DISK_H

#include <cstdint>
#include <vector>

extern "C" {
#include <viperfs/viperfs.h>
}

class MemDisk
{
      public:
	explicit MemDisk(uint64_t blocks) : image(blocks * VFS_BLOCK, 0), blocks_(blocks)
	{
	}

	struct Op {
		bool flush;
		uint64_t block;
		std::vector<uint8_t> data; // one block
	};

	vfs_disk Disk();

	// The image after the first `ops` operations of the log, applied to `base`.
	std::vector<uint8_t> ImageAfter(const std::vector<uint8_t> &base, size_t ops) const;
	// Indexes of the flushes in the log.
	std::vector<size_t> Flushes() const;

	std::vector<uint8_t> image;
	std::vector<Op> log;
	bool logging = false;
	int32_t fail_writes = 0; // an error every write returns when set
	uint32_t max_blocks = 32;
	uint64_t reads = 0, writes = 0, flushes = 0;

      private:
	static int32_t Read(void *ctx, uint64_t block, uint32_t count, void *buf);
	static int32_t Write(void *ctx, uint64_t block, uint32_t count, const void *buf);
	static int32_t Flush(void *ctx);
	uint64_t blocks_;
};

#endif
