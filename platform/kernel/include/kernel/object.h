/*
 * Kernel objects: everything a handle can name starts with a struct kobject.
 * `refs` counts every reference (handles, mappings, poll entries, waiting
 * threads); the object is destroyed when it reaches zero. `handles` counts
 * handles alone; when it reaches zero the object learns that user space let
 * go of it (a channel end closes, for instance).
 *
 * Destruction never recurses: an object whose last reference or last
 * handle goes while another object is being torn down (a channel whose
 * receive end was in a message of a channel being freed, a chain of
 * thousands of them) is put on a list that the outermost release works
 * through, so tearing down any structure takes constant kernel stack.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>

/* The structure of `type` whose field `member` is at `p`. */
#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))

struct thread;
struct poll_entry;
struct cap;

struct waitq {
	struct thread *head;
	struct thread *tail;
};

struct kobject {
	uint32_t kind; /* enum viper_object_kind */
	uint32_t handles;
	uint32_t refs;
	uint32_t deferred; /* what the release list will do with it (object.c) */
	uint64_t koid;
	struct waitq waiters;	      /* threads blocked on this object */
	struct poll_entry *observers; /* poll sets watching it */
	struct kobject *defer_next;   /* on the release list */
};

/* Per-kind behaviour. */
struct kobject_ops {
	void (*last_handle)(struct kobject *o); /* optional */
	void (*destroy)(struct kobject *o);
	uint32_t (*signals)(const struct kobject *o); /* enum viper_signal bits that hold */
	/* Optional: capability `c` to `o` is being destroyed (before the count drops). */
	void (*handle_dropped)(struct kobject *o, struct cap *c);
};

void kobject_init(struct kobject *o, uint32_t kind);
void kobject_ref(struct kobject *o);
void kobject_unref(struct kobject *o);
/* Handle counting, for the handle table: `c` is the capability made or destroyed. */
void kobject_handle_ref(struct kobject *o);
void kobject_handle_drop(struct kobject *o, struct cap *c);
/* The signals that hold now. */
uint32_t kobject_signals(const struct kobject *o);
/* The object's state changed: wake its waiters and the poll sets watching it. */
void kobject_signal(struct kobject *o);
/* Registers the behaviour of `kind` (at boot). */
void kobject_register(uint32_t kind, const struct kobject_ops *ops);

#endif
