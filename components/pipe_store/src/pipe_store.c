/*
 * pipe_store: pipes shared by sessions (include/pipe_store/pipe_store.h).
 *
 * Open and Join answer with a new session of interface pipe, whose state
 * (a struct pipe_end) comes back as ctx->session in each call on it. Read
 * on an empty pipe and WaitClosed before enough sessions closed keep their
 * call (vc_defer) and answer it later, from Write or from session_closed,
 * whichever thread runs them. Nothing here blocks, so the component can
 * be placed in the kernel.
 */
#include <pipe_store/pipe_store.h>

#include "pipe.viper.h"
#include "pipes.viper.h"

static void pipe_closed(void *self, void *session);
static const struct pipe_server pipe_store_pipe_server;

/* How sessions of interface pipe are served. */
static const struct viper_provided pipe_sessions = {
	.interface = &pipe_interface,
	.ops = &pipe_store_pipe_server,
	.session_closed = pipe_closed,
};

static struct pipe *pipe_by_serial(struct pipe_store *s, uint32_t serial)
{
	for (uint32_t i = 0; i < PIPE_STORE_PIPES && serial; i++) {
		if (s->pipes[i].serial == serial)
			return &s->pipes[i];
	}
	return NULL;
}

/* A new session on `p` for the caller of `ctx`, put in `rep`. */
static int32_t open_session(struct pipe_store *s, struct viper_rpc_context *ctx, struct pipe *p,
			    viper_pipes_OpenReply *rep)
{
	struct pipe_end *end = vc_alloc(sizeof(*end));
	int32_t err;

	if (!end)
		return VIPER_E_NOMEM;
	end->pipe = p;
	err = vc_session_open(ctx, &pipe_sessions, end, &rep->pipe);
	if (err < 0) {
		vc_free(end);
		return err;
	}
	p->sessions++;
	s->sessions++;
	s->opened++;
	rep->serial = p->serial;
	return VIPER_OK;
}

static int32_t store_open(void *self, struct viper_rpc_context *ctx,
			  const viper_pipes_OpenRequest *req, viper_pipes_OpenReply *rep)
{
	struct pipe_store *s = self;
	struct pipe *p = NULL;
	int32_t err;

	(void)req;
	for (uint32_t i = 0; i < PIPE_STORE_PIPES && !p; i++) {
		if (s->pipes[i].serial == 0)
			p = &s->pipes[i];
	}
	if (!p)
		return VIPER_E_LIMIT;
	vc_memset(p, 0, sizeof(*p));
	p->serial = s->next_serial + 1;
	err = open_session(s, ctx, p, rep);
	if (err < 0) {
		p->serial = 0;
		return err;
	}
	s->next_serial++;
	return VIPER_OK;
}

static int32_t store_join(void *self, struct viper_rpc_context *ctx,
			  const viper_pipes_JoinRequest *req, viper_pipes_OpenReply *rep)
{
	struct pipe_store *s = self;
	struct pipe *p = pipe_by_serial(s, req->serial);

	return p ? open_session(s, ctx, p, rep) : VIPER_E_NOTFOUND;
}

static int32_t store_stats(void *self, struct viper_rpc_context *ctx,
			   const viper_pipes_StatsRequest *req, viper_pipes_StatsReply *rep)
{
	struct pipe_store *s = self;

	(void)ctx;
	(void)req;
	rep->sessions = s->sessions;
	rep->opened = s->opened;
	rep->closed = s->closed;
	for (uint32_t i = 0; i < PIPE_STORE_PIPES; i++)
		rep->readers_waiting += s->pipes[i].reader != NULL;
	for (uint32_t i = 0; i < PIPE_STORE_CLOSERS; i++)
		rep->closers_waiting += s->closers[i].used;
	return VIPER_OK;
}

static int32_t store_wait_closed(void *self, struct viper_rpc_context *ctx,
				 const viper_pipes_WaitClosedRequest *req,
				 viper_pipes_WaitClosedReply *rep)
{
	struct pipe_store *s = self;

	if (s->closed >= req->closed) {
		rep->closed = s->closed;
		return VIPER_OK;
	}
	for (uint32_t i = 0; i < PIPE_STORE_CLOSERS; i++) {
		if (s->closers[i].used)
			continue;
		int32_t err = vc_defer(ctx, &s->closers[i].token);
		if (err < 0)
			return err;
		s->closers[i].used = true;
		s->closers[i].want = req->closed;
		return VIPER_DEFERRED;
	}
	return VIPER_E_LIMIT;
}

/* Moves up to `max` bytes from the front of `p` into `out`. */
static void take(struct pipe *p, uint32_t max, viper_pipe_ReadReply *out)
{
	uint32_t n = p->len < max ? p->len : max;

	vc_memcpy(out->data.bytes, p->data, n);
	out->data.size = (pb_size_t)n;
	for (uint32_t i = n; i < p->len; i++)
		p->data[i - n] = p->data[i];
	p->len -= n;
}

static void count_answer(struct pipe_store *s, int32_t r)
{
	if (r == VIPER_E_PEERCLOSED)
		s->late_answers++;
}

static int32_t end_write(void *self, struct viper_rpc_context *ctx,
			 const viper_pipe_WriteRequest *req, viper_pipe_WriteReply *rep)
{
	struct pipe_end *end = ctx->session;
	struct pipe *p = end ? end->pipe : NULL;

	if (!p)
		return VIPER_E_UNSUPPORTED;
	if (req->data.size == 0)
		return VIPER_E_INVAL;
	if (req->data.size > PIPE_STORE_BYTES - p->len)
		return VIPER_E_BUSY;
	vc_memcpy(p->data + p->len, req->data.bytes, req->data.size);
	p->len += req->data.size;
	if (p->reader) {
		viper_pipe_ReadReply out;

		vc_memset(&out, 0, sizeof(out));
		take(p, p->reader_max, &out);
		p->reader = NULL;
		count_answer(self, pipe_read_complete(p->reader_token, VIPER_OK, &out));
	}
	rep->held = p->len;
	return VIPER_OK;
}

static int32_t end_read(void *self, struct viper_rpc_context *ctx,
			const viper_pipe_ReadRequest *req, viper_pipe_ReadReply *rep)
{
	struct pipe_end *end = ctx->session;
	struct pipe *p = end ? end->pipe : NULL;
	int32_t err;

	(void)self;
	if (!p)
		return VIPER_E_UNSUPPORTED;
	if (req->max == 0 || req->max > sizeof(rep->data.bytes))
		return VIPER_E_INVAL;
	if (p->len > 0) {
		take(p, req->max, rep);
		return VIPER_OK;
	}
	if (p->reader)
		return VIPER_E_BUSY;
	err = vc_defer(ctx, &p->reader_token);
	if (err < 0)
		return err;
	p->reader = end;
	p->reader_max = req->max;
	return VIPER_DEFERRED;
}

static int32_t end_serial(void *self, struct viper_rpc_context *ctx,
			  const viper_pipe_SerialRequest *req, viper_pipe_SerialReply *rep)
{
	struct pipe_end *end = ctx->session;

	(void)self;
	(void)req;
	if (!end)
		return VIPER_E_UNSUPPORTED;
	rep->serial = end->pipe->serial;
	return VIPER_OK;
}

/* Answers every WaitClosed whose count is reached. */
static void answer_closers(struct pipe_store *s)
{
	for (uint32_t i = 0; i < PIPE_STORE_CLOSERS; i++) {
		if (!s->closers[i].used || s->closed < s->closers[i].want)
			continue;
		viper_pipes_WaitClosedReply rep = {.closed = s->closed};
		s->closers[i].used = false;
		count_answer(s, pipes_wait_closed_complete(s->closers[i].token, VIPER_OK, &rep));
	}
}

/* A session's last client end is gone: its Read fails, its pipe may go. */
static void pipe_closed(void *self, void *session)
{
	struct pipe_store *s = self;
	struct pipe_end *end = session;
	struct pipe *p = end->pipe;

	if (p->reader == end) {
		viper_pipe_ReadReply none;

		vc_memset(&none, 0, sizeof(none));
		p->reader = NULL;
		count_answer(s, pipe_read_complete(p->reader_token, VIPER_E_PEERCLOSED, &none));
	}
	if (--p->sessions == 0)
		p->serial = 0;
	vc_free(end);
	s->sessions--;
	s->closed++;
	answer_closers(s);
}

static const struct pipes_server pipe_store_pipes_server = {
	.open = store_open,
	.join = store_join,
	.stats = store_stats,
	.wait_closed = store_wait_closed,
};

static const struct pipe_server pipe_store_pipe_server = {
	.write = end_write,
	.read = end_read,
	.serial = end_serial,
};

VIPER_COMPONENT(pipe_store) = {
	.name = "pipe_store",
	.state_size = sizeof(struct pipe_store),
	.provides =
		{
			{.interface = &pipes_interface, .ops = &pipe_store_pipes_server},
			{.interface = &pipe_interface,
			 .ops = &pipe_store_pipe_server,
			 .session_closed = pipe_closed},
		},
	.provide_count = 2,
};
