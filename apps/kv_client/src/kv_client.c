/*
 * kv_client: exercises every method of interface kv through its slot
 * `store`, and the memory objects of viper/component.h, and reports
 * "kv_client: N passed, M failed". The same code runs whether the store is
 * co-located (a direct call), in another process or in the kernel; only
 * the system description differs.
 */
#include <viper/component.h>

#include "kv.viper.h"
#include "kv_client_slots.h"

/* As //components/kv_store: a store of 32 entries. */
#define STORE_ENTRIES 32

struct kv_client {
	struct viper_slot *store;
	unsigned passed;
	unsigned failed;
};

static void check(struct kv_client *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
		vc_log("kv_client: ok %s", what);
	} else {
		c->failed++;
		vc_log("kv_client: FAIL %s", what);
	}
}

static void set_key(char *dst, size_t cap, const char *key)
{
	size_t n = vc_strlen(key);
	if (n >= cap)
		n = cap - 1;
	vc_memcpy(dst, key, n);
	dst[n] = '\0';
}

static int32_t put(struct kv_client *c, const char *key, const char *value)
{
	viper_kv_PutRequest req = viper_kv_PutRequest_init_zero;
	viper_kv_PutReply rep;
	set_key(req.key, sizeof(req.key), key);
	req.value.size = (pb_size_t)vc_strlen(value);
	vc_memcpy(req.value.bytes, value, req.value.size);
	return kv_put(c->store, &req, &rep);
}

/* Whether `key` holds exactly `value` (NULL: whether it is absent). */
static bool holds(struct kv_client *c, const char *key, const char *value)
{
	viper_kv_GetRequest req = viper_kv_GetRequest_init_zero;
	viper_kv_GetReply rep;
	set_key(req.key, sizeof(req.key), key);
	if (kv_get(c->store, &req, &rep) != VIPER_OK)
		return false;
	if (value == NULL)
		return !rep.found;
	size_t n = vc_strlen(value);
	return rep.found && rep.value.size == n && vc_memcmp(rep.value.bytes, value, n) == 0;
}

static int32_t del(struct kv_client *c, const char *key, bool *existed)
{
	viper_kv_DeleteRequest req = viper_kv_DeleteRequest_init_zero;
	viper_kv_DeleteReply rep;
	set_key(req.key, sizeof(req.key), key);
	int32_t status = kv_delete(c->store, &req, &rep);
	*existed = rep.existed;
	return status;
}

static uint32_t count(struct kv_client *c)
{
	viper_kv_CountRequest req = viper_kv_CountRequest_init_zero;
	viper_kv_CountReply rep;
	if (kv_count(c->store, &req, &rep) != VIPER_OK)
		return UINT32_MAX;
	return rep.count;
}

static void key_name(char *buf, size_t cap, unsigned i)
{
	vc_snprintf(buf, cap, "key%u", i);
}

static void test_basics(struct kv_client *c)
{
	check(c, put(c, "alpha", "one") == VIPER_OK && holds(c, "alpha", "one"), "put/get");
	check(c, holds(c, "missing", NULL), "get missing");
	check(c, put(c, "alpha", "two") == VIPER_OK && holds(c, "alpha", "two"), "overwrite");
	check(c, put(c, "beta", "") == VIPER_OK && holds(c, "beta", ""), "empty value");
	check(c, count(c) == 2, "count");
	bool existed = false;
	check(c, del(c, "alpha", &existed) == VIPER_OK && existed && holds(c, "alpha", NULL),
	      "delete");
	check(c, del(c, "alpha", &existed) == VIPER_OK && !existed, "delete missing");
	check(c, del(c, "beta", &existed) == VIPER_OK && existed && count(c) == 0,
	      "count after delete");
}

static void test_limits(struct kv_client *c)
{
	char key[16];
	bool all = true;
	for (unsigned i = 0; i < STORE_ENTRIES; i++) {
		key_name(key, sizeof(key), i);
		all = all && put(c, key, "v") == VIPER_OK;
	}
	check(c, all && count(c) == STORE_ENTRIES, "fill");
	check(c, put(c, "one-too-many", "v") == VIPER_E_LIMIT, "full store -> VIPER_E_LIMIT");
	bool existed = false;
	all = true;
	for (unsigned i = 0; i < STORE_ENTRIES; i++) {
		key_name(key, sizeof(key), i);
		all = all && del(c, key, &existed) == VIPER_OK && existed;
	}
	check(c, all && count(c) == 0, "empty again");

	check(c, put(c, "", "v") == VIPER_E_INVAL, "empty key -> VIPER_E_INVAL");

	/* Out of the interface's bounds: the stub refuses, placement or not. */
	viper_kv_PutRequest req = viper_kv_PutRequest_init_zero;
	viper_kv_PutReply rep;
	vc_memset(req.key, 'k', sizeof(req.key)); /* no room left for the NUL */
	check(c, kv_put(c->store, &req, &rep) == VIPER_E_INVAL, "key over bound -> VIPER_E_INVAL");
	set_key(req.key, sizeof(req.key), "k");
	req.value.size = sizeof(req.value.bytes) + 1;
	check(c, kv_put(c->store, &req, &rep) == VIPER_E_INVAL,
	      "value over bound -> VIPER_E_INVAL");
	req.value.size = sizeof(req.value.bytes);
	vc_memset(req.value.bytes, 'v', sizeof(req.value.bytes));
	check(c, kv_put(c->store, &req, &rep) == VIPER_OK && del(c, "k", &existed) == VIPER_OK,
	      "largest value");
}

static int32_t attach(struct kv_client *c, viper_handle_t memory, uint64_t size)
{
	viper_kv_AttachRequest req = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply rep;
	req.memory = memory;
	req.size = size;
	int32_t status = kv_attach(c->store, &req, &rep);
	if (status == VIPER_OK && rep.size != size)
		return VIPER_E_CORRUPT;
	return status;
}

static int32_t detach(struct kv_client *c, viper_handle_t *memory, uint64_t *size)
{
	viper_kv_DetachRequest req = viper_kv_DetachRequest_init_zero;
	viper_kv_DetachReply rep;
	int32_t status = kv_detach(c->store, &req, &rep);
	*memory = status == VIPER_OK ? rep.memory : VIPER_HANDLE_INVALID;
	*size = status == VIPER_OK ? rep.size : 0;
	return status;
}

/* Reads through the store's mapping: the status, and whether it read `want`. */
static int32_t read_attached(struct kv_client *c, uint64_t offset, uint32_t length,
			     const char *want)
{
	viper_kv_ReadRequest req = viper_kv_ReadRequest_init_zero;
	viper_kv_ReadReply rep;
	req.offset = offset;
	req.length = length;
	int32_t status = kv_read(c->store, &req, &rep);
	if (status == VIPER_OK && want != NULL &&
	    (rep.data.size != length || vc_memcmp(rep.data.bytes, want, length) != 0))
		return VIPER_E_CORRUPT;
	return status;
}

/* A fresh memory object of `size` bytes, or VIPER_HANDLE_INVALID. */
static viper_handle_t new_memory(uint64_t size)
{
	viper_handle_t h = VIPER_HANDLE_INVALID;
	return vc_memory_create(size, &h) == VIPER_OK ? h : VIPER_HANDLE_INVALID;
}

/* Handles no process ever holds: an index beyond every handle table. */
#define FORGED_HANDLE 0x7fffffffu

static void test_memory_objects(struct kv_client *c)
{
	viper_handle_t h = VIPER_HANDLE_INVALID;
	uint64_t size = 0;
	void *p = NULL;

	check(c, vc_memory_create(0, &h) == VIPER_E_INVAL && h == VIPER_HANDLE_INVALID,
	      "memory of 0 bytes -> VIPER_E_INVAL");
	check(c, vc_memory_create(VC_MEMORY_MAX + 1, &h) == VIPER_E_INVAL,
	      "memory over the limit -> VIPER_E_INVAL");
	check(c, vc_memory_size(FORGED_HANDLE, &size) == VIPER_E_BADHANDLE,
	      "size of a forged handle -> VIPER_E_BADHANDLE");
	check(c, vc_memory_map(FORGED_HANDLE, &p, &size) == VIPER_E_BADHANDLE && p == NULL,
	      "map a forged handle -> VIPER_E_BADHANDLE");
	h = new_memory(100);
	check(c, h != VIPER_HANDLE_INVALID && vc_memory_size(h, &size) == VIPER_OK && size == 4096,
	      "memory rounds up to a page");
	check(c, vc_memory_map(h, &p, &size) == VIPER_OK && p != NULL && size == 4096,
	      "map memory");
	bool zero = p != NULL;
	for (uint64_t i = 0; zero && i < size; i++)
		zero = ((const uint8_t *)p)[i] == 0;
	check(c, zero, "new memory is zeroed");
	check(c, vc_memory_unmap(p, 8192) == VIPER_E_INVAL,
	      "unmap with the wrong size -> VIPER_E_INVAL");
	check(c, vc_handle_close(h) == VIPER_OK && vc_memory_size(h, &size) == VIPER_E_BADHANDLE,
	      "closed handle -> VIPER_E_BADHANDLE");
	void *none = p;
	check(c, vc_memory_map(h, &none, &size) == VIPER_E_BADHANDLE && none == NULL,
	      "map a closed handle -> VIPER_E_BADHANDLE");
	check(c, vc_handle_close(h) == VIPER_E_BADHANDLE, "close twice -> VIPER_E_BADHANDLE");
	/* The mapping outlives the handle. */
	if (p != NULL)
		((uint8_t *)p)[0] = 1;
	check(c, vc_memory_unmap(p, 4096) == VIPER_OK, "unmap after close");
	check(c, vc_memory_unmap(p, 4096) == VIPER_E_NOTFOUND, "unmap twice -> VIPER_E_NOTFOUND");

	/* Map one object until the address space is full: a clear error, then all unmap. */
	enum { MAX_TRIES = 80 };
	void *maps[MAX_TRIES];
	unsigned n = 0;
	int32_t r = VIPER_OK;
	h = new_memory(4096);
	while (h != VIPER_HANDLE_INVALID && n < MAX_TRIES &&
	       (r = vc_memory_map(h, &maps[n], &size)) == VIPER_OK)
		n++;
	check(c, r == VIPER_E_LIMIT && n > 0, "too many mappings -> VIPER_E_LIMIT");
	bool unmapped = true;
	while (n > 0)
		unmapped = vc_memory_unmap(maps[--n], 4096) == VIPER_OK && unmapped;
	check(c, unmapped && vc_handle_close(h) == VIPER_OK, "unmap them all");
}

/*
 * Handle transfer with a real memory object: what the client writes before
 * Attach the store reads through its own mapping, Detach gives back a handle
 * that works, and every refusal is the same whatever the placement.
 */
static void test_handles(struct kv_client *c)
{
	viper_handle_t back = VIPER_HANDLE_INVALID;
	uint64_t size = 0, back_size = 0;
	void *p = NULL, *q = NULL;

	check(c, attach(c, VIPER_HANDLE_INVALID, 4096) == VIPER_E_INVAL,
	      "attach without handle -> VIPER_E_INVAL");
	check(c, detach(c, &back, &size) == VIPER_E_NOTFOUND, "detach nothing -> VIPER_E_NOTFOUND");
	check(c, read_attached(c, 0, 1, NULL) == VIPER_E_NOTFOUND,
	      "read nothing attached -> VIPER_E_NOTFOUND");
	check(c, attach(c, FORGED_HANDLE, 4096) == VIPER_E_BADHANDLE,
	      "attach a forged handle -> VIPER_E_BADHANDLE");
	viper_handle_t closed = new_memory(4096);
	check(c,
	      vc_handle_close(closed) == VIPER_OK && attach(c, closed, 4096) == VIPER_E_BADHANDLE,
	      "attach a closed handle -> VIPER_E_BADHANDLE");
	viper_handle_t small = new_memory(4096);
	check(c, attach(c, small, 8192) == VIPER_E_RANGE,
	      "attach more than the object -> VIPER_E_RANGE");
	check(c, vc_memory_size(small, &size) == VIPER_E_BADHANDLE,
	      "a refused handle moved all the same");
	check(c, attach(c, new_memory(4096), 0) == VIPER_E_INVAL,
	      "attach 0 bytes -> VIPER_E_INVAL");

	viper_handle_t mem = new_memory(8192);
	check(c, vc_memory_map(mem, &p, &size) == VIPER_OK && size == 8192, "map before attach");
	if (p == NULL)
		return;
	vc_memcpy(p, "written before attach", 21);
	vc_memcpy((uint8_t *)p + 8192 - 4, "tail", 4);
	check(c, attach(c, mem, 8192) == VIPER_OK, "attach a memory object");
	check(c, read_attached(c, 0, 21, "written before attach") == VIPER_OK,
	      "the store reads what was written before attach");
	check(c, read_attached(c, 8192 - 4, 4, "tail") == VIPER_OK,
	      "the store reads the last bytes");
	vc_memcpy((uint8_t *)p + 100, "shared", 6);
	check(c, read_attached(c, 100, 6, "shared") == VIPER_OK,
	      "the store sees writes after attach");
	check(c, read_attached(c, 8192 - 3, 4, NULL) == VIPER_E_RANGE,
	      "read past the end -> VIPER_E_RANGE");
	check(c, read_attached(c, UINT64_MAX, 2, NULL) == VIPER_E_RANGE,
	      "read at a huge offset -> VIPER_E_RANGE");
	check(c, read_attached(c, 0, 65, NULL) == VIPER_E_INVAL,
	      "read over 64 bytes -> VIPER_E_INVAL");
	viper_handle_t second = new_memory(4096);
	check(c, second != VIPER_HANDLE_INVALID && attach(c, second, 4096) == VIPER_E_BUSY,
	      "second attach -> VIPER_E_BUSY");
	check(c, vc_memory_size(second, &size) == VIPER_E_BADHANDLE,
	      "the refused second handle is gone");
	check(c, attach(c, mem, 8192) == VIPER_E_BADHANDLE,
	      "attach the moved handle again -> VIPER_E_BADHANDLE");
	check(c, read_attached(c, 0, 5, "writt") == VIPER_OK, "still attached after refusals");

	check(c,
	      detach(c, &back, &back_size) == VIPER_OK && back != VIPER_HANDLE_INVALID &&
		      back_size == 8192,
	      "detach gives the handle back");
	check(c,
	      vc_memory_map(back, &q, &size) == VIPER_OK && size == 8192 &&
		      vc_memcmp(q, "written before attach", 21) == 0,
	      "the detached handle maps the same memory");
	if (q != NULL) {
		((uint8_t *)q)[0] = 'W';
		check(c, ((const uint8_t *)p)[0] == 'W', "both mappings share the pages");
		check(c, vc_memory_unmap(q, size) == VIPER_OK, "unmap the detached mapping");
	}
	viper_handle_t none = VIPER_HANDLE_INVALID;
	check(c, detach(c, &none, &size) == VIPER_E_NOTFOUND && none == VIPER_HANDLE_INVALID,
	      "detach twice -> VIPER_E_NOTFOUND");
	check(c, read_attached(c, 0, 1, NULL) == VIPER_E_NOTFOUND,
	      "read after detach -> VIPER_E_NOTFOUND");
	check(c, vc_memory_unmap(p, 8192) == VIPER_OK && vc_handle_close(back) == VIPER_OK,
	      "release the memory");
}

static int32_t client_init(void *state, const struct viper_instance_env *env)
{
	struct kv_client *c = state;
	if (env->slot_count <= KV_CLIENT_SLOT_STORE || env->slots[KV_CLIENT_SLOT_STORE] == NULL)
		return VIPER_E_INVAL;
	c->store = env->slots[KV_CLIENT_SLOT_STORE];
	return VIPER_OK;
}

static int32_t client_run(void *state)
{
	struct kv_client *c = state;
	c->passed = 0;
	c->failed = 0;
	test_basics(c);
	test_limits(c);
	test_memory_objects(c);
	test_handles(c);
	vc_log("kv_client: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? 0 : 1;
}

VIPER_COMPONENT(kv_client) = {
	.name = "kv_client",
	.state_size = sizeof(struct kv_client),
	.slot_count = KV_CLIENT_SLOT_COUNT,
	.init = client_init,
	.run = client_run,
};
