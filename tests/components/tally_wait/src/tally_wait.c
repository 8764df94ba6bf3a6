/*
 * tally_wait: reads the tally in its slot until some client said Done, then
 * prints what it read and ends (see README.md).
 */
#include <viper/component.h>

#include "tally.viper.h"
#include "tally_wait_slots.h"

#define WAIT_NS (30ull * 1000 * 1000 * 1000)

struct tally_wait {
	struct viper_slot *tally;
};

static int32_t tally_wait_init(void *state, const struct viper_instance_env *env)
{
	struct tally_wait *w = state;

	if (env->slot_count != TALLY_WAIT_SLOT_COUNT)
		return VIPER_E_INVAL;
	w->tally = env->slots[TALLY_WAIT_SLOT_TALLY];
	return VIPER_OK;
}

static int32_t tally_wait_run(void *state)
{
	struct tally_wait *w = state;
	viper_tally_ReadRequest req = viper_tally_ReadRequest_init_default;
	viper_tally_ReadReply read;
	uint64_t deadline = vc_now_ns() + WAIT_NS;
	int32_t r;

	while ((r = tally_read(w->tally, &req, &read)) == VIPER_OK && read.done == 0) {
		if (vc_now_ns() > deadline) {
			vc_log("tally_wait: FAIL nobody was done within 30 s");
			return VIPER_E_TIMEOUT;
		}
		vc_yield();
	}
	if (r != VIPER_OK) {
		vc_log("tally_wait: FAIL Read: %d", (int)r);
		return r;
	}
	vc_log("tally_wait: %u done, total %llu", read.done, (unsigned long long)read.total);
	return VIPER_OK;
}

VIPER_COMPONENT(tally_wait) = {
	.name = "tally_wait",
	.state_size = sizeof(struct tally_wait),
	.slot_count = TALLY_WAIT_SLOT_COUNT,
	.init = tally_wait_init,
	.run = tally_wait_run,
};
