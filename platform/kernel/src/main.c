/*
 * kmain: the boot CPU's path from entry.S to the boot monitor. Reads the
 * device tree, prints the banner, and brings up the interrupt controller,
 * the timer tick and console input.
 */
#include <arch/boot.h>
#include <arch/gic.h>
#include <arch/psci.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/board.h>
#include <kernel/clock.h>
#include <kernel/console.h>
#include <kernel/fdt.h>
#include <kernel/monitor.h>
#include <kernel/panic.h>
#include <kernel/version.h>

/* QEMU virt's PL011, used until the device tree says otherwise. */
#define EARLY_UART 0x09000000ul
/* Where QEMU puts the device tree for an ELF kernel when x0 holds none. */
#define RAM_BASE_DTB 0x40000000ul
/* No device tree is larger than this. */
#define DTB_MAX_SIZE (2ul << 20)

uint8_t boot_stacks[MAX_CPUS][BOOT_STACK_SIZE] __attribute__((aligned(16)));

extern char __kernel_start[];
extern char __kernel_end[];

static struct board_info board;

static const void *find_dtb(uintptr_t x0)
{
	struct fdt probe;

	if (x0 && fdt_open(&probe, (const void *)x0, DTB_MAX_SIZE) == VIPER_OK)
		return (const void *)x0;
	return (const void *)RAM_BASE_DTB;
}

static void print_banner(void)
{
	uint32_t psci = psci_version();
	unsigned virtio = 0;

	kprintf("\n%s %s (aarch64) on CPU %u at EL%llu\n", VIPEROS_NAME, VIPEROS_VERSION, cpu_id(),
		(unsigned long long)((read_sysreg(CurrentEL) >> 2) & 3));
	kprintf("memory: %llu MiB in %u range(s), first at 0x%llx; kernel 0x%llx-0x%llx\n",
		(unsigned long long)(board_memory_size(&board) >> 20), board.memory_count,
		(unsigned long long)board.memory[0].base,
		(unsigned long long)(uintptr_t)__kernel_start,
		(unsigned long long)(uintptr_t)__kernel_end);
	kprintf("gic: GICv%u, distributor 0x%llx\n", board.gic_version,
		(unsigned long long)board.gicd_base);
	kprintf("cpus: %u; psci: %u.%u via %s; timer: %llu Hz\n", board.cpu_count, psci >> 16,
		psci & 0xffff,
		board.psci == PSCI_HVC	 ? "hvc"
		: board.psci == PSCI_SMC ? "smc"
					 : "none",
		(unsigned long long)timer_frequency());
	for (unsigned i = 0; i < board.device_count; i++)
		virtio += board.devices[i].kind == DEVICE_VIRTIO_MMIO;
	kprintf("devices: %u (%u virtio-mmio slots)\n", board.device_count, virtio);
	if (board.bootargs[0])
		kprintf("bootargs: %s\n", board.bootargs);
}

void kmain(uintptr_t x0);

void kmain(uintptr_t x0)
{
	const struct board_device *uart;
	err_t err;

	console_init(EARLY_UART);
	err = board_from_fdt(find_dtb(x0), DTB_MAX_SIZE, &board);
	if (err)
		panic("cannot read the device tree: %s", err_name(err));
	psci_init(board.psci);
	uart = board_find_device(&board, DEVICE_UART_PL011);
	if (!uart)
		panic("the device tree names no PL011 console");
	console_init((uintptr_t)uart->base);
	print_banner();

	err = gic_init(&board);
	if (err)
		panic("interrupt controller GICv%u failed to start: %s", board.gic_version,
		      err_name(err));
	err = clock_start(board.timer_virt_irq);
	if (err)
		panic("timer failed to start: %s", err_name(err));
	err = console_enable_input(uart->irq);
	if (err)
		panic("console input failed to start: %s", err_name(err));
	irq_enable_local();

	err = clock_wait_ticks(3);
	if (err)
		panic("no timer interrupt arrived (GICv%u, interrupt %u)", board.gic_version,
		      board.timer_virt_irq);
	kprintf("timer: ticking at %d Hz\n", CLOCK_HZ);
	monitor_run(&board);
}
