/*
 * The register state saved on every exception entry (vectors.S), and the
 * decoding of the exception syndrome for fault reports.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

/* Where an exception came from, in vector-table order. */
enum trap_source {
	TRAP_EL1_SP0 = 0,
	TRAP_EL1_SPX = 1,
	TRAP_EL0_A64 = 2,
	TRAP_EL0_A32 = 3,
};

enum trap_kind {
	TRAP_SYNC = 0,
	TRAP_IRQ = 1,
	TRAP_FIQ = 2,
	TRAP_SERROR = 3,
};

/* Called from vectors.S with the saved frame and the vector index (source * 4 + kind). */
void trap_entry(struct trap_frame *frame, unsigned vector);
/*
 * Called from vectors.S on the CPU's emergency stack when a synchronous
 * exception at EL1 found the stack pointer below the current kernel
 * stack's limit: reports the overflow and panics.
 */
void kernel_stack_overflow(struct trap_frame *frame) __attribute__((noreturn));

/*
 * Called from vectors.S for a system call from EL0. x19-x28 in `frame` are
 * stale: those registers stay live, preserved by the C code.
 */
void svc_entry(struct trap_frame *frame);

#define ESR_EC_FP		0x07 /* FP/SIMD access trapped by CPACR_EL1 */
#define ESR_EC_INSN_ABORT_LOWER 0x20
#define ESR_EC_DATA_ABORT_LOWER 0x24
#define ESR_EC_SVC64		0x15

/* The exception class field of ESR_ELx. */
static inline unsigned esr_class(uint64_t esr)
{
	return (unsigned)(esr >> 26) & 0x3f;
}

/* A name for an exception class ("data abort from the same EL"). Never NULL. */
const char *esr_class_name(unsigned ec);

/*
 * Writes a one-line explanation of `esr` into `buf` (at most `size` bytes,
 * NUL-terminated), e.g. "data abort from the same EL: translation fault,
 * level 1, on write". Returns `buf`.
 */
char *esr_describe(uint64_t esr, char *buf, size_t size);

#endif
