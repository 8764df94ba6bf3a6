/*
 * A timing wheel of deadlines: the pending timeouts of blocked threads and
 * the armed timer objects, checked on the clock tick. Each entry hangs in
 * the slot of its deadline's tick (modulo WHEEL_SLOTS) on a doubly linked
 * list, so adding and removing one costs O(1) however many are pending,
 * and a tick looks only at the entries of the slots it passes (an entry
 * more than a turn away stays for a later turn). Portable and
 * allocation-free: tested on the host.
 */
#ifndef KERNEL_DEADLINE_WHEEL_H
#define KERNEL_DEADLINE_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#define WHEEL_SLOTS 256

struct deadline_entry {
	uint64_t deadline; /* absolute ns */
	struct deadline_entry *next;
	struct deadline_entry *prev;
	unsigned slot;
	bool queued;
};

struct deadline_wheel {
	struct deadline_entry *slots[WHEEL_SLOTS];
	uint64_t tick_ns; /* what one slot covers */
	uint64_t done;	  /* every slot of a tick before this one has been looked at */
	unsigned count;	  /* entries queued */
};

/* An empty wheel of slots `tick_ns` wide, starting at time `now`. */
void deadline_wheel_init(struct deadline_wheel *w, uint64_t tick_ns, uint64_t now);

/* Queues `e` for e->deadline (it must not be queued). */
void deadline_wheel_add(struct deadline_wheel *w, struct deadline_entry *e);

/* Takes `e` out of the wheel; nothing when it is not queued. */
void deadline_wheel_remove(struct deadline_wheel *w, struct deadline_entry *e);

/*
 * Takes out every entry whose deadline is <= `now` and calls fire(e, ctx)
 * for each, looking at the slots of the ticks up to `now` that were not
 * looked at yet (all of them once after a gap of a turn or more). `fire`
 * may add entries again. Returns how many fired.
 */
unsigned deadline_wheel_expire(struct deadline_wheel *w, uint64_t now,
			       void (*fire)(struct deadline_entry *e, void *ctx), void *ctx);

#endif
