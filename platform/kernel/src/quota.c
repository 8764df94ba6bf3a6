/* Quotas and memory accounts (kernel/quota.h). */
#include <kernel/quota.h>

#include <stdbool.h>

#include <kernel/kmalloc.h>

void quota_default(struct quota_limits *out)
{
	out->memory = QUOTA_NO_MEMORY_LIMIT;
	out->handles = VIPER_HANDLES_MAX;
	out->threads = VIPER_QUOTA_UNLIMITED;
}

static uint64_t memory_bytes(uint32_t kib)
{
	return kib == VIPER_QUOTA_UNLIMITED ? QUOTA_NO_MEMORY_LIMIT : (uint64_t)kib * 1024;
}

err_t quota_resolve(const struct quota_limits *parent, const struct viper_quota *req,
		    struct quota_limits *out)
{
	struct quota_limits def;

	quota_default(&def);
	if (req && req->reserved)
		return VIPER_E_INVAL;
	if (!req || !req->memory_kib)
		out->memory = def.memory < parent->memory ? def.memory : parent->memory;
	else if ((out->memory = memory_bytes(req->memory_kib)) > parent->memory)
		return VIPER_E_LIMIT;
	if (!req || !req->handles)
		out->handles = def.handles < parent->handles ? def.handles : parent->handles;
	else if ((out->handles = req->handles) > parent->handles)
		return VIPER_E_LIMIT;
	if (!req || !req->threads)
		out->threads = def.threads < parent->threads ? def.threads : parent->threads;
	else if ((out->threads = req->threads) > parent->threads)
		return VIPER_E_LIMIT;
	return VIPER_OK;
}

void quota_report(const struct quota_limits *limits, struct viper_quota *out)
{
	uint64_t kib = limits->memory / 1024;

	out->memory_kib = limits->memory == QUOTA_NO_MEMORY_LIMIT || kib >= VIPER_QUOTA_UNLIMITED
				  ? VIPER_QUOTA_UNLIMITED
				  : (uint32_t)kib;
	out->handles = limits->handles;
	out->threads = limits->threads;
	out->reserved = 0;
}

/* True when `bytes` more fit under a's limit. */
static bool fits(const struct mem_account *a, uint64_t bytes)
{
	uint64_t held;

	if (a->used > a->limit || a->kernel > a->limit - a->used)
		return false;
	held = a->used + a->kernel;
	return bytes <= a->limit - held;
}

err_t mem_charge(struct mem_account *a, uint64_t bytes)
{
	if (!fits(a, bytes))
		return VIPER_E_LIMIT;
	a->used += bytes;
	return VIPER_OK;
}

void mem_uncharge(struct mem_account *a, uint64_t bytes)
{
	a->used = bytes > a->used ? 0 : a->used - bytes;
}

err_t mem_charge_kernel(struct mem_account *a, uint64_t bytes)
{
	if (!fits(a, bytes))
		return VIPER_E_LIMIT;
	a->kernel += bytes;
	return VIPER_OK;
}

void mem_uncharge_kernel(struct mem_account *a, uint64_t bytes)
{
	a->kernel = bytes > a->kernel ? 0 : a->kernel - bytes;
}

struct mem_account *mem_account_create(uint64_t limit)
{
	struct mem_account *a = kmalloc(sizeof(*a));

	if (a) {
		a->refs = 1;
		a->limit = limit;
		a->used = 0;
		a->kernel = 0;
	}
	return a;
}

void mem_account_put(struct mem_account *a)
{
	if (--a->refs == 0)
		kfree(a);
}
