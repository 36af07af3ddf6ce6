// SPDX-License-Identifier: GPL-2.0-only
/*
 * ns16550a UART model (see uart.h for what is and is not modelled, the
 * rules on guest accesses and locking).
 *
 * Interrupts follow the 16550's IIR priorities. Receiver line status
 * (priority 1) needs a line error and modem status (priority 4) a change of
 * the modem lines; the model produces neither, so only these remain:
 *
 *   2. received data: with IER.ERBFI, while the receiver holds data. With
 *      FIFOs on, IIR says RDA at or above the FCR trigger level and
 *      "character timeout" below it: the timeout (4 character times without
 *      activity on a real part) is modelled as already expired, so any
 *      received byte interrupts at once. Reading RBR clears it when the
 *      receiver empties.
 *   3. THR empty: with IER.ETBEI, raised when THR becomes empty and when
 *      ETBEI goes from 0 to 1 while THR is empty (Linux's THRE test and its
 *      start_tx rely on the latter); cleared by reading IIR while it is the
 *      reported interrupt and by clearing ETBEI. Writing THR clears it too,
 *      but the byte leaves THR at once, so it is raised again.
 *
 * The interrupt line is high while IIR reports an interrupt.
 */
#include "hw/uart.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util/lock.h"
#include "util/snapbuf.h"
#include "vmm/faults.h"

#define UART_NREGS    8
#define UART_IER_MASK 0x0f /* IER bits 7:4 are always 0 on a 16550 */
#define UART_MCR_MASK 0x1f /* DTR, RTS, OUT1, OUT2, LOOP */

struct dv_uart {
	struct dv_lock lock;
	struct dv_irq_line irq;
	bool irq_out; /* level last driven on irq */
	void (*tx)(void *opaque, uint8_t byte);
	void *tx_opaque;

	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thre_pending; /* the THR-empty interrupt event, see above */

	/*
	 * Everything received and not yet read, oldest at rx[rx_head]. The
	 * first bytes (up to the FIFO size, or 1 with FIFOs off) are in the
	 * receiver; the others are still "on the wire" from the guest's view.
	 */
	uint8_t rx[DV_UART_RX_CAPACITY];
	size_t rx_head;
	size_t rx_count;
};

/* Bytes the guest-visible receiver holds: the FIFO, or RBR alone. */
static size_t uart_rx_level(const struct dv_uart *u)
{
	size_t room = (u->fcr & DV_UART_FCR_FE) ? DV_UART_FIFO_SIZE : 1;

	return u->rx_count < room ? u->rx_count : room;
}

static size_t uart_rx_trigger(const struct dv_uart *u)
{
	static const uint8_t trigger[4] = {1, 4, 8, 14};

	return trigger[(u->fcr & DV_UART_FCR_TRIG) >> 6];
}

static void uart_rx_drop(struct dv_uart *u, size_t n)
{
	u->rx_head = (u->rx_head + n) % DV_UART_RX_CAPACITY;
	u->rx_count -= n;
}

/* The interrupt IIR reports now, highest priority first. */
static uint8_t uart_iid(const struct dv_uart *u)
{
	size_t level = uart_rx_level(u);

	if ((u->ier & DV_UART_IER_ERBFI) && level) {
		if (!(u->fcr & DV_UART_FCR_FE) || level >= uart_rx_trigger(u))
			return DV_UART_IIR_RDA;
		return DV_UART_IIR_CTI;
	}
	if ((u->ier & DV_UART_IER_ETBEI) && u->thre_pending)
		return DV_UART_IIR_THRE;
	return DV_UART_IIR_NONE;
}

/* Drives the line after any change of state; only changes reach set(). */
static void uart_update(struct dv_uart *u)
{
	bool level = uart_iid(u) != DV_UART_IIR_NONE;

	if (level != u->irq_out) {
		u->irq_out = level;
		dv_irq_set(&u->irq, level);
	}
}

struct dv_uart *dv_uart_create(const struct dv_irq_line *irq,
			       void (*tx)(void *opaque, uint8_t byte), void *tx_opaque)
{
	struct dv_uart *u;

	if (!irq) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	dv_lock_init(&u->lock);
	u->irq = *irq;
	u->tx = tx;
	u->tx_opaque = tx_opaque;
	return u;
}

void dv_uart_destroy(struct dv_uart *u)
{
	if (!u)
		return;
	free(u);
}

size_t dv_uart_rx(struct dv_uart *u, const uint8_t *buf, size_t len)
{
	size_t n;

	dv_lock(&u->lock);
	n = DV_UART_RX_CAPACITY - u->rx_count;
	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++)
		u->rx[(u->rx_head + u->rx_count + i) % DV_UART_RX_CAPACITY] = buf[i];
	u->rx_count += n;
	uart_update(u);
	dv_unlock(&u->lock);
	return n;
}

/* Registers, by offset; the caller re-evaluates the line after each access. */

static uint8_t rbr_read(struct dv_uart *u)
{
	uint8_t byte;

	if (u->lcr & DV_UART_LCR_DLAB)
		return u->dll;
	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	uart_rx_drop(u, 1);
	return byte;
}

static void thr_write(struct dv_uart *u, uint8_t v)
{
	if (u->lcr & DV_UART_LCR_DLAB) {
		u->dll = v;
		return;
	}
	if (u->tx)
		u->tx(u->tx_opaque, v);
	if (dv_fault_uart_byte(v))
		dv_fault_free((void **)&u);
	/*
	 * Writing THR acknowledges a THRE interrupt, but the byte leaves THR
	 * at once, and THR becoming empty raises a new one.
	 */
	u->thre_pending = true;
}

static uint8_t ier_read(struct dv_uart *u)
{
	return (u->lcr & DV_UART_LCR_DLAB) ? u->dlm : u->ier;
}

static void ier_write(struct dv_uart *u, uint8_t v)
{
	if (u->lcr & DV_UART_LCR_DLAB) {
		u->dlm = v;
		return;
	}
	v &= UART_IER_MASK;
	/* Enabling ETBEI with THR empty (it always is here) raises THRE. */
	if (v & ~u->ier & DV_UART_IER_ETBEI)
		u->thre_pending = true;
	else if (!(v & DV_UART_IER_ETBEI))
		u->thre_pending = false;
	u->ier = v;
}

static uint8_t iir_read(struct dv_uart *u)
{
	uint8_t id = uart_iid(u);

	/* Reading IIR acknowledges THRE when it is the interrupt reported. */
	if (id == DV_UART_IIR_THRE)
		u->thre_pending = false;
	return id | ((u->fcr & DV_UART_FCR_FE) ? DV_UART_IIR_FIFOS : 0);
}

static void fcr_write(struct dv_uart *u, uint8_t v)
{
	/*
	 * Switching FIFOs on or off empties them; otherwise RFR empties the
	 * receive FIFO, and FE must be 1 for the other bits to be taken.
	 * Bytes still in the host backlog arrive afterwards, like bytes on
	 * the wire. XFR has nothing to clear: THR never holds a byte.
	 */
	if (((v ^ u->fcr) & DV_UART_FCR_FE) || ((v & DV_UART_FCR_FE) && (v & DV_UART_FCR_RFR)))
		uart_rx_drop(u, uart_rx_level(u));
	u->fcr =
	    (v & DV_UART_FCR_FE) ? v & (DV_UART_FCR_FE | DV_UART_FCR_DMS | DV_UART_FCR_TRIG) : 0;
}

static uint8_t lcr_read(struct dv_uart *u)
{
	return u->lcr;
}

/* Word length, stop bits, parity and break mean nothing to a byte pipe. */
static void lcr_write(struct dv_uart *u, uint8_t v)
{
	u->lcr = v;
}

static uint8_t mcr_read(struct dv_uart *u)
{
	return u->mcr;
}

/* Stored only: the modem outputs go nowhere and LOOP is not modelled. */
static void mcr_write(struct dv_uart *u, uint8_t v)
{
	u->mcr = v & UART_MCR_MASK;
}

static uint8_t lsr_read(struct dv_uart *u)
{
	return (u->rx_count ? DV_UART_LSR_DR : 0) | DV_UART_LSR_THRE | DV_UART_LSR_TEMT;
}

/* The other end is always present and ready; no delta bit is ever set. */
static uint8_t msr_read(struct dv_uart *u)
{
	(void)u;
	return DV_UART_MSR_DCD | DV_UART_MSR_DSR | DV_UART_MSR_CTS;
}

static uint8_t scr_read(struct dv_uart *u)
{
	return u->scr;
}

static void scr_write(struct dv_uart *u, uint8_t v)
{
	u->scr = v;
}

struct uart_reg {
	uint8_t (*read)(struct dv_uart *u);
	void (*write)(struct dv_uart *u, uint8_t v); /* NULL: writes ignored */
};

static const struct uart_reg uart_regs[UART_NREGS] = {
    [DV_UART_RBR] = {rbr_read, thr_write}, /* DLL while LCR.DLAB */
    [DV_UART_IER] = {ier_read, ier_write}, /* DLM while LCR.DLAB */
    [DV_UART_IIR] = {iir_read, fcr_write}, /* IIR reads, FCR writes */
    [DV_UART_LCR] = {lcr_read, lcr_write}, /* bit 7 is DLAB */
    [DV_UART_MCR] = {mcr_read, mcr_write}, /* stored only */
    [DV_UART_LSR] = {lsr_read, NULL},	   /* writes: factory test only */
    [DV_UART_MSR] = {msr_read, NULL},	   /* read-only */
    [DV_UART_SCR] = {scr_read, scr_write}, /* scratch byte */
};

static int uart_mmio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct dv_uart *u = opaque;

	*val = 0;
	if (size != 1 || offset >= UART_NREGS)
		return 0;
	dv_lock(&u->lock);
	*val = uart_regs[offset].read(u);
	uart_update(u);
	dv_unlock(&u->lock);
	return 0;
}

static int uart_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct dv_uart *u = opaque;

	if (size != 1 || offset >= UART_NREGS || !uart_regs[offset].write)
		return 0;
	dv_lock(&u->lock);
	uart_regs[offset].write(u, (uint8_t)val);
	uart_update(u);
	dv_unlock(&u->lock);
	return 0;
}

const struct dv_mmio_ops dv_uart_mmio_ops = {
    .read = uart_mmio_read,
    .write = uart_mmio_write,
};

void dv_uart_save(struct dv_uart *u, struct dv_snap_w *w)
{
	uint8_t regs[8];

	dv_lock(&u->lock);
	regs[0] = u->ier;
	regs[1] = u->fcr;
	regs[2] = u->lcr;
	regs[3] = u->mcr;
	regs[4] = u->scr;
	regs[5] = u->dll;
	regs[6] = u->dlm;
	regs[7] = u->thre_pending;
	dv_snap_put(w, regs, sizeof(regs));
	dv_snap_u32(w, (uint32_t)u->rx_count);
	for (size_t i = 0; i < u->rx_count; i++) {
		uint8_t b = u->rx[(u->rx_head + i) % DV_UART_RX_CAPACITY];

		dv_snap_put(w, &b, 1);
	}
	dv_unlock(&u->lock);
}

int dv_uart_load(struct dv_uart *u, struct dv_snap_r *r)
{
	uint8_t regs[8];
	uint32_t n;

	dv_lock(&u->lock);
	dv_snap_get(r, regs, sizeof(regs));
	n = dv_snap_get_u32(r);
	if (n > DV_UART_RX_CAPACITY)
		r->bad = true;
	if (!r->bad) {
		u->ier = regs[0] & UART_IER_MASK;
		u->fcr = (regs[1] & DV_UART_FCR_FE)
			     ? regs[1] & (DV_UART_FCR_FE | DV_UART_FCR_DMS | DV_UART_FCR_TRIG)
			     : 0;
		u->lcr = regs[2];
		u->mcr = regs[3] & UART_MCR_MASK;
		u->scr = regs[4];
		u->dll = regs[5];
		u->dlm = regs[6];
		u->thre_pending = regs[7] & 1;
		u->rx_head = 0;
		u->rx_count = n;
		dv_snap_get(r, u->rx, n);
		uart_update(u);
	}
	dv_unlock(&u->lock);
	return r->bad ? -EINVAL : 0;
}
