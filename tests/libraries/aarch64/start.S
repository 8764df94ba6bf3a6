/*
 * Start-up for the bare-metal library-check image on QEMU virt (EL1, no
 * kernel). picolibc and the optimised library code use FP/SIMD and unaligned
 * accesses, so this turns on FP and an identity-mapped MMU first: the first
 * GiB (devices) as Device memory, the second (RAM) as Normal cacheable.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	mov	x0, #(3 << 20)			/* CPACR_EL1.FPEN: no FP traps */
	msr	cpacr_el1, x0
	isb

	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b

2:	adrp	x0, level1_table
	add	x0, x0, :lo12:level1_table
	mov	x1, #0x401			/* 0 GiB: block, AF, attr 0 (Device) */
	str	x1, [x0]
	ldr	x1, =0x40000705			/* 1 GiB: block, AF, inner shareable, attr 1 */
	str	x1, [x0, #8]
	msr	ttbr0_el1, x0
	ldr	x1, =0xff00			/* MAIR: attr 0 Device-nGnRnE, attr 1 Normal WB */
	msr	mair_el1, x1
	/* TCR: 4 GiB of VA from level 1, 4 KiB pages, WB caches, no TTBR1, 40-bit PA. */
	ldr	x1, =((2 << 32) | (1 << 23) | (3 << 12) | (1 << 10) | (1 << 8) | 32)
	msr	tcr_el1, x1
	isb
	tlbi	vmalle1
	dsb	sy
	isb
	mrs	x1, sctlr_el1
	orr	x1, x1, #(1 << 0)		/* M: MMU on */
	orr	x1, x1, #(1 << 2)		/* C: data cache */
	orr	x1, x1, #(1 << 12)		/* I: instruction cache */
	msr	sctlr_el1, x1
	isb

	bl	main
3:	wfi
	b	3b

	.global psci_system_off
psci_system_off:
	ldr	x0, =0x84000008
	hvc	#0
	b	3b

	.section .bss.tables, "aw", %nobits
	.balign 4096
level1_table:
	.space 4096
