/*
 * Channels: one-way message queues. Messages of up to 256 bytes and 4
 * handles go in at the send end and come out at the receive end, in order,
 * through a queue whose depth is fixed at creation. Each end is a kernel
 * object of its own (VIPER_OBJ_CHANNEL_SEND, VIPER_OBJ_CHANNEL_RECV); the
 * channel is freed when both are gone. When the last handle to the receive
 * end goes, the queued messages are freed (their handles closed, their
 * callers answered with VIPER_E_PEERCLOSED). A channel also carries a word
 * of notification bits, set without queueing. Calls and replies through a
 * channel are in kernel/call.h. Under the big kernel lock.
 *
 * A channel, and each message queued in it, is charged to the kernel
 * bookkeeping of the process that made it (kernel/quota.h).
 *
 * Receive ends travel in messages, so channels can keep each other alive
 * in cycles nobody can reach: A's receive end queued in B and B's in A.
 * A collector in the manner of Linux's unix_gc frees them: a channel whose
 * receive-end handles all sit in queued messages is a candidate; those
 * referred to from outside the candidates' queues, and all they reach, are
 * live; the other candidates are garbage and their queues are freed. It
 * runs at the end of a system call once enough receive ends have gone into
 * queues or lost a handle since the last run (as many as the channels the
 * last run left in flight, or as are in flight now if fewer), so its cost
 * is constant per such event.
 */
#ifndef KERNEL_CHANNEL_H
#define KERNEL_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/channel_queue.h>
#include <kernel/err.h>
#include <kernel/handle.h>
#include <kernel/object.h>
#include <kernel/quota.h>

struct thread;

/*
 * A message: the bytes, the detached caps, and the caller for a call. A
 * call's message lives in the caller's struct thread (`embedded`); any other
 * is allocated.
 */
struct message {
	struct queue_link link;
	uint32_t bytes;
	uint32_t handle_count;
	bool embedded;
	struct cap *caps[VIPER_MSG_MAX_HANDLES];
	struct thread *caller;
	struct mem_account *account; /* an allocated one's payer */
	uint8_t data[VIPER_MSG_MAX_BYTES];
};

struct channel {
	struct kobject send_end;
	struct kobject recv_end;
	struct channel_queue queue;
	uint64_t notify_bits;
	struct mem_account *account; /* pays for the channel */
	/* The collector's (see above): */
	uint32_t inflight;	       /* capabilities to recv_end in queued messages */
	struct channel *inflight_next; /* the channels with inflight > 0 */
	struct channel *inflight_prev;
	uint32_t gc_refs;	 /* during a run: in-flight references from outside */
	uint32_t gc_mark;	 /* during a run: candidate, live */
	struct channel *gc_next; /* during a run: candidates, work, garbage */
	struct channel *gc_work;
};

/* Registers the two ends' kinds with the object layer (at boot). */
void channel_register(void);

/*
 * A new channel of `depth` (1..VIPER_CHANNEL_MAX_DEPTH) charged to
 * `account`; each end holds one reference. VIPER_E_LIMIT when the charge
 * does not fit.
 */
MUST_CHECK err_t channel_create(unsigned depth, struct mem_account *account, struct channel **out);

static inline struct channel *channel_of_send(const struct kobject *o)
{
	return container_of(o, struct channel, send_end);
}

static inline struct channel *channel_of_recv(const struct kobject *o)
{
	return container_of(o, struct channel, recv_end);
}

/* True when no handle to the receive end is left: nothing sent would be received. */
static inline bool channel_receiver_gone(const struct channel *ch)
{
	return ch->recv_end.handles == 0;
}

/* True when no handle to the send end is left: nothing more will arrive. */
static inline bool channel_sender_gone(const struct channel *ch)
{
	return ch->send_end.handles == 0;
}

/* The oldest queued message, or NULL. */
struct message *channel_head(const struct channel *ch);

/* Queues `m` at the end; the caller checked that the queue has room. */
void channel_enqueue(struct channel *ch, struct message *m);

/* Takes the oldest message out of the queue (the caller knows there is one). */
void channel_dequeue(struct channel *ch);

/*
 * Withdraws message `m` from the queue wherever it is (a caller giving up).
 * False when it is not queued.
 */
bool channel_withdraw(struct channel *ch, struct message *m);

/* The notification bits a sender may set: 1..2^63-1. */
#define CHANNEL_NOTIFY_MASK 0x7fffffffffffffffull

/*
 * Checks a notification: VIPER_E_INVAL for bits 0 or bit 63,
 * VIPER_E_PEERCLOSED when no handle to the receive end is left.
 */
MUST_CHECK err_t channel_notify_check(const struct channel *ch, uint64_t bits);
/* ORs `bits` (checked) into the notification word and wakes whoever waits for it. */
void channel_notify(struct channel *ch, uint64_t bits);
/* Takes the notification bits, leaving none. */
uint64_t channel_take_notifications(struct channel *ch);

/* An empty allocated message charged to `account`: VIPER_E_LIMIT, VIPER_E_NOMEM. */
MUST_CHECK err_t message_alloc(struct mem_account *account, struct message **out);
/*
 * Frees a message (an embedded one stays where it is), destroying the caps
 * it still holds; a caller still waiting for it gets VIPER_E_PEERCLOSED.
 */
void message_free(struct message *m);

/* The collector's events since its last run (channel.c). */
extern unsigned channel_gc_events;
/* channel_collect_if_due once there were events. */
void channel_collect_if_any_due(void);

/* Runs the collector if enough happened since its last run (see above); at the end of a call. */
static inline void channel_collect_if_due(void)
{
	if (channel_gc_events)
		channel_collect_if_any_due();
}

#endif
