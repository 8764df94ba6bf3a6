/*
 * pipe_writer: pipe_client's partner (an active instance of its own). It
 * waits until the client's Read is kept by the provider, joins the client's
 * pipe and writes into it, then waits until the client's WaitClosed is
 * kept and closes its session. Its checks print "pipe_writer: FAIL ..."
 * and count in "pipe_writer: N passed, M failed".
 */
#include <viper/component.h>

#include "pipe.viper.h"
#include "pipe_writer_slots.h"
#include "pipes.viper.h"

#define POLLS	   2000	     /* at most 10 s of 5 ms sleeps: never expected to run out */
#define POLL_SLEEP 5000000ll /* ns */

struct pipe_writer {
	struct viper_slot *pipes;
	unsigned passed, failed;
};

static void check(struct pipe_writer *w, bool ok, const char *what)
{
	if (ok)
		w->passed++;
	else
		w->failed++;
	vc_log("pipe_writer: %s %s", ok ? "ok" : "FAIL", what);
}

/* Polls Stats until `field` of it is at least 1; whether it came. */
static bool wait_for(struct pipe_writer *w, bool readers)
{
	for (int i = 0; i < POLLS; i++) {
		viper_pipes_StatsRequest req = {0};
		viper_pipes_StatsReply rep;

		if (pipes_stats(w->pipes, &req, &rep) != VIPER_OK)
			return false;
		if ((readers ? rep.readers_waiting : rep.closers_waiting) > 0)
			return true;
		vc_sleep(POLL_SLEEP);
	}
	return false;
}

static int32_t writer_init(void *state, const struct viper_instance_env *env)
{
	struct pipe_writer *w = state;

	w->pipes = env->slots[PIPE_WRITER_SLOT_PIPES];
	return VIPER_OK;
}

static int32_t writer_run(void *state)
{
	struct pipe_writer *w = state;
	viper_pipes_JoinRequest join = {.serial = 1}; /* the client's first pipe */
	viper_pipes_OpenReply opened;
	viper_pipe_WriteRequest wr;
	viper_pipe_WriteReply held;
	struct viper_slot pipe;

	check(w, wait_for(w, true), "the client's Read is kept by the provider");
	check(w, pipes_join(w->pipes, &join, &opened) == VIPER_OK && opened.serial == 1,
	      "Join opens a session on the client's pipe");
	vc_slot_bind(&pipe, &pipe_interface, opened.pipe);
	vc_memset(&wr, 0, sizeof(wr));
	vc_memcpy(wr.data.bytes, "hello", 5);
	wr.data.size = 5;
	check(w, pipe_write(&pipe, &wr, &held) == VIPER_OK, "Write answers the waiting Read");
	check(w, wait_for(w, false), "the client's WaitClosed is kept by the provider");
	check(w, vc_slot_close(&pipe) == VIPER_OK, "closing the session answers WaitClosed");
	vc_log("pipe_writer: %u passed, %u failed", w->passed, w->failed);
	return w->failed ? 1 : 0;
}

VIPER_COMPONENT(pipe_writer) = {
	.name = "pipe_writer",
	.state_size = sizeof(struct pipe_writer),
	.slot_count = PIPE_WRITER_SLOT_COUNT,
	.init = writer_init,
	.run = writer_run,
};
