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
 * Starts manifest process `index` with freshly derived grants. Returns 0,
 * or -1 after saying why; the root's originals are untouched either way.
 */
static int start(uint32_t index)
{
	const viper_manifest_Process *p = &manifest.processes[index];
	struct plan_grant_handle plan[PLAN_MAX_GRANTS];
	viper_handle_t handles[PLAN_MAX_GRANTS];
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
			       p->name, p->memory_kib, p->handles, (unsigned)made);
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
	if (create_channels() < 0 || create_memories() < 0)
		return 1;
	r = viper_poll_create();
	if (r < 0) {
		supervisor_say("poll_create: %s", plan_error_name(r));
		return 1;
	}
	poll_set = (viper_handle_t)r;
	supervisor_say("system %s, %u processes", manifest.system,
		       (unsigned)manifest.processes_count);
	for (pb_size_t i = 0; i < manifest.processes_count; i++) {
		if (plan_is_kernel(&manifest.processes[i]))
			continue;
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
