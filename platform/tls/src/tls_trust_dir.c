/* The trust store from a directory's files: see tls_trust_load_dir in viper/tls_trust.h. */
#include <viper/tls_trust.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum file_kind { FILE_OTHER, FILE_VTA, FILE_PEM };

static enum file_kind kind_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name)
		return FILE_OTHER;
	if (strcasecmp(dot, ".vta") == 0)
		return FILE_VTA;
	if (strcasecmp(dot, ".pem") == 0 || strcasecmp(dot, ".crt") == 0)
		return FILE_PEM;
	return FILE_OTHER;
}

/* Reads a whole regular file of at most TLS_TRUST_FILE_MAX bytes into a new heap buffer. */
static int read_file(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	int err = TLS_TRUST_E_READ;

	*data = NULL;
	if (fd < 0)
		return TLS_TRUST_E_READ;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size <= TLS_TRUST_FILE_MAX) {
		size_t want = (size_t)st.st_size, got = 0;
		uint8_t *buf = malloc(want ? want : 1);
		while (buf && got < want) {
			ssize_t n = read(fd, buf + got, want - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (buf && got == want) {
			*data = buf;
			*len = want;
			err = 0;
		} else {
			free(buf);
			err = buf ? TLS_TRUST_E_READ : TLS_TRUST_E_NO_MEMORY;
		}
	}
	close(fd);
	return err;
}

static int load_file(struct tls_trust *t, const char *path, enum file_kind kind)
{
	uint8_t *data;
	size_t len;
	int n = read_file(path, &data, &len);

	if (n < 0)
		return n;
	n = kind == FILE_VTA ? tls_trust_add_vta(t, data, len)
			     : tls_trust_add_pem(t, (const char *)data, len);
	free(data);
	return n;
}

/* The names in the directory, sorted, so anchors come in the same order on every load. */
static void names_of(DIR *d, char ***names, size_t *count)
{
	struct dirent *e;
	size_t n = 0, cap = 0;
	char **v = NULL;

	while ((e = readdir(d)) != NULL) {
		if (kind_of(e->d_name) == FILE_OTHER)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			char **w = realloc(v, c * sizeof(*w));
			if (!w)
				break;
			v = w;
			cap = c;
		}
		size_t len = strlen(e->d_name) + 1;
		if (!(v[n] = malloc(len)))
			break;
		memcpy(v[n++], e->d_name, len);
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	*names = v;
	*count = n;
}

int tls_trust_load_dir(struct tls_trust *t, const char *dir, tls_trust_warn_fn warn, void *ctx)
{
	DIR *d = opendir(dir);
	char **names;
	size_t count, dlen = strlen(dir);
	bool sep = dlen > 0 && dir[dlen - 1] != ':' && dir[dlen - 1] != '/';
	int added = 0;

	if (!d)
		return TLS_TRUST_E_READ;
	names_of(d, &names, &count);
	closedir(d);
	for (size_t i = 0; i < count; i++) {
		size_t len = dlen + 1 + strlen(names[i]) + 1;
		char *path = malloc(len);
		int n = path ? 0 : TLS_TRUST_E_NO_MEMORY;

		if (path) {
			snprintf(path, len, "%s%s%s", dir, sep ? "/" : "", names[i]);
			n = load_file(t, path, kind_of(names[i]));
		}
		if (n < 0 && warn)
			warn(ctx, path ? path : names[i], n);
		if (n > 0)
			added += n;
		free(path);
		free(names[i]);
	}
	free(names);
	return added;
}
