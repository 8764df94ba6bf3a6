/*
 * kv_store: interface kv over a fixed table (see include/kv_store/kv_store.h).
 * Linear search: 32 entries, short keys. Every method only reads its
 * request and fills its reply; nothing keeps pointers into either.
 */
#include <kv_store/kv_store.h>

#include <viper/component.h>

static struct kv_store_entry *find(struct kv_store *kv, const char *key)
{
	for (uint32_t i = 0; i < KV_STORE_ENTRIES; i++) {
		struct kv_store_entry *e = &kv->entries[i];
		if (e->used && vc_strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

static int32_t store_put(void *self, struct viper_rpc_context *ctx, const viper_kv_PutRequest *req,
			 viper_kv_PutReply *rep)
{
	struct kv_store *kv = self;
	(void)ctx;
	(void)rep;
	size_t len = vc_strlen(req->key);
	if (len == 0 || len >= sizeof(req->key) || req->value.size > sizeof(req->value.bytes))
		return VIPER_E_INVAL;
	struct kv_store_entry *e = find(kv, req->key);
	for (uint32_t i = 0; e == NULL && i < KV_STORE_ENTRIES; i++) {
		if (!kv->entries[i].used) {
			e = &kv->entries[i];
			e->used = true;
			vc_memcpy(e->key, req->key, len + 1);
			kv->count++;
		}
	}
	if (e == NULL)
		return VIPER_E_LIMIT;
	vc_memcpy(e->value, req->value.bytes, req->value.size);
	e->value_len = req->value.size;
	return VIPER_OK;
}

static int32_t store_get(void *self, struct viper_rpc_context *ctx, const viper_kv_GetRequest *req,
			 viper_kv_GetReply *rep)
{
	(void)ctx;
	const struct kv_store_entry *e = find(self, req->key);
	if (e == NULL)
		return VIPER_OK;
	rep->found = true;
	vc_memcpy(rep->value.bytes, e->value, e->value_len);
	rep->value.size = e->value_len;
	return VIPER_OK;
}

static int32_t store_delete(void *self, struct viper_rpc_context *ctx,
			    const viper_kv_DeleteRequest *req, viper_kv_DeleteReply *rep)
{
	struct kv_store *kv = self;
	(void)ctx;
	struct kv_store_entry *e = find(kv, req->key);
	if (e == NULL)
		return VIPER_OK;
	vc_memset(e, 0, sizeof(*e));
	kv->count--;
	rep->existed = true;
	return VIPER_OK;
}

static int32_t store_count(void *self, struct viper_rpc_context *ctx,
			   const viper_kv_CountRequest *req, viper_kv_CountReply *rep)
{
	const struct kv_store *kv = self;
	(void)ctx;
	(void)req;
	rep->count = kv->count;
	return VIPER_OK;
}

static int32_t store_attach(void *self, struct viper_rpc_context *ctx,
			    const viper_kv_AttachRequest *req, viper_kv_AttachReply *rep)
{
	struct kv_store *kv = self;
	(void)ctx;
	/* The handle is ours now, whatever we answer; a store that could
	 * close handles would close it on error. */
	if (req->memory == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	if (kv->attached != VIPER_HANDLE_INVALID)
		return VIPER_E_BUSY;
	kv->attached = req->memory;
	kv->attached_size = req->size;
	rep->size = req->size;
	return VIPER_OK;
}

static int32_t store_detach(void *self, struct viper_rpc_context *ctx,
			    const viper_kv_DetachRequest *req, viper_kv_DetachReply *rep)
{
	struct kv_store *kv = self;
	(void)ctx;
	(void)req;
	if (kv->attached == VIPER_HANDLE_INVALID)
		return VIPER_E_NOTFOUND;
	rep->memory = kv->attached;
	rep->size = kv->attached_size;
	kv->attached = VIPER_HANDLE_INVALID;
	kv->attached_size = 0;
	return VIPER_OK;
}

const struct kv_server kv_store_server = {
	.put = store_put,
	.get = store_get,
	.delete_ = store_delete,
	.count = store_count,
	.attach = store_attach,
	.detach = store_detach,
};

VIPER_COMPONENT(kv_store) = {
	.name = "kv_store",
	.state_size = sizeof(struct kv_store),
	.provides = {{.interface = &kv_interface, .ops = &kv_store_server}},
	.provide_count = 1,
};
