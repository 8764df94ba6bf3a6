/*
 * The component runtime inside the kernel. Kernel-placed component code
 * runs without the big kernel lock (on its kernel thread) or with it (its
 * init, at boot); whatever touches kernel state takes the lock unless the
 * caller already holds it.
 *
 * Memory objects belong to the kernel process (kernel_process): its handle
 * table, and its mappings in the kernel window (aspace_map). The functions
 * that never block call the kernel directly rather than through
 * kthread_syscall, so they work in init too, but check exactly what the
 * system calls check. The waits (vc_irq_wait, vc_notified_wait) are system
 * calls on the instance's kernel thread; init, which runs under the big
 * lock at boot, cannot wait (VIPER_E_UNSUPPORTED).
 */
#include <viper/component.h>

#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/channel.h>
#include <kernel/console.h>
#include <kernel/format.h>
#include <kernel/handle.h>
#include <kernel/irq_line.h>
#include <kernel/kmalloc.h>
#include <kernel/lock.h>
#include <kernel/memory_object.h>
#include <kernel/process.h>
#include <kernel/string.h>
#include <kernel/system_object.h>

#include <viper/syscall.h>

#include "log_line.h"
#include "memory_span.h"
#include "notify_wait.h"

/* Takes the big lock (interrupts off) unless this CPU holds it; true if it did. */
static bool enter(void)
{
	if (kernel_lock_held())
		return false;
	irq_disable_local();
	kernel_lock();
	return true;
}

static void leave(bool took)
{
	if (!took)
		return;
	kernel_unlock();
	irq_enable_local();
}

void *vc_alloc(size_t size)
{
	bool took = enter();
	void *p = kmalloc(size); /* zeroed */

	leave(took);
	return p;
}

void vc_free(void *p)
{
	bool took = enter();

	kfree(p);
	leave(took);
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t used;
};

static void to_buf(void *ctx, const char *s, size_t n)
{
	struct buf_sink *b = ctx;

	for (size_t i = 0; i < n; i++, b->used++) {
		if (b->used + 1 < b->size)
			b->buf[b->used] = s[i];
	}
}

int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size, 0};

	(void)format_v(to_buf, &b, fmt, ap);
	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return (int)b.used;
}

int vc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void vc_log(const char *fmt, ...)
{
	char line[LOG_LINE_BYTES];
	va_list ap;
	size_t n;
	bool took;

	va_start(ap, fmt);
	n = log_line(line, fmt, ap);
	va_end(ap);
	took = enter();
	kconsole_write(line, n);
	leave(took);
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
	/* The kernel sets counter 0 up only for pmu=user, opening it to EL0 too. */
	if ((read_sysreg(pmuserenr_el0) & 0x9) == 0)
		return VIPER_E_UNSUPPORTED;
	isb();
	*count = read_sysreg(pmevcntr0_el0);
	return VIPER_OK;
}

uint64_t vc_now_ns(void)
{
	return timer_now_ns();
}

/* Memory objects, as the memory system calls do them for the kernel process. */

int32_t vc_memory_create(uint64_t size, viper_handle_t *memory)
{
	const uint32_t rights = VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP |
				VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE;
	struct memory_object *m;
	bool took;
	err_t err;

	*memory = VIPER_HANDLE_INVALID;
	if (size == 0 || size > VC_MEMORY_MAX)
		return VIPER_E_INVAL;
	took = enter();
	if (handle_table_free(&kernel_process.handles) == 0) {
		err = VIPER_E_LIMIT;
	} else {
		err = memory_object_check(size, 0);
		if (!err)
			err = memory_object_create(size, 0, kernel_process.as.account, &m);
		if (!err)
			err = handle_give(&kernel_process.handles, &m->obj, rights, memory);
	}
	leave(took);
	return err;
}

/* The memory object `memory` names, if the capability has `rights`. Under the lock. */
static err_t find_memory(viper_handle_t memory, uint32_t rights, struct memory_object **out)
{
	struct cap *c;
	err_t err = handle_lookup(&kernel_process.handles, memory, VIPER_OBJ_MEMORY, rights, &c);

	if (err)
		return err;
	*out = container_of(c->object, struct memory_object, obj);
	return VIPER_OK;
}

int32_t vc_memory_size(viper_handle_t memory, uint64_t *size)
{
	struct memory_object *m;
	bool took = enter();
	err_t err = find_memory(memory, 0, &m);

	*size = err ? 0 : m->size;
	leave(took);
	return err;
}

int32_t vc_memory_map(viper_handle_t memory, void **p, uint64_t *size)
{
	struct memory_object *m;
	uint64_t va = 0;
	bool took = enter();
	err_t err = find_memory(memory, VIPER_RIGHT_MAP | VIPER_RIGHT_READ | VIPER_RIGHT_WRITE, &m);

	if (!err) {
		struct map_request rq = {&m->obj, 0, m->size, VIPER_PROT_READ | VIPER_PROT_WRITE,
					 0,	  0};
		err = aspace_map(&kernel_process.as, &rq, &va);
	}
	*p = err ? NULL : (void *)(uintptr_t)va;
	*size = err ? 0 : m->size;
	leave(took);
	return err;
}

int32_t vc_memory_unmap(void *p, uint64_t size)
{
	bool took = enter();
	err_t err = aspace_unmap(&kernel_process.as, (uint64_t)(uintptr_t)p, size);

	leave(took);
	return err;
}

int32_t vc_memory_map_range(viper_handle_t memory, uint64_t offset, uint64_t length, uint32_t prot,
			    void **p)
{
	struct viper_page_span span;
	struct memory_object *m;
	uint64_t va = 0;
	uint32_t rights = VIPER_RIGHT_MAP | VIPER_RIGHT_READ;
	int32_t r = viper_page_span_of(memory, offset, length, prot, &span);

	*p = NULL;
	if (r < 0)
		return r;
	if (prot & VIPER_PROT_WRITE)
		rights |= VIPER_RIGHT_WRITE;
	bool took = enter();
	err_t err = find_memory(memory, rights, &m);
	if (!err) {
		struct map_request rq = {&m->obj, span.start, span.size, prot, 0, 0};
		err = aspace_map(&kernel_process.as, &rq, &va);
	}
	leave(took);
	if (!err)
		*p = (uint8_t *)(uintptr_t)va + span.skip;
	return err;
}

int32_t vc_memory_unmap_range(void *p, uint64_t length)
{
	return viper_unmap_span(p, length);
}

int32_t vc_handle_derive(viper_handle_t h, uint32_t rights, viper_handle_t *out)
{
	bool took = enter();
	err_t err = handle_derive(&kernel_process.handles, h, rights, out);

	leave(took);
	if (err)
		*out = VIPER_HANDLE_INVALID;
	return err;
}

int32_t vc_memory_physical(viper_handle_t memory, uint64_t offset, uint64_t *phys)
{
	struct memory_object *m;
	bool took = enter();
	err_t err = find_memory(memory, VIPER_RIGHT_DMA, &m);

	if (!err)
		err = memory_object_dma_address(m, offset, phys);
	if (err)
		*phys = 0;
	leave(took);
	return err;
}

int32_t vc_handle_close(viper_handle_t handle)
{
	bool took = enter();
	err_t err = handle_close(&kernel_process.handles, handle);

	leave(took);
	return err;
}

/* Interrupts: the IRQ lines of kernel-placed instances' devices (kernel_host.c). */

int32_t vc_irq_wait(viper_handle_t irq, int64_t timeout_ns)
{
	int64_t r = viper_irq_wait(irq, timeout_ns);

	return r == VIPER_E_WOULDBLOCK ? VIPER_E_TIMEOUT : (int32_t)r;
}

int32_t vc_irq_ack(viper_handle_t irq)
{
	struct cap *c;
	bool took = enter();
	err_t err = handle_lookup(&kernel_process.handles, irq, VIPER_OBJ_IRQ, VIPER_RIGHT_IRQ, &c);

	if (!err)
		irq_line_ack(container_of(c->object, struct irq_line, obj));
	leave(took);
	return err;
}

/* Notifications, as channel_create, channel_notify and the notification wait do them. */

int32_t vc_channel_create(viper_handle_t *send, viper_handle_t *recv)
{
	struct channel *ch;
	bool took = enter();
	err_t err = handle_table_free(&kernel_process.handles) < 2 ? VIPER_E_LIMIT : VIPER_OK;

	*send = *recv = VIPER_HANDLE_INVALID;
	if (!err)
		err = channel_create(VIPER_CHANNEL_DEFAULT_DEPTH, kernel_process.as.account, &ch);
	if (!err) {
		/* Both fit (checked above): the rights channel_create gives. */
		err = handle_create(&kernel_process.handles, &ch->send_end,
				    VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE,
				    send);
		if (!err)
			err = handle_create(
				&kernel_process.handles, &ch->recv_end,
				VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE, recv);
		kobject_unref(&ch->send_end);
		kobject_unref(&ch->recv_end);
		if (err && *send) {
			(void)handle_close(&kernel_process.handles, *send);
			*send = VIPER_HANDLE_INVALID;
		}
	}
	leave(took);
	return err;
}

int32_t vc_notify(viper_handle_t send, uint64_t bits)
{
	struct cap *c;
	bool took = enter();
	err_t err = handle_lookup(&kernel_process.handles, send, VIPER_OBJ_CHANNEL_SEND,
				  VIPER_RIGHT_WRITE, &c);

	if (!err)
		err = channel_notify_check(channel_of_send(c->object), bits);
	if (!err)
		channel_notify(channel_of_send(c->object), bits);
	leave(took);
	return err;
}

int64_t vc_notified_wait(viper_handle_t recv, int64_t timeout_ns)
{
	return notify_wait(recv, timeout_ns);
}

/*
 * Handle and system calls: the kernel process's own handles, and the system
 * capability in its table. Results are copied with the kernel process's
 * address space, whose "user" pointers are kernel pointers.
 */

static int32_t count_result(int64_t r, uint32_t *total)
{
	*total = r < 0 ? 0 : (uint32_t)r;
	return r < 0 ? (int32_t)r : VIPER_OK;
}

/* The system capability `system` with `rights`; under the lock. */
static err_t find_system(viper_handle_t system, uint32_t rights)
{
	struct cap *c;

	return handle_lookup(&kernel_process.handles, system, VIPER_OBJ_SYSTEM, rights, &c);
}

int32_t vc_handle_list(struct viper_handle_entry *out, uint32_t max, uint32_t *total)
{
	bool took = enter();
	int64_t r = max > VIPER_HANDLES_MAX
			    ? VIPER_E_INVAL
			    : system_list_handles(&kernel_process.handles, &kernel_process.as,
						  (uint64_t)(uintptr_t)out, max);

	leave(took);
	return count_result(r, total);
}

int32_t vc_system_info(viper_handle_t system, struct viper_system_info *info)
{
	bool took = enter();
	err_t err = find_system(system, VIPER_RIGHT_READ);

	if (!err)
		system_info(info);
	leave(took);
	return err;
}

int32_t vc_system_processes(viper_handle_t system, struct viper_process_entry *out, uint32_t max,
			    uint32_t *total)
{
	bool took = enter();
	int64_t r = find_system(system, VIPER_RIGHT_READ);

	if (!r)
		r = system_list_processes(&kernel_process.as, (uint64_t)(uintptr_t)out, max);
	leave(took);
	return count_result(r, total);
}

int32_t vc_system_handles(viper_handle_t system, uint64_t koid, struct viper_handle_entry *out,
			  uint32_t max, uint32_t *total)
{
	struct process *p;
	bool took = enter();
	int64_t r = find_system(system, VIPER_RIGHT_READ);

	if (!r && max > VIPER_HANDLES_MAX)
		r = VIPER_E_INVAL;
	if (!r) {
		p = system_find_process(koid);
		r = p ? system_list_handles(&p->handles, &kernel_process.as,
					    (uint64_t)(uintptr_t)out, max)
		      : VIPER_E_NOTFOUND;
	}
	leave(took);
	return count_result(r, total);
}

int32_t vc_system_kill(viper_handle_t system, uint64_t koid)
{
	bool took = enter();
	err_t err = find_system(system, VIPER_RIGHT_WRITE);

	if (!err)
		err = system_kill(&kernel_process, koid);
	leave(took);
	return err;
}

/* Programs start from processes only: a kernel-placed component starts none. */
int32_t vc_program_start(viper_handle_t spawn, const struct vc_program_launch *l,
			 viper_handle_t *process, char *why, size_t why_size)
{
	(void)spawn;
	(void)l;
	(void)process;
	vc_snprintf(why, why_size, "%s", "programs start from processes, not the kernel");
	return VIPER_E_UNSUPPORTED;
}

int32_t vc_process_wait(viper_handle_t process, int64_t *status, int64_t timeout_ns)
{
	(void)process;
	(void)status;
	(void)timeout_ns;
	return VIPER_E_UNSUPPORTED;
}

int32_t vc_process_kill(viper_handle_t process, int64_t status)
{
	(void)process;
	(void)status;
	return VIPER_E_UNSUPPORTED;
}

int32_t vc_console_write(const void *buf, uint32_t n)
{
	bool took;

	if (n > VC_CONSOLE_WRITE_MAX)
		return VIPER_E_INVAL;
	took = enter(); /* under the big lock, as all kernel output */
	kconsole_write(buf, n);
	leave(took);
	return VIPER_OK;
}
