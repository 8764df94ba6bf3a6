/*
 * Kernel entry on QEMU virt, for the boot CPU (_start) and for secondary
 * CPUs started with PSCI CPU_ON (secondary_entry). QEMU enters at EL1 (or EL2
 * with virtualization=on) with the MMU off; the boot CPU has the device
 * tree's address in x0, a secondary its CPU index (the PSCI context id).
 *
 * Both drop to EL1, switch on the MMU with the boot tables (an identity map
 * in TTBR0 so this code keeps running, and the same 1 GiB blocks at
 * KERNEL_BASE in TTBR1), jump to the upper half, take their boot stack and
 * call C: kmain(dtb) or secondary_main(cpu). C then installs the final
 * kernel map with per-section permissions (arch/mmu.h).
 */
#include <arch/boot.h>

#define KERNEL_BASE 0xffff000000000000
#define BLOCK_DEVICE 0x0060000000000401 /* AF, attr 0, PXN, UXN */
#define BLOCK_NORMAL 0x0040000000000705 /* AF, inner shareable, attr 1, UXN */
#define MAIR_VALUE 0x44ff04		/* 0: Device-nGnRE, 1: Normal WB, 2: Normal NC */
/* TCR: 48-bit VAs both halves, 4 KiB granules, WB inner shareable walks. */
#define TCR_VALUE 0xb5103510
#define SCTLR_EARLY 0x30d01805		/* RES1, M, C, I */

	/* Drops from EL2 to EL1 if we are at EL2; clobbers x1. */
	.macro to_el1
	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	101f
	mov	x1, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64 */
	msr	hcr_el2, x1
	mov	x1, #3			/* CNTHCTL_EL2: EL1 may use both counters */
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	mov	x1, #0x33ff		/* CPTR_EL2: no FP traps */
	msr	cptr_el2, x1
	mov	x1, #0x3c5		/* EL1h, DAIF masked */
	msr	spsr_el2, x1
	adr	x1, 101f
	msr	elr_el2, x1
	eret
101:	msr	daifset, #0xf
	.endm

	/* sp = top of boot_stacks[\index] (a register; its guard page is below); clobbers x1, x2. */
	.macro take_boot_stack index
	adrp	x1, boot_stacks
	add	x1, x1, :lo12:boot_stacks
	mov	x2, #BOOT_STACK_STRIDE
	madd	x1, \index, x2, x1
	add	sp, x1, x2
	.endm

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0			/* device tree, if QEMU passed one */
	to_el1

	/* Clear BSS (8-byte aligned by the linker script); PC-relative, so physical. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b

2:	/* Boot tables: one level-1 table of 1 GiB blocks, under both level-0 tables. */
	adrp	x1, boot_l1
	ldr	x2, =BLOCK_DEVICE
	str	x2, [x1]
	ldr	x2, =BLOCK_NORMAL
	mov	x3, #1
3:	lsl	x4, x3, #30
	orr	x4, x4, x2
	str	x4, [x1, x3, lsl #3]
	add	x3, x3, #1
	cmp	x3, #512
	b.lo	3b
	orr	x2, x1, #3		/* table descriptor */
	adrp	x3, boot_l0_low
	str	x2, [x3]
	adrp	x3, boot_l0_high
	str	x2, [x3]
	dsb	sy

	bl	mmu_on
	ldr	x1, =boot_high
	br	x1
boot_high:
	take_boot_stack xzr
	mov	x0, x19
	bl	kmain
4:	wfi
	b	4b

	/* PSCI CPU_ON lands here with x0 = this CPU's index. */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	to_el1
	bl	mmu_on
	ldr	x1, =secondary_high
	br	x1
secondary_high:
	take_boot_stack x19
	mov	x0, x19
	bl	secondary_main
5:	wfi
	b	5b

	/* Turns on the MMU with the boot tables, FP/SIMD and the vectors; returns at the same PA. */
mmu_on:
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: FP/SIMD at EL0 and EL1 */
	msr	cpacr_el1, x1
	ldr	x1, =MAIR_VALUE
	msr	mair_el1, x1
	ldr	x1, =TCR_VALUE
	mrs	x2, id_aa64mmfr0_el1
	and	x3, x2, #7		/* PARange -> TCR.IPS */
	orr	x1, x1, x3, lsl #32
	ubfx	x3, x2, #4, #4		/* ASIDBits: 2 means 16-bit ASIDs -> TCR.AS */
	cmp	x3, #2
	b.ne	6f
	orr	x1, x1, #(1 << 36)
6:	msr	tcr_el1, x1
	adrp	x1, boot_l0_low
	msr	ttbr0_el1, x1
	adrp	x1, boot_l0_high
	msr	ttbr1_el1, x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x1, =SCTLR_EARLY
	msr	sctlr_el1, x1
	isb
	ldr	x1, =exception_vectors
	msr	vbar_el1, x1
	isb
	ret

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

	.section .bss.boot_tables, "aw", %nobits
	.balign 4096
boot_l0_low:
	.space 4096
boot_l0_high:
	.space 4096
boot_l1:
	.space 4096
