/*
 * Runs the library checks on aarch64 and prints one line per check and the
 * closing "N passed, N failed" line on the PL011, then powers off.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/libraries/library_checks.h"

#define UART_DR 0x09000000ul
#define UART_FR 0x09000018ul
#define FR_TXFF (1u << 5)

void psci_system_off(void) __attribute__((noreturn));
void _exit(int status) __attribute__((noreturn));
int getpid(void);
int kill(int pid, int sig);
int main(void);

static void put(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			put("\r");
		while (*(volatile uint32_t *)UART_FR & FR_TXFF)
			;
		*(volatile uint32_t *)UART_DR = (uint8_t)*s;
	}
}

/* picolibc's abort() ends here; lwIP's assertions call abort(). */
void _exit(int status)
{
	char line[48];

	snprintf(line, sizeof(line), "exit(%d)\n", status);
	put(line);
	psci_system_off();
}

/* picolibc's raise() (from abort()) needs these two. */
int getpid(void)
{
	return 1;
}

int kill(int pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}

int main(void)
{
	char line[160];
	unsigned passed = 0, failed = 0;

	put("library checks on aarch64 (picolibc, nanopb, BearSSL, lwIP)\n");
	for (unsigned i = 0; i < library_check_count; i++) {
		const char *why = library_checks[i].run();
		if (why) {
			failed++;
			snprintf(line, sizeof(line), "FAIL %s: %s\n", library_checks[i].name, why);
		} else {
			passed++;
			snprintf(line, sizeof(line), "ok   %s\n", library_checks[i].name);
		}
		put(line);
	}
	snprintf(line, sizeof(line), "%u passed, %u failed\n", passed, failed);
	put(line);
	psci_system_off();
}
