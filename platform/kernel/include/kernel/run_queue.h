/*
 * A run queue: the threads ready to run on one CPU, a FIFO per priority
 * level (0-15, 15 first) with a bitmap of the levels in use, doubly linked
 * so that taking a thread out anywhere costs O(1). The scheduler keeps one
 * per CPU (kernel/sched.h). Portable and allocation-free: tested on the host.
 */
#ifndef KERNEL_RUN_QUEUE_H
#define KERNEL_RUN_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define RUN_QUEUE_LEVELS 16

/* What a queued thread embeds. */
struct rq_link {
	struct rq_link *next;
	struct rq_link *prev;
	unsigned level;
	bool queued;
};

struct run_queue {
	struct rq_link *head[RUN_QUEUE_LEVELS];
	struct rq_link *tail[RUN_QUEUE_LEVELS];
	uint32_t levels; /* bit i: level i is not empty */
	unsigned count;
};

void run_queue_init(struct run_queue *q);

/* Queues `l` at the end of `level` (it must not be queued anywhere). */
void run_queue_push(struct run_queue *q, struct rq_link *l, unsigned level);

/* Takes `l` out of `q`, where it is queued. */
void run_queue_remove(struct run_queue *q, struct rq_link *l);

/* The highest level with a thread ready, or -1 when `q` is empty. */
static inline int run_queue_top(const struct run_queue *q)
{
	return q->levels ? 31 - __builtin_clz(q->levels) : -1;
}

/* Takes out and returns the first thread of the highest level; NULL when empty. */
struct rq_link *run_queue_pop(struct run_queue *q);

/*
 * The first thread of the highest level whose first thread `ok` accepts,
 * looking at each level's first thread only (at most RUN_QUEUE_LEVELS
 * looks), or NULL. Not taken out.
 */
struct rq_link *run_queue_first_fit(const struct run_queue *q,
				    bool (*ok)(const struct rq_link *l, const void *ctx),
				    const void *ctx);

#endif
