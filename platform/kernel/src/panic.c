#include <kernel/panic.h>

#include <arch/psci.h>
#include <arch/sysreg.h>
#include <kernel/console.h>

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable_local();
	(void)kconsole_hold(); /* for good: nothing else prints after a panic */
	kprintf("kernel panic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\nsystem halted; powering off\n");
	psci_system_off();
}
