/*
 * supervision_test: checks what clients see when the root task supervises
 * a server of interface faulty (//components/faulty_server) that faults or
 * exits: the call in flight fails with VIPER_E_PEERCLOSED, later calls reach
 * a restarted instance with fresh state, a server that will not run again
 * fails every call promptly, and nothing else is disturbed. See README.md
 * and docs/root-task.md.
 *
 * The instance's name in the system description picks the scenario, which
 * must match the restart policies the description gives (see `scenarios`).
 * Every check logs "<instance>: ok <what>" or "<instance>: FAIL <what>",
 * and the run ends with "<instance>: N passed, M failed".
 */
#include <supervision_test/supervision_test.h>

#include <viper/component.h>

#include "faulty.viper.h"
#include "supervision_test_slots.h"

#define MS_NS 1000000ull

/* A call to a server that is gone must fail at once; this bounds "at once". */
#define PROMPT_NS (2000ull * MS_NS)

/*
 * How long a server busies itself before faulting, so that calls sent
 * meanwhile wait in its queue when it dies.
 */
#define FAULT_DELAY_MS 200u

/* How long the queue checks keep calling before they give up. */
#define QUEUE_DEADLINE_NS (10000ull * MS_NS)

static void check(struct supervision_test *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(struct supervision_test *t, bool ok, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vc_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ok)
		t->passed++;
	else
		t->failed++;
	vc_log("%s: %s %s", t->name, ok ? "ok" : "FAIL", what);
}

/*
 * The queue scenarios (queued_*) call the service from a thread of their
 * own while another scenario makes it fault: their calls must already be
 * going when it does. Each one in this process counts itself at init and
 * again once the service answered it; a faulting scenario waits for them
 * all first, so no fault comes before its partner has started, however
 * late the machine schedules that thread.
 */
static unsigned queue_partners, queue_partners_started;

static bool is_queue_scenario(const char *name)
{
	return vc_strcmp(name, "queued_restart") == 0 || vc_strcmp(name, "queued_final") == 0;
}

/* A queue scenario's first call was answered. */
static void queue_partner_started(void)
{
	__atomic_fetch_add(&queue_partners_started, 1, __ATOMIC_RELEASE);
}

/* Before the first fault: every queue scenario of this process is calling already. */
static void wait_for_queue_partners(struct supervision_test *t)
{
	uint64_t deadline = vc_now_ns() + QUEUE_DEADLINE_NS;

	if (queue_partners == 0)
		return;
	while (__atomic_load_n(&queue_partners_started, __ATOMIC_ACQUIRE) < queue_partners) {
		if (vc_now_ns() > deadline) {
			check(t, false, "the queue scenarios did not start within %llu ms",
			      (unsigned long long)(QUEUE_DEADLINE_NS / MS_NS));
			return;
		}
		vc_sleep(MS_NS);
	}
}

static int32_t ping(struct viper_slot *slot, viper_faulty_PingReply *rep)
{
	viper_faulty_PingRequest req = viper_faulty_PingRequest_init_zero;

	return faulty_ping(slot, &req, rep);
}

static int32_t fault(struct viper_slot *slot, uint32_t delay_ms)
{
	viper_faulty_FaultRequest req = viper_faulty_FaultRequest_init_zero;
	viper_faulty_FaultReply rep;

	req.delay_ms = delay_ms;
	return faulty_fault(slot, &req, &rep);
}

static int32_t exit_with(struct viper_slot *slot, int32_t status)
{
	viper_faulty_ExitRequest req = viper_faulty_ExitRequest_init_zero;
	viper_faulty_ExitReply rep;

	req.status = status;
	return faulty_exit(slot, &req, &rep);
}

/* Echoes 100 bytes (too many for a call in registers); the status, or VIPER_E_CORRUPT. */
static int32_t echo(struct viper_slot *slot)
{
	viper_faulty_EchoRequest req = viper_faulty_EchoRequest_init_zero;
	viper_faulty_EchoReply rep;
	int32_t r;

	req.data.size = 100;
	for (unsigned i = 0; i < req.data.size; i++)
		req.data.bytes[i] = (uint8_t)('a' + i % 26);
	r = faulty_echo(slot, &req, &rep);
	if (r == VIPER_OK && (rep.data.size != req.data.size ||
			      vc_memcmp(rep.data.bytes, req.data.bytes, req.data.size) != 0))
		return VIPER_E_CORRUPT;
	return r;
}

/*
 * The first ping on a connection: answered, by an instance that has
 * answered no ping on it before. Returns the instance's start (0 on error).
 */
static uint64_t expect_first(struct supervision_test *t, struct viper_slot *slot, const char *who)
{
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;
	int32_t r = ping(slot, &rep);

	check(t, r == VIPER_OK && rep.pings == 1, "%s answers (status %d, ping %u)", who, (int)r,
	      (unsigned)rep.pings);
	return r == VIPER_OK ? rep.started_ns : 0;
}

/*
 * The next call after a restart: answered by an instance that started
 * after `previous` and has answered no ping on this connection (its state
 * is fresh). Returns the new instance's start.
 */
static uint64_t expect_restarted(struct supervision_test *t, struct viper_slot *slot,
				 uint64_t previous, const char *what)
{
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;
	int32_t r = ping(slot, &rep);
	bool ok = r == VIPER_OK && rep.started_ns > previous && rep.pings == 1;

	check(t, ok,
	      "%s: the next call reaches a new instance with fresh state (status %d, ping %u)",
	      what, (int)r, (unsigned)rep.pings);
	return r == VIPER_OK ? rep.started_ns : previous;
}

/* A ping of an instance that kept running: the same start, its `pings`th ping on this slot. */
static void expect_unchanged(struct supervision_test *t, struct viper_slot *slot, uint64_t started,
			     uint32_t pings, const char *what)
{
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;
	int32_t r = ping(slot, &rep);

	check(t, r == VIPER_OK && rep.started_ns == started && rep.pings == pings,
	      "%s (status %d, ping %u of %u, same instance: %s)", what, (int)r, (unsigned)rep.pings,
	      (unsigned)pings, rep.started_ns == started ? "yes" : "no");
}

/* A server that will not run again: calls, short and long, fail promptly. */
static void expect_gone(struct supervision_test *t, struct viper_slot *slot, const char *what)
{
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;
	uint64_t start = vc_now_ns();
	int32_t r = ping(slot, &rep);
	int32_t r2 = echo(slot);
	uint64_t took = vc_now_ns() - start;

	check(t, r == VIPER_E_PEERCLOSED && r2 == VIPER_E_PEERCLOSED && took < PROMPT_NS,
	      "%s: calls fail with E_PEERCLOSED at once (status %d and %d, %llu ms)", what, (int)r,
	      (int)r2, (unsigned long long)(took / MS_NS));
}

static void expect_peerclosed(struct supervision_test *t, int32_t r, const char *what)
{
	check(t, r == VIPER_E_PEERCLOSED,
	      "%s: the call in flight fails with E_PEERCLOSED (status %d)", what, (int)r);
}

/*
 * service: ON_FAILURE with at most 3 restarts; second: another server in a
 * process of its own, never touched by the faults.
 */
static void scenario_on_failure(struct supervision_test *t)
{
	uint64_t s, other;

	s = expect_first(t, t->service, "the service");
	check(t, echo(t->service) == VIPER_OK, "a long call to the service");
	other = expect_first(t, t->second, "the second server");

	wait_for_queue_partners(t);
	expect_peerclosed(t, fault(t->service, FAULT_DELAY_MS), "a fault");
	s = expect_restarted(t, t->service, s, "restart 1");
	check(t, echo(t->service) == VIPER_OK, "a long call to the restarted service");

	expect_peerclosed(t, exit_with(t->service, 3), "exit(3)");
	s = expect_restarted(t, t->service, s, "restart 2, after a non-zero exit");

	expect_peerclosed(t, fault(t->service, FAULT_DELAY_MS), "the third fault");
	(void)expect_restarted(t, t->service, s, "restart 3, the last one");

	expect_peerclosed(t, fault(t->service, 0), "a fault with no restart left");
	expect_gone(t, t->service, "out of restarts");
	expect_gone(t, t->service, "still out of restarts");

	expect_unchanged(t, t->second, other, 2, "the second server kept running and its state");
}

/*
 * service: ALWAYS, without a limit; second: ON_FAILURE, in a process of
 * its own.
 */
static void scenario_always(struct supervision_test *t)
{
	uint64_t s, other;

	s = expect_first(t, t->service, "the service");
	other = expect_first(t, t->second, "the second server");

	wait_for_queue_partners(t);
	expect_peerclosed(t, exit_with(t->service, 0), "exit(0)");
	s = expect_restarted(t, t->service, s, "ALWAYS restarts after a clean exit");
	expect_peerclosed(t, exit_with(t->service, 9), "exit(9)");
	s = expect_restarted(t, t->service, s, "ALWAYS restarts after exit(9)");
	expect_peerclosed(t, fault(t->service, 0), "a fault");
	s = expect_restarted(t, t->service, s, "ALWAYS restarts after a fault");
	check(t, echo(t->service) == VIPER_OK, "a long call to the restarted service");

	expect_unchanged(t, t->second, other, 2, "the second server was not disturbed");
	expect_peerclosed(t, exit_with(t->second, 0), "exit(0) of the second server");
	expect_gone(t, t->second, "ON_FAILURE does not restart after a clean exit");

	expect_unchanged(t, t->service, s, 2, "the service was not disturbed");
}

/* service: NEVER; second: co-located with this client (direct calls). */
static void scenario_never(struct supervision_test *t)
{
	uint64_t other;

	(void)expect_first(t, t->service, "the service");
	other = expect_first(t, t->second, "the co-located server");
	check(t, echo(t->second) == VIPER_OK, "a long direct call");

	wait_for_queue_partners(t);
	expect_peerclosed(t, fault(t->service, FAULT_DELAY_MS), "a fault");
	expect_gone(t, t->service, "NEVER: the first fault is final");

	expect_unchanged(t, t->second, other, 2, "the co-located server was not disturbed");
}

/*
 * A second client of a service that restarts: calls it without pause until
 * one of its calls, sent before an instance started, is answered by that
 * instance: the call waited in the queue while the server faulted and was
 * restarted. A call sent after the restart proves nothing: it keeps going
 * until the next restart.
 */
static void scenario_queued_restart(struct supervision_test *t)
{
	uint64_t deadline = vc_now_ns() + QUEUE_DEADLINE_NS;
	uint64_t current = expect_first(t, t->service, "the service");
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;

	queue_partner_started();
	while (current != 0 && vc_now_ns() < deadline) {
		uint64_t sent = vc_now_ns();
		int32_t r = ping(t->service, &rep);

		if (r != VIPER_OK) {
			check(t, false, "a call while the service restarts fails with status %d",
			      (int)r);
			return;
		}
		if (rep.started_ns == current)
			continue;
		if (rep.started_ns > sent) {
			check(t, rep.pings == 1,
			      "a call sent before a restart reached the new instance, with fresh "
			      "state (ping %u)",
			      (unsigned)rep.pings);
			return;
		}
		current = rep.started_ns;
	}
	check(t, false, "no call waited across a restart within %llu ms",
	      (unsigned long long)(QUEUE_DEADLINE_NS / MS_NS));
}

/*
 * A second client of a service that ends for good: calls it without pause;
 * the call that was waiting or sent when the server ended fails with
 * VIPER_E_PEERCLOSED instead of hanging.
 */
static void scenario_queued_final(struct supervision_test *t)
{
	uint64_t deadline = vc_now_ns() + QUEUE_DEADLINE_NS;
	viper_faulty_PingReply rep = viper_faulty_PingReply_init_zero;

	if (expect_first(t, t->service, "the service") == 0)
		return;
	queue_partner_started();
	while (vc_now_ns() < deadline) {
		int32_t r = ping(t->service, &rep);

		if (r != VIPER_OK) {
			check(t, r == VIPER_E_PEERCLOSED,
			      "calls fail with E_PEERCLOSED once the service is gone (status %d)",
			      (int)r);
			return;
		}
	}
	check(t, false, "the service did not go within %llu ms",
	      (unsigned long long)(QUEUE_DEADLINE_NS / MS_NS));
}

static const struct scenario {
	const char *name;
	void (*run)(struct supervision_test *t);
} scenarios[] = {
	{"on_failure", scenario_on_failure},
	{"always", scenario_always},
	{"never", scenario_never},
	{"queued_restart", scenario_queued_restart},
	{"queued_final", scenario_queued_final},
};

static int32_t test_init(void *state, const struct viper_instance_env *env)
{
	struct supervision_test *t = state;

	if (env->slot_count != SUPERVISION_TEST_SLOT_COUNT)
		return VIPER_E_INVAL;
	t->name = env->name;
	t->service = env->slots[SUPERVISION_TEST_SLOT_SERVICE];
	t->second = env->slots[SUPERVISION_TEST_SLOT_SECOND];
	if (is_queue_scenario(t->name))
		queue_partners++; /* every instance's init runs before any run thread */
	return VIPER_OK;
}

static int32_t test_run(void *state)
{
	struct supervision_test *t = state;
	const struct scenario *scenario = NULL;

	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (vc_strcmp(scenarios[i].name, t->name) == 0)
			scenario = &scenarios[i];
	}
	t->passed = 0;
	t->failed = 0;
	if (scenario)
		scenario->run(t);
	else
		check(t, false, "no scenario is named '%s'", t->name);
	vc_log("%s: %u passed, %u failed", t->name, t->passed, t->failed);
	return t->failed == 0 ? 0 : 1;
}

VIPER_COMPONENT(supervision_test) = {
	.name = "supervision_test",
	.state_size = sizeof(struct supervision_test),
	.slot_count = SUPERVISION_TEST_SLOT_COUNT,
	.init = test_init,
	.run = test_run,
};
