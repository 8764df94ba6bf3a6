/*
 * Capabilities and handle tables. A capability (struct cap) grants rights on
 * one kernel object; a process names it by handle: table index (bits 0-11)
 * plus the slot's generation (bits 12-30), so stale handles are detected.
 * Capabilities form a derivation tree: derive makes a child with equal or
 * fewer rights; revoke destroys every descendant; close destroys the
 * capability and, with it, its descendants (a derived copy dies with its
 * parent). A capability travelling in a message is detached from any table;
 * if it is revoked on the way it arrives dead (as VIPER_HANDLE_INVALID).
 * Portable: tested on the host.
 */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/err.h>
#include <kernel/object.h>

#define HANDLE_INDEX_BITS 12
#define HANDLE_GEN_MASK	  0x7ffffu
#define CAP_MAX_DEPTH	  16 /* derivation depth limit */

struct handle_table;

struct cap {
	struct kobject *object; /* NULL once a detached cap was revoked */
	uint32_t rights;
	uint32_t depth;
	struct cap *parent;
	struct cap *children;
	struct cap *next_sibling;
	struct cap *prev_sibling;
	struct handle_table *table; /* NULL while detached (in a message) */
	uint32_t index;
	struct thread *waiters; /* threads blocked through this capability (sched.c) */
	bool queued;		/* in a message queued in a channel (channel.c) */
};

struct handle_table {
	struct cap *slots[VIPER_HANDLES_MAX];
	uint32_t gens[VIPER_HANDLES_MAX];
	uint32_t used;
	uint32_t limit; /* slots this table may use, <= VIPER_HANDLES_MAX */
};

/* The capability handle `h` names in `t`; NULL when it names none (forged or stale). */
static inline struct cap *handle_cap(const struct handle_table *t, uint64_t h)
{
	uint64_t index = h & ((1u << HANDLE_INDEX_BITS) - 1);

	if (h >> 31 || index >= VIPER_HANDLES_MAX || t->gens[index] != h >> HANDLE_INDEX_BITS)
		return NULL;
	return t->slots[index];
}

/*
 * handle_cap for the IPC fast paths: the capability only if it is of `kind`
 * and has `rights` (lookup's test without its errors), else NULL.
 */
static inline struct cap *handle_cap_checked(const struct handle_table *t, uint64_t h,
					     uint32_t kind, uint32_t rights)
{
	struct cap *c = handle_cap(t, h);

	return c && c->object->kind == kind && (c->rights & rights) == rights ? c : NULL;
}

void handle_table_init(struct handle_table *t, uint32_t limit);
/* Closes every handle in the table. */
void handle_table_clear(struct handle_table *t);

/* A new root capability for `o` with `rights`, installed in `t`. */
MUST_CHECK err_t handle_create(struct handle_table *t, struct kobject *o, uint32_t rights,
			       viper_handle_t *out);

/*
 * handle_create for a freshly made object: the handle takes over the
 * caller's reference, which is dropped on failure (destroying the object).
 */
MUST_CHECK err_t handle_give(struct handle_table *t, struct kobject *o, uint32_t rights,
			     viper_handle_t *out);

/*
 * Finds handle `h`: VIPER_E_BADHANDLE when it names nothing (forged or
 * stale), VIPER_E_KIND when `kind` is non-zero and differs, VIPER_E_RIGHTS
 * when the capability lacks any of `rights`.
 */
MUST_CHECK err_t handle_lookup(struct handle_table *t, viper_handle_t h, uint32_t kind,
			       uint32_t rights, struct cap **out);

/* A child of `h` with `rights` (a subset of h's, which needs the derive right). */
MUST_CHECK err_t handle_derive(struct handle_table *t, viper_handle_t h, uint32_t rights,
			       viper_handle_t *out);

/*
 * handle_derive with the child installed in table `to` (another process's,
 * say) instead of `from`: it is still a child of `h`, so revoking or
 * closing `h` destroys it. VIPER_E_LIMIT when `to` is full or the chain
 * would be too deep.
 */
MUST_CHECK err_t handle_derive_into(struct handle_table *from, viper_handle_t h, uint32_t rights,
				    struct handle_table *to, viper_handle_t *out);

/* Destroys every capability derived from `h`; returns how many died (or an error). */
int handle_revoke(struct handle_table *t, viper_handle_t h);

/* Closes `h` and everything derived from it. */
MUST_CHECK err_t handle_close(struct handle_table *t, viper_handle_t h);

/* Takes `h` out of the table for transfer (it keeps its place in the tree). */
MUST_CHECK err_t handle_detach(struct handle_table *t, viper_handle_t h, struct cap **out);
/* Puts a detached cap into `t`. VIPER_E_LIMIT when the table is full. */
MUST_CHECK err_t handle_attach(struct handle_table *t, struct cap *c, viper_handle_t *out);
/* Destroys a detached cap (an undelivered message). */
void cap_destroy_detached(struct cap *c);

/*
 * Describes slot `index` of `t` in *out (handle, kind, rights, koid) when it
 * holds a handle; false (and *out untouched) when it is empty or out of range.
 */
bool handle_entry(const struct handle_table *t, uint32_t index, struct viper_handle_entry *out);

/* Free slots left in `t`. */
uint32_t handle_table_free(const struct handle_table *t);

/* Called when a cap dies, so the threads waiting through it are woken (sched.c). */
void sched_cancel_waits(struct cap *cap);

#endif
