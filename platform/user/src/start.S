/* Process entry: x0 points at the startup block; sp at the top of the stack. */
	.section .text.start, "ax"
	.global _start
_start:
	mov	x29, #0
	mov	x30, #0
	bl	viper_runtime_start
1:	b	1b
