/* sysinfo: see include/sysinfo/sysinfo.h and README.md. */
#include <sysinfo/sysinfo.h>

#include <viper/component.h>

_Static_assert(sizeof(((viper_sysinfo_HandlesReply *)0)->handles) /
			       sizeof(((viper_sysinfo_HandlesReply *)0)->handles[0]) ==
		       SYSINFO_HANDLES_PER_REPLY,
	       "HandlesReply holds SYSINFO_HANDLES_PER_REPLY handles");

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static int32_t info_summary(void *self, struct viper_rpc_context *ctx,
			    const viper_sysinfo_SummaryRequest *req,
			    viper_sysinfo_SummaryReply *rep)
{
	struct sysinfo_state *s = self;
	struct viper_system_info info;
	(void)ctx;
	(void)req;

	vc_memset(&info, 0, sizeof(info));
	int32_t r = vc_system_info(s->system, &info);
	if (r < 0)
		return r;
	rep->uptime_ns = info.uptime_ns;
	rep->memory_total = info.memory_total_bytes;
	rep->memory_free = info.memory_free_bytes;
	rep->memory_promised = info.memory_promised_bytes;
	rep->programs_kept = info.program_cache_images;
	rep->programs_kept_bytes = info.program_cache_bytes;
	rep->processes = info.processes;
	rep->threads = info.threads;
	rep->cpus = info.cpus;
	return VIPER_OK;
}

static int32_t info_process(void *self, struct viper_rpc_context *ctx,
			    const viper_sysinfo_ProcessRequest *req,
			    viper_sysinfo_ProcessReply *rep)
{
	struct sysinfo_state *s = self;
	uint32_t total = 0;
	(void)ctx;

	/* Only as far as the index: a walk over all processes costs one list each. */
	uint32_t want = req->index < SYSINFO_PROCESSES_MAX ? req->index + 1 : SYSINFO_PROCESSES_MAX;
	int32_t r = vc_system_processes(s->system, s->processes, want, &total);
	if (r < 0)
		return r;
	if (req->index >= total)
		return VIPER_E_NOTFOUND;
	if (req->index >= min_u32(total, SYSINFO_PROCESSES_MAX))
		return VIPER_E_RANGE; /* it exists, past what the buffer holds */
	const struct viper_process_entry *p = &s->processes[req->index];
	rep->id = p->koid;
	rep->parent = p->parent_koid;
	/* The kernel terminates the name; a bound keeps a bad one from overrunning. */
	for (uint32_t i = 0; i < sizeof(rep->name) - 1 && p->name[i] != '\0'; i++)
		rep->name[i] = p->name[i];
	rep->priority = p->priority;
	rep->exited = p->state == VIPER_PROCESS_EXITED;
	rep->memory_bytes = p->usage.memory_bytes;
	rep->kernel_bytes = p->usage.kernel_bytes;
	rep->handles = p->usage.handles;
	rep->threads = p->usage.threads;
	rep->memory_limit_kib = p->usage.limits.memory_kib;
	rep->handle_limit = p->usage.limits.handles;
	rep->thread_limit = p->usage.limits.threads;
	rep->total = total;
	return VIPER_OK;
}

static int32_t info_handles(void *self, struct viper_rpc_context *ctx,
			    const viper_sysinfo_HandlesRequest *req,
			    viper_sysinfo_HandlesReply *rep)
{
	struct sysinfo_state *s = self;
	uint32_t total = 0;
	(void)ctx;

	/* The kernel lists from the first handle: fetch up to the last one wanted. */
	uint32_t start = min_u32(req->start, SYSINFO_HANDLES_MAX);
	uint32_t want = min_u32(start + SYSINFO_HANDLES_PER_REPLY, SYSINFO_HANDLES_MAX);
	int32_t r = vc_system_handles(s->system, req->process, s->handles, want, &total);
	if (r < 0)
		return r;
	uint32_t end = min_u32(total, want);
	for (uint32_t i = start; i < end; i++) {
		viper_sysinfo_Handle *h = &rep->handles[rep->handles_count++];
		h->handle = s->handles[i].handle;
		h->kind = s->handles[i].kind;
		h->rights = s->handles[i].rights;
		h->object = s->handles[i].koid;
	}
	rep->total = total;
	return VIPER_OK;
}

static int32_t info_stop(void *self, struct viper_rpc_context *ctx,
			 const viper_sysinfo_StopRequest *req, viper_sysinfo_StopReply *rep)
{
	struct sysinfo_state *s = self;
	(void)ctx;
	(void)rep;

	int32_t r = vc_system_kill(s->system, req->process);
	return r < 0 ? r : VIPER_OK; /* the kernel's refusal, unchanged */
}

const struct sysinfo_server sysinfo_component_server = {
	.summary = info_summary,
	.process = info_process,
	.handles = info_handles,
	.stop = info_stop,
};

static int32_t sysinfo_init(void *state, const struct viper_instance_env *env)
{
	struct sysinfo_state *s = state;

	if (env->system == VIPER_HANDLE_INVALID) {
		vc_log("%s: no system capability granted: the system description must grant "
		       "it to this instance",
		       env->name);
		return VIPER_E_INVAL;
	}
	s->system = env->system;
	return VIPER_OK;
}

VIPER_COMPONENT(sysinfo) = {
	.name = "sysinfo",
	.state_size = sizeof(struct sysinfo_state),
	.init = sysinfo_init,
	.provides = {{.interface = &sysinfo_interface, .ops = &sysinfo_component_server}},
	.provide_count = 1,
};
