#include <viper/runtime.h>

#include <stdio.h>
#include <string.h>

#define TLS_AREA     4096
#define THREAD_SLOTS 8
#define THREAD_STACK (16 * 1024)

extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[];

static const struct viper_startup *startup_block;
static _Alignas(16) uint8_t main_tls[TLS_AREA];

/*
 * A thread started with viper_thread_start. Its stack and TLS are one
 * memory object of the process, mapped where the kernel chooses (the
 * unmapped guard page below every kernel-chosen mapping catches an
 * overflowing stack): the stack at the bottom, the TLS area above it. Only
 * the mapping holds the object, so unmapping it frees the pages; that
 * happens once viper_thread_join saw the thread end (a thread nobody
 * joins keeps its slot and memory until the process exits).
 */
struct thread_slot {
	void (*fn)(void *);
	void *arg;
	uintptr_t base; /* the mapping */
	size_t size;
	viper_handle_t handle;
	int used;
};

static struct thread_slot slots[THREAD_SLOTS];

void viper_runtime_start(const struct viper_startup *s);
void _exit(int status) __attribute__((noreturn));
int getpid(void);
int kill(int pid, int sig);

/* AArch64 TLS (variant I): TPIDR_EL0 points at a 16-byte TCB, the block follows. */
static size_t tls_bytes(void)
{
	return 16 + (size_t)(__tdata_end - __tdata_start) + (size_t)(__tbss_end - __tbss_start);
}

static void tls_init(uint8_t *area)
{
	size_t data = (size_t)(__tdata_end - __tdata_start);

	if (tls_bytes() > TLS_AREA) {
		static const char msg[] = "runtime: TLS does not fit\n";
		viper_debug_write(msg, sizeof(msg) - 1);
		viper_process_exit(-1);
	}
	memset(area, 0, TLS_AREA);
	memcpy(area + 16, __tdata_start, data);
	__asm__ volatile("msr tpidr_el0, %0" ::"r"(area));
}

void viper_runtime_start(const struct viper_startup *s)
{
	startup_block = s;
	tls_init(main_tls);
	viper_process_exit(main(s));
	for (;;)
		;
}

const struct viper_startup *viper_startup_info(void)
{
	return startup_block;
}

int viper_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	viper_debug_write(buf, (uint64_t)n);
	return n;
}

viper_handle_t viper_spawn_capability(void)
{
	const struct viper_startup *s = startup_block;

	for (uint32_t i = 0; s && i < s->handle_count && i < VIPER_STARTUP_MAX_HANDLES; i++) {
		if (s->handles[i].kind == VIPER_OBJ_SPAWN)
			return s->handles[i].handle;
	}
	return VIPER_HANDLE_INVALID;
}

int64_t viper_spawn(viper_handle_t spawn, const char *image, uint64_t argument,
		    const viper_handle_t *handles, uint32_t count)
{
	struct viper_spawn s = {
		.image = image,
		.image_len = (uint32_t)strlen(image),
		.priority = VIPER_PRIORITY_DEFAULT,
		.handles = handles,
		.handle_count = count,
		.argument = argument,
	};
	return viper_process_spawn(spawn, &s);
}

static void thread_entry(struct thread_slot *slot)
{
	tls_init((uint8_t *)(slot->base + THREAD_STACK));
	slot->fn(slot->arg);
	viper_thread_exit(0);
}

/* The slot's stack and TLS: a memory object mapped read/write, its handle closed. */
static int64_t slot_map(struct thread_slot *s)
{
	size_t size = THREAD_STACK +
		      ((tls_bytes() + VIPER_PAGE_SIZE - 1) & ~(size_t)(VIPER_PAGE_SIZE - 1));
	int64_t mem = viper_memory_create(size, 0), va;

	if (mem < 0)
		return mem;
	va = viper_memory_map((viper_handle_t)mem, 0, size, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	viper_handle_close((viper_handle_t)mem);
	if (va < 0)
		return va;
	s->base = (uintptr_t)va;
	s->size = size;
	return VIPER_OK;
}

static void slot_release(struct thread_slot *s)
{
	viper_memory_unmap(s->base, s->size);
	s->used = 0;
}

int64_t viper_thread_start(void (*fn)(void *), void *arg, uint32_t priority)
{
	for (int i = 0; i < THREAD_SLOTS; i++) {
		struct thread_slot *s = &slots[i];
		int64_t h;
		if (s->used)
			continue;
		h = slot_map(s);
		if (h < 0)
			return h;
		s->used = 1;
		s->fn = fn;
		s->arg = arg;
		h = viper_thread_create((uint64_t)(uintptr_t)thread_entry,
					(uint64_t)(s->base + THREAD_STACK), (uint64_t)(uintptr_t)s,
					priority);
		if (h < 0) {
			slot_release(s);
			return h;
		}
		s->handle = (viper_handle_t)h;
		return h;
	}
	return VIPER_E_LIMIT;
}

int64_t viper_thread_join(viper_handle_t thread, int64_t *status)
{
	int64_t r = viper_thread_wait(thread, status, VIPER_TIMEOUT_NONE);

	if (r < 0)
		return r;
	for (int i = 0; i < THREAD_SLOTS; i++) {
		if (slots[i].used && slots[i].handle == thread)
			slot_release(&slots[i]);
	}
	return viper_handle_close(thread);
}

/* picolibc's hooks. */

void _exit(int status)
{
	viper_process_exit(status);
	for (;;)
		;
}

int getpid(void)
{
	return 1;
}

int kill(int pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}
