/*
 * stack_overflow: recurses until its kernel stack overflows, to show the
 * guard page and the overflow report (see README.md).
 */
#include <viper/component.h>

#include "stack_overflow_slots.h"
#include "tally.viper.h"

struct stack_overflow {
	struct viper_slot *report;
};

static volatile unsigned deepest;
/* How deep to go: far more than 16 KiB of 512-byte frames (a volatile the compiler cannot see). */
static volatile unsigned limit = 1000000;

/* One level of 512 bytes; the sum keeps the compiler from making it a loop. */
static __attribute__((noinline)) unsigned dive(unsigned depth)
{
	volatile uint8_t frame[512];

	frame[0] = (uint8_t)depth;
	frame[sizeof(frame) - 1] = (uint8_t)depth;
	deepest = depth;
	if (depth >= limit)
		return 0;
	return dive(depth + 1) + frame[0] + frame[sizeof(frame) - 1];
}

static int32_t stack_overflow_init(void *state, const struct viper_instance_env *env)
{
	struct stack_overflow *s = state;

	if (env->slot_count != STACK_OVERFLOW_SLOT_COUNT)
		return VIPER_E_INVAL;
	s->report = env->slots[STACK_OVERFLOW_SLOT_REPORT];
	return VIPER_OK;
}

static int32_t stack_overflow_run(void *state)
{
	struct stack_overflow *s = state;
	viper_tally_AddRequest req = viper_tally_AddRequest_init_zero;
	viper_tally_AddReply rep;

	vc_log("stack_overflow: recursing until the kernel stack overflows");
	req.amount = dive(0);
	/* Not reached: the kernel reports the overflow and stops. */
	vc_log("stack_overflow: FAIL came back from %u levels", deepest);
	return tally_add(s->report, &req, &rep);
}

VIPER_COMPONENT(stack_overflow) = {
	.name = "stack_overflow",
	.state_size = sizeof(struct stack_overflow),
	.slot_count = STACK_OVERFLOW_SLOT_COUNT,
	.init = stack_overflow_init,
	.run = stack_overflow_run,
};
