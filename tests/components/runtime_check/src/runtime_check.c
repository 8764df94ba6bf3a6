/*
 * runtime_check: the component runtime's heap, IRQ, notification,
 * handle-list and system calls, and the spawn capability its description
 * grants, checked in the placement the instance runs in (see README.md).
 * Prints "runtime_check: N passed, M failed".
 */
#include <viper/component.h>

#include "runtime_check_slots.h"
#include "tally.viper.h"

/* PL031 registers: data, match, interrupt mask, interrupt clear. */
enum { RTC_DR = 0x00, RTC_MR = 0x04, RTC_IMSC = 0x10, RTC_ICR = 0x1c };

#define MS	   (1000ull * 1000)
#define MAX_LISTED 64
#define BIG_BLOCKS 6
#define BIG_BLOCK  (24u * 1024u)

struct runtime_check {
	struct viper_slot *report;
	const struct viper_device *rtc;
	viper_handle_t system;
	viper_handle_t spawn;
	viper_handle_t early_send, early_recv; /* made and notified in init */
	int32_t early_result;
	unsigned passed, failed;
	struct viper_handle_entry listed[MAX_LISTED];
};

static void check(struct runtime_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("runtime_check: FAIL %s", what);
	}
}

static int32_t runtime_check_init(void *state, const struct viper_instance_env *env)
{
	struct runtime_check *c = state;

	if (env->slot_count != RUNTIME_CHECK_SLOT_COUNT ||
	    env->device_count <= RUNTIME_CHECK_DEVICE_RTC)
		return VIPER_E_INVAL;
	c->report = env->slots[RUNTIME_CHECK_SLOT_REPORT];
	c->rtc = &env->devices[RUNTIME_CHECK_DEVICE_RTC];
	c->system = env->system;
	c->spawn = env->spawn;
	/* In the kernel, init runs under the big lock: these must not need a system call. */
	c->early_result = vc_channel_create(&c->early_send, &c->early_recv);
	if (c->early_result == VIPER_OK)
		c->early_result = vc_notify(c->early_send, 0x42);
	return VIPER_OK;
}

static void check_handles(struct runtime_check *c)
{
	uint32_t total = 0, again = 0;
	bool irq_listed = false;

	check(c, c->rtc->irq != VIPER_HANDLE_INVALID && c->rtc->irq_line == 34,
	      "the device comes with its IRQ line (34) as a handle");
	check(c,
	      vc_handle_list(c->listed, MAX_LISTED, &total) == VIPER_OK && total > 0 &&
		      total <= MAX_LISTED,
	      "vc_handle_list lists the instance's process's handles");
	for (uint32_t i = 0; i < total && i < MAX_LISTED; i++) {
		const struct viper_handle_entry *e = &c->listed[i];
		if (e->handle == c->rtc->irq)
			irq_listed = e->kind == VIPER_OBJ_IRQ && (e->rights & VIPER_RIGHT_IRQ);
	}
	check(c, irq_listed, "the IRQ handle is listed as an IRQ line with the IRQ right");
	check(c,
	      vc_handle_list(NULL, 0, &again) == VIPER_OK && again == total &&
		      vc_handle_list(c->listed, VIPER_HANDLES_MAX + 1, &again) == VIPER_E_INVAL &&
		      again == 0,
	      "vc_handle_list counts without a buffer and refuses max over 256");
}

/*
 * Blocks bigger than a process heap's first region, so it grows (in the
 * kernel they come from kmalloc): zeroed, aligned, disjoint and writable.
 */
static void check_heap(struct runtime_check *c)
{
	uint8_t *blocks[BIG_BLOCKS];
	bool zeroed = true, kept = true, all = true;

	for (unsigned i = 0; i < BIG_BLOCKS; i++) {
		blocks[i] = vc_alloc(BIG_BLOCK);
		if (!blocks[i] || (uintptr_t)blocks[i] % 16) {
			all = false;
			continue;
		}
		for (unsigned j = 0; j < BIG_BLOCK; j++)
			zeroed = zeroed && blocks[i][j] == 0;
		vc_memset(blocks[i], (int)(0xa0 + i), BIG_BLOCK);
	}
	check(c, all, "vc_alloc hands out six 24 KiB blocks, 16-byte aligned");
	check(c, zeroed, "the blocks come zeroed");
	for (unsigned i = 0; i < BIG_BLOCKS && all; i++) {
		for (unsigned j = 0; j < BIG_BLOCK; j++)
			kept = kept && blocks[i][j] == (uint8_t)(0xa0 + i);
	}
	check(c, all && kept, "the blocks are disjoint: each keeps its own bytes");
	for (unsigned i = 0; i < BIG_BLOCKS; i++)
		vc_free(blocks[i]);
	blocks[0] = vc_alloc(BIG_BLOCK);
	check(c, blocks[0] != NULL && blocks[0][0] == 0 && blocks[0][BIG_BLOCK - 1] == 0,
	      "freed memory is handed out again, zeroed");
	vc_free(blocks[0]);
}

static void check_system(struct runtime_check *c)
{
	struct viper_system_info info;
	uint32_t total = 1;

	/* No description grants it yet: every call says so. */
	check(c, c->system == VIPER_HANDLE_INVALID, "no system capability without a grant");
	check(c,
	      vc_system_info(c->system, &info) == VIPER_E_BADHANDLE &&
		      vc_system_processes(c->system, NULL, 0, &total) == VIPER_E_BADHANDLE &&
		      total == 0 &&
		      vc_system_handles(c->system, 1, NULL, 0, &total) == VIPER_E_BADHANDLE &&
		      vc_system_kill(c->system, 1) == VIPER_E_BADHANDLE,
	      "the system calls refuse a missing system handle");
	check(c, vc_system_info(c->rtc->irq, &info) == VIPER_E_KIND,
	      "the system calls refuse a handle of another kind");
}

/*
 * The description grants spawn: true: the handle is the spawn capability
 * with exec, never derive (the root task adds transfer, which moving a
 * handle into a process needs; the kernel's component host does not).
 */
static void check_spawn(struct runtime_check *c)
{
	uint32_t total = 0, spawns = 0;
	bool found = false;

	check(c,
	      c->spawn != VIPER_HANDLE_INVALID &&
		      vc_handle_list(c->listed, MAX_LISTED, &total) == VIPER_OK,
	      "spawn: true gives the instance a spawn handle");
	for (uint32_t i = 0; i < total && i < MAX_LISTED; i++) {
		const struct viper_handle_entry *e = &c->listed[i];
		spawns += e->kind == VIPER_OBJ_SPAWN;
		if (e->handle == c->spawn)
			found = e->kind == VIPER_OBJ_SPAWN &&
				(e->rights & ~(uint32_t)VIPER_RIGHT_TRANSFER) == VIPER_RIGHT_EXEC;
	}
	check(c, found && spawns == 1,
	      "it is the spawn capability with exec and no derive, the only one its process "
	      "holds");
}

static void check_notifications(struct runtime_check *c)
{
	viper_handle_t s, r;
	uint32_t before = 0, after = 0;
	uint64_t t0;

	check(c,
	      c->early_result == VIPER_OK &&
		      vc_notified_wait(c->early_recv, VIPER_TIMEOUT_NONE) == 0x42,
	      "bits notified in init are taken in run");
	vc_handle_close(c->early_send);
	vc_handle_close(c->early_recv);
	(void)vc_handle_list(NULL, 0, &before);
	check(c, vc_channel_create(&s, &r) == VIPER_OK, "vc_channel_create makes both ends");
	check(c,
	      vc_notify(s, 0x5) == VIPER_OK && vc_notify(s, 0x100) == VIPER_OK &&
		      vc_notified_wait(r, VIPER_TIMEOUT_NONE) == 0x105 &&
		      vc_notified_wait(r, VIPER_TIMEOUT_POLL) == VIPER_E_TIMEOUT,
	      "pending bits are taken at once, all together");
	t0 = vc_now_ns();
	check(c, vc_notified_wait(r, 20 * MS) == VIPER_E_TIMEOUT && vc_now_ns() - t0 >= 20 * MS,
	      "a wait without bits times out, not earlier");
	check(c,
	      vc_notify(s, 0) == VIPER_E_INVAL && vc_notify(s, 1ull << 63) == VIPER_E_INVAL &&
		      vc_notify(r, 1) == VIPER_E_KIND && vc_notified_wait(s, 0) == VIPER_E_KIND,
	      "bad bits and wrong ends are refused");
	check(c,
	      vc_notify(s, 0x8) == VIPER_OK && vc_handle_close(s) == VIPER_OK &&
		      vc_notified_wait(r, VIPER_TIMEOUT_NONE) == 0x8 &&
		      vc_notified_wait(r, VIPER_TIMEOUT_NONE) == VIPER_E_PEERCLOSED,
	      "bits sent before the send end closed come first, then E_PEERCLOSED");
	vc_handle_close(r);
	check(c,
	      vc_channel_create(&s, &r) == VIPER_OK && vc_handle_close(r) == VIPER_OK &&
		      vc_notify(s, 1) == VIPER_E_PEERCLOSED && vc_handle_close(s) == VIPER_OK,
	      "notifying a closed receive end fails");
	(void)vc_handle_list(NULL, 0, &after);
	check(c, after == before, "the waits leave no handle behind");
}

static void check_irq(struct runtime_check *c)
{
	volatile uint32_t *rtc = (volatile uint32_t *)c->rtc->regs;
	uint32_t now;

	check(c, vc_irq_wait(c->rtc->irq, 0) == VIPER_E_TIMEOUT,
	      "no interrupt is pending before the RTC is armed");
	now = rtc[RTC_DR / 4];
	rtc[RTC_ICR / 4] = 1;
	rtc[RTC_MR / 4] = now + 1;
	rtc[RTC_IMSC / 4] = 1;
	check(c, vc_irq_wait(c->rtc->irq, 3000 * MS) == VIPER_OK && rtc[RTC_DR / 4] >= now + 1,
	      "the RTC's match interrupt arrives through vc_irq_wait");
	rtc[RTC_IMSC / 4] = 0;
	rtc[RTC_ICR / 4] = 1;
	check(c,
	      vc_irq_ack(c->rtc->irq) == VIPER_OK &&
		      vc_irq_wait(c->rtc->irq, 10 * MS) == VIPER_E_TIMEOUT,
	      "once acknowledged, the line waits for the next interrupt");
	check(c, vc_irq_ack(VIPER_HANDLE_INVALID) == VIPER_E_BADHANDLE,
	      "vc_irq_ack refuses a bad handle");
}

static int32_t runtime_check_run(void *state)
{
	struct runtime_check *c = state;
	viper_tally_AddRequest add;
	viper_tally_AddReply added;
	viper_tally_DoneRequest done = viper_tally_DoneRequest_init_default;
	viper_tally_DoneReply done_rep;

	check_heap(c);
	check_handles(c);
	check_system(c);
	check_spawn(c);
	check_notifications(c);
	check_irq(c);
	vc_log("runtime_check: %u passed, %u failed", c->passed, c->failed);
	add.amount = c->passed;
	if (tally_add(c->report, &add, &added) != VIPER_OK || added.total < c->passed ||
	    tally_done(c->report, &done, &done_rep) != VIPER_OK)
		vc_log("runtime_check: FAIL reporting to the tally");
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(runtime_check) = {
	.name = "runtime_check",
	.state_size = sizeof(struct runtime_check),
	.slot_count = RUNTIME_CHECK_SLOT_COUNT,
	.init = runtime_check_init,
	.run = runtime_check_run,
};
