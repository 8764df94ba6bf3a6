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

/* Checks and maps the memory object Attach brings; VIPER_OK or why not. */
static int32_t take_memory(struct kv_store *kv, const viper_kv_AttachRequest *req)
{
	uint64_t object_size;
	int32_t r;

	if (req->memory == VIPER_HANDLE_INVALID || req->size == 0)
		return VIPER_E_INVAL;
	r = vc_memory_size(req->memory, &object_size);
	if (r < 0)
		return r; /* not live (a forged or closed handle), or not memory */
	if (req->size > object_size)
		return VIPER_E_RANGE;
	if (kv->attached != VIPER_HANDLE_INVALID)
		return VIPER_E_BUSY;
	r = vc_memory_map(req->memory, &kv->attached_map, &kv->attached_map_size);
	if (r < 0)
		return r;
	kv->attached = req->memory;
	kv->attached_size = req->size;
	return VIPER_OK;
}

static int32_t store_attach(void *self, struct viper_rpc_context *ctx,
			    const viper_kv_AttachRequest *req, viper_kv_AttachReply *rep)
{
	struct kv_store *kv = self;
	(void)ctx;
	/* The caller no longer holds the attached handle (it moved to us), so
	 * naming it again is naming a dead handle, as it is across processes. */
	if (req->memory != VIPER_HANDLE_INVALID && req->memory == kv->attached)
		return VIPER_E_BADHANDLE;
	/* The handle is ours now, whatever we answer: close it on an error. */
	int32_t r = take_memory(kv, req);
	if (r < 0) {
		if (req->memory != VIPER_HANDLE_INVALID)
			(void)vc_handle_close(req->memory);
		return r;
	}
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
	/* Our mapping goes before the handle does; it cannot fail (we made it). */
	(void)vc_memory_unmap(kv->attached_map, kv->attached_map_size);
	rep->memory = kv->attached;
	rep->size = kv->attached_size;
	kv->attached = VIPER_HANDLE_INVALID;
	kv->attached_size = 0;
	kv->attached_map = NULL;
	kv->attached_map_size = 0;
	return VIPER_OK;
}

static int32_t store_read(void *self, struct viper_rpc_context *ctx,
			  const viper_kv_ReadRequest *req, viper_kv_ReadReply *rep)
{
	const struct kv_store *kv = self;
	(void)ctx;
	if (kv->attached == VIPER_HANDLE_INVALID)
		return VIPER_E_NOTFOUND;
	if (req->length > sizeof(rep->data.bytes))
		return VIPER_E_INVAL;
	if (req->offset > kv->attached_size || req->length > kv->attached_size - req->offset)
		return VIPER_E_RANGE;
	vc_memcpy(rep->data.bytes, (const uint8_t *)kv->attached_map + req->offset, req->length);
	rep->data.size = (pb_size_t)req->length;
	return VIPER_OK;
}

const struct kv_server kv_store_server = {
	.put = store_put,
	.get = store_get,
	.delete_ = store_delete,
	.count = store_count,
	.attach = store_attach,
	.detach = store_detach,
	.read = store_read,
};

VIPER_COMPONENT(kv_store) = {
	.name = "kv_store",
	.state_size = sizeof(struct kv_store),
	.provides = {{.interface = &kv_interface, .ops = &kv_store_server}},
	.provide_count = 1,
};
