/*
 * Thread switching: cpu_switch saves the callee-saved registers and the
 * stack pointer of the running thread and loads the next one's; FP/SIMD
 * state is saved and restored separately (the kernel itself never uses FP).
 */
	.arch armv8-a+fp+simd
	.text

	/* The callee-saved registers and sp into the struct cpu_context at x0; clobbers x9. */
	.macro save_context
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x9, sp
	str	x9, [x0, #96]
	.endm

	/* cpu_switch(struct cpu_context *from, struct cpu_context *to) */
	.global cpu_switch
cpu_switch:
	save_context
	mov	x0, x1
	/* Falls through into cpu_load(to). */

	/*
	 * cpu_load(const struct cpu_context *to): the second half of
	 * cpu_switch, for a thread that left nothing to save (it blocked in
	 * the IPC fast path, its frame holds all it needs).
	 */
	.global cpu_load
cpu_load:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldr	x2, [x0, #96]
	mov	sp, x2
	ret

	/*
	 * cpu_switch_to_frame(struct cpu_context *from, struct trap_frame *frame,
	 * uint64_t ttbr): cpu_switch's first half, then out through the frame
	 * (fast_exit_to in vectors.S). Returns when `from` is loaded again.
	 */
	.global cpu_switch_to_frame
cpu_switch_to_frame:
	save_context
	mov	x0, x1
	mov	x1, x2
	b	fast_exit_to

	/* fp_save(struct fp_state *) */
	.global fp_save
fp_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpcr
	mrs	x2, fpsr
	add	x0, x0, #512
	stp	x1, x2, [x0]
	ret

	/* fp_restore(const struct fp_state *) */
	.global fp_restore
fp_restore:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	add	x0, x0, #512
	ldp	x1, x2, [x0]
	msr	fpcr, x1
	msr	fpsr, x2
	ret

	/*
	 * A new thread's first run: cpu_switch returns here with sp at the
	 * thread's user trap frame. Finish the kernel side, then return to EL0.
	 */
	.global thread_trampoline
thread_trampoline:
	bl	thread_first_run
	b	trap_return
