/*
 * Per-process quotas: the memory a process may commit, the entries of its
 * handle table and its threads. process_spawn gives each child limits no
 * larger than its parent's (quota_resolve). Memory is charged to a
 * struct mem_account: the pages of the memory objects the process made
 * (its program's segments, stack and startup page included) and its page
 * tables. An account outlives its process while memory objects it paid for
 * live on elsewhere; each object gives its charge back when it is freed.
 * Portable: tested on the host.
 */
#ifndef KERNEL_QUOTA_H
#define KERNEL_QUOTA_H

#include <stdint.h>

#include <kernel/err.h>

#define QUOTA_NO_MEMORY_LIMIT UINT64_MAX

/* A process's limits. */
struct quota_limits {
	uint64_t memory;  /* bytes; QUOTA_NO_MEMORY_LIMIT: none */
	uint32_t handles; /* <= VIPER_HANDLES_MAX */
	uint32_t threads; /* VIPER_QUOTA_UNLIMITED: none */
};

/*
 * What memory is charged to. `refs`: the process, plus each object charged
 * to it. `used` is memory proper (memory objects, translation tables);
 * `kernel` the kernel's bookkeeping for what the process made (threads and
 * their kernel stacks, channels and queued messages, poll sets, timers, the
 * objects of the processes it spawned). The limit covers both.
 */
struct mem_account {
	uint32_t refs;
	uint64_t limit;	 /* bytes */
	uint64_t used;	 /* bytes */
	uint64_t kernel; /* bytes */
};

/* The kernel default: no memory or thread limit, VIPER_HANDLES_MAX handles. */
void quota_default(struct quota_limits *out);

/*
 * A child's limits from `req` (NULL: every field 0) and its parent's limits.
 * A field of 0 is the kernel default capped at the parent's limit; any other
 * value is taken as it is (memory_kib VIPER_QUOTA_UNLIMITED: no limit) and
 * must not exceed the parent's: VIPER_E_LIMIT. VIPER_E_INVAL when
 * req->reserved is not 0.
 */
MUST_CHECK err_t quota_resolve(const struct quota_limits *parent, const struct viper_quota *req,
			       struct quota_limits *out);

/* `limits` as the ABI reports them (memory in KiB, rounded down). */
void quota_report(const struct quota_limits *limits, struct viper_quota *out);

/* A memory account with `limit` bytes and one reference (NULL without memory). */
struct mem_account *mem_account_create(uint64_t limit);
/* Drops a reference; the last one frees the account. */
void mem_account_put(struct mem_account *a);

/* Charges `bytes`; VIPER_E_LIMIT (and nothing charged) when the limit would be passed. */
MUST_CHECK err_t mem_charge(struct mem_account *a, uint64_t bytes);
/* Gives back `bytes` charged earlier. */
void mem_uncharge(struct mem_account *a, uint64_t bytes);
/* The same for kernel bookkeeping. */
MUST_CHECK err_t mem_charge_kernel(struct mem_account *a, uint64_t bytes);
void mem_uncharge_kernel(struct mem_account *a, uint64_t bytes);

#endif
