/*
 * The root task: the first process. It builds the system the boot manifest
 * describes (channels, shared memory, one process per manifest process with
 * exactly its grants) and then supervises it, restarting processes by their
 * policy. It keeps the original of every handle it gives out, so a restart
 * hands the new instance the same channels: calls queued while a server was
 * down reach its successor. See docs/root-task.md.
 */
#include <string.h>

#include <viper/runtime.h>
#include <viper/syscall.h>

#include "root/plan.h"
#include "root/virtio_slots.h"
#include "supervisor_log.h"

/* Linked in by the system build: the system's nanopb-encoded manifest. */
extern const uint8_t viper_manifest[];
extern const uint32_t viper_manifest_size;

/* What the root task knows about each manifest process. */
struct child {
	viper_handle_t process; /* VIPER_HANDLE_INVALID when not running */
	uint32_t restarts;
	uint32_t quick_failures; /* plan_restart_delay's count */
	uint64_t started_ns;	 /* clock_now when it last started */
	uint64_t restart_at_ns;	 /* when a delayed restart is due; 0: none pending */
	bool done;		 /* exited for good */
};

static viper_manifest_Manifest manifest; /* large: never on the stack */
static struct plan_caps caps;
static struct child children[PLAN_MAX_PROCESSES];
static viper_handle_t poll_set;
/* Processes whose devices of a virtio kind are not there: they never start. */
static bool cannot_start[PLAN_MAX_PROCESSES];

/* How long the end of the system waits for the supervisor log to take what was said. */
#define FINISH_TIMEOUT_NS 1000000000ll

static int create_channels(void)
{
	for (pb_size_t c = 0; c < manifest.channels_count; c++) {
		const viper_manifest_Channel *ch = &manifest.channels[c];
		uint32_t depth = ch->depth ? ch->depth : VIPER_CHANNEL_DEFAULT_DEPTH;
		int64_t r;

		if (!plan_root_creates_channel(ch))
			continue;
		r = viper_channel_create(&caps.channel_send[c], &caps.channel_recv[c], depth);
		if (r < 0) {
			supervisor_say("cannot create channel %u (%s -> %s): %s", c, ch->client,
				       ch->provider, plan_error_name(r));
			return -1;
		}
	}
	return 0;
}

/* Every memory the kernel did not make (the bulk buffers of its channels). */
static int create_memories(void)
{
	for (pb_size_t i = 0; i < manifest.memories_count; i++) {
		const viper_manifest_Memory *mem = &manifest.memories[i];
		uint64_t size =
			(mem->size + VIPER_PAGE_SIZE - 1) & ~(uint64_t)(VIPER_PAGE_SIZE - 1);
		int64_t h;

		if (caps.memory[i] != VIPER_HANDLE_INVALID)
			continue;
		h = viper_memory_create(size, 0);

		if (h < 0) {
			supervisor_say("cannot create memory %s (%llu bytes): %s", mem->name,
				       (unsigned long long)size, plan_error_name(h));
			return -1;
		}
		caps.memory[i] = (viper_handle_t)h;
	}
	return 0;
}

/*
 * The DMA regions of processes: contiguous or pinned memory (the DMA right
 * lets a holder learn its physical addresses). The root keeps them for the
 * whole boot, so a restarted driver gets the memory its device may still
 * be writing, never memory that went back to the page allocator.
 */
static int create_dma_regions(void)
{
	for (pb_size_t i = 0; i < manifest.dma_regions_count; i++) {
		const viper_manifest_DmaRegion *d = &manifest.dma_regions[i];
		int64_t h;

		if (!plan_root_makes_dma(&manifest, i))
			continue;
		h = viper_memory_create(d->size, plan_dma_flags(d));
		if (h < 0) {
			supervisor_say("cannot create DMA region %s (%llu bytes %s): %s", d->name,
				       (unsigned long long)d->size,
				       d->contiguous ? "contiguous" : "pinned", plan_error_name(h));
			return -1;
		}
		caps.dma[i] = (viper_handle_t)h;
	}
	return 0;
}

/*
 * Reading the virtio-mmio slots the root holds: each slot's page mapped
 * read-only while it is read, one slot at a time.
 */
struct slot_reader {
	uint64_t base; /* the slot mapped now, 0 for none */
	int64_t va;
};

static const struct plan_device *device_at(uint64_t base)
{
	for (unsigned d = 0; d < caps.device_count; d++) {
		if (caps.devices[d].base == base)
			return &caps.devices[d];
	}
	return NULL;
}

static bool root_holds(void *context, uint64_t base)
{
	(void)context;
	return device_at(base) != NULL;
}

static void reader_done(struct slot_reader *r)
{
	if (r->va > 0)
		(void)viper_memory_unmap((uint64_t)r->va, VIPER_PAGE_SIZE);
	r->base = 0;
	r->va = 0;
}

static uint32_t read_slot(void *context, uint64_t base, uint32_t offset)
{
	struct slot_reader *r = context;

	if (r->base != base) {
		reader_done(r);
		r->base = base;
		r->va = viper_device_map(device_at(base)->handle, 0, VIPER_PAGE_SIZE,
					 VIPER_PROT_READ);
	}
	if (r->va < 0)
		return 0; /* reads as no transport */
	return *(volatile const uint32_t *)(uintptr_t)((uint64_t)r->va +
						       (base & (VIPER_PAGE_SIZE - 1)) + offset);
}

/* Process `index` will not start: it lacks a device of a virtio kind. */
static void refuse(pb_size_t index, const struct virtio_failure *why)
{
	char text[PLAN_ERROR_BYTES];

	virtio_failure_text(why, text, sizeof(text));
	supervisor_say("cannot start %s: %s; it does not start", manifest.processes[index].name,
		       text);
	cannot_start[index] = true;
}

static void say_found(const viper_manifest_Process *p)
{
	for (pb_size_t g = 0; g + 1 < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];
		const viper_manifest_Grant *irq = &p->grants[g + 1];

		if (gr->kind == viper_manifest_GRANT_DEVICE && gr->virtio_id)
			supervisor_say("%s: %s in %s (0x%08llx, IRQ %u) for grant %u", p->name,
				       virtio_kind_name(gr->virtio_id), gr->device,
				       (unsigned long long)gr->device_base,
				       irq->kind == viper_manifest_GRANT_IRQ ? irq->irq : 0, g + 1);
	}
}

/*
 * Gives every device grant of a virtio kind its slot: the slots the root
 * holds are probed, the pinned ones claimed for every process first, then
 * each process's found in manifest order. Returns 0, or -1 when a process
 * that ends the system cannot start.
 */
static int resolve_devices(void)
{
	struct virtio_slots slots;
	struct slot_reader reader = {0, 0};
	struct virtio_failure why;
	int status = 0;

	if (manifest.virtio_slots_count == 0)
		return 0;
	virtio_slots_probe(&manifest, read_slot, root_holds, &reader, &slots);
	reader_done(&reader);
	for (int pass = 0; pass < 2; pass++) {
		for (pb_size_t i = 0; i < manifest.processes_count; i++) {
			viper_manifest_Process *p = &manifest.processes[i];
			int32_t r;

			if (plan_is_kernel(p) || cannot_start[i])
				continue;
			r = pass == 0 ? virtio_slots_claim(&manifest, p, &slots, &why)
				      : virtio_slots_resolve(&manifest, p, &slots, &why);
			if (r < 0)
				refuse(i, &why);
			else if (pass == 1)
				say_found(p);
			if (r < 0 && p->ends_system)
				status = -1;
		}
	}
	return status;
}

/*
 * Starts manifest process `index` with freshly derived grants. Returns 0,
 * or -1 after saying why; the root's originals are untouched either way.
 */
/*
 * Process `index`'s part of the manifest (plan_part_of), encoded into a new
 * memory object for it: the handle, or a negative error.
 */
static int64_t make_part(uint32_t index)
{
	static viper_manifest_ProcessPart part; /* large: never on the stack */
	static uint8_t encoded[viper_manifest_ProcessPart_size];
	int64_t len, mem, va;

	plan_part_of(&manifest, index, &part);
	len = plan_encode_part(&part, encoded, sizeof(encoded));
	if (len < 0)
		return len;
	mem = viper_memory_create((uint64_t)len + sizeof(uint32_t), 0);
	if (mem < 0)
		return mem;
	uint64_t size = ((uint64_t)len + sizeof(uint32_t) + VIPER_PAGE_SIZE - 1) &
			~(uint64_t)(VIPER_PAGE_SIZE - 1);
	va = viper_memory_map((viper_handle_t)mem, 0, size, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	if (va < 0) {
		viper_handle_close((viper_handle_t)mem);
		return va;
	}
	/* Its length first, then the bytes: the host decodes exactly those. */
	uint32_t n = (uint32_t)len;
	memcpy((void *)(uintptr_t)va, &n, sizeof(n));
	memcpy((uint8_t *)(uintptr_t)va + sizeof(n), encoded, (size_t)len);
	viper_memory_unmap((uint64_t)va, size);
	return mem;
}

static int start(uint32_t index)
{
	const viper_manifest_Process *p = &manifest.processes[index];
	struct plan_grant_handle plan[PLAN_MAX_GRANTS];
	viper_handle_t handles[PLAN_MAX_GRANTS + 1]; /* the grants, then the process's part */
	struct plan_error err;
	struct viper_handle_info info = {0};
	struct viper_spawn spawn = {0};
	/* The kernel enforces these; the assembler checked they cover the process. */
	struct viper_quota quota = {p->memory_kib, p->handles, p->threads, 0};
	pb_size_t made = 0;
	int64_t r;
	int ok = -1;

	if (plan_process_grants(&manifest, p, &caps, plan, &err) < 0) {
		supervisor_say("cannot start %s: %s", p->name, err.text);
		return -1;
	}
	for (; made < p->grants_count; made++) {
		r = viper_handle_derive(plan[made].source, plan[made].rights);
		if (r < 0) {
			supervisor_say("cannot start %s: grant %u (rights 0x%x): %s", p->name,
				       made + 1, plan[made].rights, plan_error_name(r));
			goto out_close;
		}
		handles[made] = (viper_handle_t)r;
	}
	r = make_part(index);
	if (r < 0) {
		supervisor_say("cannot start %s: its part of the manifest: %s", p->name,
			       plan_error_name(r));
		goto out_close;
	}
	handles[made++] = (viper_handle_t)r;
	spawn = (struct viper_spawn){
		.image = p->name,
		.image_len = (uint32_t)strlen(p->name),
		.priority = p->priority,
		.handles = handles,
		.handle_count = made,
		.argument = index,
		.quota = &quota,
	};
	r = viper_process_spawn(caps.spawn, &spawn);
	if (r == VIPER_E_LIMIT) {
		supervisor_say("cannot start %s: process_spawn: E_LIMIT (is its quota of %u KiB "
			       "and %u handles too small for its program and %u grants?)",
			       p->name, p->memory_kib, p->handles, (unsigned)made - 1);
		goto out_close;
	}
	if (r < 0) {
		supervisor_say("cannot start %s: process_spawn: %s", p->name, plan_error_name(r));
		goto out_close;
	}
	made = 0; /* moved into the child */
	children[index].process = (viper_handle_t)r;
	viper_handle_query(children[index].process, &info);
	r = viper_poll_add(poll_set, children[index].process, VIPER_SIGNAL_EXITED, index);
	if (r < 0) {
		/* Without the poll entry its exit would go unnoticed. */
		supervisor_say("cannot watch %s: %s", p->name, plan_error_name(r));
		viper_process_kill(children[index].process, 0);
		viper_handle_close(children[index].process);
		children[index].process = VIPER_HANDLE_INVALID;
		goto out_close;
	}
	children[index].started_ns = (uint64_t)viper_clock_now();
	supervisor_say("started %s (koid %llu)", p->name, (unsigned long long)info.koid);
	ok = 0;
out_close:
	while (made > 0)
		viper_handle_close(handles[--made]);
	return ok;
}

/*
 * A process that will not run again: close the root's originals of the
 * receive ends it served, so that its clients' queued and future calls fail
 * with VIPER_E_PEERCLOSED instead of waiting for a server that never comes.
 */
static void retire(uint32_t index)
{
	const viper_manifest_Process *p = &manifest.processes[index];
	unsigned served = 0;

	children[index].done = true;
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		if (p->grants[g].kind == viper_manifest_GRANT_CHANNEL_RECV &&
		    caps.channel_recv[p->grants[g].channel] != VIPER_HANDLE_INVALID)
			served++;
	}
	if (served == 0)
		return;
	/* Said before the ends close: a client's failed call comes after this line. */
	supervisor_say("%s will not run again; closing the %u channel(s) it served", p->name,
		       served);
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];
		viper_handle_t *h;

		if (gr->kind != viper_manifest_GRANT_CHANNEL_RECV)
			continue;
		h = &caps.channel_recv[gr->channel];
		if (*h != VIPER_HANDLE_INVALID) {
			(void)viper_handle_close(*h);
			*h = VIPER_HANDLE_INVALID;
		}
	}
}

/* Restarts child `index`; one that cannot start will not run again. */
static void restart_now(uint32_t index)
{
	if (start(index) < 0)
		retire(index);
}

/* Handles the exit of child `index`; returns 1 (with *end_status) when the system ends. */
static int child_exited(uint32_t index, int64_t *end_status)
{
	const viper_manifest_Process *p = &manifest.processes[index];
	struct child *c = &children[index];
	int64_t status = 0;
	int64_t r = viper_process_wait(c->process, &status, VIPER_TIMEOUT_POLL);

	if (r < 0) {
		supervisor_say("waiting for %s: %s", p->name, plan_error_name(r));
		status = VIPER_EXIT_KILLED;
	}
	viper_poll_remove(poll_set, c->process);
	viper_handle_close(c->process);
	c->process = VIPER_HANDLE_INVALID;
	supervisor_say("%s exited with status %lld", p->name, (long long)status);

	switch (plan_on_exit(p, c->restarts, status)) {
	case PLAN_EXIT_RESTART: {
		uint64_t now = (uint64_t)viper_clock_now();
		uint64_t delay = plan_restart_delay(now - c->started_ns, &c->quick_failures);

		c->restarts++;
		if (delay == 0) {
			supervisor_say("restarting %s (restart %u)", p->name, c->restarts);
			restart_now(index);
		} else {
			supervisor_say("restarting %s (restart %u) in %llu ms: it ran %llu ms",
				       p->name, c->restarts, (unsigned long long)(delay / 1000000u),
				       (unsigned long long)((now - c->started_ns) / 1000000u));
			c->restart_at_ns = now + delay;
		}
		return 0;
	}
	case PLAN_EXIT_END_SYSTEM:
		supervisor_log_finish(FINISH_TIMEOUT_NS);
		supervisor_say("%s ends the system with status %lld", p->name, (long long)status);
		*end_status = status;
		c->done = true;
		return 1;
	case PLAN_EXIT_LIMIT:
		supervisor_say("%s reached its restart limit (%u)", p->name, p->max_restarts);
		retire(index);
		return 0;
	case PLAN_EXIT_FINAL:
	default:
		retire(index);
		return 0;
	}
}

/* Starts every child whose delayed restart is due; returns ns to the next one, or -1. */
static int64_t due_restarts(void)
{
	uint64_t now = (uint64_t)viper_clock_now();
	int64_t next = -1;

	for (pb_size_t i = 0; i < manifest.processes_count; i++) {
		struct child *c = &children[i];

		if (c->restart_at_ns == 0)
			continue;
		if (c->restart_at_ns <= now) {
			c->restart_at_ns = 0;
			restart_now(i);
			continue;
		}
		if (next < 0 || (int64_t)(c->restart_at_ns - now) < next)
			next = (int64_t)(c->restart_at_ns - now);
	}
	return next;
}

static bool anything_running(void)
{
	for (pb_size_t i = 0; i < manifest.processes_count; i++) {
		if (children[i].process != VIPER_HANDLE_INVALID || children[i].restart_at_ns != 0)
			return true;
	}
	return false;
}

static int64_t supervise(void)
{
	struct viper_poll_event events[PLAN_MAX_PROCESSES];
	int64_t end_status = 0;

	while (anything_running()) {
		int64_t wait = due_restarts();
		int64_t n = viper_poll_wait(poll_set, events, PLAN_MAX_PROCESSES,
					    wait < 0 ? VIPER_TIMEOUT_NONE : wait);

		if (n == VIPER_E_TIMEOUT)
			continue;
		if (n < 0) {
			supervisor_say("poll_wait: %s", plan_error_name(n));
			return 1;
		}
		for (int64_t e = 0; e < n; e++) {
			uint32_t index = (uint32_t)events[e].key;

			if (index >= manifest.processes_count ||
			    children[index].process == VIPER_HANDLE_INVALID)
				continue;
			if (child_exited(index, &end_status))
				return end_status;
		}
	}
	supervisor_say("no process left");
	return 0;
}

int main(const struct viper_startup *startup)
{
	struct plan_error err;
	int64_t r;

	if (plan_decode(viper_manifest, viper_manifest_size, &manifest, &err) < 0) {
		supervisor_say("bad manifest: %s", err.text);
		return 1;
	}
	if (plan_take_startup(&manifest, startup->handles, startup->handle_count, &caps, &err) <
	    0) {
		supervisor_say("startup handles do not match the manifest: %s", err.text);
		return 1;
	}
	if (caps.spawn == VIPER_HANDLE_INVALID) {
		supervisor_say("the kernel gave the root task no spawn capability: it cannot start "
			       "the system's processes");
		return 1;
	}
	if (create_channels() < 0 || create_memories() < 0 || create_dma_regions() < 0)
		return 1;
	r = viper_poll_create();
	if (r < 0) {
		supervisor_say("poll_create: %s", plan_error_name(r));
		return 1;
	}
	poll_set = (viper_handle_t)r;
	supervisor_say("system %s, %u processes", manifest.system,
		       (unsigned)manifest.processes_count);
	if (resolve_devices() < 0) {
		supervisor_say("a process that ends the system cannot start; the system ends "
			       "with status 1");
		return 1;
	}
	for (pb_size_t i = 0; i < manifest.processes_count; i++) {
		if (plan_is_kernel(&manifest.processes[i]))
			continue;
		if (cannot_start[i]) {
			retire(i);
			continue;
		}
		if (start(i) < 0)
			return 1;
	}
	if (manifest.supervisor_log) {
		r = supervisor_log_start(caps.channel_send[manifest.supervisor_log - 1]);
		if (r < 0)
			supervisor_say("supervisor log: %s; messages stay on the console",
				       plan_error_name(r));
	}
	return (int)supervise();
}
