/*
 * storage_bench: the storage benchmark's program (docs/benchmarks.md,
 * "Storage"), run from C: by tests/benchmarks/run_storage_bench in each
 * shell system. Through the POSIX layer, as a program would: a sequential
 * write of 128 MiB in 1 MiB writes and an fsync, a sequential read of it
 * back, and 500 files of 1 KiB made, then one sync. Each is timed with the
 * monotonic clock and printed as "storage_bench: NAME MS ms"; booted with
 * pmu=user (and -icount for exact figures), the guest instructions each
 * took, on every CPU's EL0 and EL1 alike, follow as
 * "storage_bench: NAME N instructions".
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <viper/component.h>
#include <viper/posix.h>
#include <viper/program_slots.h>
#include <viper/syscall.h>

VIPER_PROGRAM_SLOTS({"console", "console"}, {"files", "files"}, {"assigns", "assigns"});

#define CHUNK (1u << 20)
#define TOTAL (128u << 20)
#define SMALL 500u

static char buf[CHUNK];

static int64_t now_ms(void)
{
	return viper_clock_now() / 1000000;
}

/* Guest instructions so far, or 0 without the PMU. */
static uint64_t instructions(void)
{
	uint64_t n;

	return vc_instructions(&n) == VIPER_OK ? n : 0;
}

/* Prints a phase's time since t0 and, with the PMU, its instructions since i0. */
static void report(const char *name, int64_t t0, uint64_t i0)
{
	uint64_t i1 = instructions();

	printf("storage_bench: %s %lld ms\n", name, (long long)(now_ms() - t0));
	if (i1)
		printf("storage_bench: %s %llu instructions\n", name,
		       (unsigned long long)(i1 - i0));
}

static int sequential(void)
{
	int64_t t0 = now_ms();
	uint64_t i0 = instructions();
	int fd = open("T:bench.dat", O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0)
		return 1;
	for (uint32_t at = 0; at < TOTAL; at += CHUNK) {
		memset(buf, (int)(at >> 20), 64); /* each MiB its own first bytes */
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			return 2;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		return 3;
	report("write_fsync_128MiB", t0, i0);
	int64_t t1 = now_ms();
	uint64_t i1 = instructions();
	fd = open("T:bench.dat", O_RDONLY);
	if (fd < 0)
		return 4;
	for (uint32_t at = 0; at < TOTAL; at += CHUNK) {
		if (read(fd, buf, CHUNK) != (ssize_t)CHUNK || buf[0] != (char)(at >> 20))
			return 5;
	}
	close(fd);
	report("read_128MiB", t1, i1);
	return unlink("T:bench.dat") == 0 ? 0 : 6;
}

static int small_files(void)
{
	char name[64];
	int64_t t0 = now_ms();
	uint64_t i0 = instructions();

	if (mkdir("T:small", 0755) != 0)
		return 7;
	for (unsigned i = 0; i < SMALL; i++) {
		snprintf(name, sizeof(name), "T:small/f%u", i);
		int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || write(fd, buf, 1024) != 1024 || close(fd) != 0)
			return 8;
	}
	int fd = open("T:small", O_RDONLY);
	if (fd < 0 || fsync(fd) != 0)
		return 9;
	close(fd);
	report("create_sync_500_files", t0, i0);
	return 0;
}

int main(const struct viper_startup *s)
{
	int argc, rc;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	rc = sequential();
	if (rc == 0)
		rc = small_files();
	printf("storage_bench: %s (%d)\n", rc ? "failed" : "done", rc);
	return viper_posix_end(rc ? 10 : 0);
}
