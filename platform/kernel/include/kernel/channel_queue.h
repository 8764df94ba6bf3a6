/*
 * The message queue inside a channel: FIFO, bounded by a depth fixed at
 * creation. Portable and allocation-free (messages embed their link), so the
 * host tests exercise it directly.
 */
#ifndef KERNEL_CHANNEL_QUEUE_H
#define KERNEL_CHANNEL_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include <kernel/err.h>

struct queue_link {
	struct queue_link *next;
};

struct channel_queue {
	struct queue_link *head;
	struct queue_link *tail;
	unsigned count;
	unsigned depth;
};

/* VIPER_E_INVAL for a depth of 0 or above VIPER_CHANNEL_MAX_DEPTH. */
MUST_CHECK err_t channel_queue_init(struct channel_queue *q, unsigned depth);

static inline bool channel_queue_full(const struct channel_queue *q)
{
	return q->count >= q->depth;
}

static inline bool channel_queue_empty(const struct channel_queue *q)
{
	return q->count == 0;
}

/* Appends `l`; VIPER_E_WOULDBLOCK when the queue is full. */
MUST_CHECK err_t channel_queue_push(struct channel_queue *q, struct queue_link *l);
/* The oldest entry, not removed; NULL when empty. */
struct queue_link *channel_queue_peek(const struct channel_queue *q);
/* Removes and returns the oldest entry; NULL when empty. */
struct queue_link *channel_queue_pop(struct channel_queue *q);
/* Removes `l` wherever it is (a caller giving up); false when absent. */
bool channel_queue_remove(struct channel_queue *q, struct queue_link *l);

#endif
