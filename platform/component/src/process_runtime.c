/*
 * The component runtime in a user process (component.h): memory from a
 * fixed heap, log lines on the debug console, the clock and string
 * helpers. viper_component_find and viper_transport_call come from
 * //platform/component:channel_host, shared with kernel-placed components.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <viper/component.h>
#include <viper/runtime.h>
#include <viper/syscall.h>

#include "heap.h"
#include "log_line.h"
#include "process_runtime.h"

/*
 * The heap behind vc_alloc: a static arena, so it costs nothing to set up
 * and lives in .bss. 256 KiB covers the heap_kib of the components a
 * process holds today; the manifest does not carry heap sizes yet.
 */
#define PROCESS_HEAP_BYTES (256u * 1024u)

static _Alignas(16) uint8_t heap_arena[PROCESS_HEAP_BYTES];
static struct heap heap;
static bool heap_ready;
/* Instances' run threads and the serving thread allocate concurrently. */
static atomic_flag heap_lock = ATOMIC_FLAG_INIT;

/* Linker-made bounds of section viper_components (see VIPER_COMPONENT). */
extern const struct viper_component __start_viper_components[];
extern const struct viper_component __stop_viper_components[];

static void heap_enter(void)
{
	while (atomic_flag_test_and_set_explicit(&heap_lock, memory_order_acquire))
		viper_yield();
	if (!heap_ready) {
		heap_init(&heap, heap_arena, sizeof(heap_arena));
		heap_ready = true;
	}
}

static void heap_leave(void)
{
	atomic_flag_clear_explicit(&heap_lock, memory_order_release);
}

/* Zeroed memory, 16-byte aligned; NULL when the heap is exhausted. */
void *vc_alloc(size_t size)
{
	void *p;

	heap_enter();
	p = heap_alloc(&heap, size);
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

uint64_t vc_now_ns(void)
{
	int64_t t = viper_clock_now();

	return t < 0 ? 0 : (uint64_t)t;
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
