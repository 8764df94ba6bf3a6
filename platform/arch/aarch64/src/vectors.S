/*
 * The EL1 exception vector table. Every entry saves a struct trap_frame
 * (include/arch/trap.h) on the current stack and calls
 * trap_entry(frame, vector); on return the frame is restored and the
 * exception returns, so a handler may change the saved state.
 *
 * A synchronous exception taken at EL1 first checks the stack: when the
 * stack pointer is below the current stack's limit (its bottom plus one
 * trap frame, kept per CPU in struct cpu), the kernel stack has overflowed
 * into its guard page and the frame could not be saved. It then switches to
 * the CPU's emergency stack and reports the overflow (kernel_stack_overflow)
 * instead of faulting again and again down the guard page. SP_EL0 serves
 * as the scratch register: at EL1 it holds nothing the kernel needs (a user
 * stack pointer is saved in the trap frame on entry and restored from it).
 */
#include <arch/boot.h>

#define FRAME_SIZE 288
#define FRAME_SP   248
#define FRAME_ELR  256
#define FRAME_SPSR 264
#define FRAME_ESR  272
#define FRAME_FAR  280
#define ESR_EC_SVC64 0x15

	/* The registers every entry saves (x0, x1 go first, in the vector). */
	.macro save_x2_x17
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	.endm

	.macro restore_x0_x17
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	.endm

	/* x18-x30, the rest of a frame that holds every register. */
	.macro save_x18_x30
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	.endm

	.macro restore_x18_x30
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	.endm

	.macro vector index
	.balign 128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\index
	b	trap_common
	.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global exception_vectors
exception_vectors:
	vector 0	/* current EL, SP_EL0: sync */
	vector 1	/* irq */
	vector 2	/* fiq */
	vector 3	/* serror */
	/* current EL, SP_ELx, sync: a kernel fault, perhaps a stack overflow. */
	.balign 128
	msr	sp_el0, x0
	mrs	x0, tpidr_el1
	cbz	x0, 1f			/* no struct cpu yet: early boot */
	ldr	x0, [x0, #CPU_STACK_LIMIT]
	cmp	sp, x0
	b.lo	el1_stack_overflow
1:	mrs	x0, sp_el0
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #4
	b	trap_common
	vector 5
	vector 6
	vector 7
	/* lower EL, AArch64, sync: system calls take a shorter path. */
	.balign 128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mrs	x0, esr_el1
	lsr	x1, x0, #26
	cmp	x1, #ESR_EC_SVC64
	b.eq	svc_common
	mov	x1, #8
	b	trap_common
	vector 9
	vector 10
	vector 11
	vector 12	/* lower EL, AArch32 */
	vector 13
	vector 14
	vector 15

/*
 * A system call from EL0 (x0 holds ESR_EL1). Only what the C calling
 * convention lets the kernel clobber is saved: x0-x18, x30 and the return
 * state (and x29 beside x30); x19-x28 stay in their registers, preserved by
 * the C code (so the frame's copies of them are stale during a system
 * call). The system call may change x0-x7 in the frame; they go back to
 * user space.
 */
svc_common:
	/*
	 * An svc with an immediate, svc #N, makes call N and saves every
	 * register (svc_fast, with N in x1): the stubs of the IPC fast path's
	 * calls use it (channel_call svc #19, channel_reply_recv #37 and their
	 * short forms #38 and #39, whose message fills x8; kernel/syscall.h).
	 */
	ands	x1, x0, #0xffff
	b.ne	svc_fast
	save_x2_x17
	str	x18, [sp, #144]
	stp	x29, x30, [sp, #232]
	mrs	x2, sp_el0
	mrs	x3, elr_el1
	stp	x2, x3, [sp, #FRAME_SP]
	mrs	x2, spsr_el1
	stp	x2, x0, [sp, #FRAME_SPSR]
	mov	x0, sp
	bl	svc_entry
	ldp	x2, x3, [sp, #FRAME_SP]
	msr	sp_el0, x2
	msr	elr_el1, x3
	ldr	x3, [sp, #FRAME_SPSR]
	msr	spsr_el1, x3
	restore_x0_x17
	ldr	x18, [sp, #144]
	ldp	x29, x30, [sp, #232]
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * The kernel stack ran into its guard page. Build a trap frame on this
 * CPU's emergency stack (x0 is in SP_EL0) and report; never returns.
 */
el1_stack_overflow:
	mrs	x0, tpidr_el1
	ldr	x0, [x0, #CPU_EMERGENCY_SP]
	sub	x0, x0, #FRAME_SIZE
	stp	x1, x2, [x0, #8]
	mov	x1, sp			/* the stack pointer that overflowed */
	mov	sp, x0
	str	x1, [sp, #FRAME_SP]
	mrs	x0, sp_el0
	str	x0, [sp, #0]
	stp	x3, x4, [sp, #24]
	stp	x5, x6, [sp, #40]
	stp	x7, x8, [sp, #56]
	stp	x9, x10, [sp, #72]
	stp	x11, x12, [sp, #88]
	stp	x13, x14, [sp, #104]
	stp	x15, x16, [sp, #120]
	stp	x17, x18, [sp, #136]
	stp	x19, x20, [sp, #152]
	stp	x21, x22, [sp, #168]
	stp	x23, x24, [sp, #184]
	stp	x25, x26, [sp, #200]
	stp	x27, x28, [sp, #216]
	stp	x29, x30, [sp, #232]
	mrs	x2, elr_el1
	str	x2, [sp, #FRAME_ELR]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #FRAME_SPSR]
	mrs	x2, far_el1
	str	x2, [sp, #FRAME_FAR]
	mov	x0, sp
	bl	kernel_stack_overflow
2:	wfi
	b	2b

/*
 * An svc with an immediate (x1 holds it, the call's number), which the
 * stubs of channel_call, channel_reply_recv and their short forms make: the
 * whole user state goes into the frame (x19-x28 too),
 * so a thread blocked in them needs no kernel stack but its frame: it can be
 * resumed by restoring the frame alone (fast_resume_entry), whatever its C
 * frames were (kernel/call.h).
 */
svc_fast:
	save_x2_x17
	save_x18_x30
	mrs	x2, sp_el0
	mrs	x3, elr_el1
	stp	x2, x3, [sp, #FRAME_SP]
	mrs	x2, spsr_el1
	stp	x2, x0, [sp, #FRAME_SPSR]
	mov	x0, sp
	bl	syscall_fast_entry
	/* Returns to user space from a frame that holds every register. */
	.global svc_fast_exit
svc_fast_exit:
	ldp	x2, x3, [sp, #FRAME_SP]
	msr	sp_el0, x2
	msr	elr_el1, x3
	ldr	x3, [sp, #FRAME_SPSR]
	msr	spsr_el1, x3
	restore_x0_x17
	restore_x18_x30
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * fast_exit_to(frame, ttbr): the IPC fast path hands the CPU to a thread
 * it parked whose call is finished (its result in the frame): off this
 * stack, the big lock handed back, then its address space installed
 * unless ttbr is 0 (kernel/aspace.h, aspace_install_on_exit), and the
 * frame to user space.
 */
	.global fast_exit_to
fast_exit_to:
	mov	sp, x0
	adrp	x0, big_lock_owner
	mov	w2, #-1
	str	w2, [x0, :lo12:big_lock_owner]
	adrp	x0, big_lock
	add	x0, x0, :lo12:big_lock
	add	x0, x0, #4		/* struct spinlock: next, serving */
	ldr	w2, [x0]
	add	w2, w2, #1
	stlr	w2, [x0]
	cbz	x1, svc_fast_exit
	msr	ttbr0_el1, x1
	isb
	b	svc_fast_exit

/*
 * Where a thread blocked in the IPC fast path resumes (its saved context's
 * lr, with sp at its frame): fast_resume finishes its system call, then
 * the frame goes back to user space.
 */
	.global fast_resume_entry
fast_resume_entry:
	bl	fast_resume
	b	svc_fast_exit

trap_common:
	save_x2_x17
	save_x18_x30

	/* The interrupted stack pointer: SP_EL0 from EL0, else ours before the frame. */
	cmp	x1, #8
	b.lo	1f
	mrs	x2, sp_el0
	b	2f
1:	add	x2, sp, #FRAME_SIZE
2:	mrs	x3, elr_el1
	stp	x2, x3, [sp, #FRAME_SP]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #FRAME_SPSR]
	mrs	x2, far_el1
	str	x2, [sp, #FRAME_FAR]

	mov	x0, sp
	bl	trap_entry

	.global trap_return
trap_return:
	/* Restore: the handler may have changed elr, spsr or sp_el0. */
	ldp	x2, x3, [sp, #FRAME_SP]
	msr	elr_el1, x3
	ldr	x3, [sp, #FRAME_SPSR]
	msr	spsr_el1, x3
	and	x3, x3, #0xf		/* M[3:0] == 0: returning to EL0 */
	cbnz	x3, 3f
	msr	sp_el0, x2
3:	restore_x0_x17
	restore_x18_x30
	add	sp, sp, #FRAME_SIZE
	eret
