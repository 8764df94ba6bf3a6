/*
 * pl011_console: interface console over an Arm PrimeCell PL011 UART (on
 * QEMU virt, board device uart0), driven by its receive interrupt.
 * Placeable in the kernel or in a process.
 *
 * Two threads share an instance: the run thread, which waits for the
 * interrupt and moves received bytes from the device's FIFO into a ring,
 * and whichever thread serves the methods (one at a time: the host
 * serializes them). The ring has one producer (run) and one consumer
 * (Read), so it needs no lock: each side owns one index and publishes it
 * with a release store that the other side reads with an acquire load.
 */
#ifndef PL011_CONSOLE_PL011_CONSOLE_H
#define PL011_CONSOLE_PL011_CONSOLE_H

#include <stdint.h>

#include <viper/abi.h>

#include "console.viper.h"

/* Register offsets (PL011 technical reference manual, DDI 0183). */
#define PL011_DR	 0x000 /* data: bits 0-7 the byte, 8-11 its error flags */
#define PL011_FR	 0x018 /* flags */
#define PL011_LCRH	 0x02c /* line control: FIFO enable (never touched here) */
#define PL011_CR	 0x030 /* control */
#define PL011_IMSC	 0x038 /* interrupt mask set/clear */
#define PL011_ICR	 0x044 /* interrupt clear */
#define PL011_PERIPH_ID0 0xfe0 /* 0x11, 0x10, 0x?4 (revision, designer), 0x00 */
#define PL011_CELL_ID0	 0xff0 /* 0x0d, 0xf0, 0x05, 0xb1 */

#define PL011_DR_ERRORS (0x7u << 8) /* framing, parity, break: the byte is not data */
#define PL011_FR_RXFE	(1u << 4)   /* receive FIFO empty */
#define PL011_FR_TXFF	(1u << 5)   /* transmit FIFO full */
#define PL011_LCRH_FEN	(1u << 4)
#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_TXE	(1u << 8)
#define PL011_CR_RXE	(1u << 9)
#define PL011_INT_RX	(1u << 4) /* receive */
#define PL011_INT_RT	(1u << 6) /* receive timeout */

/* The device's register window, at least. */
#define PL011_CONSOLE_REGS_SIZE 0x1000u
/* Received bytes kept until Read takes them (a power of two). */
#define PL011_CONSOLE_RING 1024u
/* Bytes moved from the FIFO per interrupt at most (the FIFO holds 32), so
 * a device that never reports its FIFO empty cannot hold the thread. */
#define PL011_CONSOLE_DRAIN_MAX 64u
/* Read's bound on `max` (ReadReply.data). */
#define PL011_CONSOLE_READ_MAX	128u
#define PL011_CONSOLE_LISTENERS 4u
#define PL011_CONSOLE_NAME_MAX	32u

struct pl011_console {
	volatile uint32_t *regs;
	viper_handle_t irq;
	char name[PL011_CONSOLE_NAME_MAX]; /* the instance's, for log lines */
	/*
	 * The receive ring: free-running indexes, `head` written only by the
	 * run thread, `tail` only by Read, both through __atomic builtins.
	 */
	uint32_t head;
	uint32_t tail;
	uint32_t dropped; /* bytes the full ring lost since the last Read (atomic) */
	uint8_t ring[PL011_CONSOLE_RING];
	/*
	 * Send ends of the listeners' notification channels,
	 * VIPER_HANDLE_INVALID when free. Only Listen fills an entry; Listen
	 * and the run thread empty one (compare-and-swap, so a handle is closed
	 * once).
	 */
	viper_handle_t listeners[PL011_CONSOLE_LISTENERS];
	/*
	 * 1 + the connection whose output left the line open (its last byte
	 * was not a newline), 0 at the start of a line. Written by Write only,
	 * which the framework never enters twice at once.
	 */
	uint32_t open_line;
};

/*
 * The device access the driver makes: one 32-bit register at byte
 * `offset` of `regs`. Weak definitions (src/pl011_regs.c) access the
 * device; a host test links strong ones in front of a model of the UART,
 * since reading the data register has side effects plain memory lacks.
 */
uint32_t pl011_console_reg_read(volatile uint32_t *regs, uint32_t offset);
void pl011_console_reg_write(volatile uint32_t *regs, uint32_t offset, uint32_t value);

extern const struct console_server pl011_console_server;

#endif
