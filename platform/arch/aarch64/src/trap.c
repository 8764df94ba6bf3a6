/* Exception dispatch: interrupts go to their handlers; anything else is a fault. */
#include <arch/trap.h>

#include <arch/gic.h>
#include <kernel/console.h>
#include <kernel/irq_table.h>
#include <kernel/lock.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>

static const char *const source_names[] = {
	"EL1 on SP_EL0",
	"EL1",
	"EL0 (AArch64)",
	"EL0 (AArch32)",
};

static const char *const kind_names[] = {"synchronous", "IRQ", "FIQ", "SError"};

static void handle_irq(void)
{
	uint32_t iar = gic_ack();
	uint32_t irq = iar & 0x3ff;

	if (irq >= 1020)
		return; /* spurious */
	irq_dispatch(irq);
	/* End the interrupt only after its handler ran, so a level-triggered
	 * line is not taken again before the device is quiet. */
	gic_eoi(iar);
}

/* Prints the fault report: what happened, where, and every register. */
static void report(const struct trap_frame *f, unsigned vector)
{
	bool held = kconsole_hold();
	char why[128];

	kprintf("\n*** %s exception from %s\n", kind_names[vector % 4], source_names[vector / 4]);
	kprintf("  cause: %s\n", esr_describe(f->esr, why, sizeof(why)));
	kprintf("  ESR 0x%016llx  EC 0x%02x\n", (unsigned long long)f->esr, esr_class(f->esr));
	kprintf("  FAR 0x%016llx  ELR 0x%016llx\n", (unsigned long long)f->far,
		(unsigned long long)f->elr);
	kprintf("  SPSR 0x%016llx  SP 0x%016llx\n", (unsigned long long)f->spsr,
		(unsigned long long)f->sp);
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			kprintf("  x30 0x%016llx\n", (unsigned long long)f->x[30]);
		else
			kprintf("  x%-2d 0x%016llx  x%-2d 0x%016llx\n", i,
				(unsigned long long)f->x[i], i + 1,
				(unsigned long long)f->x[i + 1]);
	}
	kconsole_release(held);
}

/*
 * A user access that only needs a page brought in (a demand-zero page, or
 * a shared one written to): a translation, access-flag or permission fault
 * of a data or instruction abort from EL0 on an address the process has
 * mapped for that access. True when aspace_fault mapped the page, so the
 * instruction can run again.
 */
static bool page_brought_in(struct trap_frame *f)
{
	unsigned ec = esr_class(f->esr), fsc = (unsigned)(f->esr & 0x3f);
	bool data = ec == ESR_EC_DATA_ABORT_LOWER, fetch = ec == ESR_EC_INSN_ABORT_LOWER;
	enum aspace_access access;

	if (!data && !fetch)
		return false;
	/* Translation (0b0001LL), access flag (0b0010LL), permission (0b0011LL) faults. */
	if ((fsc >> 2) < 1 || (fsc >> 2) > 3 || (f->esr & (1u << 10))) /* FnV: no FAR */
		return false;
	access = fetch ? ACCESS_EXEC : (f->esr & (1u << 6)) ? ACCESS_WRITE : ACCESS_READ;
	return aspace_fault(&current_thread()->process->as, f->far, access) == VIPER_OK;
}

/* A user thread faulted: report it and kill its process; the rest runs on. */
static void user_fault(struct trap_frame *f, unsigned vector)
{
	struct thread *t = current_thread();
	struct process *p = t->process;
	bool held = kconsole_hold();
	char why[128];

	kprintf("\n*** process %llu (%s) killed: %s exception from %s\n",
		(unsigned long long)p->obj.koid, p->name, kind_names[vector % 4],
		source_names[vector / 4]);
	kprintf("  cause: %s\n", esr_describe(f->esr, why, sizeof(why)));
	kprintf("  FAR 0x%016llx  ELR 0x%016llx  SP 0x%016llx\n", (unsigned long long)f->far,
		(unsigned long long)f->elr, (unsigned long long)f->sp);
	kconsole_release(held);
	process_kill(p, VIPER_EXIT_FAULT);
}

void kernel_stack_overflow(struct trap_frame *frame)
{
	struct thread *t = current_thread();
	struct process *p = t->process;

	(void)kconsole_hold(); /* up to the panic, which keeps it */
	kprintf("\n*** kernel stack overflow: thread %llu of process %llu (%s) ran past the "
		"bottom of its stack at 0x%llx (stack pointer 0x%llx)\n",
		(unsigned long long)t->obj.koid, p ? (unsigned long long)p->obj.koid : 0ull,
		p ? p->name : "idle", (unsigned long long)t->kstack.bottom,
		(unsigned long long)frame->sp);
	report(frame, TRAP_EL1_SPX * 4 + TRAP_SYNC);
	panic("kernel stack overflow in %s at 0x%llx", p ? p->name : "idle",
	      (unsigned long long)frame->elr);
}

void trap_entry(struct trap_frame *frame, unsigned vector)
{
	unsigned source = vector / 4;
	unsigned kind = vector % 4;

	if (source == TRAP_EL0_A64 || source == TRAP_EL0_A32) {
		kernel_lock();
		if (kind == TRAP_IRQ)
			handle_irq();
		else if (kind == TRAP_SYNC && source == TRAP_EL0_A64 &&
			 esr_class(frame->esr) == ESR_EC_FP && !current_thread()->fp_live)
			fp_first_use();
		else if (kind != TRAP_SYNC || source != TRAP_EL0_A64 || !page_brought_in(frame))
			user_fault(frame, vector);
		trap_return_to_user();
		return;
	}
	if (kind == TRAP_IRQ && source == TRAP_EL1_SPX) {
		bool took = !kernel_lock_held();
		if (took)
			kernel_lock();
		handle_irq();
		if (took)
			kernel_unlock();
		return;
	}
	/* Anything else from EL1 is a kernel bug. */
	(void)kconsole_hold(); /* up to the panic, which keeps it */
	report(frame, vector);
	panic("unhandled %s exception at 0x%llx", kind_names[kind], (unsigned long long)frame->elr);
}
