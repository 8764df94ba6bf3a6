/*
 * storage_bench_linux: the Linux peer of tests/benchmarks/storage_bench
 * (docs/benchmarks.md, "Storage"). The same work in the same order on a
 * directory of an ext4 volume: a sequential write of 128 MiB in 1 MiB writes
 * and an fsync, a sequential read of it back, and 500 files of 1 KiB made,
 * then one sync of the filesystem. Each is timed with CLOCK_MONOTONIC and
 * printed as "storage_bench: NAME MS ms", as the ViperOS program prints it.
 *
 * One difference, on purpose: between the write and the read it syncs and
 * writes "3" to /proc/sys/vm/drop_caches (outside the timing), so the read
 * comes from the device, as it does through ViperOS's 1 MiB block cache.
 * The sync of the small files is syncfs on the directory: ViperFS's fsync
 * of any file commits everything, and on ext4 only a filesystem sync does
 * the same for files whose blocks are not allocated yet.
 *
 * Freestanding: no libc, so it needs no arm64 C library on the host. It
 * talks to the kernel with raw system calls (svc #0, numbers from the
 * generic table aarch64 uses) and is linked static by
 * tests/benchmarks/linux_peer/linux_peer.py:
 *   clang-14 --target=aarch64-linux-gnu -nostdlib -static -ffreestanding -fuse-ld=lld
 *
 * usage: storage_bench_linux DIR     (DIR on the volume under test)
 */

typedef unsigned long size_t;
typedef long ssize_t;
typedef long long int64_t;
typedef unsigned int uint32_t;

#define SYS_mkdirat	  34
#define SYS_unlinkat	  35
#define SYS_openat	  56
#define SYS_close	  57
#define SYS_read	  63
#define SYS_write	  64
#define SYS_sync	  81
#define SYS_fsync	  82
#define SYS_exit_group	  94
#define SYS_clock_gettime 113
#define SYS_syncfs	  267

#define AT_FDCWD	(-100)
#define O_RDONLY	00
#define O_WRONLY	01
#define O_CREAT		0100
#define O_EXCL		0200
#define O_TRUNC		01000
#define O_DIRECTORY	040000
#define CLOCK_MONOTONIC 1

#define CHUNK (1u << 20)
#define TOTAL (128u << 20)
#define SMALL 500u

static char buf[CHUNK];

#include "linux_freestanding.h"

static void put(const char *s)
{
	SYS(SYS_write, 1, s, length(s));
}

/* Appends s to the string at *at, which has room up to end. */
static void append(char **at, char *end, const char *s)
{
	while (*s && *at < end - 1)
		*(*at)++ = *s++;
	**at = 0;
}

static void append_number(char **at, char *end, long long v)
{
	char digits[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	if (v < 0)
		append(at, end, "-");
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n > 0) {
		char one[2] = {digits[--n], 0};
		append(at, end, one);
	}
}

static void report(const char *name, int64_t ms)
{
	char line[96], *at = line;

	append(&at, line + sizeof(line), "storage_bench: ");
	append(&at, line + sizeof(line), name);
	append(&at, line + sizeof(line), " ");
	append_number(&at, line + sizeof(line), ms);
	append(&at, line + sizeof(line), " ms\n");
	put(line);
}

static int64_t now_ms(void)
{
	struct {
		long sec, nsec;
	} ts;

	SYS(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
	return (int64_t)ts.sec * 1000 + ts.nsec / 1000000;
}

static int open_file(const char *path, int flags, int mode)
{
	return (int)syscall6(SYS_openat, AT_FDCWD, (long)path, flags, mode, 0, 0);
}

/* Syncs everything and empties the page cache, so a read goes to the disk. */
static void drop_caches(void)
{
	SYS(SYS_sync, 0, 0, 0);
	int fd = open_file("/proc/sys/vm/drop_caches", O_WRONLY, 0);
	if (fd >= 0) {
		SYS(SYS_write, fd, "3\n", 2);
		SYS(SYS_close, fd, 0, 0);
	}
}

static int sequential(const char *dir)
{
	char path[256], *p = path;

	append(&p, path + sizeof(path), dir);
	append(&p, path + sizeof(path), "/bench.dat");
	int64_t t0 = now_ms();
	int fd = open_file(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0)
		return 1;
	for (uint32_t at = 0; at < TOTAL; at += CHUNK) {
		memset(buf, (int)(at >> 20), 64); /* each MiB its own first bytes */
		if (SYS(SYS_write, fd, buf, CHUNK) != (ssize_t)CHUNK)
			return 2;
	}
	if (SYS(SYS_fsync, fd, 0, 0) != 0 || SYS(SYS_close, fd, 0, 0) != 0)
		return 3;
	report("write_fsync_128MiB", now_ms() - t0);
	drop_caches();
	int64_t t1 = now_ms();
	fd = open_file(path, O_RDONLY, 0);
	if (fd < 0)
		return 4;
	for (uint32_t at = 0; at < TOTAL; at += CHUNK) {
		if (SYS(SYS_read, fd, buf, CHUNK) != (ssize_t)CHUNK || buf[0] != (char)(at >> 20))
			return 5;
	}
	SYS(SYS_close, fd, 0, 0);
	report("read_128MiB", now_ms() - t1);
	return SYS(SYS_unlinkat, AT_FDCWD, path, 0) == 0 ? 0 : 6;
}

static int small_files(const char *dir)
{
	char path[256], *at = path;
	int64_t t0 = now_ms();

	append(&at, path + sizeof(path), dir);
	append(&at, path + sizeof(path), "/small");
	char *leaf = at;
	if (SYS(SYS_mkdirat, AT_FDCWD, path, 0755) != 0)
		return 7;
	for (unsigned i = 0; i < SMALL; i++) {
		at = leaf;
		append(&at, path + sizeof(path), "/f");
		append_number(&at, path + sizeof(path), i);
		int fd = open_file(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || SYS(SYS_write, fd, buf, 1024) != 1024 ||
		    SYS(SYS_close, fd, 0, 0) != 0)
			return 8;
	}
	*leaf = 0;
	int fd = open_file(path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 || SYS(SYS_syncfs, fd, 0, 0) != 0)
		return 9;
	SYS(SYS_close, fd, 0, 0);
	report("create_sync_500_files", now_ms() - t0);
	return 0;
}

static int bench(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/mnt";
	char line[64], *at = line;
	int rc = sequential(dir);

	if (rc == 0)
		rc = small_files(dir);
	append(&at, line + sizeof(line), rc ? "storage_bench: failed (" : "storage_bench: done (");
	append_number(&at, line + sizeof(line), rc);
	append(&at, line + sizeof(line), ")\n");
	put(line);
	return rc ? 10 : 0;
}

LINUX_FREESTANDING_ENTRY;
