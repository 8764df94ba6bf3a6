// ViperFS on the host over a disk in memory: format and mount, files of
// every size through the direct and indirect blocks, directories, renames
// of every kind, symlinks, the errors a user meets, persistence across
// mounts, the journal replayed after a crash at every point of a workload
// (and with writes since the last flush lost in part), corrupt images
// refused or repaired, and fsck's repairs.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mem_disk.h"

extern "C" {
#include <viperfs/viperfs.h>
}

namespace
{

constexpr uint64_t kBlocks = 4096; // 16 MiB

uint64_t FixedClock(void *)
{
	return 1700000000ull * 1000000000ull;
}

struct Volume {
	explicit Volume(uint64_t blocks = kBlocks, uint64_t inodes = 0) : disk(blocks)
	{
		vfs_super layout;
		EXPECT_EQ(vfs_layout(blocks, inodes, 0, &layout), nullptr);
		strcpy(layout.label, "Test");
		layout.uuid[0] = 0x42;
		vfs_disk d = disk.Disk();
		EXPECT_EQ(vfs_format(&d, &layout), VIPER_OK);
	}
	// A volume over a copy of `image`, as it is.
	explicit Volume(const std::vector<uint8_t> &image) : disk(image.size() / VFS_BLOCK)
	{
		disk.image = image;
	}
	~Volume()
	{
		if (fs)
			vfs_unmount(fs);
	}
	int32_t Mount(bool read_only = false)
	{
		vfs_disk d = disk.Disk();
		vfs_options opt = {read_only, 0, FixedClock, nullptr};
		char why[128];
		int32_t err = vfs_mount(&d, &opt, &fs, &report, why, sizeof(why));
		last_why = why;
		if (err)
			fs = nullptr;
		return err;
	}
	int32_t Unmount()
	{
		int32_t err = vfs_unmount(fs);
		fs = nullptr;
		return err;
	}
	uint32_t Create(uint32_t dir, const char *name)
	{
		uint32_t ino = 0;
		EXPECT_EQ(vfs_create(fs, dir, name, 0644, &ino), VIPER_OK) << name;
		return ino;
	}
	uint32_t Mkdir(uint32_t dir, const char *name)
	{
		uint32_t ino = 0;
		EXPECT_EQ(vfs_mkdir(fs, dir, name, 0755, &ino), VIPER_OK) << name;
		return ino;
	}
	std::string ReadAll(uint32_t ino)
	{
		struct vfs_stat st;
		EXPECT_EQ(vfs_stat(fs, ino, &st), VIPER_OK);
		std::string out(st.size, '\0');
		uint32_t done = 0;
		EXPECT_EQ(vfs_read(fs, ino, 0, out.data(), uint32_t(st.size), &done), VIPER_OK);
		EXPECT_EQ(done, st.size);
		return out;
	}
	uint32_t Walk(const char *path)
	{
		uint32_t ino = 0;
		return vfs_walk(fs, VFS_ROOT, path, &ino) == VIPER_OK ? ino : 0;
	}
	std::vector<std::string> List(uint32_t dir)
	{
		std::vector<std::string> names;
		uint64_t cookie = 0;
		vfs_dirent d;
		while (vfs_readdir(fs, dir, &cookie, &d) == VIPER_OK)
			names.emplace_back(d.name, d.name_len);
		return names;
	}
	MemDisk disk;
	vfs *fs = nullptr;
	vfs_mount_report report;
	std::string last_why;
};

std::string Pattern(size_t n, int seed)
{
	std::string s(n, '\0');
	for (size_t i = 0; i < n; i++)
		s[i] = char(seed + i * 31 + i / 4096);
	return s;
}

struct CheckLog {
	std::vector<std::string> lines;
	static void Say(void *ctx, const char *line)
	{
		static_cast<CheckLog *>(ctx)->lines.push_back(line);
	}
};

vfs_check_result Check(MemDisk &disk, bool repair, CheckLog *log = nullptr,
		       int32_t *status = nullptr)
{
	vfs_disk d = disk.Disk();
	vfs_check_result r;
	char why[128];
	CheckLog ignored;
	int32_t err =
		vfs_check(&d, repair, CheckLog::Say, log ? log : &ignored, &r, why, sizeof(why));
	if (status)
		*status = err;
	else
		EXPECT_EQ(err, VIPER_OK) << why;
	return r;
}

TEST(ViperFs, CrcIsCastagnoli)
{
	EXPECT_EQ(vfs_crc32c(0, "123456789", 9), 0xe3069283u);
}

TEST(ViperFs, AFreshVolumeMountsEmptyAndChecksClean)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK) << v.last_why;
	struct vfs_statfs st;
	ASSERT_EQ(vfs_statfs(v.fs, &st), VIPER_OK);
	EXPECT_STREQ(st.label, "Test");
	EXPECT_EQ(st.block_count, kBlocks);
	EXPECT_EQ(st.free_inodes, st.inode_count - 1);
	EXPECT_TRUE(v.List(VFS_ROOT).empty());
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	vfs_check_result r = Check(v.disk, false);
	EXPECT_EQ(r.problems, 0u);
	EXPECT_EQ(r.directories, 1u);
}

TEST(ViperFs, FilesOfEverySizeReadBackAfterARemount)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	// Up to the double indirect blocks: 12 direct + 512 single = 524 blocks.
	std::vector<size_t> sizes = {0,
				     1,
				     4095,
				     4096,
				     4097,
				     48 * 1024,
				     48 * 1024 + 1,
				     524 * 4096,
				     524 * 4096 + 5000,
				     3 << 20};
	std::map<std::string, std::string> files;
	for (size_t i = 0; i < sizes.size(); i++) {
		std::string name = "f" + std::to_string(i);
		std::string data = Pattern(sizes[i], int(i));
		uint32_t ino = v.Create(VFS_ROOT, name.c_str());
		// In pieces that do not line up with blocks.
		for (size_t at = 0; at < data.size(); at += 10000) {
			uint32_t n = uint32_t(std::min<size_t>(10000, data.size() - at));
			ASSERT_EQ(vfs_write(v.fs, ino, at, data.data() + at, n), VIPER_OK);
		}
		files[name] = data;
	}
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	for (auto &f : files)
		EXPECT_EQ(v.ReadAll(v.Walk(f.first.c_str())), f.second) << f.first;
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, WholeBlocksMoveInRunsAsLongAsTheDiskTakes)
{
	Volume v;
	v.disk.max_blocks = 16;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t ino = v.Create(VFS_ROOT, "run");
	std::string data = Pattern(1 << 20, 7);
	uint64_t writes = v.disk.writes;
	ASSERT_EQ(vfs_write(v.fs, ino, 0, data.data(), uint32_t(data.size())), VIPER_OK);
	// 256 blocks in a row (the indirect block is metadata, from the top of the
	// volume down): 16 calls of 16 (metadata waits for the commit).
	EXPECT_EQ(v.disk.writes - writes, 16u);
	// A write that starts and ends inside blocks: the parts alone go through a scratch block.
	std::string mid = Pattern(3 * 4096 + 200, 9);
	writes = v.disk.writes;
	uint64_t reads = v.disk.reads;
	ASSERT_EQ(vfs_write(v.fs, ino, 100, mid.data(), uint32_t(mid.size())), VIPER_OK);
	EXPECT_EQ(v.disk.writes - writes, 3u) << "a part, a run of two whole blocks, a part";
	EXPECT_EQ(v.disk.reads - reads, 2u) << "the two parts' blocks";
	memcpy(data.data() + 100, mid.data(), mid.size());
	reads = v.disk.reads;
	EXPECT_EQ(v.ReadAll(ino), data);
	EXPECT_LE(v.disk.reads - reads, 17u) << "whole blocks read in runs of up to 16";
	// Past the end in pieces that do not line up with blocks, and read back in them.
	for (size_t at = data.size(); at < data.size() + 300000; at += 70001) {
		std::string more = Pattern(70001, int(at));
		ASSERT_EQ(vfs_write(v.fs, ino, at, more.data(), 70001), VIPER_OK);
	}
	std::string all = v.ReadAll(ino);
	ASSERT_EQ(all.size(), data.size() + 5 * 70001);
	for (size_t at = data.size(); at < all.size(); at += 70001)
		EXPECT_EQ(all.substr(at, 70001), Pattern(70001, int(at))) << at;
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, AFailedDataWriteTurnsTheVolumeReadOnlyAndShowsNothingUnwritten)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t ino = v.Create(VFS_ROOT, "f");
	std::string old = Pattern(8192, 1);
	ASSERT_EQ(vfs_write(v.fs, ino, 0, old.data(), 8192), VIPER_OK);
	ASSERT_EQ(vfs_sync(v.fs), VIPER_OK);
	std::string more = Pattern(1 << 20, 2);
	v.disk.fail_writes = VIPER_E_IO;
	EXPECT_EQ(vfs_write(v.fs, ino, 8192, more.data(), uint32_t(more.size())), VIPER_E_IO);
	v.disk.fail_writes = VIPER_OK;
	struct vfs_statfs st;
	ASSERT_EQ(vfs_statfs(v.fs, &st), VIPER_OK);
	EXPECT_TRUE(st.read_only);
	EXPECT_NE(std::string(vfs_error(v.fs)).find("a write of file data failed"),
		  std::string::npos)
		<< vfs_error(v.fs);
	EXPECT_EQ(vfs_write(v.fs, ino, 0, "x", 1), VIPER_E_CORRUPT) << "nothing more is written";
	EXPECT_EQ(vfs_sync(v.fs), VIPER_E_CORRUPT) << "nor committed";
	v.Unmount();
	ASSERT_EQ(v.Mount(), VIPER_OK);
	EXPECT_EQ(v.ReadAll(v.Walk("f")), old) << "the file as last committed";
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, SparseWritesTruncationAndFreedSpace)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	struct vfs_statfs before, after;
	uint32_t ino = v.Create(VFS_ROOT, "sparse");
	ASSERT_EQ(vfs_statfs(v.fs, &before), VIPER_OK); /* with the root's first block */
	ASSERT_EQ(vfs_write(v.fs, ino, 5 << 20, "end", 3), VIPER_OK);
	std::string head(100, 'x');
	uint32_t done;
	ASSERT_EQ(vfs_read(v.fs, ino, 1 << 20, head.data(), 100, &done), VIPER_OK);
	EXPECT_EQ(head, std::string(100, '\0')) << "a hole reads as zeros";
	ASSERT_EQ(vfs_truncate(v.fs, ino, 10), VIPER_OK);
	ASSERT_EQ(vfs_truncate(v.fs, ino, 5000), VIPER_OK);
	EXPECT_EQ(v.ReadAll(ino), std::string(5000, '\0'));
	ASSERT_EQ(vfs_unlink(v.fs, VFS_ROOT, "sparse"), VIPER_OK);
	ASSERT_EQ(vfs_sync(v.fs), VIPER_OK);
	ASSERT_EQ(vfs_statfs(v.fs, &after), VIPER_OK);
	EXPECT_EQ(after.free_blocks, before.free_blocks) << "every block came back";
	EXPECT_EQ(after.free_inodes, before.free_inodes + 1);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, AShrinkLosesNothingBeforeItCommitsAndAGrowthReadsZeros)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t ino = v.Create(VFS_ROOT, "f");
	std::string x(4096, 'x');
	ASSERT_EQ(vfs_write(v.fs, ino, 0, x.data(), 4096), VIPER_OK);
	ASSERT_EQ(vfs_sync(v.fs), VIPER_OK);
	ASSERT_EQ(vfs_truncate(v.fs, ino, 100), VIPER_OK);
	{
		Volume crashed(v.disk.image); // the power goes now: the shrink never committed
		ASSERT_EQ(crashed.Mount(), VIPER_OK);
		EXPECT_EQ(crashed.ReadAll(crashed.Walk("f")), x)
			<< "the synced bytes are all there";
	}
	ASSERT_EQ(vfs_write(v.fs, ino, 5000, "y", 1), VIPER_OK) << "past the old end's block";
	std::string want = std::string(100, 'x') + std::string(4900, '\0') + "y";
	EXPECT_EQ(v.ReadAll(ino), want);
	ASSERT_EQ(vfs_truncate(v.fs, ino, 50), VIPER_OK);
	ASSERT_EQ(vfs_write(v.fs, ino, 60, "z", 1), VIPER_OK) << "in the old end's block";
	EXPECT_EQ(v.ReadAll(ino), std::string(50, 'x') + std::string(10, '\0') + "z");
	ASSERT_EQ(vfs_truncate(v.fs, ino, 30), VIPER_OK);
	ASSERT_EQ(vfs_truncate(v.fs, ino, 70), VIPER_OK) << "grown by truncate";
	EXPECT_EQ(v.ReadAll(ino), std::string(30, 'x') + std::string(40, '\0'));
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, DirectoriesGrowListAndRefuseWhatTheyMust)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t d = v.Mkdir(VFS_ROOT, "d");
	for (int i = 0; i < 100; i++)
		v.Create(d, ("file" + std::to_string(i)).c_str());
	EXPECT_EQ(v.List(d).size(), 100u) << "four directory blocks";
	uint32_t ino;
	EXPECT_EQ(vfs_create(v.fs, d, "file7", 0644, &ino), VIPER_E_EXISTS);
	EXPECT_EQ(vfs_mkdir(v.fs, VFS_ROOT, "d", 0755, &ino), VIPER_E_EXISTS);
	EXPECT_EQ(vfs_rmdir(v.fs, VFS_ROOT, "d"), VIPER_E_NOTEMPTY);
	EXPECT_EQ(vfs_unlink(v.fs, VFS_ROOT, "d"), VIPER_E_ISDIR);
	EXPECT_EQ(vfs_rmdir(v.fs, d, "file1"), VIPER_E_NOTDIR);
	EXPECT_EQ(vfs_lookup(v.fs, d, "nothing", &ino), VIPER_E_NOTFOUND);
	EXPECT_EQ(vfs_create(v.fs, d, std::string(120, 'n').c_str(), 0644, &ino),
		  VIPER_E_NAMETOOLONG);
	EXPECT_EQ(vfs_create(v.fs, d, "a/b", 0644, &ino), VIPER_E_INVAL);
	EXPECT_EQ(vfs_create(v.fs, v.Walk("d/file3"), "x", 0644, &ino), VIPER_E_NOTDIR);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(vfs_unlink(v.fs, d, ("file" + std::to_string(i)).c_str()), VIPER_OK);
	EXPECT_EQ(vfs_rmdir(v.fs, VFS_ROOT, "d"), VIPER_OK);
	struct vfs_stat st;
	ASSERT_EQ(vfs_stat(v.fs, VFS_ROOT, &st), VIPER_OK);
	EXPECT_EQ(st.links, 2u);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, RenamesOfEveryKind)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t a = v.Mkdir(VFS_ROOT, "a"), b = v.Mkdir(VFS_ROOT, "b");
	uint32_t sub = v.Mkdir(a, "sub");
	uint32_t f = v.Create(a, "f");
	ASSERT_EQ(vfs_write(v.fs, f, 0, "one", 3), VIPER_OK);
	uint32_t g = v.Create(b, "g");
	ASSERT_EQ(vfs_write(v.fs, g, 0, "two", 3), VIPER_OK);
	ASSERT_EQ(vfs_rename(v.fs, a, "f", a, "f2"), VIPER_OK) << "in one directory";
	ASSERT_EQ(vfs_rename(v.fs, a, "f2", b, "g"), VIPER_OK) << "across, over a file";
	EXPECT_EQ(v.ReadAll(v.Walk("b/g")), "one");
	EXPECT_EQ(v.Walk("a/f2"), 0u);
	ASSERT_EQ(vfs_rename(v.fs, a, "sub", b, "sub"), VIPER_OK) << "a directory across";
	EXPECT_EQ(v.Walk("b/sub/.."), b) << "its parent follows";
	struct vfs_stat st;
	ASSERT_EQ(vfs_stat(v.fs, a, &st), VIPER_OK);
	EXPECT_EQ(st.links, 2u);
	ASSERT_EQ(vfs_stat(v.fs, b, &st), VIPER_OK);
	EXPECT_EQ(st.links, 3u);
	EXPECT_EQ(vfs_rename(v.fs, VFS_ROOT, "b", sub, "b"), VIPER_E_INVAL) << "into itself";
	v.Mkdir(a, "full");
	v.Create(v.Walk("a/full"), "x");
	EXPECT_EQ(vfs_rename(v.fs, b, "sub", a, "full"), VIPER_E_NOTEMPTY);
	EXPECT_EQ(vfs_rename(v.fs, b, "g", a, "full"), VIPER_E_ISDIR);
	v.Mkdir(a, "empty");
	ASSERT_EQ(vfs_rename(v.fs, b, "sub", a, "empty"), VIPER_OK) << "over an empty directory";
	EXPECT_EQ(v.Walk("a/empty"), sub);
	EXPECT_EQ(vfs_rename(v.fs, b, "nothing", a, "x"), VIPER_E_NOTFOUND);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, SymlinksShortLongAndLooping)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t d = v.Mkdir(VFS_ROOT, "d");
	uint32_t f = v.Create(d, "target");
	uint32_t ino;
	ASSERT_EQ(vfs_symlink(v.fs, VFS_ROOT, "short", "d/target", &ino), VIPER_OK);
	std::string long_target = "/" + std::string(200, '/') + "d/target"; // past the inode
	ASSERT_EQ(vfs_symlink(v.fs, VFS_ROOT, "long", long_target.c_str(), &ino), VIPER_OK);
	uint32_t loop;
	ASSERT_EQ(vfs_symlink(v.fs, VFS_ROOT, "loop", "loop", &loop), VIPER_OK);
	EXPECT_EQ(v.Walk("short"), f);
	EXPECT_EQ(v.Walk("long"), f);
	EXPECT_EQ(vfs_walk(v.fs, VFS_ROOT, "loop", &ino), VIPER_E_LOOP);
	char buf[512];
	uint32_t len;
	ASSERT_EQ(vfs_readlink(v.fs, loop, buf, sizeof(buf), &len), VIPER_OK);
	EXPECT_STREQ(buf, "loop");
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	EXPECT_EQ(v.Walk("long"), f);
	ASSERT_EQ(vfs_unlink(v.fs, VFS_ROOT, "long"), VIPER_OK);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, AReusedInodeHasANewGeneration)
{
	Volume v(kBlocks, 16);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	struct vfs_stat first, again;
	uint32_t ino = v.Create(VFS_ROOT, "a");
	ASSERT_EQ(vfs_stat(v.fs, ino, &first), VIPER_OK);
	ASSERT_EQ(vfs_unlink(v.fs, VFS_ROOT, "a"), VIPER_OK);
	ASSERT_EQ(vfs_sync(v.fs), VIPER_OK);
	uint32_t reused = 0;
	for (int i = 0; i < 15 && reused != ino; i++)
		reused = v.Create(VFS_ROOT, ("b" + std::to_string(i)).c_str());
	ASSERT_EQ(reused, ino) << "the inode came round again";
	ASSERT_EQ(vfs_stat(v.fs, ino, &again), VIPER_OK);
	EXPECT_EQ(again.generation, first.generation + 1);
	uint32_t none;
	EXPECT_EQ(vfs_create(v.fs, VFS_ROOT, "c", 0644, &none), VIPER_E_NOSPACE) << "16 inodes";
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

TEST(ViperFs, AFullVolumeSaysNoSpaceAndStaysConsistent)
{
	Volume v(512);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t ino = v.Create(VFS_ROOT, "big");
	std::string chunk = Pattern(65536, 1);
	int32_t err = VIPER_OK;
	for (uint64_t at = 0; err == VIPER_OK; at += chunk.size())
		err = vfs_write(v.fs, ino, at, chunk.data(), uint32_t(chunk.size()));
	EXPECT_EQ(err, VIPER_E_NOSPACE);
	// Names until the directory cannot grow: a refused create leaves no orphan inode.
	err = VIPER_OK;
	for (int i = 0; err == VIPER_OK && i < 1000; i++) {
		uint32_t made;
		err = vfs_create(v.fs, VFS_ROOT, ("n" + std::to_string(i)).c_str(), 0644, &made);
	}
	EXPECT_EQ(err, VIPER_E_NOSPACE);
	ASSERT_EQ(vfs_sync(v.fs), VIPER_OK);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	CheckLog full;
	EXPECT_EQ(Check(v.disk, false, &full).problems, 0u)
		<< (full.lines.empty() ? "" : full.lines[0]);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	ASSERT_EQ(vfs_unlink(v.fs, VFS_ROOT, "big"), VIPER_OK);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
}

// A workload of every metadata change with syncs, logged; the image at
// each point of the log (and, after each flush, with each later write
// lost) must mount, check clean, and hold everything synced before it.
struct Synced {
	size_t log_size;			  // the log when the sync returned
	std::map<std::string, std::string> files; // path -> contents then
};

std::vector<Synced> RunWorkload(Volume &v)
{
	std::vector<Synced> synced;
	std::map<std::string, std::string> files;
	auto sync = [&] {
		EXPECT_EQ(vfs_sync(v.fs), VIPER_OK);
		synced.push_back({v.disk.log.size(), files});
	};
	uint32_t docs = v.Mkdir(VFS_ROOT, "docs");
	for (int i = 0; i < 6; i++) {
		std::string name = "n" + std::to_string(i);
		uint32_t f = v.Create(docs, name.c_str());
		std::string data = Pattern(3000 + i * 20000, i);
		EXPECT_EQ(vfs_write(v.fs, f, 0, data.data(), uint32_t(data.size())), VIPER_OK);
		files["docs/" + name] = data;
		if (i % 2)
			sync();
	}
	uint32_t arch = v.Mkdir(VFS_ROOT, "arch");
	EXPECT_EQ(vfs_rename(v.fs, docs, "n1", arch, "n1"), VIPER_OK);
	files["arch/n1"] = files["docs/n1"];
	files.erase("docs/n1");
	EXPECT_EQ(vfs_rename(v.fs, docs, "n2", docs, "n3"), VIPER_OK);
	files["docs/n3"] = files["docs/n2"];
	files.erase("docs/n2");
	sync();
	EXPECT_EQ(vfs_unlink(v.fs, docs, "n4"), VIPER_OK);
	files.erase("docs/n4");
	uint32_t ino;
	EXPECT_EQ(vfs_symlink(v.fs, VFS_ROOT, "link", "arch/n1", &ino), VIPER_OK);
	EXPECT_EQ(vfs_truncate(v.fs, v.Walk("docs/n5"), 100), VIPER_OK);
	files["docs/n5"].resize(100);
	EXPECT_EQ(vfs_rename(v.fs, VFS_ROOT, "docs", arch, "docs"), VIPER_OK);
	std::map<std::string, std::string> moved;
	for (auto &f : files)
		moved[f.first.rfind("docs/", 0) == 0 ? "arch/" + f.first : f.first] = f.second;
	files = moved;
	sync();
	EXPECT_EQ(vfs_rmdir(v.fs, VFS_ROOT, "arch"), VIPER_E_NOTEMPTY);
	for (int i = 0; i < 20; i++)
		v.Create(VFS_ROOT, ("small" + std::to_string(i)).c_str());
	sync();
	return synced;
}

void CheckCrashImage(const std::vector<uint8_t> &image, const std::vector<Synced> &synced,
		     size_t at, const std::string &what)
{
	Volume v(image);
	ASSERT_EQ(v.Mount(), VIPER_OK) << what << ": " << v.last_why;
	// Every file of the last sync before the crash is there as it was then, or
	// as the next sync has it (renamed, truncated), or gone if that one lacks it.
	const Synced *last = nullptr, *next = nullptr;
	for (const Synced &s : synced) {
		if (s.log_size <= at)
			last = &s;
		else if (!next)
			next = &s;
	}
	for (auto &f : last ? last->files : std::map<std::string, std::string>{}) {
		std::vector<std::pair<std::string, std::string>> ok = {f};
		bool may_be_gone = next != nullptr;
		for (auto &g : next ? next->files : std::map<std::string, std::string>{}) {
			if (g.first == f.first || g.second == f.second) {
				ok.push_back(g);
				may_be_gone = false;
			}
		}
		bool found = false;
		for (auto &c : ok) {
			uint32_t ino = v.Walk(c.first.c_str());
			if (ino && v.ReadAll(ino) == c.second)
				found = true;
		}
		ASSERT_TRUE(found || may_be_gone) << what << ": synced " << f.first << " is lost";
	}
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	CheckLog log;
	vfs_check_result r = Check(v.disk, false, &log);
	ASSERT_EQ(r.problems, 0u) << what << ": " << (log.lines.empty() ? "" : log.lines[0]);
}

TEST(ViperFsCrash, EveryPrefixOfTheLogRecovers)
{
	Volume v;
	std::vector<uint8_t> base = v.disk.image;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	v.disk.logging = true;
	std::vector<Synced> synced = RunWorkload(v);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	const size_t ops = v.disk.log.size();
	ASSERT_GT(ops, 100u);
	size_t step = ops / 400 + 1;
	size_t points = 0;
	for (size_t at = 0; at <= ops; at += step, points++)
		CheckCrashImage(v.disk.ImageAfter(base, at), synced, at,
				"prefix " + std::to_string(at));
	EXPECT_GE(points, 100u);
	std::cout << "crash points (prefixes of " << ops
		  << " logged writes and flushes): " << points
		  << ", each mounted and checked clean\n";
}

TEST(ViperFsCrash, LosingWritesSinceTheLastFlushRecovers)
{
	Volume v;
	std::vector<uint8_t> base = v.disk.image;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	v.disk.logging = true;
	std::vector<Synced> synced = RunWorkload(v);
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	std::vector<size_t> flushes = v.disk.Flushes();
	std::mt19937 rng(5);
	size_t points = 0;
	for (size_t k = 0; k + 1 < flushes.size(); k++) {
		// The writes between flush k and k + 1: keep a random subset of them.
		size_t from = flushes[k] + 1, to = flushes[k + 1];
		if (to <= from)
			continue;
		for (int trial = 0; trial < 3; trial++, points++) {
			std::vector<uint8_t> image = v.disk.ImageAfter(base, from);
			for (size_t i = from; i < to; i++)
				if (rng() % 2)
					memcpy(image.data() + v.disk.log[i].block * VFS_BLOCK,
					       v.disk.log[i].data.data(), VFS_BLOCK);
			CheckCrashImage(image, synced, from,
					"flush " + std::to_string(k) + " subset " +
						std::to_string(trial));
		}
	}
	EXPECT_GE(points, 20u);
	std::cout << "crash points (random subsets of the writes after each of " << flushes.size()
		  << " flushes): " << points << ", each mounted and checked clean\n";
}

TEST(ViperFsCorrupt, ABadSuperblockOrJournalIsRefusedWithAReason)
{
	Volume v;
	v.disk.image[100] ^= 1;
	EXPECT_EQ(v.Mount(), VIPER_E_CORRUPT);
	EXPECT_NE(v.last_why.find("superblock"), std::string::npos) << v.last_why;
	v.disk.image[100] ^= 1;
	v.disk.image[VFS_BLOCK + 9] ^= 1; // the journal's superblock
	EXPECT_EQ(v.Mount(), VIPER_E_CORRUPT);
	EXPECT_NE(v.last_why.find("journal"), std::string::npos) << v.last_why;
	v.disk.image[VFS_BLOCK + 9] ^= 1;
	v.disk.image[VFS_BLOCK + 2000] ^= 0xff; // a torn write of its block: its first sector holds
	EXPECT_EQ(v.Mount(), VIPER_OK) << v.last_why;
	v.Unmount();
	v.disk.image.resize(v.disk.image.size() / 2);
	MemDisk small(kBlocks / 2);
	small.image = v.disk.image;
	vfs_disk d = small.Disk();
	vfs_options opt = {};
	vfs *fs;
	vfs_mount_report report;
	char why[128];
	EXPECT_EQ(vfs_mount(&d, &opt, &fs, &report, why, sizeof(why)), VIPER_E_CORRUPT);
	EXPECT_STREQ(why, "superblock: the volume is larger than its disk");
}

TEST(ViperFsCorrupt, ABadInodeMakesTheVolumeReadOnlyAndFsckRepairsIt)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t f = v.Create(VFS_ROOT, "victim");
	v.Create(VFS_ROOT, "bystander");
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	vfs_super sb;
	ASSERT_EQ(vfs_super_decode(v.disk.image.data(), &sb), nullptr);
	size_t at = sb.inode_table_start * VFS_BLOCK + (f - 1) * VFS_INODE_BYTES + 8;
	v.disk.image[at] ^= 0x40; // the size, under the checksum
	ASSERT_EQ(v.Mount(), VIPER_OK) << "only the root is read at mount";
	struct vfs_stat st;
	EXPECT_EQ(vfs_stat(v.fs, f, &st), VIPER_E_CORRUPT);
	EXPECT_NE(std::string(vfs_error(v.fs)).find("checksum"), std::string::npos);
	uint32_t ino;
	EXPECT_EQ(vfs_create(v.fs, VFS_ROOT, "new", 0644, &ino), VIPER_E_CORRUPT)
		<< "read-only now";
	ASSERT_EQ(v.Unmount(), VIPER_E_CORRUPT);
	CheckLog log;
	vfs_check_result r = Check(v.disk, true, &log);
	EXPECT_GE(r.problems, 2u) << "the inode, and the entry naming it";
	EXPECT_EQ(r.repaired, r.problems);
	EXPECT_EQ(Check(v.disk, false).problems, 0u) << "clean after the repair";
	ASSERT_EQ(v.Mount(), VIPER_OK);
	EXPECT_NE(v.Walk("bystander"), 0u);
	EXPECT_EQ(v.Walk("victim"), 0u);
}

TEST(ViperFsck, RepairsLinkCountsBitmapsOrphansAndDoublyUsedBlocks)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t a = v.Create(VFS_ROOT, "a");
	ASSERT_EQ(vfs_write(v.fs, a, 0, Pattern(8192, 1).data(), 8192), VIPER_OK);
	uint32_t b = v.Create(VFS_ROOT, "b");
	ASSERT_EQ(vfs_write(v.fs, b, 0, Pattern(4096, 2).data(), 4096), VIPER_OK);
	uint32_t orphan = v.Create(VFS_ROOT, "orphan");
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	vfs_super sb;
	ASSERT_EQ(vfs_super_decode(v.disk.image.data(), &sb), nullptr);
	auto inode_at = [&](uint32_t ino) {
		return v.disk.image.data() + sb.inode_table_start * VFS_BLOCK +
		       (ino - 1) * VFS_INODE_BYTES;
	};
	vfs_inode in;
	// b's first block is a's too; a has a link count of 3.
	ASSERT_EQ(vfs_inode_decode(inode_at(a), &sb, &in), nullptr);
	uint64_t shared = in.direct[0];
	in.links = 3;
	vfs_inode_encode(&in, inode_at(a));
	ASSERT_EQ(vfs_inode_decode(inode_at(b), &sb, &in), nullptr);
	in.direct[0] = shared;
	vfs_inode_encode(&in, inode_at(b));
	// The orphan's entry is gone, and a free block is marked used.
	uint8_t *root_dir = nullptr;
	ASSERT_EQ(vfs_inode_decode(inode_at(VFS_ROOT), &sb, &in), nullptr);
	root_dir = v.disk.image.data() + in.direct[0] * VFS_BLOCK;
	for (unsigned i = 0; i < VFS_DIRENTS; i++) {
		vfs_dirent d;
		if (vfs_dirent_decode(root_dir, i, &sb, &d) == nullptr && d.inode == orphan) {
			vfs_dirent none = {};
			vfs_dirent_encode(&none, root_dir, i);
		}
	}
	v.disk.image[sb.block_bitmap_start * VFS_BLOCK + (kBlocks - 1) / 8] |= 0x80;
	CheckLog found;
	vfs_check_result r = Check(v.disk, false, &found);
	EXPECT_GE(r.problems, 4u);
	EXPECT_EQ(r.repaired, 0u);
	CheckLog fixed;
	r = Check(v.disk, true, &fixed);
	EXPECT_EQ(r.repaired, r.problems);
	for (auto &line : fixed.lines)
		EXPECT_NE(line.find("repaired"), std::string::npos) << line;
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	struct vfs_stat st;
	ASSERT_EQ(vfs_stat(v.fs, a, &st), VIPER_OK);
	EXPECT_EQ(st.links, 1u);
	EXPECT_EQ(v.Walk("orphan"), 0u);
}

// An orphan directory with an entry for a directory its real, reachable
// parent names too: the reachable entry stands, the orphan goes.
TEST(ViperFsck, AReachableParentWinsOverAnOrphanNamingTheSameDirectory)
{
	Volume v;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	uint32_t orphan = v.Mkdir(VFS_ROOT, "orphan"); // a lower number than the real parent
	uint32_t decoy = v.Create(orphan, "decoy");
	uint32_t parent = v.Mkdir(VFS_ROOT, "parent");
	uint32_t child = v.Mkdir(parent, "child");
	v.Create(child, "kept");
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	vfs_super sb;
	ASSERT_EQ(vfs_super_decode(v.disk.image.data(), &sb), nullptr);
	auto inode_at = [&](uint32_t ino) {
		return v.disk.image.data() + sb.inode_table_start * VFS_BLOCK +
		       (ino - 1) * VFS_INODE_BYTES;
	};
	auto retarget = [&](uint32_t dir, uint32_t from, uint32_t to, uint8_t type) {
		vfs_inode in;
		ASSERT_EQ(vfs_inode_decode(inode_at(dir), &sb, &in), nullptr);
		uint8_t *block = v.disk.image.data() + in.direct[0] * VFS_BLOCK;
		for (unsigned i = 0; i < VFS_DIRENTS; i++) {
			vfs_dirent d;
			if (vfs_dirent_decode(block, i, &sb, &d) == nullptr && d.inode == from) {
				d.inode = to;
				d.type = type;
				vfs_dirent_encode(&d, block, i);
			}
		}
	};
	retarget(orphan, decoy, child, VFS_DT_DIR); // the orphan names child too
	retarget(VFS_ROOT, orphan, 0, 0);	    // and the root no longer names the orphan
	CheckLog log;
	vfs_check_result r = Check(v.disk, true, &log);
	EXPECT_EQ(r.repaired, r.problems);
	EXPECT_EQ(Check(v.disk, false).problems, 0u);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	EXPECT_NE(v.Walk("parent/child/kept"), 0u) << "the reachable tree stays";
}

TEST(ViperFsck, ReplaysTheJournalWhenRepairing)
{
	Volume v;
	std::vector<uint8_t> base = v.disk.image;
	ASSERT_EQ(v.Mount(), VIPER_OK);
	v.disk.logging = true;
	v.Create(VFS_ROOT, "x");
	ASSERT_EQ(vfs_sync(v.fs), VIPER_OK);
	// The commit is on the disk, nothing in place yet: crash right after the last flush.
	size_t at = v.disk.Flushes().back() + 1;
	ASSERT_EQ(v.Unmount(), VIPER_OK);
	v.disk.image = v.disk.ImageAfter(base, at);
	int32_t status;
	vfs_check_result r = Check(v.disk, false, nullptr, &status);
	EXPECT_EQ(status, VIPER_E_CORRUPT) << "a read-only check cannot replay";
	r = Check(v.disk, true);
	EXPECT_EQ(r.replayed, 1u);
	EXPECT_EQ(r.problems, 0u);
	ASSERT_EQ(v.Mount(), VIPER_OK);
	EXPECT_NE(v.Walk("x"), 0u);
}

} // namespace
