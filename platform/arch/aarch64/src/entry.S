/*
 * Kernel entry on QEMU virt. QEMU enters at _start on the boot CPU at EL1
 * (or EL2 with virtualization=on) with the MMU off and x0 holding the device
 * tree's address when it passes one. We drop to EL1 if needed, install the
 * exception vectors, give the CPU its stack, clear BSS and call kmain(dtb).
 */
#include <arch/boot.h>

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0			/* device tree, if QEMU passed one */

	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	1f

	/* EL2: run the kernel at EL1, AArch64, with timer access. */
	mov	x1, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64 */
	msr	hcr_el2, x1
	mov	x1, #3			/* CNTHCTL_EL2: EL1 may use both counters */
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	mov	x1, #0x3c5		/* EL1h, DAIF masked */
	msr	spsr_el2, x1
	adr	x1, 1f
	msr	elr_el2, x1
	eret

1:	/* EL1 */
	msr	daifset, #0xf
	adr	x1, exception_vectors
	msr	vbar_el1, x1
	isb

	/* The boot CPU's stack is the top of boot_stacks[0]. */
	adrp	x1, boot_stacks
	add	x1, x1, :lo12:boot_stacks
	mov	x2, #BOOT_STACK_SIZE
	add	sp, x1, x2

	/* Clear BSS (8-byte aligned by the linker script). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
2:	cmp	x1, x2
	b.hs	3f
	str	xzr, [x1], #8
	b	2b

3:	mov	x0, x19
	bl	kmain
4:	wfi
	b	4b

	.section .text
	/* psci_hvc(fid, a1, a2, a3) / psci_smc(...): one PSCI call, result in x0. */
	.global psci_hvc
psci_hvc:
	hvc	#0
	ret

	.global psci_smc
psci_smc:
	smc	#0
	ret
