/*
 * Calls through channels: channel_call sends a request carrying a reply
 * token and waits; the server answers the token with channel_reply (or the
 * reply half of channel_reply_recv). A call's request and reply travel in
 * the caller's struct thread (struct call_wait), so a call allocates
 * nothing. The server's process holds the token in one of its reply slots
 * (struct reply_slot) until it answers, the caller gives up, or either dies.
 *
 * The fast paths: when a server thread is parked in a receive on the
 * channel and the queue is empty, a request without handles goes straight
 * into the server's buffer (call_fast); when the caller waits and the
 * server will wait next, the reply goes straight into the caller's
 * (reply_fast). Either hands the CPU to the other thread directly
 * (kernel/hand_over.h).
 *
 * The functions here perform: the system-call layer (syscalls/channel.c)
 * has looked the handles up and checked the arguments. Under the big lock.
 */
#ifndef KERNEL_CALL_H
#define KERNEL_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/channel.h>
#include <kernel/err.h>

struct thread;
struct process;
struct trap_frame;
struct user_view;

#define PROCESS_MAX_REPLIES 64

/* A reply token a process holds for a call it received. */
struct reply_slot {
	struct thread *caller; /* NULL when free or the caller went away */
	uint32_t gen;
	bool used;
};

/*
 * A thread's channel_call. Its request travels in `msg`; once the server
 * took it, the reply comes back in the same `msg`.
 */
struct call_wait {
	struct message msg;
	struct channel *channel; /* where the request went; referenced during the call */
	struct message *pending; /* &msg while queued and not yet received */
	struct process *server;	 /* holds our reply token */
	unsigned token_index;
	uint64_t reply_bytes; /* user buffers for the reply, in our address space */
	uint32_t reply_capacity;
	uint64_t reply_handles;
	uint32_t reply_handle_capacity;
	uint64_t call_ptr; /* the struct viper_call, for its info */
	bool in_regs;	   /* channel_call_short: the reply goes to registers x2-x17 */
	err_t result;	   /* VIPER_OK: the reply is in msg, or was delivered */
	int64_t delivered; /* >= 0: the fast path wrote a reply of this length */
	bool done;
};

/*
 * Where a receive delivers: the user buffers (or, `in_regs`, the caller's
 * registers x1-x17) and, for channel_reply_recv, what the answered caller
 * got (`with_result`, `reply_result`).
 */
struct recv_request {
	uint64_t buf;
	uint64_t capacity;
	uint64_t handles_out; /* room for the message's handles */
	uint64_t receipt;     /* the info, preceded by reply_result when with_result */
	bool with_result;
	bool in_regs;
	bool nonblock;
	err_t reply_result;
};

/* A thread parked in a receive, so the call fast path can deliver to it. */
struct recv_wait {
	struct channel *channel; /* NULL when not parked */
	struct recv_request rq;
	int64_t delivered; /* >= 0: a request of this length was delivered */
};

/*
 * The short-message fast paths, which do it all, their hand-over included
 * (call_fast and reply_fast below spend more on the user buffers they may
 * use): a channel_call_short of
 * `len` bytes on `ch` to a server waiting there in a short receive, and the
 * reply half of a channel_reply_recv_short (`len` bytes answering `token`,
 * then a wait on `c`) to a caller waiting in a short call. They return only
 * when they decline, having changed nothing.
 */
void call_short_fast(struct channel *ch, uint32_t len);
void reply_recv_short_fast(struct cap *c, uint64_t token, uint32_t len);

/*
 * A kernel thread's channel_reply_recv_short (x0 and x1 in `f`, the
 * message at its short_words), on the fast path of reply_recv_short_fast
 * (a kernel thread has no frame to park in): answers the caller the same
 * way, then waits for the next short message while the caller runs,
 * straight back to user space when a hand-over parked it. Returns the
 * received length or error once the thread was woken (the receive finished
 * as a handed-over one is), or KTHREAD_FAST_DECLINED having changed
 * nothing. The big lock is held.
 */
#define KTHREAD_FAST_DECLINED INT64_MIN
int64_t reply_recv_short_kthread(struct trap_frame *f);

/* Where a short message's bytes sit for a thread: its saved x2-x17 (struct thread's short_words).
 */
uint8_t *short_regs(struct thread *t);

/*
 * Checks that message `m` can be delivered to the calling thread as `rq`
 * asks: it fits (else VIPER_E_RANGE, and the receipt tells the size
 * needed), the handle table has room (VIPER_E_LIMIT), a reply slot is free
 * for a call (VIPER_E_LIMIT), a short receive carries no handles
 * (VIPER_E_RANGE), and every user buffer is writable (VIPER_E_FAULT).
 * Changes nothing but that receipt; *slot is the reply slot to use (-1: none).
 */
MUST_CHECK err_t receive_check(const struct message *m, const struct recv_request *rq, int *slot);

/*
 * Takes the head message of `ch` (checked by receive_check with `slot`)
 * and delivers it to the calling thread: bytes, handles, receipt, and the
 * reply token in `slot` for a call. Returns its length.
 */
int64_t receive_take(struct channel *ch, const struct recv_request *rq, int slot);

/*
 * The call fast path: `request` (len bytes at user address `bytes`, or in
 * the calling thread's registers for a short call) goes straight to the
 * server thread parked in a receive on `ch`. Returns that server, to run
 * next, or NULL when any condition fails: then nothing changed. `own` is
 * a page of the caller's memory translated already (kernel/user_copy.h).
 */
struct thread *call_fast(struct channel *ch, uint64_t bytes, uint32_t len, struct user_view *own);

/*
 * Finds the call behind reply token `token` of the calling process: its
 * slot, and in *caller the thread waiting for it (NULL when it gave up or
 * died). VIPER_E_BADHANDLE for a token that is not outstanding.
 */
MUST_CHECK err_t call_find(uint64_t token, struct reply_slot **slot, struct thread **caller);

/* What `caller` gets for a reply of `len` bytes and `count` handles (VIPER_OK: all of it). */
err_t call_reply_outcome(const struct thread *caller, uint64_t len, uint64_t count);

/* Ends the call in slot `r` with `outcome` for its caller, who is not woken yet. */
void call_finish(struct reply_slot *r, struct thread *caller, err_t outcome);

/*
 * The reply fast path: a reply without handles of `len` bytes (at user
 * address `bytes`, or in registers) to the call behind `token`, when the
 * server will wait on `ch` next. Returns the caller, to run next, or NULL
 * when any condition fails: then nothing changed. `own` as for call_fast.
 */
struct thread *reply_fast(uint64_t token, uint64_t bytes, uint32_t len, bool in_regs,
			  struct channel *ch, struct user_view *own);

/*
 * Completes a call whose reply arrived in t->call.msg: the bytes and handles
 * go to the caller's buffers (or registers). A bad buffer here is the
 * caller's own fault: VIPER_E_FAULT, and the reply's handles are closed.
 */
int64_t call_take_reply(struct thread *t);

/* The call of `caller` ends without an answer: it gets VIPER_E_PEERCLOSED and is woken. */
void call_end_unanswered(struct thread *caller);

/* Withdraws t's call: its queued request, or its claim on a reply token. */
void call_abandon(struct thread *t);

/* Answers every call `p` holds a token for with VIPER_E_PEERCLOSED (p is ending). */
void call_release_tokens(struct process *p);

#endif
