/* tally: see include/tally/tally.h. */
#include <tally/tally.h>

#include <viper/component.h>

/* Notes a call entering, and whether another one was inside. */
static void enter(struct tally *t)
{
	if (__atomic_fetch_add(&t->inside, 1, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_add(&t->overlaps, 1, __ATOMIC_RELAXED);
}

static void leave(struct tally *t)
{
	__atomic_fetch_sub(&t->inside, 1, __ATOMIC_ACQ_REL);
}

static int32_t on_add(void *self, struct viper_rpc_context *ctx, const viper_tally_AddRequest *req,
		      viper_tally_AddReply *rep)
{
	struct tally *t = self;
	(void)ctx;

	enter(t);
	uint64_t total = t->total;
	vc_yield(); /* a wide window for another call to come in */
	t->total = total + req->amount;
	rep->total = t->total;
	leave(t);
	return VIPER_OK;
}

static int32_t on_read(void *self, struct viper_rpc_context *ctx,
		       const viper_tally_ReadRequest *req, viper_tally_ReadReply *rep)
{
	struct tally *t = self;
	(void)ctx;
	(void)req;

	enter(t);
	rep->total = t->total;
	rep->overlaps = __atomic_load_n(&t->overlaps, __ATOMIC_RELAXED);
	rep->done = t->done;
	leave(t);
	return VIPER_OK;
}

static int32_t on_done(void *self, struct viper_rpc_context *ctx,
		       const viper_tally_DoneRequest *req, viper_tally_DoneReply *rep)
{
	struct tally *t = self;
	(void)ctx;
	(void)req;
	(void)rep;

	enter(t);
	t->done++;
	leave(t);
	return VIPER_OK;
}

const struct tally_server tally_server = {
	.add = on_add,
	.read = on_read,
	.done = on_done,
};

VIPER_COMPONENT(tally) = {
	.name = "tally",
	.state_size = sizeof(struct tally),
	.provides = {{.interface = &tally_interface, .ops = &tally_server}},
	.provide_count = 1,
};
