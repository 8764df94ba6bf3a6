#include <kernel/channel_queue.h>

#include <viper/abi.h>

err_t channel_queue_init(struct channel_queue *q, unsigned depth)
{
	if (depth == 0 || depth > VIPER_CHANNEL_MAX_DEPTH)
		return VIPER_E_INVAL;
	q->head = q->tail = NULL;
	q->count = 0;
	q->depth = depth;
	return VIPER_OK;
}

err_t channel_queue_push(struct channel_queue *q, struct queue_link *l)
{
	if (channel_queue_full(q))
		return VIPER_E_WOULDBLOCK;
	l->next = NULL;
	if (q->tail)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
	q->count++;
	return VIPER_OK;
}

struct queue_link *channel_queue_peek(const struct channel_queue *q)
{
	return q->head;
}

struct queue_link *channel_queue_pop(struct channel_queue *q)
{
	struct queue_link *l = q->head;

	if (!l)
		return NULL;
	q->head = l->next;
	if (!q->head)
		q->tail = NULL;
	q->count--;
	l->next = NULL;
	return l;
}

bool channel_queue_remove(struct channel_queue *q, struct queue_link *l)
{
	struct queue_link **link = &q->head, *prev = NULL;

	while (*link && *link != l) {
		prev = *link;
		link = &(*link)->next;
	}
	if (!*link)
		return false;
	*link = l->next;
	if (q->tail == l)
		q->tail = prev;
	q->count--;
	l->next = NULL;
	return true;
}
