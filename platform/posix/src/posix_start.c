/* The POSIX layer's start: slots, the launch block, paths and the standard streams. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "posix_state.h"

struct posix_state posix;

/*
 * picolibc's malloc (fopen's FILE, for one) takes memory between
 * __heap_start and __heap_end; the runtime has no heap of its own, so the
 * layer gives it POSIX_HEAP_BYTES of zeroed data, committed as it is used.
 */
#define POSIX_HEAP_BYTES "1048576"
__asm__(".section .bss.posix_heap,\"aw\",%nobits\n"
	".balign 16\n"
	".globl __heap_start\n"
	"__heap_start:\n"
	".space " POSIX_HEAP_BYTES "\n"
	".globl __heap_end\n"
	"__heap_end:\n"
	".text\n");

int viper_posix_errno(int32_t error)
{
	switch (error) {
	case VIPER_E_NOTFOUND:
		return ENOENT;
	case VIPER_E_EXISTS:
		return EEXIST;
	case VIPER_E_NOTEMPTY:
		return ENOTEMPTY;
	case VIPER_E_NOSPACE:
		return ENOSPC;
	case VIPER_E_NAMETOOLONG:
		return ENAMETOOLONG;
	case VIPER_E_NOTDIR:
		return ENOTDIR;
	case VIPER_E_ISDIR:
		return EISDIR;
	case VIPER_E_READONLY:
		return EROFS;
	case VIPER_E_LOOP:
		return ELOOP;
	case VIPER_E_BADHANDLE:
		return EBADF;
	case VIPER_E_NOMEM:
		return ENOMEM;
	case VIPER_E_LIMIT:
		return EMFILE;
	case VIPER_E_RANGE:
		return EFBIG;
	case VIPER_E_INVAL:
		return EINVAL;
	case VIPER_E_REFUSED:
		return ECONNREFUSED;
	case VIPER_E_RESET:
		return ECONNRESET;
	case VIPER_E_UNREACHABLE:
		return ENETUNREACH;
	case VIPER_E_NOTCONN:
		return ENOTCONN;
	case VIPER_E_ADDRINUSE:
		return EADDRINUSE;
	case VIPER_E_TIMEOUT:
		return ETIMEDOUT;
	case VIPER_E_WOULDBLOCK:
		return EAGAIN;
	case VIPER_E_CLOSED:
		return EPIPE;
	case VIPER_E_TOOBIG:
		return EMSGSIZE;
	case VIPER_E_UNSUPPORTED:
		return EOPNOTSUPP;
	case VIPER_E_BUSY:
		return EISCONN;
	default:
		return EIO; /* the disk, a damaged volume, a filesystem gone */
	}
}

int posix_fail(int32_t error)
{
	errno = viper_posix_errno(error);
	return -1;
}

int32_t posix_io(void)
{
	void *p;
	uint64_t size;
	int32_t err;

	if (posix.io_bytes)
		return VIPER_OK;
	err = vc_memory_create(POSIX_IO_BYTES, &posix.io);
	if (err == VIPER_OK)
		err = vc_memory_map(posix.io, &p, &size);
	if (err == VIPER_OK)
		posix.io_bytes = p;
	return err;
}

int32_t posix_resolve(const char *path, char *out)
{
	viper_assigns_ResolveRequest req = {""};
	viper_assigns_ResolveReply rep;
	const char *rest;
	size_t len = 0;
	int32_t err = volume_path_assign(path, req.name, &rest);

	out[0] = 0;
	if (err < 0)
		return err;
	if (err == 1) {
		err = posix.has_assigns ? assigns_resolve(&posix.assigns, &req, &rep)
					: VIPER_E_NOTFOUND;
		if (err == VIPER_OK)
			err = volume_path_append(out, &len, rep.target);
	} else if (path[0] != '/') {
		err = volume_path_append(out, &len, posix.cwd);
	}
	return err ? err : volume_path_append(out, &len, rest);
}

int32_t posix_walk(const char *path, viper_files_Node *node)
{
	viper_files_WalkRequest req = {0, 0, ""};
	int32_t err = posix.has_files ? posix_resolve(path, req.path) : VIPER_E_NOTFOUND;

	return err ? err : files_walk(&posix.files, &req, node);
}

int32_t posix_parent(const char *path, viper_files_Node *dir, char *name)
{
	viper_files_WalkRequest req = {0, 0, ""};
	size_t parent;
	int32_t err = posix.has_files ? posix_resolve(path, req.path) : VIPER_E_NOTFOUND;

	if (err)
		return err;
	if (req.path[0] == 0)
		return VIPER_E_INVAL;
	const char *last = volume_path_last(req.path, &parent);
	memcpy(name, last, strlen(last) + 1);
	req.path[parent] = 0;
	return files_walk(&posix.files, &req, dir);
}

/* The standard streams: the console, a line at a time. */

static char out_line[224];
static size_t out_len;

int32_t posix_console_write(const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		viper_console_WriteRequest req;
		viper_console_WriteReply rep;
		size_t n = len < sizeof(req.data.bytes) ? len : sizeof(req.data.bytes);
		memcpy(req.data.bytes, p, n);
		req.data.size = (pb_size_t)n;
		int32_t err = posix.has_console ? console_write(&posix.console, &req, &rep)
						: (viper_debug_write(p, n), VIPER_OK);
		if (err)
			return err;
		p += n;
		len -= n;
	}
	return VIPER_OK;
}

static int stream_flush(FILE *f)
{
	(void)f;
	int32_t err = posix_console_write(out_line, out_len);

	out_len = 0;
	return err ? EOF : 0;
}

static int stream_put(char c, FILE *f)
{
	out_line[out_len++] = c;
	if (c == '\n' || out_len == sizeof(out_line))
		return stream_flush(f) == 0 ? (unsigned char)c : EOF;
	return (unsigned char)c;
}

static int stream_get(FILE *f)
{
	viper_console_ReadRequest req = {0};
	viper_console_ReadReply rep;
	static uint8_t buf[128];
	static size_t have, at;

	(void)f;
	while (at == have) {
		req.max = sizeof(buf);
		if (!posix.has_console || console_read(&posix.console, &req, &rep) != VIPER_OK)
			return EOF;
		memcpy(buf, rep.data.bytes, rep.data.size);
		have = rep.data.size;
		at = 0;
		if (have == 0)
			vc_sleep(20000000); /* nothing typed yet */
	}
	return buf[at++];
}

static FILE console_stream =
	FDEV_SETUP_STREAM(stream_put, stream_get, stream_flush, _FDEV_SETUP_RW);
FILE *const stdin = &console_stream;
FILE *const stdout = &console_stream;
FILE *const stderr = &console_stream;

/* The launch block: "cwd\0name\0arg\0...", at most POSIX_LAUNCH_MAX bytes. */
static void read_launch(const struct viper_startup *s, int *argc, char ***argv)
{
	static char block[POSIX_LAUNCH_MAX];
	static char *words[POSIX_ARGS_MAX + 1];
	static char name[] = "program";
	uint64_t len = s->argument;
	const char *p = NULL;

	*argc = 1;
	words[0] = name;
	*argv = words;
	if (len == 0 || len > sizeof(block))
		return;
	for (uint32_t i = 0; i < s->handle_count && !p; i++) {
		if (s->handles[i].kind != VIPER_OBJ_MEMORY)
			continue;
		int64_t va = viper_memory_map(s->handles[i].handle, 0, POSIX_LAUNCH_MAX,
					      VIPER_PROT_READ, 0); /* read and map rights only */
		if (va >= 0)
			p = (const char *)(uintptr_t)va;
	}
	if (!p)
		return;
	memcpy(block, p, len);
	block[len - 1] = 0;
	viper_memory_unmap((uint64_t)(uintptr_t)p, POSIX_LAUNCH_MAX);
	size_t at = strlen(block) + 1; /* the directory */
	size_t cwd_len = 0;
	if (volume_path_append(posix.cwd, &cwd_len, block) != VIPER_OK)
		posix.cwd[0] = 0;
	for (*argc = 0; at < len && *argc < (int)POSIX_ARGS_MAX; (*argc)++) {
		words[*argc] = block + at;
		at += strlen(block + at) + 1;
	}
	if (*argc == 0) {
		*argc = 1;
		words[0] = name;
	}
	words[*argc] = NULL;
}

static void bind(const struct viper_startup *s, const struct viper_slot_decl *table, uint32_t count,
		 const char *name, const struct viper_interface *iface, struct viper_slot *slot,
		 bool *has)
{
	viper_handle_t h = viper_slot_find(s, table, count, name);

	*has = h != VIPER_HANDLE_INVALID;
	if (*has)
		vc_slot_bind(slot, iface, h);
}

int viper_posix_start_slots(const struct viper_startup *s, const struct viper_slot_decl *table,
			    uint32_t count, int *argc, char ***argv)
{
	bind(s, table, count, "files", &files_interface, &posix.files, &posix.has_files);
	bind(s, table, count, "assigns", &assigns_interface, &posix.assigns, &posix.has_assigns);
	bind(s, table, count, "console", &console_interface, &posix.console, &posix.has_console);
	bind(s, table, count, "net", &net_interface, &posix.net, &posix.has_net);
	posix.wake_send = VIPER_HANDLE_INVALID;
	posix.wake_recv = VIPER_HANDLE_INVALID;
	for (int fd = 0; fd < 3; fd++)
		posix.fds[fd] = (struct posix_fd){.used = true, .console = true};
	read_launch(s, argc, argv);
	return 0;
}

int viper_posix_end(int status)
{
	fflush(stdout);
	return status;
}
