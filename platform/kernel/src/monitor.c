#include <kernel/monitor.h>

#include <arch/psci.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <kernel/clock.h>
#include <kernel/console.h>
#include <kernel/irq_table.h>
#include <kernel/string.h>
#include <kernel/version.h>

enum { LINE_MAX = 80 };

struct command {
	const char *name;
	const char *help;
	void (*run)(const struct board_info *board);
};

static void cmd_help(const struct board_info *board);

static void cmd_version(const struct board_info *board)
{
	(void)board;
	kprintf("%s %s (aarch64)\n", VIPEROS_NAME, VIPEROS_VERSION);
}

static void cmd_uptime(const struct board_info *board)
{
	uint64_t ms = timer_now_ns() / 1000000;

	(void)board;
	kprintf("up %llu.%03llu s, %llu ticks at %d Hz\n", (unsigned long long)(ms / 1000),
		(unsigned long long)(ms % 1000), (unsigned long long)clock_ticks(), CLOCK_HZ);
}

static void cmd_memory(const struct board_info *board)
{
	for (unsigned i = 0; i < board->memory_count; i++) {
		const struct mem_range *m = &board->memory[i];
		kprintf("ram 0x%llx-0x%llx (%llu MiB)\n", (unsigned long long)m->base,
			(unsigned long long)(m->base + m->size),
			(unsigned long long)(m->size >> 20));
	}
}

static void cmd_devices(const struct board_info *board)
{
	for (unsigned i = 0; i < board->device_count; i++) {
		const struct board_device *d = &board->devices[i];
		kprintf("%-12s 0x%08llx size 0x%llx irq %u\n", board_device_name(d->kind),
			(unsigned long long)d->base, (unsigned long long)d->size, d->irq);
	}
	kprintf("%u devices; interrupts without a handler: %llu; console bytes dropped: %llu\n",
		board->device_count, (unsigned long long)irq_unexpected(),
		(unsigned long long)kconsole_dropped());
}

static void cmd_fault(const struct board_info *board)
{
	/* An address beyond the physical address space: a data abort. */
	volatile uint64_t *bad = (volatile uint64_t *)(1ull << 52);

	(void)board;
	kprintf("writing to %p to show the fault report\n", (void *)bad);
	*bad = 0x5650;
}

static void cmd_poweroff(const struct board_info *board)
{
	(void)board;
	kprintf("powering off\n");
	psci_system_off();
}

static const struct command commands[] = {
	{"help", "list the commands", cmd_help},
	{"version", "print the kernel version", cmd_version},
	{"uptime", "time since power-on and timer ticks", cmd_uptime},
	{"memory", "the RAM ranges from the device tree", cmd_memory},
	{"devices", "the devices from the device tree", cmd_devices},
	{"fault", "make the kernel fault to show the fault report", cmd_fault},
	{"poweroff", "power the machine off (QEMU exits)", cmd_poweroff},
};

enum { COMMAND_COUNT = sizeof(commands) / sizeof(commands[0]) };

static void cmd_help(const struct board_info *board)
{
	(void)board;
	for (unsigned i = 0; i < COMMAND_COUNT; i++)
		kprintf("  %-10s %s\n", commands[i].name, commands[i].help);
}

static char read_char(void)
{
	char c;

	while (!kconsole_read(&c))
		wfi();
	return c;
}

/* Reads a line with echo, backspace and Ctrl-U; drops escape sequences. */
static void read_line(char *line)
{
	size_t len = 0;

	for (;;) {
		char c = read_char();
		if (c == '\r' || c == '\n') {
			kconsole_write("\n", 1);
			line[len] = '\0';
			return;
		}
		if (c == 0x1b) { /* ESC [ ... final byte */
			if (read_char() == '[') {
				do
					c = read_char();
				while (c < 0x40 || c > 0x7e);
			}
		} else if (c == 0x7f || c == 0x08) {
			if (len > 0) {
				len--;
				kconsole_write("\b \b", 3);
			}
		} else if (c == 0x15) { /* Ctrl-U */
			while (len > 0) {
				len--;
				kconsole_write("\b \b", 3);
			}
		} else if (c >= 0x20 && c < 0x7f && len + 1 < LINE_MAX) {
			line[len++] = c;
			kconsole_write(&c, 1);
		}
	}
}

/* Cuts leading and trailing blanks in place; returns the start. */
static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s;
	while (*end)
		end++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

void monitor_run(const struct board_info *board)
{
	char line[LINE_MAX];

	kprintf("boot monitor ready; type 'help' for commands\n");
	for (;;) {
		char *cmd;
		unsigned i;

		kprintf("monitor> ");
		read_line(line);
		cmd = trim(line);
		if (*cmd == '\0')
			continue;
		for (i = 0; i < COMMAND_COUNT; i++) {
			if (strcmp(cmd, commands[i].name) == 0) {
				commands[i].run(board);
				break;
			}
		}
		if (i == COMMAND_COUNT)
			kprintf("unknown command '%s'; type 'help' for the list\n", cmd);
	}
}
