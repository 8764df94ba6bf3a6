/*
 * tally_client: one of TALLY_CLIENTS clients adding to one tally provider at
 * once (see README.md). After its Adds it waits for the others, then checks
 * that no update was lost and no two calls were ever inside the provider
 * together, prints "tally_client NAME: N passed, M failed", and waits again
 * so every client has printed before the system ends.
 */
#include <viper/component.h>

#include "tally.viper.h"
#include "tally_client_slots.h"

#define TALLY_CLIENTS 2
#define TALLY_ADDS    200
#define WAIT_NS	      (20ull * 1000 * 1000 * 1000)

struct tally_client {
	struct viper_slot *counter;
	const char *name;
	unsigned passed, failed;
};

static void check(struct tally_client *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		vc_log("tally_client %s: FAIL %s", c->name, what);
	}
}

/* Says this client is done with a phase and waits for all to be: the total read then. */
static int32_t meet(struct tally_client *c, uint32_t phase, viper_tally_ReadReply *read)
{
	viper_tally_DoneRequest done = viper_tally_DoneRequest_init_default;
	viper_tally_DoneReply done_rep;
	viper_tally_ReadRequest req = viper_tally_ReadRequest_init_default;
	uint64_t deadline = vc_now_ns() + WAIT_NS;
	int32_t r = tally_done(c->counter, &done, &done_rep);

	while (r >= 0) {
		r = tally_read(c->counter, &req, read);
		if (r < 0 || read->done >= phase * TALLY_CLIENTS)
			break;
		if (vc_now_ns() > deadline)
			return VIPER_E_TIMEOUT;
		vc_yield();
	}
	return r;
}

static int32_t tally_client_init(void *state, const struct viper_instance_env *env)
{
	struct tally_client *c = state;

	if (env->slot_count != TALLY_CLIENT_SLOT_COUNT)
		return VIPER_E_INVAL;
	c->counter = env->slots[TALLY_CLIENT_SLOT_COUNTER];
	c->name = env->name;
	return VIPER_OK;
}

static int32_t tally_client_run(void *state)
{
	struct tally_client *c = state;
	viper_tally_AddRequest add = {.amount = 1};
	viper_tally_AddReply added;
	viper_tally_ReadReply read;
	uint64_t last = 0;
	bool calls_ok = true, increasing = true;

	for (int i = 0; i < TALLY_ADDS; i++) {
		if (tally_add(c->counter, &add, &added) < 0)
			calls_ok = false;
		else if (added.total <= last)
			increasing = false;
		last = added.total;
	}
	check(c, calls_ok, "every Add succeeds");
	check(c, increasing, "the totals this client sees only grow");
	int32_t r = meet(c, 1, &read);
	check(c, r == VIPER_OK, "every client finishes its Adds");
	check(c, r == VIPER_OK && read.total == (uint64_t)TALLY_ADDS * TALLY_CLIENTS,
	      "no update is lost");
	if (r == VIPER_OK && read.total != (uint64_t)TALLY_ADDS * TALLY_CLIENTS)
		vc_log("tally_client %s: total %llu, expected %u", c->name,
		       (unsigned long long)read.total, TALLY_ADDS * TALLY_CLIENTS);
	check(c, r == VIPER_OK && read.overlaps == 0, "no two calls are inside at once");
	vc_log("tally_client %s: %u passed, %u failed", c->name, c->passed, c->failed);
	r = meet(c, 2, &read);
	return c->failed == 0 && r == VIPER_OK ? VIPER_OK : VIPER_E_CORRUPT;
}

VIPER_COMPONENT(tally_client) = {
	.name = "tally_client",
	.state_size = sizeof(struct tally_client),
	.slot_count = TALLY_CLIENT_SLOT_COUNT,
	.init = tally_client_init,
	.run = tally_client_run,
};
