/* The boot image of a system without programs: the kernel runs its boot monitor. */
#include <kernel/elf_loader.h>

const struct boot_program boot_programs[1] = {{0}};
const unsigned boot_program_count = 0;
