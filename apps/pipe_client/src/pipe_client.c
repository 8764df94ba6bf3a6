/*
 * pipe_client: exercises run-time sessions and deferred replies through
 * interface pipes (slot `pipes`), with pipe_writer (another instance of
 * this process) and pipe_relay (another process, slot `relay`), and
 * reports "pipe_client: N passed, M failed". The same code runs whether
 * the provider is co-located, in another process or in the kernel; the
 * descriptions (system/qemu_virt/pipes_*.textproto) allow 3 sessions per
 * client and 6 in all.
 */
#include <viper/component.h>

#include "pipe.viper.h"
#include "pipe_client_slots.h"
#include "pipes.viper.h"
#include "relay.viper.h"

#define PER_CLIENT 3

struct pipe_client {
	struct viper_slot *pipes;
	struct viper_slot *relay;
	unsigned passed, failed;
};

static void check(struct pipe_client *c, bool ok, const char *what)
{
	if (ok)
		c->passed++;
	else
		c->failed++;
	vc_log("pipe_client: %s %s", ok ? "ok" : "FAIL", what);
}

/* Opens a pipe (join 0) or joins pipe `join`, binding `slot`; the status. */
static int32_t open_pipe(struct pipe_client *c, uint32_t join, struct viper_slot *slot,
			 uint32_t *serial)
{
	viper_pipes_OpenRequest open = {0};
	viper_pipes_JoinRequest jr = {.serial = join};
	viper_pipes_OpenReply rep;
	int32_t r = join ? pipes_join(c->pipes, &jr, &rep) : pipes_open(c->pipes, &open, &rep);

	if (r == VIPER_OK) {
		vc_slot_bind(slot, &pipe_interface, rep.pipe);
		*serial = rep.serial;
	}
	return r;
}

static int32_t write_text(struct viper_slot *pipe, const char *text)
{
	viper_pipe_WriteRequest req;
	viper_pipe_WriteReply rep;

	vc_memset(&req, 0, sizeof(req));
	req.data.size = (pb_size_t)vc_strlen(text);
	vc_memcpy(req.data.bytes, text, req.data.size);
	return pipe_write(pipe, &req, &rep);
}

/* Whether a Read of `pipe` gives exactly `text`. */
static bool reads(struct viper_slot *pipe, const char *text)
{
	viper_pipe_ReadRequest req = {.max = 64};
	viper_pipe_ReadReply rep;
	size_t n = vc_strlen(text);

	return pipe_read(pipe, &req, &rep) == VIPER_OK && rep.data.size == n &&
	       vc_memcmp(rep.data.bytes, text, n) == 0;
}

/* WaitClosed(closed): the count it answers with, or 0 on an error. */
static uint32_t wait_closed(struct pipe_client *c, uint32_t closed)
{
	viper_pipes_WaitClosedRequest req = {.closed = closed};
	viper_pipes_WaitClosedReply rep;

	return pipes_wait_closed(c->pipes, &req, &rep) == VIPER_OK ? rep.closed : 0;
}

/* A session passed to another process, which then talks to the provider itself. */
static void check_relay(struct pipe_client *c, struct viper_slot *mine, uint32_t serial)
{
	struct viper_slot given;
	uint32_t joined = 0;
	viper_relay_TakeRequest req;
	viper_relay_TakeReply rep;

	check(c, open_pipe(c, serial, &given, &joined) == VIPER_OK && joined == serial,
	      "Join opens a second session on the pipe");
	check(c, write_text(mine, "for relay") == VIPER_OK, "Write before passing the session");
	vc_memset(&req, 0, sizeof(req));
	req.pipe = given.channel; /* moves to the relay */
	vc_memcpy(req.answer.bytes, "from relay", 10);
	req.answer.size = 10;
	check(c,
	      relay_take(c->relay, &req, &rep) == VIPER_OK && rep.serial == serial &&
		      rep.read.size == 9 && vc_memcmp(rep.read.bytes, "for relay", 9) == 0,
	      "another process reads through the passed session");
	check(c, reads(mine, "from relay"), "and writes through it, to this client's pipe");
}

/*
 * A client that dies with a session open: the relay keeps one and faults;
 * its process ends, the kernel closes its handles, and the provider learns
 * of the session's end (WaitClosed is answered).
 */
static void check_death(struct pipe_client *c, uint32_t serial)
{
	struct viper_slot doomed;
	uint32_t joined = 0;
	viper_pipes_StatsRequest sreq = {0};
	viper_pipes_StatsReply before;
	viper_relay_KeepRequest req = {0};
	viper_relay_KeepReply rep;

	/* Writer 1, relay 1, limits 2: the closes are seen before a new Join may count. */
	check(c, wait_closed(c, 4) == 4, "the earlier sessions' ends are seen");
	check(c, pipes_stats(c->pipes, &sreq, &before) == VIPER_OK, "Stats before the death");
	check(c, open_pipe(c, serial, &doomed, &joined) == VIPER_OK, "Join for the relay to keep");
	req.pipe = doomed.channel; /* moves to the relay, which dies holding it */
	check(c, relay_keep_and_fault(c->relay, &req, &rep) == VIPER_E_PEERCLOSED,
	      "the relay's call fails with VIPER_E_PEERCLOSED when it faults");
	check(c, wait_closed(c, before.closed + 1) == before.closed + 1,
	      "the provider learns that a client died with a session open");
}

/* The description's per-client limit, and bad input. */
static void check_limits(struct pipe_client *c)
{
	struct viper_slot extra[PER_CLIENT];
	struct viper_slot forged;
	uint32_t serial, opened = 0;
	viper_pipes_JoinRequest nowhere = {.serial = 999};
	viper_pipes_OpenReply rep;
	viper_pipe_SerialRequest sreq = {0};
	viper_pipe_SerialReply sres;

	while (opened < PER_CLIENT && open_pipe(c, 0, &extra[opened], &serial) == VIPER_OK)
		opened++;
	check(c, opened == PER_CLIENT - 1, "sessions up to the per-client limit (one is open)");
	check(c, open_pipe(c, 0, &forged, &serial) == VIPER_E_LIMIT,
	      "one more is refused with VIPER_E_LIMIT");
	for (uint32_t i = 0; i < opened; i++)
		(void)vc_slot_close(&extra[i]);
	check(c, pipes_join(c->pipes, &nowhere, &rep) == VIPER_E_NOTFOUND,
	      "Join of no pipe: VIPER_E_NOTFOUND");
	vc_slot_bind(&forged, &pipe_interface, 0x00abc123u);
	check(c, pipe_serial(&forged, &sreq, &sres) == VIPER_E_BADHANDLE,
	      "a forged session handle: VIPER_E_BADHANDLE");
}

static int32_t client_init(void *state, const struct viper_instance_env *env)
{
	struct pipe_client *c = state;

	c->pipes = env->slots[PIPE_CLIENT_SLOT_PIPES];
	c->relay = env->slots[PIPE_CLIENT_SLOT_RELAY];
	return VIPER_OK;
}

static int32_t client_run(void *state)
{
	struct pipe_client *c = state;
	struct viper_slot pipe;
	uint32_t serial = 0;
	viper_pipe_ReadRequest zero = {.max = 0};
	viper_pipe_ReadReply got;
	viper_pipe_SerialRequest sreq = {0};
	viper_pipe_SerialReply sres;

	check(c, open_pipe(c, 0, &pipe, &serial) == VIPER_OK && serial == 1,
	      "Open gives a session on pipe 1");
	check(c, pipe_serial(&pipe, &sreq, &sres) == VIPER_OK && sres.serial == 1,
	      "the session knows its pipe (per-session state)");
	check(c, write_text(&pipe, "abc") == VIPER_OK && reads(&pipe, "abc"),
	      "Write, then Read answered at once");
	check(c,
	      write_text(&pipe, "") == VIPER_E_INVAL &&
		      pipe_read(&pipe, &zero, &got) == VIPER_E_INVAL,
	      "an empty Write and a Read of 0 bytes: VIPER_E_INVAL");
	check(c, reads(&pipe, "hello"),
	      "a Read of an empty pipe is answered by pipe_writer's Write");
	check(c, wait_closed(c, 1) >= 1, "WaitClosed is answered when pipe_writer closes");
	check_relay(c, &pipe, serial);
	check_limits(c);
	check_death(c, serial);
	check(c, vc_slot_close(&pipe) == VIPER_OK, "closing the last session");
	/* Writer 1, relay 1, limits 2, the dead relay's 1, this one: 6 closed sessions. */
	check(c, wait_closed(c, 6) == 6, "the provider learned of every closed session");
	check(c, pipe_serial(&pipe, &sreq, &sres) == VIPER_E_BADHANDLE,
	      "a closed session's handle: VIPER_E_BADHANDLE");
	vc_log("pipe_client: %u passed, %u failed", c->passed, c->failed);
	return c->failed ? 1 : 0;
}

VIPER_COMPONENT(pipe_client) = {
	.name = "pipe_client",
	.state_size = sizeof(struct pipe_client),
	.slot_count = PIPE_CLIENT_SLOT_COUNT,
	.init = client_init,
	.run = client_run,
};
