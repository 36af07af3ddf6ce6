// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the ns16550a model (hw/uart.c), against a reference
 * model written here from uart.h and the 16550 data sheet.
 *
 * Input: operations until the input ends, an opcode u8 (% OP_COUNT) and
 * its arguments (see the enum): register reads and writes (1-byte at
 * offsets 0..7 mostly, any offset and width sometimes) and host input,
 * from the input's bytes or as a run of bytes to fill the backlog.
 *
 * Checked, besides ASan/UBSan:
 * - every register read returns what the model says: RBR gives the bytes
 *   received, in order, none lost or repeated, except the guest-visible
 *   receiver's contents (1 byte with FIFOs off, up to 16 with them on)
 *   when a FIFO reset or an FE change empties it; LSR.DR is "data
 *   received", THRE and TEMT always set, no error bits; IIR's id is the
 *   highest-priority pending interrupt (RDA at or above the trigger level,
 *   CTI below it, THRE), bits 7:6 FIFOs on; the scratch, line and modem
 *   control registers and the divisor latch hold what was written;
 * - dv_uart_rx() takes min(len, the backlog's room) and never more than
 *   DV_UART_RX_CAPACITY bytes are held (checked in the model's state and
 *   in the UART's own: rx_head and rx_count stay inside its ring; this
 *   file includes uart.c to see them and the lock);
 * - transmitted bytes are exactly the THR writes made with DLAB clear;
 * - after every access the interrupt line is high exactly when IIR would
 *   report an interrupt; set() is called only on a change; tx() and set()
 *   are called with the UART's lock held (uart.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "hw/uart.c"

#define MAX_OPS 4096
#define CAP	DV_UART_RX_CAPACITY

enum {
	OP_READ,      /* reg u8 (% 8) */
	OP_WRITE,     /* reg u8 (% 8), value u8 */
	OP_RX,	      /* len u8, then len bytes of the input */
	OP_RX_RUN,    /* len u16, first byte u8: len bytes counting up */
	OP_RAW_READ,  /* offset u16, size u8 */
	OP_RAW_WRITE, /* offset u16, size u8, value u64 */
	OP_DRAIN,     /* read RBR while LSR.DR, as a driver does */
	OP_COUNT
};

/* The reference model and the checks, not instrumented for coverage (they would be most
 * of the time spent, and guide nothing) */
#define MODEL __attribute__((no_sanitize("coverage")))

static struct {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thre;		 /* the THR-empty interrupt is pending */
	uint8_t rx[2 * CAP + 1]; /* received, oldest first: rx[head .. head + count) */
	size_t head, count;
	uint64_t received, read, dropped;
} m;

static struct dv_uart *uart;
static bool line; /* as set() drove it */
static unsigned int moves;
static uint8_t expect_tx;
static bool tx_expected;
static unsigned int txed;
static const char *doing;

static void irq_set(void *opaque, unsigned int n, bool level)
{
	(void)opaque;
	(void)n;
	FZ_CHECK(!dv_trylock(&uart->lock), "the line set without the UART's lock (%s)", doing);
	FZ_CHECK(line != level, "the line set to %d again (%s)", level, doing);
	line = level;
	moves++;
}

static void tx(void *opaque, uint8_t byte)
{
	FZ_CHECK(opaque == &m, "tx opaque %p", opaque);
	FZ_CHECK(!dv_trylock(&uart->lock), "tx without the UART's lock");
	FZ_CHECK(tx_expected, "tx of %#x (%s) unexpected", byte, doing);
	FZ_CHECK(byte == expect_tx, "tx of %#x, want %#x", byte, expect_tx);
	tx_expected = false;
	txed++;
}

MODEL static void model_compact(void)
{
	if (m.head >= CAP) {
		memmove(m.rx, m.rx + m.head, m.count);
		m.head = 0;
	}
}

/* Bytes the guest-visible receiver holds */
MODEL static size_t model_level(void)
{
	size_t room = (m.fcr & 1) ? 16 : 1;

	return m.count < room ? m.count : room;
}

MODEL static uint8_t model_iid(void)
{
	static const size_t trig[4] = {1, 4, 8, 14};
	size_t level = model_level();

	if ((m.ier & 1) && level)
		return !(m.fcr & 1) || level >= trig[m.fcr >> 6] ? 0x04 : 0x0c;
	if ((m.ier & 2) && m.thre)
		return 0x02;
	return 0x01;
}

MODEL static void model_drop(size_t n)
{
	m.head += n;
	m.count -= n;
	m.dropped += n;
	model_compact();
}

MODEL static uint8_t model_read(unsigned int reg)
{
	bool dlab = m.lcr & 0x80;
	uint8_t v, id;

	switch (reg) {
	case 0:
		if (dlab)
			return m.dll;
		if (!m.count)
			return 0;
		v = m.rx[m.head++];
		m.count--;
		m.read++;
		model_compact();
		return v;
	case 1:
		return dlab ? m.dlm : m.ier;
	case 2:
		id = model_iid();
		if (id == 0x02)
			m.thre = false;
		return id | ((m.fcr & 1) ? 0xc0 : 0);
	case 3:
		return m.lcr;
	case 4:
		return m.mcr;
	case 5:
		return (m.count ? 0x01 : 0) | 0x60;
	case 6:
		return 0xb0; /* DCD, DSR, CTS; no deltas */
	default:
		return m.scr;
	}
}

MODEL static void model_write(unsigned int reg, uint8_t v)
{
	bool dlab = m.lcr & 0x80;

	switch (reg) {
	case 0:
		if (dlab) {
			m.dll = v;
		} else {
			tx_expected = uart->tx != NULL; /* without tx() the byte is dropped */
			expect_tx = v;
			m.thre = true; /* the byte leaves at once: THR is empty again */
		}
		break;
	case 1:
		if (dlab) {
			m.dlm = v;
			break;
		}
		v &= 0x0f;
		if (v & 2 && !(m.ier & 2))
			m.thre = true;
		else if (!(v & 2))
			m.thre = false;
		m.ier = v;
		break;
	case 2:
		/* FE changing empties the FIFO; with FE, RFR empties it too */
		if (((v ^ m.fcr) & 1) || ((v & 1) && (v & 2)))
			model_drop(model_level());
		m.fcr = (v & 1) ? v & 0xc9 : 0;
		break;
	case 3:
		m.lcr = v;
		break;
	case 4:
		m.mcr = v & 0x1f;
		break;
	case 7:
		m.scr = v;
		break;
	}
}

MODEL static void check(void)
{
	bool want = model_iid() != 0x01;

	FZ_CHECK(line == want, "after %s: line %d, IIR id %#x", doing, line, model_iid());
	FZ_CHECK(!tx_expected, "after %s: THR write not transmitted", doing);
	/* the UART's own ring: inside its array, the same count as the model's */
	FZ_CHECK(uart->rx_head < CAP && uart->rx_count <= CAP && uart->rx_count == m.count,
		 "after %s: rx_head %zu rx_count %zu, model %zu", doing, uart->rx_head,
		 uart->rx_count, m.count);
}

MODEL static uint64_t mmio_read(uint64_t off, unsigned int size)
{
	uint64_t got = 0xdeadbeef, want = 0;
	bool before = line;
	int r;

	doing = "a read";
	r = dv_uart_mmio_ops.read(uart, off, size, &got);
	if (size == 1 && off < 8)
		want = model_read((unsigned int)off);
	FZ_CHECK(r == 0, "read %#llx/%u: %d", (unsigned long long)off, size, r);
	FZ_CHECK(got == want,
		 "read %#llx/%u (lcr %#x fcr %#x ier %#x, %zu held): %#llx, want %#llx",
		 (unsigned long long)off, size, m.lcr, m.fcr, m.ier, m.count,
		 (unsigned long long)got, (unsigned long long)want);
	if (size == 1 && off == DV_UART_IIR)
		FZ_CHECK(!(got & 1) == before, "IIR %#llx with the line %d",
			 (unsigned long long)got, before);
	check();
	return got;
}

MODEL static void mmio_write(uint64_t off, unsigned int size, uint64_t val)
{
	int r;

	doing = "a write";
	if (size == 1 && off < 8)
		model_write((unsigned int)off, (uint8_t)val);
	r = dv_uart_mmio_ops.write(uart, off, size, val);
	FZ_CHECK(r == 0, "write %#llx/%u: %d", (unsigned long long)off, size, r);
	check();
}

MODEL static void rx(const uint8_t *buf, size_t len)
{
	size_t room = CAP - m.count, want = len < room ? len : room, took;

	doing = "rx";
	took = dv_uart_rx(uart, buf, len);
	FZ_CHECK(took == want, "rx of %zu with %zu held took %zu", len, m.count, took);
	memcpy(m.rx + m.head + m.count, buf, took);
	m.count += took;
	m.received += took;
	check();
}

static const unsigned int sizes[4] = {1, 2, 4, 8};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct dv_irq_line irq = {irq_set, NULL, 10};
	uint8_t buf[CAP + 64];
	unsigned int n, len, i;
	uint8_t first;

	memset(&m, 0, sizeof(m));
	line = false;
	moves = txed = 0;
	tx_expected = false;
	errno = 0;
	FZ_CHECK(!dv_uart_create(NULL, tx, &m) && errno == EINVAL, "create without a line");
	uart = dv_uart_create(&irq, (f.n && f.p[0] == 0xff) ? NULL : tx, &m);
	FZ_CHECK(uart, "create: errno %d", errno);

	for (n = 0; n < MAX_OPS && f.n; n++) {
		switch (fz_u8(&f) % OP_COUNT) {
		case OP_READ:
			mmio_read(fz_u8(&f) % 8, 1);
			break;
		case OP_WRITE:
			i = fz_u8(&f) % 8;
			mmio_write(i, 1, fz_u8(&f));
			break;
		case OP_RX:
			len = fz_u8(&f);
			rx(buf, fz_bytes(&f, buf, len));
			break;
		case OP_RX_RUN:
			len = fz_u16(&f) % (CAP + 64);
			first = fz_u8(&f);
			for (i = 0; i < len; i++)
				buf[i] = (uint8_t)(first + i);
			rx(buf, len);
			break;
		case OP_RAW_READ:
			i = fz_u16(&f) % (DV_UART_SIZE + 8);
			mmio_read(i, sizes[fz_u8(&f) % 4]);
			break;
		case OP_RAW_WRITE:
			i = fz_u16(&f) % (DV_UART_SIZE + 8);
			len = sizes[fz_u8(&f) % 4];
			mmio_write(i, len, fz_u64(&f));
			break;
		case OP_DRAIN:
			for (i = 0; i < CAP + 1 && (mmio_read(DV_UART_LSR, 1) & DV_UART_LSR_DR);
			     i++)
				mmio_read(DV_UART_RBR, 1);
			break;
		}
	}
	FZ_CHECK(m.received == m.read + m.dropped + m.count,
		 "bytes: %llu in, %llu read, %llu "
		 "dropped, %zu held",
		 (unsigned long long)m.received, (unsigned long long)m.read,
		 (unsigned long long)m.dropped, m.count);
	if (fz_verbose())
		fprintf(stderr,
			"uart: %u ops, %llu bytes received, %llu read, %llu dropped, %zu held, "
			"%u sent, %u line moves\n",
			n, (unsigned long long)m.received, (unsigned long long)m.read,
			(unsigned long long)m.dropped, m.count, txed, moves);
	dv_uart_destroy(uart);
	uart = NULL;
	return 0;
}
