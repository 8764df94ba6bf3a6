#include <kernel/clock.h>

#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/console.h>
#include <kernel/sched.h>

/* The first few ticks are announced on the console to show the timer works. */
enum { ANNOUNCED_TICKS = 3 };

static volatile uint64_t ticks;

static void on_tick(void)
{
	uint64_t t;

	sched_tick();
	if (cpu_id() != 0)
		return;
	t = ++ticks;
	if (t <= ANNOUNCED_TICKS)
		kprintf("timer: tick %llu at %llu ms\n", (unsigned long long)t,
			(unsigned long long)(timer_now_ns() / 1000000));
}

err_t clock_start(uint32_t irq)
{
	return timer_start(irq, CLOCK_HZ, on_tick);
}

uint64_t clock_ticks(void)
{
	return ticks;
}

/*
 * How long clock_wait_ticks waits for the next tick before it decides that
 * the interrupt is not delivered. Generous: under QEMU on a busy host the
 * counter (host time) runs on while the virtual CPU is descheduled, and a
 * jump of many tick periods brings one interrupt, not many.
 */
#define TICK_GAP_LIMIT_NS 1000000000ull

err_t clock_wait_ticks(uint64_t target)
{
	/* Judge by the free-running counter, which needs no interrupt. */
	uint64_t seen = ticks;
	uint64_t limit = timer_now_ns() + TICK_GAP_LIMIT_NS;

	while (ticks < target) {
		if (ticks != seen) {
			seen = ticks;
			limit = timer_now_ns() + TICK_GAP_LIMIT_NS;
		} else if (timer_now_ns() > limit) {
			return VIPER_E_UNSUPPORTED;
		}
		/* Not wfi: with the interrupt missing nothing would wake us. */
		__asm__ volatile("yield");
	}
	return VIPER_OK;
}
