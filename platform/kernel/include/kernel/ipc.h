/*
 * The kernel objects user space works with, besides processes and threads:
 * channels, poll sets, timers, memory objects, device regions and IRQ lines.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/board.h>
#include <kernel/channel_queue.h>
#include <kernel/err.h>
#include <kernel/handle.h>
#include <kernel/object.h>
#include <kernel/quota.h>

struct thread;
struct process;

/*
 * A message in a channel: the bytes, the detached caps, and the caller for a
 * call. A call's message lives in the caller's struct thread (`embedded`),
 * any other is allocated.
 */
struct message {
	struct queue_link link;
	uint32_t bytes;
	uint32_t handle_count;
	bool embedded;
	struct cap *caps[VIPER_MSG_MAX_HANDLES];
	struct thread *caller;
	uint8_t data[VIPER_MSG_MAX_BYTES];
};

/* A one-way channel: messages go in at the send end and come out at the receive end. */
struct channel {
	struct kobject send_end;
	struct kobject recv_end;
	struct channel_queue queue;
	uint64_t notify_bits;
};

struct poll_entry {
	struct kobject *object; /* holds a ref */
	struct poll_set *set;
	uint32_t signals;
	uint64_t key;
	struct poll_entry *set_next;
	struct poll_entry *object_next;
};

struct poll_set {
	struct kobject obj;
	struct poll_entry *entries;
	unsigned count;
};

struct ktimer {
	struct kobject obj;
	uint64_t deadline; /* 0: not armed */
	uint64_t period;
	uint64_t expirations;
	struct ktimer *armed_next;
};

struct memory_object {
	struct kobject obj;
	uint64_t size;
	uint64_t pages;
	bool contiguous;
	uint64_t base;		     /* contiguous: physical base */
	uint64_t *frames;	     /* otherwise: one physical page each */
	struct mem_account *account; /* who pays for the pages (holds a reference) */
	uint64_t charged;	     /* bytes charged to it */
};

struct device_region {
	struct kobject obj;
	uint64_t base;
	uint64_t size;
	enum device_kind kind;
};

struct irq_line {
	struct kobject obj;
	uint32_t irq;
	bool pending;
	bool enabled;
};

/* Registers the kinds' behaviour with the object layer. */
void ipc_init(void);

MUST_CHECK err_t channel_create(unsigned depth, struct channel **out);
/*
 * ORs `bits` into the channel's notification word and wakes whoever waits
 * for it. VIPER_E_INVAL for bits 0 or bit 63, VIPER_E_PEERCLOSED when no
 * handle to the receive end is left.
 */
MUST_CHECK err_t channel_notify(struct channel *ch, uint64_t bits);
/*
 * Frees a message (an embedded one stays where it is), destroying the caps
 * it still holds; a caller still waiting for it gets VIPER_E_PEERCLOSED.
 */
void message_free(struct message *m);
/* Withdraws t's call: its queued request, or its claim on a reply token. */
void call_abandon(struct thread *t);

struct poll_set *poll_set_create(void);
/* Watches `o` for `signals`, reported with `key`. VIPER_E_BUSY when it is watched already. */
MUST_CHECK err_t poll_set_add(struct poll_set *ps, struct kobject *o, uint32_t signals,
			      uint64_t key);
/* Stops watching `o`. VIPER_E_NOTFOUND when it was not watched. */
MUST_CHECK err_t poll_set_remove(struct poll_set *ps, struct kobject *o);

struct ktimer *ktimer_create(void);
void ktimer_set(struct ktimer *t, uint64_t deadline, uint64_t period);
/* Fires the timers whose deadline passed (from the tick). */
void ktimer_expire(uint64_t now);

/*
 * A memory object of `size` bytes whose pages are charged to `account`:
 * VIPER_E_LIMIT when they do not fit its limit. The charge goes back when
 * the object is freed.
 */
MUST_CHECK err_t memory_object_create(uint64_t size, uint32_t flags, struct mem_account *account,
				      struct memory_object **out);

/* A memory account with `limit` bytes and one reference (NULL without memory). */
struct mem_account *mem_account_create(uint64_t limit);
void mem_account_put(struct mem_account *a);
/* The physical page backing byte `offset`. */
uint64_t memory_object_frame(const struct memory_object *m, uint64_t offset);

struct device_region *device_region_create(const struct board_device *d);
struct irq_line *irq_line_create(uint32_t irq);
void irq_line_ack(struct irq_line *l);
void irq_line_arm(struct irq_line *l);

#endif
