/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model of an ns16550a UART, the console of QEMU's virt machine, as
 * Linux's 8250 driver drives it ("ns16550a", reg-shift 0, reg-io-width 1):
 * eight byte-wide registers at offsets 0..7 of the window.
 *
 * Only 1-byte accesses reach a register; other widths, and offsets 8 and
 * above, read 0 and ignore writes. No guest access ever fails the MMIO
 * handler.
 *
 * Transmission is instantaneous: a byte written to THR is handed to the tx
 * callback at once, so LSR always shows THR and transmitter empty. Reception
 * goes through a 16-byte FIFO fed from a host backlog of
 * DV_UART_RX_CAPACITY bytes in all (FIFO included): dv_uart_rx() accepts what
 * fits and the host keeps the rest, so nothing is ever overrun and LSR never
 * shows a line error. The modem lines are fixed (DCD, DSR and CTS asserted,
 * nothing ever changes), and MCR is stored but its loopback mode is not
 * modelled: Linux skips the loopback test for a fixed-type port such as
 * "ns16550a".
 *
 * Locking: one mutex per UART. dv_uart_rx() may be called from any thread,
 * concurrently with MMIO from vCPU threads. The tx callback and the
 * interrupt line's set() are called with that mutex held (which keeps bytes
 * from several vCPUs in order): they must not call back into the UART.
 */
#ifndef DV_UART_H
#define DV_UART_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/irq.h"
#include "vmm/mmio.h"

#define DV_UART_SIZE	    0x100
#define DV_UART_FIFO_SIZE   16
#define DV_UART_RX_CAPACITY 4096 /* host backlog, the 16-byte FIFO included */

/* Register offsets (reg-shift 0). DLL and DLM replace RBR/THR and IER while LCR.DLAB is set. */
#define DV_UART_RBR 0 /* read: receive buffer */
#define DV_UART_THR 0 /* write: transmit holding */
#define DV_UART_DLL 0
#define DV_UART_IER 1
#define DV_UART_DLM 1
#define DV_UART_IIR 2 /* read: interrupt identification */
#define DV_UART_FCR 2 /* write: FIFO control */
#define DV_UART_LCR 3
#define DV_UART_MCR 4
#define DV_UART_LSR 5
#define DV_UART_MSR 6
#define DV_UART_SCR 7

#define DV_UART_IER_ERBFI 0x01 /* received data available */
#define DV_UART_IER_ETBEI 0x02 /* transmit holding register empty */
#define DV_UART_IER_ELSI  0x04 /* receiver line status */
#define DV_UART_IER_EDSSI 0x08 /* modem status */

#define DV_UART_IIR_NONE  0x01 /* no interrupt pending */
#define DV_UART_IIR_THRE  0x02
#define DV_UART_IIR_RDA	  0x04 /* receive FIFO at its trigger level */
#define DV_UART_IIR_CTI	  0x0c /* character timeout: data below the trigger level */
#define DV_UART_IIR_ID	  0x0f
#define DV_UART_IIR_FIFOS 0xc0 /* FIFOs enabled */

#define DV_UART_FCR_FE	 0x01 /* FIFO enable */
#define DV_UART_FCR_RFR	 0x02 /* receive FIFO reset */
#define DV_UART_FCR_XFR	 0x04 /* transmit FIFO reset */
#define DV_UART_FCR_DMS	 0x08
#define DV_UART_FCR_TRIG 0xc0 /* receive trigger level: 1, 4, 8, 14 bytes */

#define DV_UART_LCR_DLAB 0x80

#define DV_UART_LSR_DR	 0x01 /* data ready */
#define DV_UART_LSR_THRE 0x20 /* THR empty */
#define DV_UART_LSR_TEMT 0x40 /* transmitter empty */

#define DV_UART_MSR_CTS 0x10
#define DV_UART_MSR_DSR 0x20
#define DV_UART_MSR_DCD 0x80

struct dv_uart;

/*
 * A UART in its reset state, driving *irq (copied; the line starts, and is
 * assumed, low) and handing transmitted bytes to tx(tx_opaque, byte); tx
 * may be NULL to drop them. NULL with errno EINVAL if irq is NULL, ENOMEM
 * if out of memory.
 */
struct dv_uart *dv_uart_create(const struct dv_irq_line *irq,
			       void (*tx)(void *opaque, uint8_t byte), void *tx_opaque);
/* No other thread may use the UART any more. NULL is accepted. */
void dv_uart_destroy(struct dv_uart *u);
/*
 * Host input: queues up to len bytes of buf for the guest and returns how
 * many it took (less than len when the backlog is full; the host retries
 * the rest later). Any thread.
 */
size_t dv_uart_rx(struct dv_uart *u, const uint8_t *buf, size_t len);

struct dv_snap_w;
struct dv_snap_r;
/* Its registers and received bytes (snapshots); load legalises them and drives its line */
void dv_uart_save(struct dv_uart *u, struct dv_snap_w *w);
int dv_uart_load(struct dv_uart *u, struct dv_snap_r *r);

/* MMIO handlers for the DV_UART_SIZE window; opaque = struct dv_uart *. */
extern const struct dv_mmio_ops dv_uart_mmio_ops;

#endif /* DV_UART_H */
