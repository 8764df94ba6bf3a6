/*
 * The host harness of an assembled system (viper/host_system.h): the
 * manifest's wiring, done with the host transport.
 */
#include <viper/host_system.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <viper/component.h>
#include <viper/host_transport.h>

#include "root/plan.h"

#define HOST_SYSTEM_SLOT_MAX	64u /* slots of every instance together */
#define HOST_SYSTEM_FAKE_SYSTEM 0x50000001u

struct host_instance {
	const viper_manifest_Process *process;
	const viper_manifest_Instance *record;
	const struct viper_component *component;
	void *state;
	struct viper_instance_env env;
	struct viper_slot *slots; /* env.slots point here */
	pthread_t thread;
	bool running;
	int32_t run_status;
};

struct viper_host_system {
	viper_manifest_Manifest manifest;
	struct host_instance *instances;
	unsigned count;
	struct viper_entry_lock *locks; /* one per instance, for direct calls */
};

static struct host_instance *find(struct viper_host_system *s, const char *name)
{
	for (unsigned i = 0; i < s->count; i++) {
		if (strcmp(s->instances[i].record->name, name) == 0)
			return &s->instances[i];
	}
	return NULL;
}

/* The provider of manifest channel `c`: the instance it names. */
static struct host_instance *provider_of(struct viper_host_system *s, uint32_t c)
{
	return c < s->manifest.channels_count ? find(s, s->manifest.channels[c].provider) : NULL;
}

static int fail(char *why, size_t size, const char *fmt, const char *a, const char *b)
{
	snprintf(why, size, fmt, a, b);
	return -1;
}

/* Slot `k` of instance `in`: a host channel to another process's provider, or a direct call. */
static int bind_slot(struct viper_host_system *s, struct host_instance *in, pb_size_t k, char *why,
		     size_t size)
{
	const viper_manifest_Slot *sl = &in->record->slots[k];
	struct host_instance *peer;
	const struct viper_provided *p;

	if (sl->grant)
		peer = provider_of(s, in->process->grants[sl->grant - 1].channel);
	else
		peer = find(s, in->process->instances[sl->local - 1].name);
	p = peer ? viper_component_provided(peer->component, sl->interface_id) : NULL;
	if (!p)
		return fail(why, size, "slot '%s' of instance '%s' has no provider on the host",
			    sl->name, in->record->name);
	in->env.slots[k] = &in->slots[k];
	if (!sl->grant) {
		viper_host_bind_direct(&in->slots[k], p->interface, p->ops, peer->state);
		in->slots[k].peer_lock = &s->locks[peer - s->instances];
		return 0;
	}
	viper_handle_t ch = viper_host_serve(p->interface, p->ops, peer->state);
	if (ch == VIPER_HANDLE_INVALID)
		return fail(why, size, "no host channel left for slot '%s' of instance '%s'",
			    sl->name, in->record->name);
	viper_host_bind_remote(&in->slots[k], p->interface, ch);
	return 0;
}

/* Every instance found and given state and session limits, in manifest order. */
static int make_instances(struct viper_host_system *s, char *why, size_t size)
{
	const viper_manifest_Manifest *m = &s->manifest;

	for (pb_size_t p = 0; p < m->processes_count; p++) {
		for (pb_size_t i = 0; i < m->processes[p].instances_count; i++) {
			struct host_instance *in = &s->instances[s->count++];

			in->process = &m->processes[p];
			in->record = &m->processes[p].instances[i];
			in->component = viper_component_find(in->record->component);
			if (!in->component)
				return fail(why, size,
					    "component %s of instance %s is not linked in",
					    in->record->component, in->record->name);
			in->state =
				vc_alloc(in->component->state_size ? in->component->state_size : 1);
			in->slots = calloc(VIPER_COMPONENT_MAX_SLOTS, sizeof(*in->slots));
			if (!in->state || !in->slots)
				return fail(why, size, "no memory for instance %s%s",
					    in->record->name, "");
			in->env.name = in->record->name;
			in->env.slot_count = in->record->slots_count;
			for (pb_size_t p = 0;
			     p < in->record->params_count && p < VIPER_COMPONENT_MAX_PARAMS; p++)
				in->env.params[in->env.param_count++] = in->record->params[p];
			in->env.system =
				in->record->system ? HOST_SYSTEM_FAKE_SYSTEM : VIPER_HANDLE_INVALID;
			in->run_status = -1;
			if (in->record->sessions_max &&
			    viper_host_sessions(in->state, in->record->sessions_max,
						in->record->sessions_per_client) < 0)
				return fail(why, size, "too many instances with sessions (%s)%s",
					    in->record->name, "");
		}
	}
	return 0;
}

static unsigned instance_total(const viper_manifest_Manifest *m)
{
	unsigned n = 0;

	for (pb_size_t p = 0; p < m->processes_count; p++)
		n += m->processes[p].instances_count;
	return n;
}

static int build(struct viper_host_system *s, char *why, size_t size)
{
	unsigned total = instance_total(&s->manifest);

	s->instances = calloc(total ? total : 1, sizeof(*s->instances));
	s->locks = calloc(total ? total : 1, sizeof(*s->locks));
	if (!s->instances || !s->locks)
		return fail(why, size, "no memory%s%s", "", "");
	if (make_instances(s, why, size) < 0)
		return -1;
	for (unsigned i = 0; i < s->count; i++) {
		struct host_instance *in = &s->instances[i];

		for (pb_size_t k = 0; k < in->record->slots_count; k++) {
			if (bind_slot(s, in, k, why, size) < 0)
				return -1;
		}
	}
	for (unsigned i = 0; i < s->count; i++) {
		struct host_instance *in = &s->instances[i];
		int32_t r = in->component->init ? in->component->init(in->state, &in->env) : 0;

		if (r < 0)
			return fail(why, size, "instance %s failed to start (init %s)",
				    in->record->name,
				    r == VIPER_E_UNSUPPORTED ? "unsupported" : "error");
	}
	return 0;
}

struct viper_host_system *viper_host_system_start(const uint8_t *manifest, size_t size, char *why,
						  size_t why_size)
{
	struct viper_host_system *s = calloc(1, sizeof(*s));
	struct plan_error err;

	if (!s) {
		snprintf(why, why_size, "no memory");
		return NULL;
	}
	viper_host_reset();
	if (plan_decode(manifest, size, &s->manifest, &err) < 0) {
		snprintf(why, why_size, "bad manifest: %s", err.text);
		viper_host_system_stop(s);
		return NULL;
	}
	if (build(s, why, why_size) < 0) {
		viper_host_system_stop(s);
		return NULL;
	}
	return s;
}

static void *run_thread(void *arg)
{
	struct host_instance *in = arg;

	in->run_status = in->component->run(in->state);
	return NULL;
}

int viper_host_system_run(struct viper_host_system *s)
{
	int failed = 0;

	for (unsigned i = 0; i < s->count; i++) {
		struct host_instance *in = &s->instances[i];

		in->running = in->component->run &&
			      pthread_create(&in->thread, NULL, run_thread, in) == 0;
		failed += in->component->run && !in->running;
	}
	for (unsigned i = 0; i < s->count; i++) {
		struct host_instance *in = &s->instances[i];

		if (!in->running)
			continue;
		pthread_join(in->thread, NULL);
		in->running = false;
		failed += in->run_status != 0;
	}
	return failed;
}

void *viper_host_system_state(struct viper_host_system *s, const char *name)
{
	struct host_instance *in = find(s, name);

	return in ? in->state : NULL;
}

int32_t viper_host_system_run_status(struct viper_host_system *s, const char *name)
{
	struct host_instance *in = find(s, name);

	return in ? in->run_status : -1;
}

void viper_host_system_stop(struct viper_host_system *s)
{
	if (!s)
		return;
	for (unsigned i = 0; s->instances && i < s->count; i++) {
		vc_free(s->instances[i].state);
		free(s->instances[i].slots);
	}
	free(s->instances);
	free(s->locks);
	free(s);
	viper_host_reset();
}
