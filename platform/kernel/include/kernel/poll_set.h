/*
 * Poll sets (VIPER_OBJ_POLL_SET): a set of objects, each watched for some
 * signals (enum viper_signal) and reported with a key, that a thread waits
 * on with a timeout. An entry holds a reference to its object (not a
 * handle), and the object lists the entries watching it, so a state change
 * wakes the threads waiting on every set that watches it. The entries go
 * when the set's last handle does (nobody can wait on it then), so sets
 * watching each other never keep each other alive. Under the big kernel
 * lock.
 */
#ifndef KERNEL_POLL_SET_H
#define KERNEL_POLL_SET_H

#include <stdint.h>

#include <kernel/err.h>
#include <kernel/object.h>
#include <kernel/quota.h>

struct poll_set;

struct poll_entry {
	struct kobject *object; /* holds a ref */
	struct poll_set *set;
	uint32_t signals;
	uint64_t key;
	struct poll_entry *set_next;
	struct poll_entry *object_next; /* the object's observers, doubly linked */
	struct poll_entry *object_prev;
};

struct poll_set {
	struct kobject obj;
	struct poll_entry *entries;
	unsigned count;
	struct mem_account *account; /* pays for the set and its entries */
};

/* Registers the kind with the object layer (at boot). */
void poll_set_register(void);

/* An empty poll set charged to `account`: VIPER_E_LIMIT, VIPER_E_NOMEM. */
MUST_CHECK err_t poll_set_create(struct mem_account *account, struct poll_set **out);

/*
 * Watches `o` for `signals`, reported with `key`. VIPER_E_LIMIT when the
 * set has VIPER_POLL_MAX_ENTRIES or the entry's charge does not fit,
 * VIPER_E_BUSY when `o` is watched already.
 */
MUST_CHECK err_t poll_set_add(struct poll_set *ps, struct kobject *o, uint32_t signals,
			      uint64_t key);
/* Stops watching `o`. VIPER_E_NOTFOUND when it was not watched. */
MUST_CHECK err_t poll_set_remove(struct poll_set *ps, struct kobject *o);

/*
 * Collects up to `max` ready entries into `ev` (a timer's expirations are
 * taken as it is reported). Returns how many.
 */
unsigned poll_set_collect(struct poll_set *ps, struct viper_poll_event *ev, unsigned max);

static inline struct poll_set *poll_set_of(const struct kobject *o)
{
	return container_of(o, struct poll_set, obj);
}

#endif
