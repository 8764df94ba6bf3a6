/*
 * The component runtime (viper/component.h) on the host, for the host
 * simulation: the C library does the work; logs go to stderr. Memory
 * objects are heap buffers behind a small handle table that checks what
 * the kernel checks (live handle, kind, size, mapping limits), so a
 * component sees the same errors as on the target. Notification channels
 * are real and thread-safe (a mutex and a condition variable); interrupts,
 * handle listing and the system capability go to hooks a test installs
 * (viper/host_runtime.h).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_condattr_setclock under -std=c17 */

#include <viper/component.h>
#include <viper/host_runtime.h>

#include "log_line.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host_memory.h"
#include "memory_span.h"

void *vc_alloc(size_t size)
{
	return calloc(1, size);
}

void vc_free(void *p)
{
	free(p);
}

void vc_log(const char *fmt, ...)
{
	char line[LOG_LINE_BYTES];
	va_list ap;
	va_start(ap, fmt);
	size_t n = log_line(line, fmt, ap);
	va_end(ap);
	fwrite(line, 1, n, stderr);
}

int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int vc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void vc_yield(void)
{
	sched_yield();
}

int32_t vc_lock_init(struct vc_lock *lock)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	if (m == NULL)
		return VIPER_E_NOMEM;
	pthread_mutex_init(m, NULL);
	lock->host = m;
	return VIPER_OK;
}

void vc_lock_take(struct vc_lock *lock)
{
	pthread_mutex_lock(lock->host);
}

void vc_lock_give(struct vc_lock *lock)
{
	pthread_mutex_unlock(lock->host);
}

void vc_sleep(int64_t ns)
{
	struct timespec t = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};

	if (ns > 0)
		nanosleep(&t, NULL);
}

int32_t vc_instructions(uint64_t *count)
{
	(void)count;
	return VIPER_E_UNSUPPORTED;
}

uint64_t vc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Memory objects. A handle is HOST_MEMORY_TAG | generation << 8 | slot, so a
 * closed handle never names the slot's next occupant, and no other host
 * handle (channels are 0x40000000 + n) or small test value looks like one.
 */
#define HOST_MEMORY_TAG	     0x20000000u
#define HOST_MEMORY_TAG_MASK 0xf0000000u
#define HOST_MEMORY_HANDLES  256u
#define HOST_MEMORY_MAPPINGS 64u /* as the kernel's ASPACE_MAX_MAPPINGS */
#define HOST_PAGE_SIZE	     4096u
#define HOST_GEN_MASK	     0xfffffu

struct host_object {
	uint8_t *bytes;
	uint64_t size;
	unsigned refs;	/* handles and mappings */
	uint64_t *phys; /* a DMA region's made-up physical address of each page; else NULL */
};

/*
 * Made-up physical addresses of host DMA regions: contiguous ones get
 * blocks upward from HOST_DMA_CONTIGUOUS_BASE, scatter-gather ones pages
 * from HOST_DMA_SCATTER_BASE in reverse order with a page-sized gap
 * between any two, so no two pages of one follow each other physically.
 */
#define HOST_DMA_CONTIGUOUS_BASE 0x40000000ull
#define HOST_DMA_SCATTER_BASE	 0x80000000ull
static uint64_t dma_next_contiguous = HOST_DMA_CONTIGUOUS_BASE;
static uint64_t dma_next_scatter = HOST_DMA_SCATTER_BASE;

struct host_handle {
	struct host_object *object; /* NULL when the slot is free */
	uint32_t gen;
};

struct host_mapping {
	void *at;
	uint64_t size;
	struct host_object *object; /* NULL when unused */
};

static struct host_handle handles[HOST_MEMORY_HANDLES];
static struct host_mapping mappings[HOST_MEMORY_MAPPINGS];
static unsigned object_count;

static void object_unref(struct host_object *o)
{
	if (--o->refs > 0)
		return;
	free(o->bytes);
	free(o->phys);
	free(o);
	object_count--;
}

static struct host_handle *handle_of(viper_handle_t h)
{
	uint32_t slot = h & 0xffu;

	if ((h & HOST_MEMORY_TAG_MASK) != HOST_MEMORY_TAG)
		return NULL;
	if (!handles[slot].object || handles[slot].gen != ((h >> 8) & HOST_GEN_MASK))
		return NULL;
	return &handles[slot];
}

/* A new handle to `o` (taking a reference) in *out; VIPER_E_LIMIT when the table is full. */
static int32_t handle_new(struct host_object *o, viper_handle_t *out)
{
	for (uint32_t i = 0; i < HOST_MEMORY_HANDLES; i++) {
		struct host_handle *h = &handles[i];

		if (h->object)
			continue;
		h->gen = ((h->gen + 1) & HOST_GEN_MASK) ? (h->gen + 1) & HOST_GEN_MASK : 1;
		h->object = o;
		o->refs++;
		*out = HOST_MEMORY_TAG | h->gen << 8 | i;
		return VIPER_OK;
	}
	return VIPER_E_LIMIT;
}

static void handle_free(struct host_handle *h)
{
	struct host_object *o = h->object;

	h->object = NULL;
	object_unref(o);
}

bool host_memory_is_handle(viper_handle_t h)
{
	return (h & HOST_MEMORY_TAG_MASK) == HOST_MEMORY_TAG;
}

bool host_memory_is_live(viper_handle_t h)
{
	return handle_of(h) != NULL;
}

int32_t host_memory_move(viper_handle_t h, viper_handle_t *out)
{
	struct host_handle *hh = handle_of(h);
	struct host_object *o;
	int32_t r;

	if (!hh)
		return VIPER_E_BADHANDLE;
	o = hh->object;
	o->refs++; /* keep it across the move */
	handle_free(hh);
	r = handle_new(o, out);
	object_unref(o);
	return r;
}

void host_memory_reset(void)
{
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		if (mappings[i].object)
			object_unref(mappings[i].object);
		mappings[i].object = NULL;
	}
	for (uint32_t i = 0; i < HOST_MEMORY_HANDLES; i++) {
		if (handles[i].object)
			handle_free(&handles[i]);
	}
	dma_next_contiguous = HOST_DMA_CONTIGUOUS_BASE;
	dma_next_scatter = HOST_DMA_SCATTER_BASE;
}

unsigned host_memory_objects(void)
{
	return object_count;
}

int32_t vc_memory_create(uint64_t size, viper_handle_t *memory)
{
	struct host_object *o;
	int32_t r;

	*memory = VIPER_HANDLE_INVALID;
	if (size == 0 || size > VC_MEMORY_MAX)
		return VIPER_E_INVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return VIPER_E_NOMEM;
	o->size = (size + HOST_PAGE_SIZE - 1) & ~(uint64_t)(HOST_PAGE_SIZE - 1);
	o->bytes = aligned_alloc(HOST_PAGE_SIZE, o->size);
	if (!o->bytes) {
		free(o);
		return VIPER_E_NOMEM;
	}
	memset(o->bytes, 0, o->size);
	object_count++;
	o->refs = 1; /* ours until the handle has it */
	r = handle_new(o, memory);
	object_unref(o);
	return r;
}

int32_t vc_memory_size(viper_handle_t memory, uint64_t *size)
{
	struct host_handle *h = handle_of(memory);

	*size = 0;
	if (!h)
		return VIPER_E_BADHANDLE; /* the host has no other handles to name */
	*size = h->object->size;
	return VIPER_OK;
}

int32_t vc_memory_map(viper_handle_t memory, void **p, uint64_t *size)
{
	struct host_handle *h = handle_of(memory);

	*p = NULL;
	*size = 0;
	if (!h)
		return VIPER_E_BADHANDLE;
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		struct host_mapping *m = &mappings[i];

		if (m->object)
			continue;
		m->object = h->object;
		m->at = h->object->bytes;
		m->size = h->object->size;
		h->object->refs++;
		*p = m->at;
		*size = h->object->size;
		return VIPER_OK;
	}
	return VIPER_E_LIMIT;
}

int32_t vc_memory_map_range(viper_handle_t memory, uint64_t offset, uint64_t length, uint32_t prot,
			    void **p)
{
	struct viper_page_span span;
	int32_t r = viper_page_span_of(memory, offset, length, prot, &span);
	struct host_handle *h = handle_of(memory);

	*p = NULL;
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		struct host_mapping *m = &mappings[i];

		if (m->object)
			continue;
		m->object = h->object;
		m->at = h->object->bytes + span.start;
		m->size = span.size;
		h->object->refs++;
		*p = (uint8_t *)m->at + span.skip;
		return VIPER_OK;
	}
	return VIPER_E_LIMIT;
}

int32_t vc_memory_unmap_range(void *p, uint64_t length)
{
	return viper_unmap_span(p, length);
}

/* A second handle to the same object: the host tracks no rights. */
int32_t vc_handle_derive(viper_handle_t memory, uint32_t rights, viper_handle_t *out)
{
	struct host_handle *h = handle_of(memory);

	(void)rights;
	*out = VIPER_HANDLE_INVALID;
	if (!h)
		return VIPER_E_BADHANDLE;
	return handle_new(h->object, out);
}

int32_t vc_memory_unmap(void *p, uint64_t size)
{
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		struct host_mapping *m = &mappings[i];

		/* One object may be mapped at one host address more than once, in other sizes. */
		if (!m->object || m->at != p || m->size != size)
			continue;
		object_unref(m->object);
		m->object = NULL;
		return VIPER_OK;
	}
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++)
		if (mappings[i].object && mappings[i].at == p)
			return VIPER_E_INVAL; /* mapped there, in another size */
	return VIPER_E_NOTFOUND;
}

/* Made-up physical addresses for each page of `o` (see HOST_DMA_*_BASE). */
static int32_t dma_assign(struct host_object *o, bool contiguous)
{
	uint64_t pages = o->size / HOST_PAGE_SIZE;

	o->phys = calloc(pages, sizeof(uint64_t));
	if (!o->phys)
		return VIPER_E_NOMEM;
	for (uint64_t i = 0; i < pages; i++) {
		if (contiguous)
			o->phys[i] = dma_next_contiguous + i * HOST_PAGE_SIZE;
		else
			o->phys[pages - 1 - i] = dma_next_scatter + i * 2 * HOST_PAGE_SIZE;
	}
	if (contiguous)
		dma_next_contiguous += o->size;
	else
		dma_next_scatter += 2 * o->size;
	return VIPER_OK;
}

int32_t viper_host_dma_create(uint64_t size, bool contiguous, struct viper_dma *out)
{
	struct host_handle *h;
	uint64_t mapped;
	int32_t r;

	memset(out, 0, sizeof(*out));
	if (contiguous && size > (4ull << 20))
		return VIPER_E_RANGE; /* as memory_create: one block of at most 4 MiB */
	r = vc_memory_create(size, &out->memory);
	if (r < 0)
		return r;
	h = handle_of(out->memory);
	r = dma_assign(h->object, contiguous);
	if (r == VIPER_OK)
		r = vc_memory_map(out->memory, &out->virt, &mapped);
	if (r < 0) {
		vc_handle_close(out->memory);
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->size = mapped;
	out->contiguous = contiguous;
	out->phys = contiguous ? h->object->phys[0] : 0;
	out->pages = contiguous ? NULL : h->object->phys;
	return VIPER_OK;
}

int32_t vc_memory_physical(viper_handle_t memory, uint64_t offset, uint64_t *phys)
{
	struct host_handle *h = handle_of(memory);

	*phys = 0;
	if (!h)
		return VIPER_E_BADHANDLE;
	if (!h->object->phys)
		return VIPER_E_RIGHTS; /* as a demand-zero object's handle */
	if (offset >= h->object->size)
		return VIPER_E_RANGE;
	*phys = h->object->phys[offset / HOST_PAGE_SIZE] + offset % HOST_PAGE_SIZE;
	return VIPER_OK;
}

/*
 * Notification channels. A handle is HOST_NOTIFY_TAG | generation << 8 |
 * slot << 1 | end (0: send, 1: receive), so it never looks like a memory
 * or host channel handle, and a closed end never names a later channel.
 * One lock and one condition variable (on the monotonic clock) serve them
 * all: tests have few waiters.
 */
#define HOST_NOTIFY_TAG	     0x30000000u
#define HOST_NOTIFY_CHANNELS 64u
#define HOST_NOTIFY_SEND     0u
#define HOST_NOTIFY_RECV     1u
#define HOST_NOTIFY_BITS     0x7fffffffffffffffull /* bits 0-62 */

struct host_notify {
	bool open[2]; /* [HOST_NOTIFY_SEND], [HOST_NOTIFY_RECV] */
	uint32_t gen;
	uint64_t bits;
};

static struct host_notify notify_channels[HOST_NOTIFY_CHANNELS];
static pthread_mutex_t notify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notify_cond;
static pthread_once_t notify_once = PTHREAD_ONCE_INIT;

static void notify_cond_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&notify_cond, &attr);
	pthread_condattr_destroy(&attr);
}

static void notify_lock_take(void)
{
	pthread_once(&notify_once, notify_cond_init);
	pthread_mutex_lock(&notify_lock);
}

static bool notify_in_use(const struct host_notify *n)
{
	return n->open[HOST_NOTIFY_SEND] || n->open[HOST_NOTIFY_RECV];
}

/* The channel whose open end `h` names, its end in *end; NULL if none. notify_lock held. */
static struct host_notify *notify_of(viper_handle_t h, uint32_t *end)
{
	uint32_t slot = (h >> 1) & 0x7fu;
	struct host_notify *n;

	if ((h & HOST_MEMORY_TAG_MASK) != HOST_NOTIFY_TAG || slot >= HOST_NOTIFY_CHANNELS)
		return NULL;
	n = &notify_channels[slot];
	*end = h & 1u;
	if (!n->open[*end] || n->gen != ((h >> 8) & HOST_GEN_MASK))
		return NULL;
	return n;
}

bool host_notify_is_live(viper_handle_t h)
{
	uint32_t end;
	bool live;

	notify_lock_take();
	live = notify_of(h, &end) != NULL;
	pthread_mutex_unlock(&notify_lock);
	return live;
}

void host_notify_reset(void)
{
	notify_lock_take();
	for (uint32_t i = 0; i < HOST_NOTIFY_CHANNELS; i++) {
		notify_channels[i].open[HOST_NOTIFY_SEND] = false;
		notify_channels[i].open[HOST_NOTIFY_RECV] = false;
		notify_channels[i].bits = 0;
	}
	pthread_cond_broadcast(&notify_cond);
	pthread_mutex_unlock(&notify_lock);
	viper_host_set_fakes(NULL);
}

unsigned viper_host_notify_channels(void)
{
	unsigned live = 0;

	notify_lock_take();
	for (uint32_t i = 0; i < HOST_NOTIFY_CHANNELS; i++)
		live += notify_in_use(&notify_channels[i]) ? 1 : 0;
	pthread_mutex_unlock(&notify_lock);
	return live;
}

int32_t vc_channel_create(viper_handle_t *send, viper_handle_t *recv)
{
	int32_t r = VIPER_E_LIMIT;

	if (send == NULL || recv == NULL)
		return VIPER_E_INVAL;
	*send = VIPER_HANDLE_INVALID;
	*recv = VIPER_HANDLE_INVALID;
	notify_lock_take();
	for (uint32_t i = 0; i < HOST_NOTIFY_CHANNELS; i++) {
		struct host_notify *n = &notify_channels[i];
		uint32_t base;

		if (notify_in_use(n))
			continue;
		n->gen = ((n->gen + 1) & HOST_GEN_MASK) ? (n->gen + 1) & HOST_GEN_MASK : 1;
		n->open[HOST_NOTIFY_SEND] = true;
		n->open[HOST_NOTIFY_RECV] = true;
		n->bits = 0;
		base = HOST_NOTIFY_TAG | n->gen << 8 | i << 1;
		*send = base | HOST_NOTIFY_SEND;
		*recv = base | HOST_NOTIFY_RECV;
		r = VIPER_OK;
		break;
	}
	pthread_mutex_unlock(&notify_lock);
	return r;
}

int32_t vc_notify(viper_handle_t send, uint64_t bits)
{
	struct host_notify *n;
	uint32_t end;
	int32_t r = VIPER_OK;

	notify_lock_take();
	n = notify_of(send, &end);
	if (n == NULL)
		r = VIPER_E_BADHANDLE;
	else if (end != HOST_NOTIFY_SEND)
		r = VIPER_E_KIND;
	else if (bits == 0 || (bits & ~HOST_NOTIFY_BITS) != 0)
		r = VIPER_E_INVAL;
	else if (!n->open[HOST_NOTIFY_RECV])
		r = VIPER_E_PEERCLOSED;
	if (r == VIPER_OK) {
		n->bits |= bits;
		pthread_cond_broadcast(&notify_cond);
	}
	pthread_mutex_unlock(&notify_lock);
	return r;
}

/* The monotonic instant `timeout_ns` from now, for pthread_cond_timedwait. */
static struct timespec deadline_after(int64_t timeout_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(timeout_ns / 1000000000);
	ts.tv_nsec += (long)(timeout_ns % 1000000000);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

int64_t vc_notified_wait(viper_handle_t recv, int64_t timeout_ns)
{
	struct timespec deadline = deadline_after(timeout_ns > 0 ? timeout_ns : 0);
	struct host_notify *n;
	uint32_t end;
	int64_t r;

	notify_lock_take();
	n = notify_of(recv, &end);
	if (n == NULL) {
		r = VIPER_E_BADHANDLE;
		goto out_unlock;
	}
	if (end != HOST_NOTIFY_RECV) {
		r = VIPER_E_KIND;
		goto out_unlock;
	}
	for (;;) {
		int timed_out = 0;

		if (n->bits != 0) {
			r = (int64_t)n->bits;
			n->bits = 0;
			break;
		}
		if (!n->open[HOST_NOTIFY_SEND]) {
			r = VIPER_E_PEERCLOSED;
			break;
		}
		if (timeout_ns == 0) { /* as in processes and the kernel */
			r = VIPER_E_TIMEOUT;
			break;
		}
		if (timeout_ns < 0)
			pthread_cond_wait(&notify_cond, &notify_lock);
		else
			timed_out = pthread_cond_timedwait(&notify_cond, &notify_lock, &deadline) ==
				    ETIMEDOUT;
		if (notify_of(recv, &end) != n) {
			r = VIPER_E_CLOSED; /* another thread closed it meanwhile */
			break;
		}
		if (timed_out && n->bits == 0) {
			r = VIPER_E_TIMEOUT;
			break;
		}
	}
out_unlock:
	pthread_mutex_unlock(&notify_lock);
	return r;
}

/* Closes notification end `h`: VIPER_OK, or VIPER_E_BADHANDLE when it is not live. */
static int32_t notify_close(viper_handle_t h)
{
	struct host_notify *n;
	uint32_t end;
	int32_t r = VIPER_E_BADHANDLE;

	notify_lock_take();
	n = notify_of(h, &end);
	if (n != NULL) {
		n->open[end] = false;
		if (!notify_in_use(n))
			n->bits = 0;
		pthread_cond_broadcast(&notify_cond);
		r = VIPER_OK;
	}
	pthread_mutex_unlock(&notify_lock);
	return r;
}

/* Without the host transport there are no host channels to close. */
__attribute__((weak)) int32_t host_channel_close(viper_handle_t h)
{
	(void)h;
	return VIPER_E_BADHANDLE;
}

int32_t vc_handle_close(viper_handle_t handle)
{
	struct host_handle *h = handle_of(handle);

	if ((handle & HOST_MEMORY_TAG_MASK) == HOST_NOTIFY_TAG)
		return notify_close(handle);
	if (!h)
		return host_channel_close(handle);
	handle_free(h);
	return VIPER_OK;
}

/* Hooks a test installed (viper/host_runtime.h); copied under their own lock. */
static struct viper_host_fakes fakes;
static pthread_mutex_t fakes_lock = PTHREAD_MUTEX_INITIALIZER;

void viper_host_set_fakes(const struct viper_host_fakes *f)
{
	pthread_mutex_lock(&fakes_lock);
	if (f != NULL)
		fakes = *f;
	else
		memset(&fakes, 0, sizeof(fakes));
	pthread_mutex_unlock(&fakes_lock);
}

static struct viper_host_fakes fakes_now(void)
{
	struct viper_host_fakes f;

	pthread_mutex_lock(&fakes_lock);
	f = fakes;
	pthread_mutex_unlock(&fakes_lock);
	return f;
}

int32_t vc_irq_wait(viper_handle_t irq, int64_t timeout_ns)
{
	struct viper_host_fakes f = fakes_now();

	return f.irq_wait ? f.irq_wait(f.context, irq, timeout_ns) : VIPER_E_UNSUPPORTED;
}

int32_t vc_irq_ack(viper_handle_t irq)
{
	struct viper_host_fakes f = fakes_now();

	return f.irq_ack ? f.irq_ack(f.context, irq) : VIPER_E_UNSUPPORTED;
}

int32_t vc_handle_list(struct viper_handle_entry *out, uint32_t max, uint32_t *total)
{
	struct viper_host_fakes f = fakes_now();

	return f.handle_list ? f.handle_list(f.context, out, max, total) : VIPER_E_UNSUPPORTED;
}

int32_t vc_system_info(viper_handle_t system, struct viper_system_info *info)
{
	struct viper_host_fakes f = fakes_now();

	return f.system_info ? f.system_info(f.context, system, info) : VIPER_E_UNSUPPORTED;
}

int32_t vc_system_processes(viper_handle_t system, struct viper_process_entry *out, uint32_t max,
			    uint32_t *total)
{
	struct viper_host_fakes f = fakes_now();

	return f.system_processes ? f.system_processes(f.context, system, out, max, total)
				  : VIPER_E_UNSUPPORTED;
}

int32_t vc_system_handles(viper_handle_t system, uint64_t koid, struct viper_handle_entry *out,
			  uint32_t max, uint32_t *total)
{
	struct viper_host_fakes f = fakes_now();

	return f.system_handles ? f.system_handles(f.context, system, koid, out, max, total)
				: VIPER_E_UNSUPPORTED;
}

int32_t vc_system_kill(viper_handle_t system, uint64_t koid)
{
	struct viper_host_fakes f = fakes_now();

	return f.system_kill ? f.system_kill(f.context, system, koid) : VIPER_E_UNSUPPORTED;
}

int32_t vc_program_start(viper_handle_t spawn, const struct vc_program_launch *l,
			 viper_handle_t *process, char *why, size_t why_size)
{
	struct viper_host_fakes f = fakes_now();

	why[0] = 0;
	return f.program_start ? f.program_start(f.context, spawn, l, process, why, why_size)
			       : VIPER_E_UNSUPPORTED;
}

int32_t vc_process_wait(viper_handle_t process, int64_t *status, int64_t timeout_ns)
{
	struct viper_host_fakes f = fakes_now();

	return f.process_wait ? f.process_wait(f.context, process, status, timeout_ns)
			      : VIPER_E_UNSUPPORTED;
}

int32_t vc_process_kill(viper_handle_t process, int64_t status)
{
	(void)process;
	(void)status;
	return VIPER_E_UNSUPPORTED;
}

int32_t vc_console_write(const void *buf, uint32_t n)
{
	struct viper_host_fakes f = fakes_now();

	if (n > VC_CONSOLE_WRITE_MAX)
		return VIPER_E_INVAL;
	return f.console_write ? f.console_write(f.context, buf, n) : VIPER_E_UNSUPPORTED;
}
