/*
 * The host of a component process: main() of every server and application
 * process the root task starts. The root passes the process's index in
 * manifest.processes as the startup argument and its grants as the startup
 * handles, in grant order. The host finds each instance's component among
 * those linked into the image, gives it zeroed state, its devices, its
 * slots and its system capability, calls every init, starts a thread per
 * active instance and serves every channel the process provides on the
 * main thread. See docs/root-task.md.
 */
#include <stdio.h>
#include <string.h>

#include <viper/component.h>
#include <viper/runtime.h>
#include <viper/syscall.h>

#include "entry_lock.h"
#include "host_core.h"
#include "process_runtime.h"
#include "root/plan.h"
#include "serve.h"

/* The manifest's limits (manifest.proto's bounds, through nanopb's arrays). */
#define HOST_MAX_INSTANCES PLAN_ARRAY_LEN(((viper_manifest_Process *)0)->instances)
#define HOST_MAX_SERVES                                                                            \
	(HOST_MAX_INSTANCES * PLAN_ARRAY_LEN(((viper_manifest_Instance *)0)->serves))

struct host_instance {
	const viper_manifest_Instance *record;
	const struct viper_component *component;
	void *state;
	struct viper_instance_env env;
	struct viper_slot slots[VIPER_COMPONENT_MAX_SLOTS];
	viper_handle_t thread;
	int32_t run_status;
	struct viper_entry_lock *lock;	     /* when several threads reach its methods */
	struct viper_session_host *sessions; /* when it may open sessions */
};

static viper_manifest_ProcessPart part; /* this process's part of the manifest */
static const viper_manifest_Process *process;
static const struct viper_startup *startup;
static struct host_instance instances[HOST_MAX_INSTANCES];
static unsigned instance_count;
static struct serve_loop serves[HOST_MAX_SERVES];
static unsigned serve_count;
/* Every channel and session of the process, when it serves more than one channel or any session. */
static struct serve_set serve_set;
static uint32_t sessions_max_total;
/*
 * A process that serves sessions but no manifest channel serves them only
 * to its own run threads: the last of those to finish notifies stop_send,
 * and the host stops serving and ends.
 */
static viper_handle_t stop_send = VIPER_HANDLE_INVALID;
static uint32_t runs_left;
static void *grant_maps[PLAN_MAX_GRANTS]; /* mapped memory grants */

/* The main thread serves every channel and session; run threads are 2.. */
static uint32_t process_serving_thread(unsigned i, const viper_manifest_Instance *r)
{
	(void)i;
	return r->serves_count || r->sessions_max ? 1 : 0;
}

static bool process_serves_on_several(const viper_manifest_Instance *r)
{
	(void)r;
	return false;
}

static uint32_t process_run_thread(unsigned i)
{
	return i + 2;
}

static int32_t process_bulk_buffer(uint32_t size, void **at)
{
	*at = vc_alloc(size);
	return *at ? VIPER_OK : VIPER_E_NOMEM;
}

static const struct host_placement process_placement = {
	.serving_thread = process_serving_thread,
	.serves_on_several = process_serves_on_several,
	.run_thread = process_run_thread,
	.bulk_buffer = process_bulk_buffer,
};

static uint32_t object_kind_of(uint32_t grant_kind)
{
	switch (grant_kind) {
	case viper_manifest_GRANT_CHANNEL_SEND:
		return VIPER_OBJ_CHANNEL_SEND;
	case viper_manifest_GRANT_CHANNEL_RECV:
		return VIPER_OBJ_CHANNEL_RECV;
	case viper_manifest_GRANT_DEVICE:
		return VIPER_OBJ_DEVICE;
	case viper_manifest_GRANT_IRQ:
		return VIPER_OBJ_IRQ;
	case viper_manifest_GRANT_MEMORY:
	case viper_manifest_GRANT_DMA:
		return VIPER_OBJ_MEMORY;
	case viper_manifest_GRANT_SYSTEM:
		return VIPER_OBJ_SYSTEM;
	case viper_manifest_GRANT_SPAWN:
		return VIPER_OBJ_SPAWN;
	default:
		return 0;
	}
}

/* The startup handles are the process's grants, in order and of the right kinds. */
static int check_startup(void)
{
	/* The grants, then the part of the manifest read already. */
	if (startup->handle_count != process->grants_count + 1u) {
		viper_printf("%s: %u startup handles, but the manifest grants %u\n", process->name,
			     startup->handle_count - 1, (unsigned)process->grants_count);
		return -1;
	}
	for (pb_size_t g = 0; g < process->grants_count; g++) {
		uint32_t want = object_kind_of((uint32_t)process->grants[g].kind);

		if (startup->handles[g].kind != want) {
			viper_printf("%s: startup handle %u is of kind %u, grant %u wants %u\n",
				     process->name, g, startup->handles[g].kind, g + 1, want);
			return -1;
		}
	}
	return 0;
}

static uint64_t page_round(uint64_t n)
{
	return (n + VIPER_PAGE_SIZE - 1) & ~(uint64_t)(VIPER_PAGE_SIZE - 1);
}

/*
 * The bulk buffer of the channel of grant `channel_grant` (0-based) in this
 * process: the memory grant of the channel's bulk memory, mapped once, in
 * *bulk and its size (whole pages) in *size; NULL and 0 when the channel
 * has none. Returns 0, or -1 after saying why it cannot be mapped: a
 * component expecting a buffer must not start without one.
 */
static int bulk_of(uint32_t channel_grant, void **bulk, uint32_t *size)
{
	uint32_t memory = part.details[channel_grant].bulk_memory;
	uint32_t channel = process->grants[channel_grant].channel;

	*bulk = NULL;
	*size = 0;
	if (memory == 0)
		return 0;
	for (pb_size_t g = 0; g < process->grants_count; g++) {
		const viper_manifest_Grant *gr = &process->grants[g];
		const viper_manifest_Memory *m = &part.details[g].memory;
		uint64_t bytes = page_round(m->size);
		int64_t va;

		if (gr->kind != viper_manifest_GRANT_MEMORY || gr->memory != memory - 1)
			continue;
		if (bytes > UINT32_MAX) {
			viper_printf("%s: bulk memory %s of %llu bytes is too large\n",
				     process->name, m->name, (unsigned long long)bytes);
			return -1;
		}
		if (!grant_maps[g]) {
			va = viper_memory_map(startup->handles[g].handle, 0, bytes,
					      VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
			if (va < 0) {
				viper_printf(
					"%s: cannot map bulk memory %s (%llu bytes) of channel "
					"%u: %s\n",
					process->name, m->name, (unsigned long long)bytes, channel,
					plan_error_name(va));
				return -1;
			}
			grant_maps[g] = (void *)(uintptr_t)va;
		}
		*bulk = grant_maps[g];
		*size = (uint32_t)bytes;
		return 0;
	}
	viper_printf("%s: channel %u has bulk memory %u, but the process has no grant of it\n",
		     process->name, channel, memory - 1);
	return -1;
}

static int map_devices(struct host_instance *in)
{
	const viper_manifest_Instance *r = in->record;

	for (pb_size_t d = 0; d < r->devices_count && d < VIPER_COMPONENT_MAX_DEVICES; d++) {
		uint32_t g = r->devices[d] - 1; /* checked by plan_decode */
		const struct viper_startup_handle *h = &startup->handles[g];
		uint32_t rights = process->grants[g].rights;
		uint32_t prot = VIPER_PROT_READ;
		struct viper_device *dev = &in->env.devices[d];
		int64_t va;

		if (rights & VIPER_RIGHT_WRITE)
			prot |= VIPER_PROT_WRITE;
		va = viper_device_map(h->handle, 0, page_round(h->size), prot);
		if (va < 0) {
			viper_printf("%s: instance '%s': cannot map device %s: %s\n", process->name,
				     r->name, process->grants[g].device, plan_error_name(va));
			return -1;
		}
		dev->regs = (volatile void *)(uintptr_t)(va + (h->detail & (VIPER_PAGE_SIZE - 1)));
		/* The region is whole pages; the device starts inside its first one. */
		dev->size = h->size - (h->detail & (VIPER_PAGE_SIZE - 1));
		dev->phys = h->detail;
		dev->irq = VIPER_HANDLE_INVALID;
		/*
		 * A device's IRQ, when granted, is the grant right after it; its line
		 * is the handle's (a device found at boot has none in the manifest).
		 */
		if (g + 1 < process->grants_count &&
		    process->grants[g + 1].kind == viper_manifest_GRANT_IRQ) {
			dev->irq = startup->handles[g + 1].handle;
			dev->irq_line = (uint32_t)startup->handles[g + 1].detail;
		}
		in->env.device_count = d + 1;
	}
	return 0;
}

/*
 * The physical address of each page of a pinned region, asked of the kernel
 * once: its pages never move. In *pages, from the heap.
 */
static int dma_pages(viper_handle_t memory, uint64_t size, const uint64_t **pages)
{
	uint64_t *out = vc_alloc((size / VIPER_PAGE_SIZE) * sizeof(uint64_t));

	if (!out)
		return VIPER_E_NOMEM;
	for (uint64_t i = 0; i < size / VIPER_PAGE_SIZE; i++) {
		int64_t pa = viper_memory_physical(memory, i * VIPER_PAGE_SIZE);

		if (pa < 0)
			return (int)pa;
		out[i] = (uint64_t)pa;
	}
	*pages = out;
	return VIPER_OK;
}

/* Maps the instance's DMA regions and learns their physical addresses. */
static int map_dma(struct host_instance *in)
{
	const viper_manifest_Instance *r = in->record;

	for (pb_size_t d = 0; d < r->dma_count && d < VIPER_COMPONENT_MAX_DMA; d++) {
		uint32_t g = r->dma[d] - 1; /* a GRANT_DMA: checked by plan_decode */
		const viper_manifest_DmaRegion *region = &part.details[g].dma_region;
		struct viper_dma *dma = &in->env.dma[d];
		viper_handle_t h = startup->handles[g].handle;
		uint64_t size = startup->handles[g].size;
		int64_t va = viper_memory_map(h, 0, size, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
		int64_t pa = va < 0 ? va : viper_memory_physical(h, 0);

		if (pa >= 0 && !region->contiguous)
			pa = dma_pages(h, size, &dma->pages);
		if (va < 0 || pa < 0) {
			viper_printf("%s: instance '%s': cannot set up DMA region %s (%llu bytes): "
				     "%s\n",
				     process->name, r->name, region->name, (unsigned long long)size,
				     plan_error_name(va < 0 ? va : pa));
			return -1;
		}
		dma->virt = (void *)(uintptr_t)va;
		dma->size = size;
		dma->contiguous = region->contiguous;
		dma->phys = region->contiguous ? (uint64_t)pa : 0;
		dma->memory = h;
		in->env.dma_count = d + 1;
	}
	return 0;
}

static int bind_slots(struct host_instance *in, uint32_t *next_local)
{
	const viper_manifest_Instance *r = in->record;

	if (r->slots_count != in->component->slot_count) {
		viper_printf("%s: instance '%s' has %u slots in the manifest, but component %s "
			     "declares %u\n",
			     process->name, r->name, (unsigned)r->slots_count, r->component,
			     in->component->slot_count);
		return -1;
	}
	for (pb_size_t s = 0; s < r->slots_count && s < VIPER_COMPONENT_MAX_SLOTS; s++) {
		const viper_manifest_Slot *sl = &r->slots[s];
		struct viper_slot *slot = &in->slots[s];

		in->env.slots[s] = slot;
		if (sl->grant) {
			slot->interface = process_interface_find(sl->interface_id);
			slot->channel = startup->handles[sl->grant - 1].handle;
			if (bulk_of(sl->grant - 1, &slot->bulk, &slot->bulk_size) < 0)
				return -1;
			continue;
		}
		struct host_instance *provider = &instances[sl->local - 1];
		const struct host_peer peer = {provider->component, provider->state, provider->lock,
					       provider->sessions};
		int32_t err = host_bind_direct(&process_placement, slot, &peer, sl->interface_id,
					       (*next_local)++);

		if (err == VIPER_E_CORRUPT) {
			viper_printf("%s: slot '%s' of instance '%s' is bound to '%s', whose "
				     "component %s does not provide interface %u\n",
				     process->name, sl->name, r->name, provider->record->name,
				     provider->component->name, sl->interface_id);
			return -1;
		}
		if (err < 0) {
			viper_printf("%s: no memory for the bulk buffer of slot '%s'\n",
				     process->name, sl->name);
			return -1;
		}
	}
	in->env.slot_count = r->slots_count;
	return 0;
}

static int add_serves(struct host_instance *in)
{
	const viper_manifest_Instance *r = in->record;

	for (pb_size_t s = 0; s < r->serves_count; s++) {
		const viper_manifest_Serve *sv = &r->serves[s];
		const struct viper_provided *p =
			viper_component_provided(in->component, sv->interface_id);
		uint32_t channel = process->grants[sv->grant - 1].channel;
		struct serve_loop *out = &serves[serve_count];

		if (!p || !p->interface->dispatch) {
			viper_printf("%s: instance '%s' should serve interface %u, which component "
				     "%s does not provide\n",
				     process->name, r->name, sv->interface_id, r->component);
			return -1;
		}
		*out = (struct serve_loop){
			.channel = startup->handles[sv->grant - 1].handle,
			.provided = p,
			.state = in->state,
			.lock = in->lock,
			/* Stable across restarts: the manifest's channel number. */
			.ctx = {.connection = channel + 1, .sessions = in->sessions},
		};
		if (bulk_of(sv->grant - 1, &out->ctx.bulk, &out->ctx.bulk_size) < 0)
			return -1;
		serve_count++;
	}
	return 0;
}

/*
 * Gives an entry lock to each instance whose methods several threads reach:
 * the main thread serving channels and the run threads of co-located
 * callers (entry_lock.h).
 */
static int add_entry_locks(void)
{
	const viper_manifest_Instance *records[HOST_MAX_INSTANCES];
	const struct viper_component *components[HOST_MAX_INSTANCES];
	struct entry_threads entered[HOST_MAX_INSTANCES] = {{0}};

	for (unsigned i = 0; i < instance_count; i++) {
		records[i] = instances[i].record;
		components[i] = instances[i].component;
	}
	host_plan_entry_locks(&process_placement, records, components, instance_count, entered);
	for (unsigned i = 0; i < instance_count; i++) {
		struct host_instance *in = &instances[i];

		if (!entered[i].several)
			continue;
		in->lock = vc_alloc(sizeof(*in->lock));
		int32_t err = in->lock ? entry_lock_init(in->lock) : VIPER_E_NOMEM;
		if (err < 0) {
			viper_printf("%s: instance '%s': no entry lock: %s\n", process->name,
				     in->record->name, plan_error_name(err));
			return -1;
		}
	}
	return 0;
}

/* The session host of an instance that may open sessions (Instance.sessions_max). */
static int add_session_host(struct host_instance *in)
{
	const viper_manifest_Instance *r = in->record;

	if (r->sessions_max == 0)
		return 0;
	in->sessions = vc_alloc(sizeof(*in->sessions));
	if (!in->sessions) {
		viper_printf("%s: instance '%s': no memory for its sessions\n", process->name,
			     r->name);
		return -1;
	}
	*in->sessions = (struct viper_session_host){
		.state = in->state,
		.lock = in->lock,
		.max = r->sessions_max,
		.per_client = r->sessions_per_client,
		.next_connection = SESSION_CONNECTION_BASE,
		.set = &serve_set,
	};
	sessions_max_total += r->sessions_max;
	return 0;
}

/* Sets every instance up; returns 0 or -1 after saying why. */
static int build_instances(void)
{
	uint32_t next_local = PLAN_MAX_CHANNELS + 1; /* never a channel's connection */

	instance_count = process->instances_count;
	for (unsigned i = 0; i < instance_count; i++) {
		struct host_instance *in = &instances[i];
		const viper_manifest_Instance *r = &process->instances[i];

		in->record = r;
		in->component = viper_component_find(r->component);
		if (!in->component) {
			viper_printf("%s: instance '%s': component %s is not linked into this "
				     "program\n",
				     process->name, r->name, r->component);
			return -1;
		}
		in->state = vc_alloc(in->component->state_size ? in->component->state_size : 1);
		if (!in->state) {
			viper_printf("%s: instance '%s': no memory for %zu bytes of state\n",
				     process->name, r->name, in->component->state_size);
			return -1;
		}
		in->env.name = r->name;
		for (pb_size_t p = 0; p < r->params_count && p < VIPER_COMPONENT_MAX_PARAMS; p++)
			in->env.params[in->env.param_count++] = r->params[p];
		/* A GRANT_SYSTEM (plan_decode and check_startup checked it), or none. */
		in->env.system =
			r->system ? startup->handles[r->system - 1].handle : VIPER_HANDLE_INVALID;
		/* Likewise a GRANT_SPAWN, or none. */
		in->env.spawn =
			r->spawn ? startup->handles[r->spawn - 1].handle : VIPER_HANDLE_INVALID;
		in->thread = VIPER_HANDLE_INVALID;
		if (map_devices(in) < 0 || map_dma(in) < 0)
			return -1;
	}
	if (add_entry_locks() < 0)
		return -1;
	for (unsigned i = 0; i < instance_count; i++) {
		if (add_session_host(&instances[i]) < 0)
			return -1;
	}
	/* Local slots point at other instances' state and locks: bind once all exist. */
	for (unsigned i = 0; i < instance_count; i++) {
		if (bind_slots(&instances[i], &next_local) < 0 || add_serves(&instances[i]) < 0)
			return -1;
	}
	return 0;
}

/* Serves the one channel of a process that serves one and opens no sessions. */
static int serve_single(struct serve_loop *loop)
{
	int64_t r = serve_forever(loop);

	if (r == VIPER_E_PEERCLOSED)
		return 0;
	viper_printf("%s: receiving on %s: %s\n", process->name, loop->provided->interface->name,
		     plan_error_name(r));
	return -1;
}

/* The poll set of a process serving several channels or any session, before anything runs. */
static int prepare_serve_set(void)
{
	int32_t err;

	if (serve_count == 0) {
		for (unsigned i = 0; i < instance_count; i++)
			runs_left += instances[i].component->run ? 1 : 0;
		if (runs_left == 0)
			sessions_max_total = 0; /* nothing here could ever open one */
	}
	if (serve_count <= 1 && sessions_max_total == 0)
		return 0;
	int64_t poll = viper_poll_create();

	err = poll < 0 ? (int32_t)poll
		       : serve_set_init(&serve_set, (viper_handle_t)poll,
					serve_count + sessions_max_total);
	if (err == VIPER_OK && serve_count == 0) {
		viper_handle_t stop_recv;

		err = vc_channel_create(&stop_send, &stop_recv);
		if (err == VIPER_OK)
			err = serve_set_stop_on(&serve_set, stop_recv);
	}
	for (unsigned i = 0; i < serve_count && err == VIPER_OK; i++)
		err = serve_set_add(&serve_set, &serves[i]);
	if (err < 0) {
		viper_printf("%s: cannot serve its channels: %s\n", process->name,
			     plan_error_name(err));
		return -1;
	}
	return 0;
}

/*
 * Serves every channel and session from the poll set. Returns when no
 * channel is left, or never when the process may open sessions.
 */
static int serve_many(void)
{
	int64_t r = serve_set_run(&serve_set, sessions_max_total > 0);

	if (r == VIPER_OK)
		return 0;
	viper_printf("%s: serving: %s\n", process->name, plan_error_name(r));
	return -1;
}

static void run_entry(void *arg)
{
	struct host_instance *in = arg;

	in->run_status = in->component->run(in->state);
	if (stop_send != VIPER_HANDLE_INVALID &&
	    __atomic_sub_fetch(&runs_left, 1, __ATOMIC_ACQ_REL) == 0)
		(void)vc_notify(stop_send, 1);
}

/*
 * This process's part of the manifest: the memory object the root task
 * gives as the last startup handle, holding a 32-bit length and the
 * encoded ProcessPart; read, checked (plan_decode_part), then let go.
 */
static int read_part(struct plan_error *err)
{
	const struct viper_startup_handle *h;
	int64_t va;
	uint32_t len = 0;
	int32_t r;

	if (startup->handle_count == 0 ||
	    (h = &startup->handles[startup->handle_count - 1])->kind != VIPER_OBJ_MEMORY) {
		snprintf(err->text, sizeof(err->text),
			 "the last startup handle is no memory object");
		return -1;
	}
	va = viper_memory_map(h->handle, 0, h->size, VIPER_PROT_READ, 0);
	if (va < 0) {
		snprintf(err->text, sizeof(err->text), "cannot map it: %s", plan_error_name(va));
		return -1;
	}
	memcpy(&len, (const void *)(uintptr_t)va, sizeof(len));
	r = len <= h->size - sizeof(len)
		    ? plan_decode_part((const uint8_t *)(uintptr_t)va + sizeof(len), len, &part,
				       err)
		    : (snprintf(err->text, sizeof(err->text),
				"its length %u is over its %llu bytes", len,
				(unsigned long long)h->size),
		       VIPER_E_CORRUPT);
	viper_memory_unmap((uint64_t)va, h->size);
	viper_handle_close(h->handle);
	return r < 0 ? -1 : 0;
}

int main(const struct viper_startup *s)
{
	struct plan_error err;
	int status = 0;

	startup = s;
	if (read_part(&err) < 0) {
		viper_printf("process: bad part of the manifest: %s\n", err.text);
		return 1;
	}
	if (s->argument != part.index) {
		viper_printf("process: argument %llu, but its part is of process %u\n",
			     (unsigned long long)s->argument, (unsigned)part.index);
		return 1;
	}
	process = &part.process;
	if (check_startup() < 0 || build_instances() < 0 || prepare_serve_set() < 0)
		return 1;
	for (unsigned i = 0; i < instance_count; i++) {
		struct host_instance *in = &instances[i];
		int32_t r =
			in->component->init ? in->component->init(in->state, &in->env) : VIPER_OK;

		if (r < 0) {
			viper_printf("%s: instance '%s' (%s) failed to start: %s\n", process->name,
				     in->record->name, in->component->name, plan_error_name(r));
			return r;
		}
	}
	for (unsigned i = 0; i < instance_count; i++) {
		struct host_instance *in = &instances[i];
		int64_t h;

		if (!in->component->run)
			continue;
		h = viper_thread_start(run_entry, in, process->priority);
		if (h < 0) {
			viper_printf("%s: instance '%s': no thread: %s\n", process->name,
				     in->record->name, plan_error_name(h));
			return 1;
		}
		in->thread = (viper_handle_t)h;
	}
	if (serve_count == 1 && sessions_max_total == 0)
		status = serve_single(&serves[0]) < 0 ? 1 : 0;
	else if (serve_count > 1 || sessions_max_total > 0)
		status = serve_many() < 0 ? 1 : 0;
	if (status != 0)
		return status;
	for (unsigned i = 0; i < instance_count; i++) {
		struct host_instance *in = &instances[i];

		if (in->thread == VIPER_HANDLE_INVALID)
			continue;
		viper_thread_join(in->thread, NULL);
		if (in->run_status != 0)
			status = 1;
	}
	return status;
}
