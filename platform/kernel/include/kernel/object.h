/*
 * Kernel objects: everything a handle can name starts with a struct kobject.
 * `refs` counts every reference (handles, mappings, poll entries, waiting
 * threads); the object is destroyed when it reaches zero. `handles` counts
 * handles alone; when it reaches zero the object learns that user space let
 * go of it (a channel end closes, for instance).
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

struct waitq {
	struct thread *head;
	struct thread *tail;
};

struct kobject {
	uint32_t kind; /* enum viper_object_kind */
	uint32_t handles;
	uint32_t refs;
	uint64_t koid;
	struct waitq waiters;	      /* threads blocked on this object */
	struct poll_entry *observers; /* poll sets watching it */
};

/* Per-kind behaviour. */
struct kobject_ops {
	void (*last_handle)(struct kobject *o); /* optional */
	void (*destroy)(struct kobject *o);
	uint32_t (*signals)(const struct kobject *o); /* enum viper_signal bits that hold */
};

void kobject_init(struct kobject *o, uint32_t kind);
void kobject_ref(struct kobject *o);
void kobject_unref(struct kobject *o);
/* Handle counting, for the handle table. */
void kobject_handle_ref(struct kobject *o);
void kobject_handle_drop(struct kobject *o);
/* The signals that hold now. */
uint32_t kobject_signals(const struct kobject *o);
/* The object's state changed: wake its waiters and the poll sets watching it. */
void kobject_signal(struct kobject *o);
/* Registers the behaviour of `kind` (at boot). */
void kobject_register(uint32_t kind, const struct kobject_ops *ops);

#endif
