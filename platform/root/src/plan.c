/*
 * The root task's pure decisions (see include/root/plan.h): no system
 * calls, so the same file runs in the root task, in process hosts and in
 * host tests.
 */
#include "root/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>
#include <viper/error_name.h>

static int32_t fail(struct plan_error *err, int32_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int32_t fail(struct plan_error *err, int32_t code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof(err->text), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* The rights a GRANT_SYSTEM may hold. */
#define SYSTEM_RIGHTS ((uint32_t)(VIPER_RIGHT_READ | VIPER_RIGHT_WRITE))
/* The rights a GRANT_DMA may hold: those of a memory grant, and DMA. */
#define DMA_RIGHTS                                                                                 \
	((uint32_t)(VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP | VIPER_RIGHT_DMA))
/* The rights a GRANT_SPAWN holds: exec, which starts processes. */
#define SPAWN_RIGHTS ((uint32_t)VIPER_RIGHT_EXEC)

static const char *grant_kind_name(uint32_t kind)
{
	switch (kind) {
	case viper_manifest_GRANT_CHANNEL_SEND:
		return "channel send end";
	case viper_manifest_GRANT_CHANNEL_RECV:
		return "channel receive end";
	case viper_manifest_GRANT_DEVICE:
		return "device";
	case viper_manifest_GRANT_IRQ:
		return "IRQ";
	case viper_manifest_GRANT_MEMORY:
		return "memory";
	case viper_manifest_GRANT_SYSTEM:
		return "system capability";
	case viper_manifest_GRANT_DMA:
		return "DMA region";
	case viper_manifest_GRANT_SPAWN:
		return "spawn capability";
	default:
		return "nothing";
	}
}

bool plan_is_kernel(const viper_manifest_Process *p)
{
	return strcmp(p->name, "kernel") == 0;
}

_Static_assert(PLAN_ARRAY_LEN(((viper_manifest_ProcessPart *)0)->details) == PLAN_MAX_GRANTS,
	       "ProcessPart.details must hold a detail per grant (manifest.proto)");

void plan_part_of(const viper_manifest_Manifest *m, uint32_t index,
		  viper_manifest_ProcessPart *part)
{
	const viper_manifest_Process *p = &m->processes[index]; /* checked by plan_decode */

	memset(part, 0, sizeof(*part));
	part->index = index;
	part->has_process = true;
	part->process = *p;
	part->details_count = p->grants_count;
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];
		viper_manifest_GrantDetail *d = &part->details[g];

		if (gr->kind == viper_manifest_GRANT_CHANNEL_SEND ||
		    gr->kind == viper_manifest_GRANT_CHANNEL_RECV) {
			d->bulk_memory = m->channels[gr->channel].bulk_memory;
		} else if (gr->kind == viper_manifest_GRANT_MEMORY) {
			d->has_memory = true;
			d->memory = m->memories[gr->memory];
		} else if (gr->kind == viper_manifest_GRANT_DMA) {
			d->has_dma_region = true;
			d->dma_region = m->dma_regions[gr->dma_region];
		}
	}
}

int64_t plan_encode_part(const viper_manifest_ProcessPart *part, uint8_t *out, size_t cap)
{
	pb_ostream_t os = pb_ostream_from_buffer(out, cap);

	if (!pb_encode(&os, viper_manifest_ProcessPart_fields, part))
		return VIPER_E_TOOBIG;
	return (int64_t)os.bytes_written;
}

static int32_t check_instances(const viper_manifest_Process *p, struct plan_error *err);

/* What plan_decode checks of a process's grants, from its details instead of the manifest. */
static int32_t check_part_grants(const viper_manifest_ProcessPart *part, struct plan_error *err)
{
	const viper_manifest_Process *p = &part->process;

	if (part->details_count != p->grants_count)
		return fail(err, VIPER_E_CORRUPT, "process %s: %u grant details for %u grants",
			    p->name, (unsigned)part->details_count, (unsigned)p->grants_count);
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];
		const viper_manifest_GrantDetail *d = &part->details[g];

		if (gr->rights & ~(uint32_t)VIPER_RIGHTS_ALL ||
		    (uint32_t)gr->kind > viper_manifest_GRANT_SPAWN)
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: grant %u has unknown kind %d or rights 0x%x",
				    p->name, g + 1, (int)gr->kind, gr->rights);
		if (gr->kind == viper_manifest_GRANT_MEMORY && (!d->has_memory || !d->memory.size))
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: memory grant %u has no memory", p->name, g + 1);
		if (gr->kind == viper_manifest_GRANT_DMA &&
		    (!d->has_dma_region || !d->dma_region.size))
			return fail(err, VIPER_E_CORRUPT, "process %s: DMA grant %u has no region",
				    p->name, g + 1);
	}
	return VIPER_OK;
}

int32_t plan_decode_part(const uint8_t *bytes, size_t len, viper_manifest_ProcessPart *part,
			 struct plan_error *err)
{
	pb_istream_t in = pb_istream_from_buffer(bytes, len);
	int32_t r;

	memset(part, 0, sizeof(*part));
	if (!pb_decode(&in, viper_manifest_ProcessPart_fields, part))
		return fail(err, VIPER_E_CORRUPT, "the process part (%u bytes) does not decode: %s",
			    (unsigned)len, PB_GET_ERROR(&in));
	if (!part->has_process || part->process.name[0] == '\0')
		return fail(err, VIPER_E_CORRUPT, "the process part names no process");
	r = check_part_grants(part, err);
	return r < 0 ? r : check_instances(&part->process, err);
}

bool plan_root_creates_channel(const viper_manifest_Channel *c)
{
	return c->kernel_end == viper_manifest_Channel_KernelEnd_KERNEL_END_NONE;
}

static int32_t check_channels(const viper_manifest_Manifest *m, struct plan_error *err)
{
	for (pb_size_t i = 0; i < m->channels_count; i++) {
		const viper_manifest_Channel *c = &m->channels[i];

		if (c->depth > VIPER_CHANNEL_MAX_DEPTH)
			return fail(err, VIPER_E_CORRUPT, "channel %u (%s): depth %u is over %u", i,
				    c->client, c->depth, VIPER_CHANNEL_MAX_DEPTH);
		if ((uint32_t)c->kernel_end > viper_manifest_Channel_KernelEnd_KERNEL_END_RECV)
			return fail(err, VIPER_E_CORRUPT, "channel %u (%s): unknown kernel_end %d",
				    i, c->client, (int)c->kernel_end);
		if (c->bulk_memory > m->memories_count)
			return fail(err, VIPER_E_CORRUPT,
				    "channel %u (%s): bulk_memory %u names no memory (%u exist)", i,
				    c->client, c->bulk_memory, (unsigned)m->memories_count);
	}
	if (m->supervisor_log > m->channels_count)
		return fail(err, VIPER_E_CORRUPT, "supervisor_log %u names no channel (%u exist)",
			    m->supervisor_log, (unsigned)m->channels_count);
	if (m->supervisor_log &&
	    (strcmp(m->channels[m->supervisor_log - 1].client, "root.log") != 0 ||
	     m->channels[m->supervisor_log - 1].kernel_end ==
		     viper_manifest_Channel_KernelEnd_KERNEL_END_SEND))
		return fail(err, VIPER_E_CORRUPT,
			    "supervisor_log: channel %u (%s) is not the root task's log channel",
			    m->supervisor_log - 1, m->channels[m->supervisor_log - 1].client);
	for (pb_size_t i = 0; i < m->memories_count; i++) {
		if (m->memories[i].size == 0)
			return fail(err, VIPER_E_CORRUPT, "memory %u (%s) has size 0", i,
				    m->memories[i].name);
	}
	for (pb_size_t i = 0; i < m->dma_regions_count; i++) {
		const viper_manifest_DmaRegion *d = &m->dma_regions[i];

		if (d->size == 0 || d->size % VIPER_PAGE_SIZE ||
		    d->size > (d->contiguous ? PLAN_DMA_CONTIGUOUS_MAX : PLAN_DMA_MAX))
			return fail(
				err, VIPER_E_CORRUPT,
				"DMA region %u (%s) has size %llu, which the kernel cannot make %s",
				i, d->name, (unsigned long long)d->size,
				d->contiguous ? "contiguous" : "pinned");
	}
	return VIPER_OK;
}

static int32_t check_grants(const viper_manifest_Manifest *m, const viper_manifest_Process *p,
			    struct plan_error *err)
{
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];

		if (gr->rights & ~(uint32_t)VIPER_RIGHTS_ALL)
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: grant %u has unknown rights 0x%x", p->name, g + 1,
				    gr->rights);
		switch (gr->kind) {
		case viper_manifest_GRANT_CHANNEL_SEND:
		case viper_manifest_GRANT_CHANNEL_RECV:
			if (gr->channel >= m->channels_count)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u names channel %u, but there are "
					    "%u",
					    p->name, g + 1, gr->channel,
					    (unsigned)m->channels_count);
			break;
		case viper_manifest_GRANT_MEMORY:
			if (gr->memory >= m->memories_count)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u names memory %u, but there are "
					    "%u",
					    p->name, g + 1, gr->memory,
					    (unsigned)m->memories_count);
			break;
		case viper_manifest_GRANT_DEVICE:
			/* No base: a device of a virtio kind, found at boot. */
			if (gr->device_base == 0 && gr->virtio_id == 0)
				return fail(
					err, VIPER_E_CORRUPT,
					"process %s: grant %u (device) names no device: no base "
					"and no virtio kind",
					p->name, g + 1);
			break;
		case viper_manifest_GRANT_IRQ:
			break;
		case viper_manifest_GRANT_DMA:
			if (gr->dma_region >= m->dma_regions_count)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u names DMA region %u, but there "
					    "are %u",
					    p->name, g + 1, gr->dma_region,
					    (unsigned)m->dma_regions_count);
			if (gr->rights & ~DMA_RIGHTS)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u (DMA region) has rights 0x%x; it "
					    "takes only READ, WRITE, MAP and DMA (0x%x)",
					    p->name, g + 1, gr->rights, DMA_RIGHTS);
			break;
		case viper_manifest_GRANT_SYSTEM:
			/* Read inspects, write stops processes: nothing else applies. */
			if (gr->rights == 0)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u (system capability) has no "
					    "rights",
					    p->name, g + 1);
			if (gr->rights & ~SYSTEM_RIGHTS)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u (system capability) has rights "
					    "0x%x; it takes only READ (0x1) and WRITE (0x2)",
					    p->name, g + 1, gr->rights);
			break;
		case viper_manifest_GRANT_SPAWN:
			/* Exec starts processes; nothing else applies. */
			if (gr->rights != SPAWN_RIGHTS)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: grant %u (spawn capability) has rights "
					    "0x%x; it takes exactly EXEC (0x100)",
					    p->name, g + 1, gr->rights);
			break;
		default:
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: grant %u has unknown kind %d", p->name, g + 1,
				    (int)gr->kind);
		}
	}
	return VIPER_OK;
}

/* A 1-based grant index of `p` that must name a grant of `kind`. */
static bool grant_is(const viper_manifest_Process *p, uint32_t grant, uint32_t kind)
{
	return grant >= 1 && grant <= p->grants_count &&
	       (uint32_t)p->grants[grant - 1].kind == kind;
}

static int32_t check_instances(const viper_manifest_Process *p, struct plan_error *err)
{
	for (pb_size_t i = 0; i < p->instances_count; i++) {
		const viper_manifest_Instance *in = &p->instances[i];

		if (in->name[0] == '\0' || in->component[0] == '\0')
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: instance %u lacks a name or a component", p->name,
				    i);
		for (pb_size_t s = 0; s < in->slots_count; s++) {
			const viper_manifest_Slot *sl = &in->slots[s];
			bool remote = sl->grant != 0, local = sl->local != 0;

			if (remote == local)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: slot '%s' of instance '%s' needs exactly "
					    "one of grant and local",
					    p->name, sl->name, in->name);
			if (remote && !grant_is(p, sl->grant, viper_manifest_GRANT_CHANNEL_SEND))
				return fail(
					err, VIPER_E_CORRUPT,
					"process %s: slot '%s' of instance '%s' names grant %u, "
					"which is not a channel send end",
					p->name, sl->name, in->name, sl->grant);
			if (local && (sl->local > p->instances_count || sl->local == i + 1))
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: slot '%s' of instance '%s' names local "
					    "instance %u, which is not another instance of the "
					    "process",
					    p->name, sl->name, in->name, sl->local);
		}
		for (pb_size_t s = 0; s < in->serves_count; s++) {
			if (!grant_is(p, in->serves[s].grant, viper_manifest_GRANT_CHANNEL_RECV))
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: instance '%s' serves grant %u, which is "
					    "not a channel receive end",
					    p->name, in->name, in->serves[s].grant);
		}
		if (in->sessions_max > PLAN_MAX_SESSIONS ||
		    in->sessions_per_client > in->sessions_max ||
		    (in->sessions_max && !in->sessions_per_client))
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: instance '%s' has session limits %u (%u per "
				    "client) out of range",
				    p->name, in->name, in->sessions_max, in->sessions_per_client);
		for (pb_size_t d = 0; d < in->devices_count; d++) {
			if (!grant_is(p, in->devices[d], viper_manifest_GRANT_DEVICE))
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: instance '%s' names grant %u as a device, "
					    "which is not a device grant",
					    p->name, in->name, in->devices[d]);
		}
		for (pb_size_t d = 0; d < in->dma_count; d++) {
			if (!grant_is(p, in->dma[d], viper_manifest_GRANT_DMA))
				return fail(err, VIPER_E_CORRUPT,
					    "process %s: instance '%s' names grant %u as a DMA "
					    "region, which is not a DMA grant",
					    p->name, in->name, in->dma[d]);
		}
		if (in->system != 0 && !grant_is(p, in->system, viper_manifest_GRANT_SYSTEM))
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: instance '%s' names grant %u as its system "
				    "capability, which is not a system capability grant",
				    p->name, in->name, in->system);
		if (in->spawn != 0 && !grant_is(p, in->spawn, viper_manifest_GRANT_SPAWN))
			return fail(err, VIPER_E_CORRUPT,
				    "process %s: instance '%s' names grant %u as its spawn "
				    "capability, which is not a spawn capability grant",
				    p->name, in->name, in->spawn);
	}
	return VIPER_OK;
}

int32_t plan_decode(const uint8_t *bytes, size_t len, viper_manifest_Manifest *m,
		    struct plan_error *err)
{
	pb_istream_t in = pb_istream_from_buffer(bytes, len);
	int32_t r;

	/*
	 * No memset: pb_decode sets every field it has (counts included) and
	 * each element it decodes, and a manifest struct is large; pages of
	 * it no element reaches stay untouched (the root task's is in BSS).
	 */
	if (!pb_decode(&in, viper_manifest_Manifest_fields, m))
		return fail(err, VIPER_E_CORRUPT, "the manifest (%u bytes) does not decode: %s",
			    (unsigned)len, PB_GET_ERROR(&in));
	r = check_channels(m, err);
	if (r < 0)
		return r;
	for (pb_size_t i = 0; i < m->processes_count; i++) {
		const viper_manifest_Process *p = &m->processes[i];

		if (p->name[0] == '\0')
			return fail(err, VIPER_E_CORRUPT, "process %u has no name", i);
		/* The kernel's record is the kernel's business. */
		if (plan_is_kernel(p))
			continue;
		if (p->priority > VIPER_PRIORITY_MAX)
			return fail(err, VIPER_E_CORRUPT, "process %s: priority %u is over %u",
				    p->name, p->priority, VIPER_PRIORITY_MAX);
		if ((uint32_t)p->restart > viper_manifest_RESTART_ALWAYS)
			return fail(err, VIPER_E_CORRUPT, "process %s: unknown restart policy %d",
				    p->name, (int)p->restart);
		r = check_grants(m, p, err);
		if (r < 0)
			return r;
		r = check_instances(p, err);
		if (r < 0)
			return r;
	}
	return VIPER_OK;
}

/* True for the kinds of which the kernel gives the root one capability: system and spawn. */
static bool is_singleton(uint32_t kind)
{
	return kind == VIPER_OBJ_SYSTEM || kind == VIPER_OBJ_SPAWN;
}

/*
 * The root's system and spawn capabilities: each taken by its kind
 * wherever the kernel put it among the startup handles. More than one of
 * a kind is a mismatch.
 */
static int32_t take_singletons(const struct viper_startup_handle *h, uint32_t count,
			       struct plan_caps *caps, struct plan_error *err)
{
	caps->system = VIPER_HANDLE_INVALID;
	caps->spawn = VIPER_HANDLE_INVALID;
	for (uint32_t i = 0; i < count; i++) {
		bool system = h[i].kind == VIPER_OBJ_SYSTEM;
		viper_handle_t *slot = system ? &caps->system : &caps->spawn;

		if (!is_singleton(h[i].kind))
			continue;
		if (*slot != VIPER_HANDLE_INVALID)
			return fail(err, VIPER_E_CORRUPT, "startup handle %u is a second %s", i,
				    system ? "system capability" : "spawn capability");
		*slot = h[i].handle;
	}
	return VIPER_OK;
}

/* The first startup handle at or after `i` that is not the system or spawn capability. */
static uint32_t skip_system(const struct viper_startup_handle *h, uint32_t count, uint32_t i)
{
	while (i < count && is_singleton(h[i].kind))
		i++;
	return i;
}

/*
 * A process's GRANT_SYSTEM needs the root's own system capability; the
 * kernel's record is not the root's to give (the kernel host gives it).
 */
static int32_t check_system_given(const viper_manifest_Manifest *m, const struct plan_caps *caps,
				  struct plan_error *err)
{
	if (caps->system != VIPER_HANDLE_INVALID)
		return VIPER_OK;
	for (pb_size_t i = 0; i < m->processes_count; i++) {
		const viper_manifest_Process *p = &m->processes[i];

		if (plan_is_kernel(p))
			continue;
		for (pb_size_t g = 0; g < p->grants_count; g++) {
			if (p->grants[g].kind == viper_manifest_GRANT_SYSTEM)
				return fail(err, VIPER_E_CORRUPT,
					    "process %s needs the system capability (grant %u), "
					    "but the kernel gave the root task none",
					    p->name, g + 1);
		}
	}
	return VIPER_OK;
}

int32_t plan_take_startup(const viper_manifest_Manifest *m, const struct viper_startup_handle *h,
			  uint32_t count, struct plan_caps *caps, struct plan_error *err)
{
	uint32_t i;
	int32_t r = take_singletons(h, count, caps, err);

	if (r < 0)
		return r;
	caps->device_count = 0;
	caps->irq_count = 0;
	for (i = skip_system(h, count, 0); i < count; i = skip_system(h, count, i + 1)) {
		if (h[i].kind == VIPER_OBJ_DEVICE) {
			caps->devices[caps->device_count++] = (struct plan_device){
				.handle = h[i].handle, .base = h[i].detail, .size = h[i].size};
		} else if (h[i].kind == VIPER_OBJ_IRQ) {
			caps->irqs[caps->irq_count++] = (struct plan_irq){
				.handle = h[i].handle, .line = (uint32_t)h[i].detail};
		} else {
			break;
		}
	}
	for (pb_size_t c = 0; c < m->channels_count; c++) {
		const viper_manifest_Channel *ch = &m->channels[c];
		bool provider_in_kernel =
			ch->kernel_end == viper_manifest_Channel_KernelEnd_KERNEL_END_RECV;
		uint32_t want =
			provider_in_kernel ? VIPER_OBJ_CHANNEL_SEND : VIPER_OBJ_CHANNEL_RECV;

		if (plan_root_creates_channel(ch))
			continue;
		if (i >= count)
			return fail(err, VIPER_E_CORRUPT,
				    "the kernel gave %u startup handles, but channel %u (%s -> %s) "
				    "needs its end from the kernel",
				    count, c, ch->client, ch->provider);
		if (h[i].kind != want)
			return fail(err, VIPER_E_CORRUPT,
				    "startup handle %u should be the %s end of channel %u (%s -> "
				    "%s), but is of kind %u",
				    i, provider_in_kernel ? "send" : "receive", c, ch->client,
				    ch->provider, h[i].kind);
		if (provider_in_kernel)
			caps->channel_send[c] = h[i].handle;
		else
			caps->channel_recv[c] = h[i].handle;
		i = skip_system(h, count, i + 1);
		if (ch->bulk_memory == 0)
			continue;
		/* The kernel made the channel's bulk buffer too: it comes next. */
		if (i >= count || h[i].kind != VIPER_OBJ_MEMORY)
			return fail(err, VIPER_E_CORRUPT,
				    "startup handle %u should be the bulk buffer %s of channel %u "
				    "(%s -> %s), but %s",
				    i, m->memories[ch->bulk_memory - 1].name, c, ch->client,
				    ch->provider,
				    i >= count ? "there is none" : "it is of another kind");
		caps->memory[ch->bulk_memory - 1] = h[i].handle;
		i = skip_system(h, count, i + 1);
	}
	if (i < count)
		return fail(err, VIPER_E_CORRUPT,
			    "startup handle %u (kind %u) matches nothing in the manifest", i,
			    h[i].kind);
	return check_system_given(m, caps, err);
}

uint32_t plan_grant_rights(const viper_manifest_Grant *g)
{
	return g->rights | VIPER_RIGHT_TRANSFER;
}

static viper_handle_t grant_source(const viper_manifest_Grant *g, const struct plan_caps *caps)
{
	switch (g->kind) {
	case viper_manifest_GRANT_CHANNEL_SEND:
		return caps->channel_send[g->channel];
	case viper_manifest_GRANT_CHANNEL_RECV:
		return caps->channel_recv[g->channel];
	case viper_manifest_GRANT_MEMORY:
		return caps->memory[g->memory];
	case viper_manifest_GRANT_DEVICE:
		for (unsigned d = 0; d < caps->device_count; d++) {
			if (caps->devices[d].base == g->device_base)
				return caps->devices[d].handle;
		}
		return VIPER_HANDLE_INVALID;
	case viper_manifest_GRANT_IRQ:
		for (unsigned d = 0; d < caps->irq_count; d++) {
			if (caps->irqs[d].line == g->irq)
				return caps->irqs[d].handle;
		}
		return VIPER_HANDLE_INVALID;
	case viper_manifest_GRANT_SYSTEM:
		return caps->system;
	case viper_manifest_GRANT_DMA:
		return caps->dma[g->dma_region];
	case viper_manifest_GRANT_SPAWN:
		return caps->spawn;
	default:
		return VIPER_HANDLE_INVALID;
	}
}

bool plan_root_makes_dma(const viper_manifest_Manifest *m, uint32_t region)
{
	for (pb_size_t i = 0; i < m->processes_count; i++) {
		const viper_manifest_Process *p = &m->processes[i];

		if (plan_is_kernel(p))
			continue;
		for (pb_size_t g = 0; g < p->grants_count; g++) {
			if (p->grants[g].kind == viper_manifest_GRANT_DMA &&
			    p->grants[g].dma_region == region)
				return true;
		}
	}
	return false;
}

uint32_t plan_dma_flags(const viper_manifest_DmaRegion *d)
{
	return d->contiguous ? VIPER_MEMORY_CONTIGUOUS : VIPER_MEMORY_PINNED;
}

int32_t plan_process_grants(const viper_manifest_Manifest *m, const viper_manifest_Process *p,
			    const struct plan_caps *caps, struct plan_grant_handle *out,
			    struct plan_error *err)
{
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];
		viper_handle_t h = grant_source(gr, caps);

		if (h == VIPER_HANDLE_INVALID) {
			if (gr->kind == viper_manifest_GRANT_DEVICE)
				return fail(err, VIPER_E_NOTFOUND,
					    "process %s: grant %u: no device '%s' at 0x%llx among "
					    "the root task's handles",
					    p->name, g + 1, gr->device,
					    (unsigned long long)gr->device_base);
			if (gr->kind == viper_manifest_GRANT_IRQ)
				return fail(err, VIPER_E_NOTFOUND,
					    "process %s: grant %u: no IRQ line %u ('%s') among the "
					    "root task's handles",
					    p->name, g + 1, gr->irq, gr->device);
			if (gr->kind == viper_manifest_GRANT_CHANNEL_SEND ||
			    gr->kind == viper_manifest_GRANT_CHANNEL_RECV)
				return fail(err, VIPER_E_NOTFOUND,
					    "process %s: grant %u: the %s of channel %u (%s -> %s) "
					    "is not the root task's to give",
					    p->name, g + 1, grant_kind_name((uint32_t)gr->kind),
					    gr->channel, m->channels[gr->channel].client,
					    m->channels[gr->channel].provider);
			if (gr->kind == viper_manifest_GRANT_SYSTEM ||
			    gr->kind == viper_manifest_GRANT_SPAWN)
				return fail(
					err, VIPER_E_NOTFOUND,
					"process %s: grant %u: the kernel gave the root task no "
					"%s to give",
					p->name, g + 1, grant_kind_name((uint32_t)gr->kind));
			return fail(err, VIPER_E_NOTFOUND, "process %s: grant %u: no %s to give",
				    p->name, g + 1, grant_kind_name((uint32_t)gr->kind));
		}
		out[g] = (struct plan_grant_handle){.source = h, .rights = plan_grant_rights(gr)};
	}
	return VIPER_OK;
}

enum plan_exit_action plan_on_exit(const viper_manifest_Process *p, uint32_t restarts,
				   int64_t status)
{
	bool wanted;

	switch (p->restart) {
	case viper_manifest_RESTART_ON_FAILURE:
		wanted = status != 0;
		break;
	case viper_manifest_RESTART_ALWAYS:
		wanted = true;
		break;
	default:
		wanted = false;
		break;
	}
	if (wanted && (p->max_restarts == 0 || restarts < p->max_restarts))
		return PLAN_EXIT_RESTART;
	if (p->ends_system)
		return PLAN_EXIT_END_SYSTEM;
	return wanted ? PLAN_EXIT_LIMIT : PLAN_EXIT_FINAL;
}

uint64_t plan_restart_delay(uint64_t ran_ns, uint32_t *quick_failures)
{
	uint64_t delay = PLAN_BACKOFF_FIRST_NS;

	if (ran_ns >= PLAN_QUICK_RUN_NS) {
		*quick_failures = 0;
		return 0;
	}
	if (*quick_failures < UINT32_MAX)
		(*quick_failures)++;
	for (uint32_t n = 1; n < *quick_failures && delay < PLAN_BACKOFF_MAX_NS; n++)
		delay *= 2;
	return delay < PLAN_BACKOFF_MAX_NS ? delay : PLAN_BACKOFF_MAX_NS;
}

const char *plan_error_name(int64_t error)
{
	const char *name = viper_error_short_name(error);

	return name ? name : "error";
}
