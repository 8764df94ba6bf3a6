/* The kernel tick and the boot check of its interrupt path (kernel/clock.h). */
#include <kernel/clock.h>

#include <arch/gic.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/console.h>
#include <kernel/sched.h>

/* The first tick is announced on the console: it is the boot check's. */
enum { ANNOUNCED_TICKS = 1 };

/* How long each step of the boot check waits. */
#define CHECK_STEP_NS 1000000ull

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

static bool condition_met(uint32_t irq)
{
	(void)irq;
	return timer_condition_met();
}

static bool controller_pending(uint32_t irq)
{
	return gic_pending(irq);
}

static bool tick_taken(uint32_t irq)
{
	(void)irq;
	return ticks > 0;
}

/* Waits up to CHECK_STEP_NS of the counter, which needs no interrupt, for done(irq). */
static bool within_a_step(bool (*done)(uint32_t), uint32_t irq)
{
	uint64_t limit = timer_now_ns() + CHECK_STEP_NS;

	while (!done(irq)) {
		if (timer_now_ns() > limit)
			return false;
		__asm__ volatile("isb");
	}
	return true;
}

enum clock_fault clock_check_interrupt(uint32_t irq)
{
	bool taken;

	timer_fire_now();
	if (!within_a_step(condition_met, irq))
		return CLOCK_NO_CONDITION;
	if (!within_a_step(controller_pending, irq))
		return CLOCK_NOT_PENDING;
	irq_enable_local();
	taken = within_a_step(tick_taken, irq);
	irq_disable_local();
	return taken ? CLOCK_OK : CLOCK_NOT_TAKEN;
}

const char *clock_fault_name(enum clock_fault f)
{
	switch (f) {
	case CLOCK_OK:
		return "none";
	case CLOCK_NO_CONDITION:
		return "the timer never signalled";
	case CLOCK_NOT_PENDING:
		return "the interrupt controller never saw it raised";
	case CLOCK_NOT_TAKEN:
		return "the CPU never took it";
	}
	return "?";
}
