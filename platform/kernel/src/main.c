/*
 * kmain: the boot CPU's path from entry.S to the root process (or, in a
 * system without programs, the boot monitor). Reads the device tree, builds
 * the kernel's memory map, brings up the interrupt controller, the timer,
 * console input (for the boot monitor only) and the other CPUs, and starts
 * the first program.
 */
#include <arch/boot.h>
#include <arch/gic.h>
#include <arch/mmu.h>
#include <arch/pmu.h>
#include <arch/psci.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/board.h>
#include <kernel/channel.h>
#include <kernel/clock.h>
#include <kernel/components.h>
#include <kernel/console.h>
#include <kernel/device_region.h>
#include <kernel/elf_loader.h>
#include <kernel/fdt.h>
#include <kernel/irq_line.h>
#include <kernel/lock.h>
#include <kernel/memory_object.h>
#include <kernel/monitor.h>
#include <kernel/object.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/poll_set.h>
#include <kernel/process.h>
#include <kernel/root_process.h>
#include <kernel/sched.h>
#include <kernel/spawn_object.h>
#include <kernel/string.h>
#include <kernel/system_object.h>
#include <kernel/thread.h>
#include <kernel/timer_object.h>
#include <kernel/version.h>

/* QEMU virt's PL011, used until the device tree says otherwise. */
#define EARLY_UART 0x09000000ul
/* Where QEMU puts the device tree for an ELF kernel when x0 holds none. */
#define RAM_BASE_DTB 0x40000000ul
/* No device tree is larger than this. */
#define DTB_MAX_SIZE (2ul << 20)

struct boot_stack boot_stacks[MAX_CPUS] __attribute__((aligned(4096)));
static uint8_t emergency_stacks[MAX_CPUS][EMERGENCY_STACK_SIZE] __attribute__((aligned(16)));

/*
 * Makes `index` the calling CPU's: its struct cpu in TPIDR_EL1, with the
 * limit of the boot stack it runs on and its emergency stack, which the
 * exception vectors use to catch a stack overflow.
 */
static void become_cpu(unsigned index)
{
	struct cpu *c = &cpus[index];

	c->index = index;
	c->emergency_sp = (uint64_t)(uintptr_t)(emergency_stacks[index] + EMERGENCY_STACK_SIZE);
	cpu_set_stack(c, (uint64_t)(uintptr_t)boot_stacks[index].stack);
	write_sysreg(tpidr_el1, (uint64_t)(uintptr_t)c);
}

extern char __kernel_start[];
extern char __kernel_end[];
extern char secondary_entry[];

static struct board_info board;
static bool pmu_for_user; /* "pmu=user" on the command line */

/* The device tree's physical address: x0 when it holds one, else the start of RAM. */
static uint64_t find_dtb(uint64_t x0, size_t *size)
{
	struct fdt probe;

	if (x0 && x0 < (1ull << 40) &&
	    fdt_open(&probe, phys_to_virt(x0), DTB_MAX_SIZE) == VIPER_OK) {
		*size = probe.size;
		return x0;
	}
	if (fdt_open(&probe, phys_to_virt(RAM_BASE_DTB), DTB_MAX_SIZE) == VIPER_OK)
		*size = probe.size;
	return RAM_BASE_DTB;
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

void secondary_main(uint64_t index);

/* A secondary CPU, from entry.S: join the kernel and run threads. */
void secondary_main(uint64_t index)
{
	err_t err;

	become_cpu((unsigned)index);
	mmu_install_kernel_map();
	gic_init_cpu();
	if (pmu_for_user)
		pmu_enable_user_counters();
	else
		pmu_deny_user_counters();
	kernel_lock();
	err = timer_start_cpu();
	if (!err)
		err = sched_init_cpu((unsigned)index);
	if (err)
		panic("CPU %llu failed to start: %s", (unsigned long long)index, err_name(err));
	sched_idle();
}

/* Starts the other CPUs with PSCI CPU_ON and waits (a bounded time) for each. */
static void start_secondaries(void)
{
	unsigned online = 1;

	for (unsigned i = 1; i < board.cpu_count && i < MAX_CPUS; i++) {
		uint64_t limit = timer_now_ns() + 1000000000ull;
		int64_t r = psci_cpu_on(i, virt_to_phys(secondary_entry), i);

		if (r != 0) {
			kprintf("cpus: CPU %u did not start (PSCI %lld)\n", i, (long long)r);
			continue;
		}
		while (!__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) &&
		       timer_now_ns() < limit)
			__asm__ volatile("yield");
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			online++;
		else
			kprintf("cpus: CPU %u started but never came online\n", i);
	}
	kprintf("cpus: %u online\n", online);
}

static struct root_start root_start;

/* Each object kind registers its behaviour with the object layer. */
static void register_object_kinds(void)
{
	channel_register();
	poll_set_register();
	timer_object_register();
	memory_object_register();
	device_region_register();
	irq_line_register();
	thread_register();
}

/* The device tree, the console on its PL011, physical memory and the kernel's map. */
static void start_memory(uint64_t x0)
{
	const struct board_device *uart;
	size_t dtb_size = 0;
	uint64_t dtb;
	err_t err;

	kconsole_init((uintptr_t)phys_to_virt(EARLY_UART));
	dtb = find_dtb(x0, &dtb_size);
	err = board_from_fdt(phys_to_virt(dtb), DTB_MAX_SIZE, &board);
	if (err)
		panic("cannot read the device tree: %s", err_name(err));
	psci_init(board.psci);
	uart = board_find_device(&board, DEVICE_UART_PL011);
	if (!uart)
		panic("the device tree names no PL011 console");
	kconsole_init((uintptr_t)phys_to_virt(uart->base));
	err = memory_init(&board, dtb, dtb_size ? dtb_size : DTB_MAX_SIZE);
	if (err)
		panic("cannot set up physical memory: %s", err_name(err));
	err = mmu_init_kernel(&board);
	if (err)
		panic("cannot build the kernel's memory map: %s", err_name(err));
	for (unsigned i = 0; i < MAX_CPUS; i++)
		mmu_guard_kernel_page(boot_stacks[i].guard);
}

/* The PMU's counters for user space, when booted with "pmu=user". */
static void start_pmu(void)
{
	pmu_for_user = strstr(board.bootargs, "pmu=user") != NULL;
	if (pmu_for_user) {
		pmu_enable_user_counters();
		kprintf("pmu: instruction and cycle counters readable from user space\n");
	} else {
		pmu_deny_user_counters();
	}
}

/* The interrupt controller, the timer and (for the boot monitor) console input. */
static void start_interrupts(void)
{
	const struct board_device *uart = board_find_device(&board, DEVICE_UART_PL011);
	enum clock_fault fault;
	err_t err = gic_init(&board);

	if (err)
		panic("interrupt controller GICv%u failed to start: %s", board.gic_version,
		      err_name(err));
	err = clock_start(board.timer_virt_irq);
	if (err)
		panic("timer failed to start: %s", err_name(err));
	/*
	 * Console input is the boot monitor's. With programs, the PL011's
	 * interrupt goes to user space with the device (process_start_root);
	 * the kernel keeps polled output only.
	 */
	err = boot_program_count ? VIPER_OK : kconsole_enable_input(uart->irq);
	if (err)
		panic("console input failed to start: %s", err_name(err));
	fault = clock_check_interrupt(board.timer_virt_irq);
	if (fault)
		panic("no timer interrupt arrived (GICv%u, interrupt %u): %s", board.gic_version,
		      board.timer_virt_irq, clock_fault_name(fault));
	kprintf("timer: ticking at %d Hz\n", CLOCK_HZ);
	if (pmu_for_user) /* for tests/benchmarks/run_boot_bench */
		kprintf("pmu: %llu instructions since the counters started\n",
			(unsigned long long)pmu_instructions());
}

/* The object kinds, the system and spawn objects, the kernel process and this CPU's scheduler. */
static void start_scheduler(void)
{
	err_t err;

	kernel_lock();
	register_object_kinds();
	system_init();
	spawn_init();
	err = process_init_system();
	if (!err)
		err = sched_init_cpu(0);
	if (err)
		panic("cannot start the scheduler: %s", err_name(err));
	kernel_unlock();
}

/* The kernel-placed components and the root process; returns only without programs. */
static void start_programs(void)
{
	err_t err;

	kernel_lock();
	err = kernel_components_prepare(&board, &root_start);
	if (err)
		panic("cannot set up the kernel's components: %s", err_name(err));
	err = kernel_components_start();
	if (err)
		panic("cannot start the kernel's components: %s", err_name(err));
	err = process_start_root(&board, &root_start);
	for (unsigned i = 0; i < root_start.grant_count; i++)
		kobject_unref(root_start.grants[i].object); /* the root's handles hold them now */
	if (err == VIPER_OK)
		sched_idle();
	kernel_unlock();
	if (err != VIPER_E_NOTFOUND)
		panic("cannot start the root process: %s", err_name(err));
}

void kmain(uint64_t x0);

void kmain(uint64_t x0)
{
	become_cpu(0);
	start_memory(x0);
	print_banner();
	start_pmu();
	start_interrupts();
	start_scheduler();
	start_secondaries();
	start_programs();
	irq_enable_local();
	monitor_run(&board);
}
