/* Run queues (kernel/run_queue.h). */
#include <kernel/run_queue.h>

#include <stddef.h>

void run_queue_init(struct run_queue *q)
{
	for (unsigned i = 0; i < RUN_QUEUE_LEVELS; i++)
		q->head[i] = q->tail[i] = NULL;
	q->levels = 0;
	q->count = 0;
}

void run_queue_push(struct run_queue *q, struct rq_link *l, unsigned level)
{
	l->level = level;
	l->next = NULL;
	l->prev = q->tail[level];
	if (q->tail[level])
		q->tail[level]->next = l;
	else
		q->head[level] = l;
	q->tail[level] = l;
	q->levels |= 1u << level;
	q->count++;
	l->queued = true;
}

void run_queue_remove(struct run_queue *q, struct rq_link *l)
{
	unsigned level = l->level;

	if (l->prev)
		l->prev->next = l->next;
	else
		q->head[level] = l->next;
	if (l->next)
		l->next->prev = l->prev;
	else
		q->tail[level] = l->prev;
	if (!q->head[level])
		q->levels &= ~(1u << level);
	l->next = l->prev = NULL;
	l->queued = false;
	q->count--;
}

struct rq_link *run_queue_pop(struct run_queue *q)
{
	int top = run_queue_top(q);
	struct rq_link *l;

	if (top < 0)
		return NULL;
	l = q->head[top];
	run_queue_remove(q, l);
	return l;
}

struct rq_link *run_queue_first_fit(const struct run_queue *q,
				    bool (*ok)(const struct rq_link *l, const void *ctx),
				    const void *ctx)
{
	for (int level = RUN_QUEUE_LEVELS - 1; level >= 0; level--) {
		struct rq_link *l = q->head[level];
		if (l && ok(l, ctx))
			return l;
	}
	return NULL;
}
