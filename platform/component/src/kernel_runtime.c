/*
 * The component runtime inside the kernel. Kernel-placed component code
 * runs without the big kernel lock (on its kernel thread) or with it (its
 * init, at boot); whatever touches kernel state takes the lock unless the
 * caller already holds it.
 */
#include <viper/component.h>

#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/console.h>
#include <kernel/format.h>
#include <kernel/lock.h>
#include <kernel/memory.h>
#include <kernel/string.h>

#include <viper/syscall.h>

#include "log_line.h"

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
	console_write(line, n);
	leave(took);
}

void vc_yield(void)
{
	(void)viper_yield();
}

uint64_t vc_now_ns(void)
{
	return timer_now_ns();
}
