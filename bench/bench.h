/*
 * Shared by the micro-benchmark guests of `make bench` (micro.S, s2pf.S,
 * ipi.S): bare metal with the Linux Image header, loaded by duvisor at
 * 0x80200000 in S-mode, translation off. Each times REPS repetitions of an
 * operation between two reads of its `time` CSR with the `bench` macro
 * (benchlib.S's run) and prints "BENCH <name> <reps> <ticks>" (hex) through
 * the SBI v0.1 console. Under -icount shift=0 every instruction the
 * emulated machine executes (guest, host kernel, OpenSBI, duvisor, on every
 * hart) advances time by 1 ns: ticks of the 10 MHz timebase x 100 / reps =
 * instructions per repetition.
 *
 * Registers: run owns s0-s5, s9 and s11 (a body is reached with jalr s11
 * and returns with jr s11); sbicon.S's printing uses a0, a6, a7, t3-t6. The
 * guests keep their own state in the others.
 */
#define SBI_EXT_BASE	0x10
#define SBI_EXT_IPI	0x735049
#define SBI_EXT_HSM	0x48534d
#define SBI_EXT_SRST	0x53525354
#define UART		0x10000000	/* ns16550a, PLIC source 10 */
#define UART_IRQ	10
#define PLIC		0x0c000000	/* context c: vCPU c's S-level external interrupt */
#ifndef REPS
#define REPS		20000
#endif
#define SETTLE_TICKS	500000		/* 50 ms of the 10 MHz timebase */

/*
 * HINTs (slti zero, zero, 1..4: no architectural effect) that bench/prof/
 * insncount.c, the plugin `make bench` counts instructions with, takes as
 * markers: a window around each timed loop (per-pc counts for the
 * breakdowns), and sub-windows whose instructions it sums exactly.
 */
#define MARK_ON		.word 0x00102013
#define MARK_OFF	.word 0x00202013
#define SUB_ON		.word 0x00302013
#define SUB_OFF		.word 0x00402013

/* Time reps x body (label), printed as "BENCH <name> ..." (name: a string label) */
.macro	bench name, body, reps=REPS
	lla	s0, \name
	lla	s1, \body
	li	s5, \reps
	call	run
.endm

/* Print "<label's string> <hex of reg>\n" */
.macro	report label, reg
	mv	s9, \reg
	lla	a0, \label
	call	puts
	mv	a0, s9
	call	puthex
	li	a0, '\n'
	call	putc
.endm
