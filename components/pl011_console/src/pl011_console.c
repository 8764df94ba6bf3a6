/* pl011_console: see include/pl011_console/pl011_console.h and README.md. */
#include <pl011_console/pl011_console.h>

#include <viper/component.h>

#include "pl011_console_slots.h"

static uint32_t reg(struct pl011_console *c, uint32_t offset)
{
	return pl011_console_reg_read(c->regs, offset);
}

static void reg_set(struct pl011_console *c, uint32_t offset, uint32_t value)
{
	pl011_console_reg_write(c->regs, offset, value);
}

/* Whether the identification registers are a PL011's (any revision). */
static bool is_pl011(struct pl011_console *c)
{
	static const uint8_t cell_id[4] = {0x0d, 0xf0, 0x05, 0xb1};

	if ((reg(c, PL011_PERIPH_ID0) & 0xff) != 0x11 ||
	    (reg(c, PL011_PERIPH_ID0 + 4) & 0xff) != 0x10 ||
	    (reg(c, PL011_PERIPH_ID0 + 8) & 0x0f) != 0x4 ||
	    (reg(c, PL011_PERIPH_ID0 + 12) & 0xff) != 0x00)
		return false;
	for (uint32_t i = 0; i < 4; i++) {
		if ((reg(c, PL011_CELL_ID0 + 4 * i) & 0xff) != cell_id[i])
			return false;
	}
	return true;
}

/* Run thread only: appends one byte to the ring, or counts it lost when full. */
static void ring_put(struct pl011_console *c, uint8_t byte)
{
	uint32_t head = __atomic_load_n(&c->head, __ATOMIC_RELAXED); /* ours */
	uint32_t tail = __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);

	if (head - tail >= PL011_CONSOLE_RING) {
		__atomic_fetch_add(&c->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	c->ring[head % PL011_CONSOLE_RING] = byte;
	__atomic_store_n(&c->head, head + 1, __ATOMIC_RELEASE); /* the byte, then the index */
}

/*
 * Run thread only: moves what the receive FIFO holds into the ring (at
 * most PL011_CONSOLE_DRAIN_MAX bytes); returns how many bytes were input.
 * Bytes with a framing, parity or break error are line noise, not input:
 * they are read (to empty the FIFO) and left out.
 */
static uint32_t drain_fifo(struct pl011_console *c)
{
	uint32_t input = 0;

	for (uint32_t n = 0; n < PL011_CONSOLE_DRAIN_MAX; n++) {
		if (reg(c, PL011_FR) & PL011_FR_RXFE)
			break;
		uint32_t data = reg(c, PL011_DR);
		if ((data & PL011_DR_ERRORS) == 0) {
			ring_put(c, (uint8_t)data);
			input++;
		}
	}
	return input;
}

/*
 * Drops listener `i` if it still holds `send`: whoever wins the swap
 * closes the handle, so Listen and the run thread never close it twice.
 */
static void drop_listener(struct pl011_console *c, uint32_t i, viper_handle_t send)
{
	if (__atomic_compare_exchange_n(&c->listeners[i], &send, VIPER_HANDLE_INVALID, false,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		(void)vc_handle_close(send);
}

/* Sets bit 0 for every listener, dropping those whose receive end is gone. */
static void notify_listeners(struct pl011_console *c)
{
	for (uint32_t i = 0; i < PL011_CONSOLE_LISTENERS; i++) {
		viper_handle_t send = __atomic_load_n(&c->listeners[i], __ATOMIC_ACQUIRE);

		if (send != VIPER_HANDLE_INVALID && vc_notify(send, 1) == VIPER_E_PEERCLOSED)
			drop_listener(c, i, send);
	}
}

/*
 * Transmits through the system console (vc_console_write), which owns the
 * transmitter with the kernel: a request goes out in one piece, never
 * interleaved with the kernel's messages or another process's lines. When
 * one client left a line open (a prompt, input being typed) and another
 * writes, the other's output starts on a line of its own: a line from the
 * log never lands inside the shell's.
 */
static int32_t uart_write(void *self, struct viper_rpc_context *ctx,
			  const viper_console_WriteRequest *req, viper_console_WriteReply *rep)
{
	struct pl011_console *c = self;
	uint32_t size = req->data.size;
	int32_t err;

	if (size > sizeof(req->data.bytes))
		return VIPER_E_INVAL;
	if (size == 0) {
		rep->written = 0;
		return VIPER_OK;
	}
	if (c->open_line != 0 && c->open_line != ctx->connection + 1) {
		err = vc_console_write("\n", 1);
		if (err)
			return err;
		c->open_line = 0;
	}
	err = vc_console_write(req->data.bytes, size);
	if (err)
		return err;
	c->open_line = req->data.bytes[size - 1] == '\n' ? 0 : ctx->connection + 1;
	rep->written = size;
	return VIPER_OK;
}

static int32_t uart_read(void *self, struct viper_rpc_context *ctx,
			 const viper_console_ReadRequest *req, viper_console_ReadReply *rep)
{
	struct pl011_console *c = self;
	(void)ctx;

	if (req->max == 0 || req->max > PL011_CONSOLE_READ_MAX)
		return VIPER_E_INVAL;
	uint32_t tail = __atomic_load_n(&c->tail, __ATOMIC_RELAXED); /* ours */
	uint32_t head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
	uint32_t n = head - tail < req->max ? head - tail : req->max;

	for (uint32_t i = 0; i < n; i++)
		rep->data.bytes[i] = c->ring[(tail + i) % PL011_CONSOLE_RING];
	rep->data.size = (pb_size_t)n;
	__atomic_store_n(&c->tail, tail + n, __ATOMIC_RELEASE); /* the bytes, then the room */
	rep->dropped = __atomic_exchange_n(&c->dropped, 0, __ATOMIC_RELAXED);
	return VIPER_OK;
}

/* A free listener entry, or PL011_CONSOLE_LISTENERS when all are taken. */
static uint32_t free_listener(struct pl011_console *c)
{
	uint32_t i = 0;

	while (i < PL011_CONSOLE_LISTENERS &&
	       __atomic_load_n(&c->listeners[i], __ATOMIC_ACQUIRE) != VIPER_HANDLE_INVALID)
		i++;
	return i;
}

static int32_t uart_listen(void *self, struct viper_rpc_context *ctx,
			   const viper_console_ListenRequest *req, viper_console_ListenReply *rep)
{
	struct pl011_console *c = self;
	viper_handle_t send, recv;
	(void)ctx;
	(void)req;

	uint32_t i = free_listener(c);
	if (i == PL011_CONSOLE_LISTENERS) {
		/*
		 * A listener that went away unnoticed (no input since) still
		 * holds an entry: a notification finds out. Live listeners get
		 * a spurious wake-up, and a Read that finds nothing.
		 */
		notify_listeners(c);
		i = free_listener(c);
	}
	if (i == PL011_CONSOLE_LISTENERS)
		return VIPER_E_LIMIT;
	int32_t r = vc_channel_create(&send, &recv);
	if (r < 0)
		return r;
	/* Only Listen fills entries, and one Listen runs at a time: entry i stays free. */
	__atomic_store_n(&c->listeners[i], send, __ATOMIC_RELEASE);
	rep->ready = recv;
	return VIPER_OK;
}

const struct console_server pl011_console_server = {
	.write = uart_write,
	.read = uart_read,
	.listen = uart_listen,
};

static int32_t uart_init(void *state, const struct viper_instance_env *env)
{
	struct pl011_console *c = state;
	const struct viper_device *dev = &env->devices[PL011_CONSOLE_DEVICE_UART];

	if (env->device_count <= PL011_CONSOLE_DEVICE_UART || dev->regs == NULL ||
	    dev->size < PL011_CONSOLE_REGS_SIZE) {
		vc_log("%s: no UART register window granted", env->name);
		return VIPER_E_INVAL;
	}
	if (dev->irq == VIPER_HANDLE_INVALID) {
		vc_log("%s: no UART interrupt granted", env->name);
		return VIPER_E_INVAL;
	}
	c->regs = (volatile uint32_t *)dev->regs;
	c->irq = dev->irq;
	vc_snprintf(c->name, sizeof(c->name), "%s", env->name);
	if (!is_pl011(c)) {
		vc_log("%s: the device is not a PL011", c->name);
		return VIPER_E_UNSUPPORTED;
	}
	/*
	 * The line settings (LCRH) stay as found: switching the FIFOs on or
	 * off empties them, losing what was typed or piped in before now.
	 */
	uint32_t cr = reg(c, PL011_CR);
	uint32_t on = PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE;
	if ((cr & on) != on)
		reg_set(c, PL011_CR, cr | on);
	reg_set(c, PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
	return VIPER_OK;
}

/*
 * The receive loop. The interrupt is cleared before the FIFO is read: a
 * byte that arrives after the last read raises it again, while clearing
 * it afterwards could swallow that byte's interrupt and leave it unread
 * until the next key. When a pass stops at PL011_CONSOLE_DRAIN_MAX with
 * bytes still in the FIFO, the next pass comes without waiting: QEMU's
 * PL011 raises its receive interrupt only when the FIFO goes from empty to
 * not empty, so those bytes would bring no interrupt of their own. Each
 * successful wait is acknowledged once, after its pass.
 */
static int32_t uart_run(void *state)
{
	struct pl011_console *c = state;
	bool backlog = true; /* input may have come before the driver: look first */

	for (;;) {
		bool waited = false;
		int32_t r;

		if (backlog) {
			vc_yield(); /* a device that never empties must not hold the CPU */
		} else {
			r = vc_irq_wait(c->irq, VIPER_TIMEOUT_NONE);
			if (r == VIPER_E_TIMEOUT)
				continue;
			if (r < 0) {
				vc_log("%s: waiting for the UART interrupt failed (%d): input "
				       "stops",
				       c->name, r);
				return r;
			}
			waited = true;
		}
		reg_set(c, PL011_ICR, PL011_INT_RX | PL011_INT_RT);
		uint32_t input = drain_fifo(c);
		backlog = (reg(c, PL011_FR) & PL011_FR_RXFE) == 0;
		r = waited ? vc_irq_ack(c->irq) : VIPER_OK;
		if (input > 0)
			notify_listeners(c);
		if (r < 0) {
			vc_log("%s: acknowledging the UART interrupt failed (%d): input stops",
			       c->name, r);
			return r;
		}
	}
}

VIPER_COMPONENT(pl011_console) = {
	.name = "pl011_console",
	.state_size = sizeof(struct pl011_console),
	.init = uart_init,
	.run = uart_run,
	.provides = {{.interface = &console_interface, .ops = &pl011_console_server}},
	.provide_count = 1,
};
