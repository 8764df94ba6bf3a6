/* The timing wheel of deadlines (kernel/deadline_wheel.h). */
#include <kernel/deadline_wheel.h>

#include <stddef.h>

void deadline_wheel_init(struct deadline_wheel *w, uint64_t tick_ns, uint64_t now)
{
	for (unsigned i = 0; i < WHEEL_SLOTS; i++)
		w->slots[i] = NULL;
	w->tick_ns = tick_ns;
	w->done = now / tick_ns;
	w->count = 0;
}

/* Links `e` at the head of slot `s`. */
static void link_into(struct deadline_wheel *w, unsigned s, struct deadline_entry *e)
{
	e->slot = s;
	e->prev = NULL;
	e->next = w->slots[s];
	if (e->next)
		e->next->prev = e;
	w->slots[s] = e;
	e->queued = true;
	w->count++;
}

void deadline_wheel_add(struct deadline_wheel *w, struct deadline_entry *e)
{
	uint64_t tick = e->deadline / w->tick_ns;

	/* A deadline in a tick already looked at goes in the next slot to be looked at. */
	if (tick < w->done)
		tick = w->done;
	link_into(w, (unsigned)(tick % WHEEL_SLOTS), e);
}

void deadline_wheel_remove(struct deadline_wheel *w, struct deadline_entry *e)
{
	if (!e->queued)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		w->slots[e->slot] = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->next = e->prev = NULL;
	e->queued = false;
	w->count--;
}

/* Takes the entries of slot `s` that are due by `now` onto the list at *due. */
static void collect(struct deadline_wheel *w, unsigned s, uint64_t now, struct deadline_entry **due)
{
	struct deadline_entry *e = w->slots[s];

	while (e) {
		struct deadline_entry *next = e->next;
		if (e->deadline <= now) {
			deadline_wheel_remove(w, e);
			e->next = *due;
			*due = e;
		}
		e = next;
	}
}

unsigned deadline_wheel_expire(struct deadline_wheel *w, uint64_t now,
			       void (*fire)(struct deadline_entry *e, void *ctx), void *ctx)
{
	uint64_t last = now / w->tick_ns;
	struct deadline_entry *due = NULL;
	unsigned fired = 0;

	if (w->count == 0) {
		w->done = last > w->done ? last : w->done;
		return 0;
	}
	/* Every slot is looked at once a turn at most; a long gap needs one turn. */
	if (last >= w->done + WHEEL_SLOTS)
		w->done = last - WHEEL_SLOTS + 1;
	/* The current tick's slot may still get entries due later: it stays to be looked at. */
	for (; w->done < last; w->done++)
		collect(w, (unsigned)(w->done % WHEEL_SLOTS), now, &due);
	collect(w, (unsigned)(last % WHEEL_SLOTS), now, &due);
	/* Fired after the slots are done with, so `fire` may add entries again. */
	while (due) {
		struct deadline_entry *e = due;
		due = e->next;
		e->next = NULL;
		fire(e, ctx);
		fired++;
	}
	return fired;
}
