/*
 * hello: the first program on the disk (C:hello). It greets, names its
 * arguments, and with the argument "--crash" reads address 0, to show
 * that a program that faults ends with a report while the shell goes on.
 */
#include <stdio.h>
#include <string.h>

#include <viper/posix.h>
#include <viper/program_slots.h>

VIPER_PROGRAM_SLOTS({"console", "console"});

int main(const struct viper_startup *s)
{
	int argc;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	printf("Hello from C:hello, a program loaded from the disk!\n");
	for (int i = 1; i < argc; i++) {
		printf("  argument %d: %s\n", i, argv[i]);
		if (strcmp(argv[i], "--crash") == 0) {
			fflush(stdout);
			return *(volatile int *)0; /* a fault, on purpose */
		}
	}
	return viper_posix_end(0);
}
