/* ram_disk: see include/ram_disk/ram_disk.h. */
#include <ram_disk/ram_disk.h>

#include <viper/block_request.h>
#include <viper/component.h>

#include "ram_disk_slots.h"

static int32_t serve_info(void *self, struct viper_rpc_context *ctx,
			  const viper_block_InfoRequest *req, viper_block_InfoReply *rep)
{
	const struct ram_disk *disk = self;

	(void)ctx;
	(void)req;
	rep->block_count = disk->block_count;
	rep->block_bytes = RAM_DISK_BLOCK;
	rep->max_blocks = RAM_DISK_MAX_BLOCKS;
	rep->read_only = false;
	rep->volatile_cache = false;
	rep->epoch = disk->epoch; /* its bytes go with the instance */
	vc_memcpy(rep->model, "ram-disk", sizeof("ram-disk"));
	return VIPER_OK;
}

/* Checks a Read or Write and maps its lease: VIPER_OK, *data and *at, or the error. */
static int32_t lent_bytes(const struct ram_disk *disk, struct viper_rpc_context *ctx,
			  uint64_t block, uint32_t count, uint8_t **data, uint8_t **at)
{
	*at = disk->bytes + block * RAM_DISK_BLOCK;
	return block_request_lease(ctx, disk->block_count, RAM_DISK_BLOCK, RAM_DISK_MAX_BLOCKS,
				   block, count, data);
}

static int32_t serve_read(void *self, struct viper_rpc_context *ctx,
			  const viper_block_ReadRequest *req, viper_block_ReadReply *rep)
{
	uint8_t *data, *at;
	int32_t err = lent_bytes(self, ctx, req->block, req->count, &data, &at);

	(void)rep;
	if (err == VIPER_OK)
		vc_memcpy(data, at, (size_t)req->count * RAM_DISK_BLOCK);
	return err;
}

static int32_t serve_write(void *self, struct viper_rpc_context *ctx,
			   const viper_block_WriteRequest *req, viper_block_WriteReply *rep)
{
	uint8_t *data, *at;
	int32_t err = lent_bytes(self, ctx, req->block, req->count, &data, &at);

	(void)rep;
	if (err == VIPER_OK)
		vc_memcpy(at, data, (size_t)req->count * RAM_DISK_BLOCK);
	return err;
}

static int32_t serve_flush(void *self, struct viper_rpc_context *ctx,
			   const viper_block_FlushRequest *req, viper_block_FlushReply *rep)
{
	(void)self;
	(void)ctx;
	(void)req;
	(void)rep;
	return VIPER_OK; /* nothing is ever held back */
}

const struct block_server ram_disk_server = {
	.info = serve_info,
	.read = serve_read,
	.write = serve_write,
	.flush = serve_flush,
};

static int32_t ram_disk_init(void *state, const struct viper_instance_env *env)
{
	struct ram_disk *disk = state;
	uint64_t blocks, size;
	void *p;
	int32_t err;

	if (env->param_count != RAM_DISK_PARAM_COUNT)
		return VIPER_E_INVAL;
	blocks = env->params[RAM_DISK_PARAM_BLOCKS];
	err = vc_memory_create(blocks * RAM_DISK_BLOCK, &disk->memory);
	if (err == VIPER_OK) {
		err = vc_memory_map(disk->memory, &p, &size);
		if (err)
			vc_handle_close(disk->memory);
	}
	if (err) {
		vc_log("%s: no memory for a RAM disk of %llu blocks: %d", env->name,
		       (unsigned long long)blocks, err);
		return err;
	}
	disk->bytes = p;
	disk->block_count = blocks;
	disk->epoch = vc_now_ns() | 1; /* never 0, which a provider that loses nothing says */
	return VIPER_OK;
}

VIPER_COMPONENT(ram_disk) = {
	.name = "ram_disk",
	.state_size = sizeof(struct ram_disk),
	.init = ram_disk_init,
	.provides = {{.interface = &block_interface, .ops = &ram_disk_server}},
	.provide_count = 1,
};
