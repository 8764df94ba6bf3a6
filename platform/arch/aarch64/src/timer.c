#include <arch/timer.h>

#include <arch/gic.h>
#include <arch/sysreg.h>
#include <kernel/irq_table.h>

#include <arch/boot.h>

static uint64_t interval;
static uint64_t deadline[MAX_CPUS]; /* each CPU's next tick */
static void (*tick_fn)(void);
static uint32_t timer_irq;

uint64_t timer_frequency(void)
{
	return read_sysreg(cntfrq_el0);
}

uint64_t timer_now_ns(void)
{
	uint64_t count = read_sysreg(cntvct_el0);
	uint64_t freq = timer_frequency();

	/* Split to keep count * 1e9 from overflowing. */
	return count / freq * 1000000000ull + count % freq * 1000000000ull / freq;
}

/* Rearms the timer for the next period and announces the tick. */
static void timer_handle_irq(void *ctx)
{
	uint64_t now = read_sysreg(cntvct_el0);
	uint64_t *d = &deadline[cpu_id() % MAX_CPUS];

	(void)ctx;
	*d += interval;
	if (*d <= now) /* ticks were missed: resynchronise */
		*d = now + interval;
	write_sysreg(cntv_cval_el0, *d);
	if (tick_fn)
		tick_fn();
}

void timer_fire_now(void)
{
	uint64_t *d = &deadline[cpu_id() % MAX_CPUS];

	*d = read_sysreg(cntvct_el0);
	write_sysreg(cntv_cval_el0, *d);
	isb();
}

bool timer_condition_met(void)
{
	return read_sysreg(cntv_ctl_el0) & (1u << 2); /* ISTATUS */
}

err_t timer_start(uint32_t irq, uint32_t hz, void (*on_tick)(void))
{
	uint64_t freq = timer_frequency();
	err_t err;

	if (hz == 0 || hz > freq)
		return VIPER_E_INVAL;
	interval = freq / hz;
	tick_fn = on_tick;
	err = irq_set_handler(irq, timer_handle_irq, NULL);
	if (err)
		return err;
	timer_irq = irq;
	return timer_start_cpu();
}

err_t timer_start_cpu(void)
{
	uint64_t *d = &deadline[cpu_id() % MAX_CPUS];

	*d = read_sysreg(cntvct_el0) + interval;
	write_sysreg(cntv_cval_el0, *d);
	write_sysreg(cntv_ctl_el0, 1); /* enabled, not masked */
	isb();
	return gic_enable(timer_irq);
}
