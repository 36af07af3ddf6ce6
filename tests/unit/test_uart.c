// SPDX-License-Identifier: GPL-2.0-only
/* The ns16550a model, driven through its MMIO handlers as Linux's 8250 driver does. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "hw/uart.h"
#include "util/snapbuf.h"
#include "unit.h"

/* What the UART drives on its line and hands to the host. */
struct rig {
	bool level;
	unsigned int irq_calls;
	uint8_t out[64];
	size_t nout;
	struct dv_uart *u;
};

static void rig_irq(void *opaque, unsigned int n, bool level)
{
	struct rig *r = opaque;

	(void)n;
	r->level = level;
	r->irq_calls++;
}

static void rig_tx(void *opaque, uint8_t byte)
{
	struct rig *r = opaque;

	if (r->nout < sizeof(r->out))
		r->out[r->nout++] = byte;
}

static struct dv_uart *make(struct rig *r)
{
	struct dv_irq_line line = {rig_irq, r, 10};

	memset(r, 0, sizeof(*r));
	r->u = dv_uart_create(&line, rig_tx, r);
	return r->u;
}

static uint8_t rd(int *ut_failed, struct rig *r, uint64_t off)
{
	uint64_t v = 0xdeadbeef;
	int rc = dv_uart_mmio_ops.read(r->u, off, 1, &v);

	UT_CHECK(rc == 0, "read %llu: rc %d", (unsigned long long)off, rc);
	UT_CHECK(v <= 0xff, "read %llu: 0x%llx", (unsigned long long)off, (unsigned long long)v);
	return (uint8_t)v;
}

static void wr(int *ut_failed, struct rig *r, uint64_t off, uint8_t val)
{
	int rc = dv_uart_mmio_ops.write(r->u, off, 1, val);

	UT_CHECK(rc == 0, "write %llu: rc %d", (unsigned long long)off, rc);
}

static size_t rx_str(struct rig *r, const char *s)
{
	return dv_uart_rx(r->u, (const uint8_t *)s, strlen(s));
}

UT_TEST(uart_create_checks_arguments)
{
	struct dv_irq_line line = {0};
	struct dv_uart *u;

	errno = 0;
	UT_CHECK(!dv_uart_create(NULL, NULL, NULL) && errno == EINVAL, "no line");
	u = dv_uart_create(&line, NULL, NULL);
	UT_CHECK(u, "no tx, line without set()");
	if (u) {
		uint64_t v;

		/* Bytes are dropped, interrupts go nowhere: nothing breaks. */
		UT_CHECK(dv_uart_mmio_ops.write(u, DV_UART_IER, 1, 0x0f) == 0, "IER");
		UT_CHECK(dv_uart_mmio_ops.write(u, DV_UART_THR, 1, 'x') == 0, "THR");
		UT_CHECK(dv_uart_rx(u, (const uint8_t *)"y", 1) == 1, "rx");
		UT_CHECK(dv_uart_mmio_ops.read(u, DV_UART_RBR, 1, &v) == 0 && v == 'y', "RBR");
	}
	dv_uart_destroy(u);
	dv_uart_destroy(NULL);
}

UT_TEST(uart_reset_values)
{
	struct rig r;

	make(&r);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IER) == 0, "IER");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "IIR: no interrupt");
	UT_CHECK(rd(ut_failed, &r, DV_UART_LCR) == 0, "LCR");
	UT_CHECK(rd(ut_failed, &r, DV_UART_MCR) == 0, "MCR");
	UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) == (DV_UART_LSR_THRE | DV_UART_LSR_TEMT),
		 "LSR = THRE|TEMT");
	UT_CHECK(rd(ut_failed, &r, DV_UART_MSR) == 0xb0, "MSR = DCD|DSR|CTS");
	UT_CHECK(rd(ut_failed, &r, DV_UART_SCR) == 0, "SCR");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 0, "RBR empty");
	UT_CHECK(!r.level && r.irq_calls == 0, "line low, never driven");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_transmit)
{
	static const uint8_t msg[] = {'h', 'i', '\n', 0, 0xff};
	struct rig r;

	make(&r);
	wr(ut_failed, &r, DV_UART_LCR, 0x03); /* 8N1, as Linux sets it */
	for (size_t i = 0; i < sizeof(msg); i++)
		wr(ut_failed, &r, DV_UART_THR, msg[i]);
	UT_CHECK(r.nout == sizeof(msg) && !memcmp(r.out, msg, sizeof(msg)), "tx got %zu bytes",
		 r.nout);
	UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) == (DV_UART_LSR_THRE | DV_UART_LSR_TEMT),
		 "transmitted at once");
	UT_CHECK(!r.level, "no interrupt enabled");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_divisor_latch)
{
	struct rig r;

	make(&r);
	wr(ut_failed, &r, DV_UART_LCR, DV_UART_LCR_DLAB | 0x03);
	wr(ut_failed, &r, DV_UART_DLL, 0x0c);
	wr(ut_failed, &r, DV_UART_DLM, 0x01);
	UT_CHECK(r.nout == 0, "DLL write is no transmission");
	UT_CHECK(rd(ut_failed, &r, DV_UART_DLL) == 0x0c, "DLL");
	UT_CHECK(rd(ut_failed, &r, DV_UART_DLM) == 0x01, "DLM");
	UT_CHECK(rd(ut_failed, &r, DV_UART_LCR) == (DV_UART_LCR_DLAB | 0x03), "LCR");
	UT_CHECK(rx_str(&r, "z") == 1, "rx");
	UT_CHECK(rd(ut_failed, &r, DV_UART_DLL) == 0x0c, "DLL read consumes nothing");
	wr(ut_failed, &r, DV_UART_LCR, 0x03);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IER) == 0, "IER untouched by DLM");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'z', "RBR back");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI);
	wr(ut_failed, &r, DV_UART_THR, 'a');
	UT_CHECK(r.nout == 1 && r.out[0] == 'a', "THR back");
	wr(ut_failed, &r, DV_UART_LCR, DV_UART_LCR_DLAB);
	UT_CHECK(rd(ut_failed, &r, DV_UART_DLL) == 0x0c && rd(ut_failed, &r, DV_UART_DLM) == 0x01,
		 "divisor kept");
	/* IIR/FCR, LSR and SCR do not move with DLAB. */
	UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) == (DV_UART_LSR_THRE | DV_UART_LSR_TEMT), "LSR");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "IIR");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_rx_order_and_dr)
{
	struct rig r;

	make(&r);
	UT_CHECK(rx_str(&r, "hello") == 5, "accepted");
	UT_CHECK(dv_uart_rx(r.u, NULL, 0) == 0, "empty input");
	for (const char *s = "hello"; *s; s++) {
		UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR, "DR before '%c'", *s);
		UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == *s, "byte '%c'", *s);
	}
	UT_CHECK(!(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR), "DR clear when empty");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 0, "empty RBR reads 0");
	UT_CHECK(!r.level, "no interrupt enabled");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_rx_overflow)
{
	static uint8_t buf[DV_UART_RX_CAPACITY + 10];
	struct rig r;
	size_t n;

	make(&r);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + i / 256);
	n = dv_uart_rx(r.u, buf, sizeof(buf));
	UT_CHECK(n == DV_UART_RX_CAPACITY, "accepted %zu", n);
	UT_CHECK(dv_uart_rx(r.u, buf, 1) == 0, "full: nothing accepted");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == buf[0], "oldest first");
	UT_CHECK(dv_uart_rx(r.u, buf + n, sizeof(buf) - n) == 1, "one byte of room");
	for (size_t i = 1; i <= n; i++) {
		uint8_t got = rd(ut_failed, &r, DV_UART_RBR);

		UT_CHECK(got == buf[i], "byte %zu: 0x%02x, expected 0x%02x", i, got, buf[i]);
		if (got != buf[i])
			break;
	}
	UT_CHECK(!(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR), "drained");
	UT_CHECK(rx_str(&r, "ok") == 2, "accepts again");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_rda_interrupt)
{
	struct rig r;

	make(&r);
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI);
	UT_CHECK(!r.level, "nothing received");
	rx_str(&r, "ab");
	UT_CHECK(r.level, "RDA raises the line");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_RDA, "IIR = RDA");
	UT_CHECK(r.level, "reading IIR does not acknowledge RDA");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'a', "a");
	UT_CHECK(r.level, "b still there");
	wr(ut_failed, &r, DV_UART_IER, 0);
	UT_CHECK(!r.level, "masked by IER");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI);
	UT_CHECK(r.level, "unmasked");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'b', "b");
	UT_CHECK(!r.level, "empty: line low");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "IIR = none");
	UT_CHECK(r.irq_calls == 4, "driven on changes only: %u calls", r.irq_calls);
	dv_uart_destroy(r.u);
}

/* Linux's 16550A setup: FIFOs on, receive trigger at 8 bytes. */
UT_TEST(uart_fifo_trigger_and_reset)
{
	struct rig r;
	char expect[] = "ghij";

	make(&r);
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE | 0x80);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == (DV_UART_IIR_FIFOS | DV_UART_IIR_NONE),
		 "IIR shows FIFOs on");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI);
	rx_str(&r, "abc");
	UT_CHECK(r.level, "below the trigger: the timeout interrupt");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == (DV_UART_IIR_FIFOS | DV_UART_IIR_CTI), "CTI");
	rx_str(&r, "defghij");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == (DV_UART_IIR_FIFOS | DV_UART_IIR_RDA),
		 "10 bytes: RDA");
	/* FIFO reset: the 10 bytes in the FIFO go; nothing is left. */
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE | DV_UART_FCR_RFR | 0x80);
	UT_CHECK(!(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR) && !r.level, "reset");

	/* 20 bytes: the FIFO holds 16, the other 4 are still on their way. */
	rx_str(&r, "0123456789abcdefghij");
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE | DV_UART_FCR_RFR | 0x80);
	for (int i = 0; i < 4; i++)
		UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == expect[i], "byte %d after reset", i);
	UT_CHECK(!(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR), "empty");

	/* Switching FIFOs off empties them; RFR without FE does nothing. */
	rx_str(&r, "xy");
	wr(ut_failed, &r, DV_UART_FCR, 0);
	UT_CHECK(!(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR), "FE off clears");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "IIR: FIFOs off");
	rx_str(&r, "pq");
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_RFR);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_RDA, "16450 mode: RDA at once");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'p', "RFR without FE ignored");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'q', "then q");
	/* With FIFOs off the receiver is RBR alone: switching them on drops one byte. */
	rx_str(&r, "rst");
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE);
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 's', "r was in RBR, s was on its way");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 't', "then t");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_thre_interrupt)
{
	struct rig r;

	make(&r);
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI);
	UT_CHECK(r.level, "ETBEI with THR empty raises THRE");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_THRE, "IIR = THRE");
	UT_CHECK(!r.level, "reading IIR acknowledged it");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "IIR = none");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI);
	UT_CHECK(!r.level, "no edge of ETBEI: no new interrupt");
	wr(ut_failed, &r, DV_UART_THR, 'x');
	UT_CHECK(r.level, "THR empty again after a byte");
	wr(ut_failed, &r, DV_UART_IER, 0);
	UT_CHECK(!r.level, "ETBEI off");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "IIR = none");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI);
	UT_CHECK(r.level, "on again: THRE again");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI | DV_UART_IER_ERBFI);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_THRE, "still THRE");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_rda_before_thre)
{
	struct rig r;

	make(&r);
	rx_str(&r, "k");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI | DV_UART_IER_ETBEI);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_RDA, "RDA outranks THRE");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_RDA, "and stays");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'k', "read");
	UT_CHECK(r.level, "THRE still pending");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_THRE, "now THRE");
	UT_CHECK(!r.level && rd(ut_failed, &r, DV_UART_IIR) == DV_UART_IIR_NONE, "done");
	dv_uart_destroy(r.u);
}

/* serial8250_do_startup()'s two probes must find a well-behaved 16550A. */
UT_TEST(uart_linux_startup_probes)
{
	struct rig r;
	uint8_t iir1, iir, lsr;

	make(&r);
	/* serial8250_clear_fifos() and the reads that clear stale state */
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE);
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE | DV_UART_FCR_RFR | DV_UART_FCR_XFR);
	wr(ut_failed, &r, DV_UART_FCR, 0);
	rd(ut_failed, &r, DV_UART_LSR);
	rd(ut_failed, &r, DV_UART_RBR);
	rd(ut_failed, &r, DV_UART_IIR);
	rd(ut_failed, &r, DV_UART_MSR);
	UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) != 0xff, "LSR safety check");

	/* THRE re-assertion test (else UART_BUG_THRE and a polling timer) */
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI);
	iir1 = rd(ut_failed, &r, DV_UART_IIR);
	wr(ut_failed, &r, DV_UART_IER, 0);
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI);
	iir = rd(ut_failed, &r, DV_UART_IIR);
	wr(ut_failed, &r, DV_UART_IER, 0);
	UT_CHECK(!(iir1 & DV_UART_IIR_NONE) && !(iir & DV_UART_IIR_NONE),
		 "THRE re-asserted: 0x%02x 0x%02x", iir1, iir);

	/* TX enable test (else UART_BUG_TXEN) */
	wr(ut_failed, &r, DV_UART_LCR, 0x03);
	wr(ut_failed, &r, DV_UART_MCR, 0x0b); /* DTR, RTS, OUT2 */
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ETBEI);
	lsr = rd(ut_failed, &r, DV_UART_LSR);
	iir = rd(ut_failed, &r, DV_UART_IIR);
	wr(ut_failed, &r, DV_UART_IER, 0);
	UT_CHECK(!((lsr & DV_UART_LSR_TEMT) && (iir & DV_UART_IIR_NONE)), "TX interrupt seen");
	UT_CHECK(!r.level, "quiet after the probes");

	/* console write: IER saved, cleared, bytes polled out, IER restored */
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI | DV_UART_IER_ETBEI);
	rd(ut_failed, &r, DV_UART_IIR);
	wr(ut_failed, &r, DV_UART_IER, 0);
	UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_THRE, "polled THRE");
	wr(ut_failed, &r, DV_UART_THR, 'c');
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ERBFI | DV_UART_IER_ETBEI);
	UT_CHECK(r.level, "restoring ETBEI resumes interrupt-driven output");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_register_masks)
{
	struct rig r;

	make(&r);
	wr(ut_failed, &r, DV_UART_SCR, 0xa5);
	UT_CHECK(rd(ut_failed, &r, DV_UART_SCR) == 0xa5, "SCR");
	wr(ut_failed, &r, DV_UART_IER, 0xf0);
	UT_CHECK(rd(ut_failed, &r, DV_UART_IER) == 0, "IER 7:4 read 0");
	wr(ut_failed, &r, DV_UART_MCR, 0xff);
	UT_CHECK(rd(ut_failed, &r, DV_UART_MCR) == 0x1f, "MCR 7:5 read 0");
	wr(ut_failed, &r, DV_UART_LCR, 0x7f);
	UT_CHECK(rd(ut_failed, &r, DV_UART_LCR) == 0x7f, "LCR");
	wr(ut_failed, &r, DV_UART_LSR, 0);
	wr(ut_failed, &r, DV_UART_MSR, 0);
	UT_CHECK(rd(ut_failed, &r, DV_UART_LSR) == 0x60 && rd(ut_failed, &r, DV_UART_MSR) == 0xb0,
		 "LSR and MSR ignore writes");
	wr(ut_failed, &r, DV_UART_IER, DV_UART_IER_ELSI | DV_UART_IER_EDSSI);
	UT_CHECK(!r.level, "no line error, no modem change: no interrupt");
	dv_uart_destroy(r.u);
}

UT_TEST(uart_malformed_accesses)
{
	static const unsigned sizes[] = {2, 4, 8};
	static const uint64_t offs[] = {8, 9, 0x10, 0xff, DV_UART_SIZE, UINT64_MAX};
	struct rig r;
	uint64_t v;

	make(&r);
	rx_str(&r, "q");
	wr(ut_failed, &r, DV_UART_SCR, 0x11);
	for (unsigned int i = 0; i < 3; i++) {
		for (uint64_t off = 0; off < 8; off++) {
			v = 0xdead;
			UT_CHECK(dv_uart_mmio_ops.read(r.u, off, sizes[i], &v) == 0 && v == 0,
				 "size %u read at %llu", sizes[i], (unsigned long long)off);
			UT_CHECK(dv_uart_mmio_ops.write(r.u, off, sizes[i], 0xff) == 0,
				 "size %u write at %llu", sizes[i], (unsigned long long)off);
		}
	}
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		v = 0xdead;
		UT_CHECK(dv_uart_mmio_ops.read(r.u, offs[i], 1, &v) == 0 && v == 0, "read %llu",
			 (unsigned long long)offs[i]);
		UT_CHECK(dv_uart_mmio_ops.write(r.u, offs[i], 1, 'w') == 0, "write %llu",
			 (unsigned long long)offs[i]);
	}
	UT_CHECK(r.nout == 0, "nothing transmitted");
	UT_CHECK(rd(ut_failed, &r, DV_UART_IER) == 0 && rd(ut_failed, &r, DV_UART_LCR) == 0 &&
		     rd(ut_failed, &r, DV_UART_SCR) == 0x11,
		 "registers untouched");
	UT_CHECK(rd(ut_failed, &r, DV_UART_RBR) == 'q', "received byte still there");
	UT_CHECK(dv_uart_mmio_ops.write(r.u, DV_UART_SCR, 1, 0x1234) == 0 &&
		     rd(ut_failed, &r, DV_UART_SCR) == 0x34,
		 "1-byte write takes the low byte");
	dv_uart_destroy(r.u);
}

struct feeder {
	struct dv_uart *u;
	size_t total;
	atomic_bool stop;
};

/* The host's console thread: pushes a counting pattern, retrying when full. */
static void *feed_thread(void *arg)
{
	struct feeder *f = arg;
	uint8_t buf[100];
	size_t sent = 0;

	while (sent < f->total && !atomic_load(&f->stop)) {
		size_t n = sizeof(buf) < f->total - sent ? sizeof(buf) : f->total - sent;

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)((sent + i) % 251);
		sent += dv_uart_rx(f->u, buf, n);
	}
	return NULL;
}

/* A vCPU draining the receiver while the host thread fills it. */
UT_TEST(uart_concurrent_rx)
{
	struct rig r;
	struct feeder f;
	pthread_t th;
	size_t got = 0;

	make(&r);
	f.u = r.u;
	f.total = 200000;
	atomic_init(&f.stop, false);
	wr(ut_failed, &r, DV_UART_FCR, DV_UART_FCR_FE | 0xc0);
	pthread_create(&th, NULL, feed_thread, &f);
	for (unsigned long spins = 0; got < f.total && spins < 100000000ul; spins++) {
		if (!(rd(ut_failed, &r, DV_UART_LSR) & DV_UART_LSR_DR))
			continue;
		uint8_t b = rd(ut_failed, &r, DV_UART_RBR);

		UT_CHECK(b == got % 251, "byte %zu: %u", got, b);
		if (b != got % 251)
			break;
		got++;
	}
	atomic_store(&f.stop, true);
	pthread_join(th, NULL);
	UT_CHECK(got == f.total, "received %zu of %zu", got, f.total);
	dv_uart_destroy(r.u);
}

UT_TEST(uart_state_saves_and_loads)
{
	struct rig a, b;
	struct dv_snap_w w;
	struct dv_snap_r r;

	make(&a);
	wr(ut_failed, &a, 3, 0x80); /* DLAB: divisor 0x0c01 */
	wr(ut_failed, &a, 0, 0x01);
	wr(ut_failed, &a, 1, 0x0c);
	wr(ut_failed, &a, 3, 0x03);
	wr(ut_failed, &a, 2, 0x01); /* FIFOs on */
	wr(ut_failed, &a, 1, 0x01); /* received-data interrupt */
	wr(ut_failed, &a, 7, 0x5a);
	rx_str(&a, "hello");
	dv_snap_w_init(&w);
	dv_uart_save(a.u, &w);
	make(&b);
	dv_snap_r_init(&r, w.buf, w.len);
	UT_CHECK(dv_uart_load(b.u, &r) == 0 && r.p == r.end, "load failed");
	UT_CHECK(b.level, "the received-data interrupt is not up after load");
	UT_CHECK(rd(ut_failed, &b, 7) == 0x5a && rd(ut_failed, &b, 3) == 0x03, "registers");
	UT_CHECK(rd(ut_failed, &b, 0) == 'h' && rd(ut_failed, &b, 0) == 'e', "the received bytes");
	/* hostile: a receive count above the buffer, all-ones registers */
	dv_uart_destroy(b.u);
	make(&b);
	memset(w.buf + 8, 0xff, 4);
	dv_snap_r_init(&r, w.buf, w.len);
	UT_CHECK(dv_uart_load(b.u, &r) == -EINVAL, "a count above the buffer loaded");
	memset(w.buf, 0xff, 8);
	memset(w.buf + 8, 0, 4);
	dv_snap_r_init(&r, w.buf, 12);
	UT_CHECK(dv_uart_load(b.u, &r) == 0, "all-ones registers refused");
	UT_CHECK(rd(ut_failed, &b, 3) == 0xff && rd(ut_failed, &b, 1) == 0xff, "LCR, divisor");
	wr(ut_failed, &b, 3, 0x03); /* DLAB off: IER, not the divisor */
	UT_CHECK(rd(ut_failed, &b, 1) == 0x0f && rd(ut_failed, &b, 4) == 0x1f, "IER %#x MCR %#x",
		 rd(ut_failed, &b, 1), rd(ut_failed, &b, 4));
	dv_uart_destroy(b.u);
	dv_uart_destroy(a.u);
	dv_snap_w_free(&w);
}

UT_MAIN()
