/*
 * entropy_check: asks the entropy provider in its slot for random bytes and
 * checks the answers: each Read gives the length asked for, the bytes are
 * not all zero and differ from Read to Read, and lengths out of range are
 * refused. Prints "entropy_check: N passed, M failed".
 */
#include <viper/component.h>

#include "entropy.viper.h"
#include "entropy_check_slots.h"

#define READS 4

struct entropy_check {
	struct viper_slot *entropy;
	unsigned passed, failed;
};

static void check(struct entropy_check *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("entropy_check: FAIL %s", what);
	}
}

static int32_t entropy_check_init(void *state, const struct viper_instance_env *env)
{
	struct entropy_check *c = state;

	if (env->slot_count != ENTROPY_CHECK_SLOT_COUNT)
		return VIPER_E_INVAL;
	c->entropy = env->slots[ENTROPY_CHECK_SLOT_ENTROPY];
	return VIPER_OK;
}

static bool all_zero(const viper_entropy_ReadReply *r)
{
	for (pb_size_t i = 0; i < r->data.size; i++) {
		if (r->data.bytes[i] != 0)
			return false;
	}
	return true;
}

static int32_t entropy_check_run(void *state)
{
	struct entropy_check *c = state;
	viper_entropy_ReadRequest req = {64};
	viper_entropy_ReadReply reps[READS];
	bool answered = true, sized = true, nonzero = true, distinct = true;

	for (int i = 0; i < READS; i++) {
		answered &= entropy_read(c->entropy, &req, &reps[i]) == VIPER_OK;
		sized &= reps[i].data.size == 64;
		nonzero &= !all_zero(&reps[i]);
		for (int j = 0; j < i; j++)
			distinct &= vc_memcmp(reps[i].data.bytes, reps[j].data.bytes, 64) != 0;
	}
	check(c, answered, "every Read answers");
	check(c, sized, "each gives the 64 bytes asked for");
	check(c, nonzero, "none is all zero");
	check(c, distinct, "no two are the same");
	req.length = 1;
	check(c, entropy_read(c->entropy, &req, &reps[0]) == VIPER_OK && reps[0].data.size == 1,
	      "one byte");
	req.length = 0;
	check(c, entropy_read(c->entropy, &req, &reps[0]) == VIPER_E_RANGE, "0 bytes is refused");
	req.length = 65;
	check(c, entropy_read(c->entropy, &req, &reps[0]) == VIPER_E_RANGE, "65 bytes is refused");
	vc_log("entropy_check: %02x%02x%02x%02x...", reps[1].data.bytes[0], reps[1].data.bytes[1],
	       reps[1].data.bytes[2], reps[1].data.bytes[3]);
	vc_log("entropy_check: %u passed, %u failed", c->passed, c->failed);
	return c->failed == 0 ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(entropy_check) = {
	.name = "entropy_check",
	.state_size = sizeof(struct entropy_check),
	.slot_count = ENTROPY_CHECK_SLOT_COUNT,
	.init = entropy_check_init,
	.run = entropy_check_run,
};
