/*
 * The component runtime in a user process (component.h): memory from a
 * heap that grows on demand, log lines on the debug console, the clock, string helpers,
 * memory objects, interrupts, notifications and the system capability (the
 * kernel's system calls, errors unchanged). viper_component_find
 * and viper_transport_call come from //platform/component:channel_host,
 * shared with kernel-placed components.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <viper/component.h>
#include <viper/program_slots.h>
#include <viper/runtime.h>
#include <viper/spawn_image.h>
#include <viper/syscall.h>

#include "heap.h"
#include "log_line.h"
#include "memory_span.h"
#include "notify_wait.h"
#include "process_runtime.h"

/*
 * The heap behind vc_alloc: empty at start, it grows by a memory object of
 * the process when nothing fits, so a process commits only what its
 * components allocate (state, locks, heap_kib use, same-process bulk
 * buffers). A new region is at least HEAP_CHUNK_MIN and at least as large
 * as the heap so far (so a heap of N bytes needs O(log N) mappings), or,
 * when the memory quota refuses that, just what the allocation needs.
 * Regions are never given back.
 */
#define HEAP_CHUNK_MIN	 (16u * 1024u)
#define HEAP_REGION_MAX	 (64u * 1024u * 1024u) /* memory_create's limit */
#define HEAP_BLOCK_EXTRA 32u		       /* block header and alignment */

static struct heap heap;
/* Instances' run threads and the serving thread allocate concurrently. */
static atomic_flag heap_lock = ATOMIC_FLAG_INIT;
/* Linker-made bounds of section viper_components (see VIPER_COMPONENT). */
extern const struct viper_component __start_viper_components[];
extern const struct viper_component __stop_viper_components[];

static void heap_enter(void)
{
	while (atomic_flag_test_and_set_explicit(&heap_lock, memory_order_acquire))
		viper_yield();
}

static void heap_leave(void)
{
	atomic_flag_clear_explicit(&heap_lock, memory_order_release);
}

static size_t page_up(size_t n)
{
	return (n + VIPER_PAGE_SIZE - 1) & ~(size_t)(VIPER_PAGE_SIZE - 1);
}

/* Maps a new region of `bytes` and adds it to the heap; false when refused. */
static bool heap_map(size_t bytes)
{
	int64_t mem, va;

	if (bytes > HEAP_REGION_MAX)
		return false;
	mem = viper_memory_create(bytes, 0);
	if (mem < 0)
		return false;
	va = viper_memory_map((viper_handle_t)mem, 0, bytes, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	/* The mapping keeps the object alive. */
	viper_handle_close((viper_handle_t)mem);
	if (va < 0)
		return false;
	if (!heap_add(&heap, (void *)(uintptr_t)va, bytes)) {
		viper_memory_unmap((uint64_t)va, bytes);
		return false;
	}
	return true;
}

/* heap_alloc, growing the heap when nothing fits. Called with the lock held. */
static void *heap_alloc_grow(size_t size)
{
	void *p = heap_alloc(&heap, size);
	size_t need, chunk;

	if (p || size > HEAP_REGION_MAX)
		return p;
	need = page_up(size + HEAP_BLOCK_EXTRA);
	chunk = heap.size > HEAP_CHUNK_MIN ? page_up(heap.size) : HEAP_CHUNK_MIN;
	if (chunk < need)
		chunk = need;
	if (!heap_map(chunk) && (chunk == need || !heap_map(need)))
		return NULL;
	return heap_alloc(&heap, size);
}

/* Zeroed memory, 16-byte aligned; NULL when the heap cannot grow (memory quota, mappings). */
void *vc_alloc(size_t size)
{
	void *p;

	heap_enter();
	p = heap_alloc_grow(size);
	heap_leave();
	if (p)
		memset(p, 0, size);
	return p;
}

void vc_free(void *p)
{
	heap_enter();
	heap_free(&heap, p);
	heap_leave();
}

/*
 * Writes one line exactly as formatted, adding the newline when the text
 * lacks one; cut at 256 bytes. One debug_write per line, so lines of
 * different threads and processes never interleave.
 */
void vc_log(const char *fmt, ...)
{
	char line[LOG_LINE_BYTES];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = log_line(line, fmt, ap);
	va_end(ap);
	if (n)
		viper_debug_write(line, n);
}

int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int vc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void vc_yield(void)
{
	(void)viper_yield();
}

void vc_sleep(int64_t ns)
{
	(void)viper_sleep(ns > 0 ? ns : 0);
}

int32_t vc_instructions(uint64_t *count)
{
	uint64_t allowed;

	/* Readable at EL0 always; EN (bit 0) or ER (bit 3) opens the counters. */
	__asm__ volatile("mrs %0, pmuserenr_el0" : "=r"(allowed));
	if ((allowed & 0x9) == 0)
		return VIPER_E_UNSUPPORTED;
	__asm__ volatile("isb\n mrs %0, pmevcntr0_el0" : "=r"(*count));
	return VIPER_OK;
}

uint64_t vc_now_ns(void)
{
	int64_t t = viper_clock_now();

	return t < 0 ? 0 : (uint64_t)t;
}

/* Memory objects: the kernel's memory system calls, errors unchanged. */

int32_t vc_memory_create(uint64_t size, viper_handle_t *memory)
{
	int64_t h;

	*memory = VIPER_HANDLE_INVALID;
	if (size == 0 || size > VC_MEMORY_MAX)
		return VIPER_E_INVAL;
	h = viper_memory_create(size, 0);
	if (h < 0)
		return (int32_t)h;
	*memory = (viper_handle_t)h;
	return VIPER_OK;
}

int32_t vc_memory_size(viper_handle_t memory, uint64_t *size)
{
	struct viper_handle_info info = {0};
	int64_t r = viper_handle_query(memory, &info);

	*size = 0;
	if (r < 0)
		return (int32_t)r;
	if (info.kind != VIPER_OBJ_MEMORY)
		return VIPER_E_KIND;
	*size = info.size;
	return VIPER_OK;
}

int32_t vc_memory_map(viper_handle_t memory, void **p, uint64_t *size)
{
	uint64_t bytes;
	int32_t r = vc_memory_size(memory, &bytes);
	int64_t va;

	*p = NULL;
	*size = 0;
	if (r < 0)
		return r;
	va = viper_memory_map(memory, 0, bytes, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	if (va < 0)
		return (int32_t)va;
	*p = (void *)(uintptr_t)va;
	*size = bytes;
	return VIPER_OK;
}

int32_t vc_memory_unmap(void *p, uint64_t size)
{
	return (int32_t)viper_memory_unmap((uint64_t)(uintptr_t)p, size);
}

int32_t vc_memory_map_range(viper_handle_t memory, uint64_t offset, uint64_t length, uint32_t prot,
			    void **p)
{
	struct viper_page_span span;
	int32_t r = viper_page_span_of(memory, offset, length, prot, &span);
	int64_t va;

	*p = NULL;
	if (r < 0)
		return r;
	va = viper_memory_map(memory, span.start, span.size, prot, 0);
	if (va < 0)
		return (int32_t)va;
	*p = (uint8_t *)(uintptr_t)va + span.skip;
	return VIPER_OK;
}

int32_t vc_memory_unmap_range(void *p, uint64_t length)
{
	return viper_unmap_span(p, length);
}

int32_t vc_handle_derive(viper_handle_t h, uint32_t rights, viper_handle_t *out)
{
	int64_t r = viper_handle_derive(h, rights);

	*out = r < 0 ? VIPER_HANDLE_INVALID : (viper_handle_t)r;
	return r < 0 ? (int32_t)r : VIPER_OK;
}

int32_t vc_handle_close(viper_handle_t handle)
{
	return (int32_t)viper_handle_close(handle);
}

int32_t vc_memory_physical(viper_handle_t memory, uint64_t offset, uint64_t *phys)
{
	int64_t r = viper_memory_physical(memory, offset);

	*phys = r < 0 ? 0 : (uint64_t)r;
	return r < 0 ? (int32_t)r : VIPER_OK;
}

/* Interrupts: irq_wait and irq_ack; a wait that finds nothing reports a timeout. */

int32_t vc_irq_wait(viper_handle_t irq, int64_t timeout_ns)
{
	int64_t r = viper_irq_wait(irq, timeout_ns);

	return r == VIPER_E_WOULDBLOCK ? VIPER_E_TIMEOUT : (int32_t)r;
}

int32_t vc_irq_ack(viper_handle_t irq)
{
	return (int32_t)viper_irq_ack(irq);
}

/* Notifications: a channel of the default depth, used for its notification word. */

int32_t vc_channel_create(viper_handle_t *send, viper_handle_t *recv)
{
	int64_t r = viper_channel_create(send, recv, 0);

	if (r < 0) {
		*send = VIPER_HANDLE_INVALID;
		*recv = VIPER_HANDLE_INVALID;
	}
	return (int32_t)r;
}

int32_t vc_notify(viper_handle_t send, uint64_t bits)
{
	return (int32_t)viper_channel_notify(send, bits);
}

int64_t vc_notified_wait(viper_handle_t recv, int64_t timeout_ns)
{
	return notify_wait(recv, timeout_ns);
}

/* Handle and system calls: a count comes back in *total, 0 on an error. */

static int32_t count_result(int64_t r, uint32_t *total)
{
	*total = r < 0 ? 0 : (uint32_t)r;
	return r < 0 ? (int32_t)r : VIPER_OK;
}

int32_t vc_handle_list(struct viper_handle_entry *out, uint32_t max, uint32_t *total)
{
	return count_result(viper_handle_list(out, max), total);
}

int32_t vc_system_info(viper_handle_t system, struct viper_system_info *info)
{
	return (int32_t)viper_system_info(system, info);
}

int32_t vc_system_processes(viper_handle_t system, struct viper_process_entry *out, uint32_t max,
			    uint32_t *total)
{
	return count_result(viper_system_processes(system, out, max), total);
}

int32_t vc_system_handles(viper_handle_t system, uint64_t koid, struct viper_handle_entry *out,
			  uint32_t max, uint32_t *total)
{
	return count_result(viper_system_handles(system, koid, out, max), total);
}

int32_t vc_system_kill(viper_handle_t system, uint64_t koid)
{
	return (int32_t)viper_system_kill(system, koid);
}

const struct viper_interface *process_interface_find(uint32_t id)
{
	for (const struct viper_component *c = __start_viper_components;
	     c < __stop_viper_components; c++) {
		for (unsigned i = 0; i < c->provide_count && i < VIPER_COMPONENT_MAX_PROVIDES;
		     i++) {
			if (c->provides[i].interface && c->provides[i].interface->id == id)
				return c->provides[i].interface;
		}
	}
	return NULL;
}

int32_t vc_console_write(const void *buf, uint32_t n)
{
	int64_t r;

	if (n > VC_CONSOLE_WRITE_MAX)
		return VIPER_E_INVAL;
	r = viper_debug_write(buf, n); /* one system call: atomic against the kernel's output */
	return r < 0 ? (int32_t)r : VIPER_OK;
}

/* Programs (component.h): the launcher of viper/spawn_image.h, given what the program declares. */

/* The offered connections the program declares, in its order, as slot grants. */
static int32_t declared_grants(const struct vc_program_launch *l, struct viper_slot_grant *grants,
			       uint32_t *count, char *why, size_t why_size)
{
	static struct viper_slot_decl decls[VIPER_PROGRAM_MAX_SLOTS];
	uint64_t span = (l->image_size + VIPER_PAGE_SIZE - 1) & ~(uint64_t)(VIPER_PAGE_SIZE - 1);
	int64_t va = viper_memory_map(l->image, 0, span, VIPER_PROT_READ, 0);
	int32_t n;

	if (va < 0) {
		snprintf(why, why_size, "cannot map %s's file: %s", l->name, viper_error_name(va));
		return (int32_t)va;
	}
	n = viper_program_slots((const uint8_t *)(uintptr_t)va, l->image_size, decls,
				VIPER_PROGRAM_MAX_SLOTS);
	viper_memory_unmap((uint64_t)va, span);
	if (n < 0) {
		snprintf(why, why_size, "%s is not a valid program (its slot note)", l->name);
		return n;
	}
	*count = 0;
	for (int32_t i = 0; i < n; i++) {
		for (uint32_t o = 0; o < l->offered_count; o++) {
			if (strcmp(l->offered[o].slot, decls[i].slot) == 0 &&
			    strcmp(l->offered[o].interface, decls[i].interface) == 0 &&
			    l->offered[o].handle != VIPER_HANDLE_INVALID)
				grants[(*count)++] = (struct viper_slot_grant){
					decls[i].slot, decls[i].interface, l->offered[o].handle, 0};
		}
	}
	return VIPER_OK;
}

int32_t vc_program_start(viper_handle_t spawn, const struct vc_program_launch *l,
			 viper_handle_t *process, char *why, size_t why_size)
{
	struct viper_slot_grant grants[VIPER_PROGRAM_MAX_SLOTS];
	struct viper_spawn_grant extra = {l->extra, VIPER_RIGHT_READ | VIPER_RIGHT_MAP};
	struct viper_launch_error error = {{0}};
	uint32_t count = 0;
	int32_t err;

	why[0] = 0;
	err = declared_grants(l, grants, &count, why, why_size);
	if (err)
		return err;
	struct viper_image_launch launch = {
		.name = l->name,
		.image = l->image,
		.image_size = l->image_size,
		.slots = grants,
		.slot_count = count,
		.extra = l->extra != VIPER_HANDLE_INVALID ? &extra : NULL,
		.extra_count = l->extra != VIPER_HANDLE_INVALID ? 1 : 0,
		.priority = VIPER_PRIORITY_DEFAULT,
		.argument = l->argument,
	};
	int64_t h = viper_spawn_image(spawn, &launch, &error);
	if (h < 0) {
		snprintf(why, why_size, "%s", error.text);
		return (int32_t)h;
	}
	*process = (viper_handle_t)h;
	return VIPER_OK;
}

int32_t vc_process_wait(viper_handle_t process, int64_t *status, int64_t timeout_ns)
{
	return (int32_t)viper_process_wait(process, status, timeout_ns);
}

int32_t vc_process_kill(viper_handle_t process, int64_t status)
{
	return (int32_t)viper_process_kill(process, status);
}
