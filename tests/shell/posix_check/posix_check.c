/*
 * posix_check: a program on the shell tests' disk (C:posix_check) that
 * checks the POSIX file layer (//platform/posix) against the real
 * filesystem: every call, the errno of each failure, stdio FILE on files,
 * paths through assigns and from the directory it was started in. Prints
 * "posix_check: N passed, M failed"; its exit status is 0 or 10.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <viper/posix.h>
#include <viper/program_slots.h>

VIPER_PROGRAM_SLOTS({"console", "console"}, {"files", "files"}, {"assigns", "assigns"});

static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("posix_check: FAIL %s (errno %d)\n", what, errno);
	}
}

static void check_descriptors(void)
{
	char buf[64];
	struct stat st;
	int fd = open("T:posix.txt", O_CREAT | O_EXCL | O_RDWR, 0644);

	check(fd >= 3, "open O_CREAT|O_EXCL");
	check(write(fd, "hello, world\n", 13) == 13, "write");
	check(lseek(fd, 7, SEEK_SET) == 7, "lseek SEEK_SET");
	memset(buf, 0, sizeof(buf));
	check(read(fd, buf, sizeof(buf)) == 6 && strcmp(buf, "world\n") == 0, "read to the end");
	check(read(fd, buf, sizeof(buf)) == 0, "read at the end gives 0");
	check(lseek(fd, -6, SEEK_END) == 7, "lseek SEEK_END");
	check(fstat(fd, &st) == 0 && st.st_size == 13 && S_ISREG(st.st_mode), "fstat");
	check(fsync(fd) == 0, "fsync");
	check(close(fd) == 0, "close");
	check(close(fd) == -1 && errno == EBADF, "close twice: EBADF");
	check(open("T:posix.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST,
	      "O_EXCL on an existing file: EEXIST");
	fd = open("T:posix.txt", O_WRONLY | O_APPEND);
	check(fd >= 3 && write(fd, "more\n", 5) == 5 && close(fd) == 0, "O_APPEND");
	check(stat("T:posix.txt", &st) == 0 && st.st_size == 18, "stat after the append");
	fd = open("T:posix.txt", O_WRONLY | O_TRUNC);
	check(fd >= 3 && fstat(fd, &st) == 0 && st.st_size == 0 && close(fd) == 0, "O_TRUNC");
	check(open("T:nothing", O_RDONLY) == -1 && errno == ENOENT, "a missing file: ENOENT");
	check(open("T:posix.txt/x", O_RDONLY) == -1 && errno == ENOTDIR, "through a file: ENOTDIR");
	check(open("T:", O_WRONLY) == -1 && errno == EISDIR, "writing a directory: EISDIR");
	check(read(99, buf, 1) == -1 && errno == EBADF, "a bad descriptor: EBADF");
}

static void check_names(void)
{
	struct stat st;
	char name[200];

	check(mkdir("T:dir", 0755) == 0 && stat("T:dir", &st) == 0 && S_ISDIR(st.st_mode), "mkdir");
	check(mkdir("T:dir", 0755) == -1 && errno == EEXIST, "mkdir twice: EEXIST");
	check(rename("T:posix.txt", "T:dir/moved.txt") == 0 && stat("T:dir/moved.txt", &st) == 0,
	      "rename across directories");
	check(rmdir("T:dir") == -1 && errno == ENOTEMPTY, "rmdir of a full one: ENOTEMPTY");
	DIR *d = opendir("T:dir");
	struct dirent *e = d ? readdir(d) : NULL;
	check(e && strcmp(e->d_name, "moved.txt") == 0 && e->d_type == DT_REG, "readdir");
	check(d && readdir(d) == NULL && closedir(d) == 0, "readdir to the end, closedir");
	check(opendir("T:dir/moved.txt") == NULL && errno == ENOTDIR, "opendir of a file: ENOTDIR");
	check(unlink("T:dir/moved.txt") == 0 && rmdir("T:dir") == 0, "unlink and rmdir");
	check(unlink("T:dir") == -1 && errno == ENOENT, "unlink of nothing: ENOENT");
	memset(name, 'n', 120);
	strcpy(name + 120, "");
	char path[160];
	snprintf(path, sizeof(path), "T:%s", name);
	check(open(path, O_CREAT | O_WRONLY, 0644) == -1 && errno == ENAMETOOLONG, "ENAMETOOLONG");
	check(stat("NOWHERE:x", &st) == -1 && errno == ENOENT, "an unknown assign: ENOENT");
}

static void check_stdio(void)
{
	char line[64];
	FILE *f = fopen("T:stdio.txt", "w");

	check(f != NULL, "fopen for writing");
	if (f) {
		check(fprintf(f, "line %d\nsecond\n", 1) == 14, "fprintf");
		check(fclose(f) == 0, "fclose");
	}
	f = fopen("T:stdio.txt", "r");
	check(f && fgets(line, sizeof(line), f) && strcmp(line, "line 1\n") == 0, "fgets");
	check(f && fgets(line, sizeof(line), f) && strcmp(line, "second\n") == 0, "fgets again");
	check(f && fgets(line, sizeof(line), f) == NULL && feof(f), "feof");
	if (f)
		fclose(f);
	check(fopen("T:missing", "r") == NULL && errno == ENOENT, "fopen of nothing: ENOENT");
	check(unlink("T:stdio.txt") == 0, "unlink after stdio");
}

int main(const struct viper_startup *s)
{
	int argc;
	char **argv;
	struct stat st;

	viper_posix_start(s, &argc, &argv);
	check(argc >= 1 && strcmp(argv[0], "posix_check") == 0, "argv[0] is the program's name");
	check(stat("README", &st) == 0, "a relative path from where it was started (SYS:)");
	check_descriptors();
	check_names();
	check_stdio();
	printf("posix_check: %d passed, %d failed\n", passed, failed);
	return viper_posix_end(failed ? 10 : 0);
}
