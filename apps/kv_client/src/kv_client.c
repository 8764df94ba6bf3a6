/*
 * kv_client: exercises every method of interface kv through its slot
 * `store` and reports "kv_client: N passed, M failed". The same code runs
 * whether the store is co-located (a direct call), in another process or in
 * the kernel; only the system description differs.
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

/*
 * Handle transfer needs a real memory object, which a component cannot make
 * through viper/component.h yet: here only the refusals, portable to every
 * placement. The host tests move handles both ways (kv_system_test).
 */
static void test_handles(struct kv_client *c)
{
	viper_kv_AttachRequest areq = viper_kv_AttachRequest_init_zero;
	viper_kv_AttachReply arep;
	check(c, kv_attach(c->store, &areq, &arep) == VIPER_E_INVAL,
	      "attach without handle -> VIPER_E_INVAL");
	viper_kv_DetachRequest dreq = viper_kv_DetachRequest_init_zero;
	viper_kv_DetachReply drep;
	check(c, kv_detach(c->store, &dreq, &drep) == VIPER_E_NOTFOUND,
	      "detach nothing -> VIPER_E_NOTFOUND");
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
