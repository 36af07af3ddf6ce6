/*
 * Stage-2 page fault guest, one vCPU (bench.h): the first touch (a store)
 * of each of PAGES 4 KiB pages of guest RAM nothing touched before, 8 MiB
 * from 0x81000000 (above the image, below the device tree duvisor puts at
 * the top of the 64 MiB), then the same stores again on the pages now
 * mapped:
 *
 * - loop:      the empty loop;
 * - s2pf:      first touch: on kvm a stage-2 fault KVM handles in its
 *              kernel (the host also allocates and zeroes the page: guest
 *              RAM is anonymous memory); on dvext, duvisor maps all guest
 *              RAM before the guest starts unless told otherwise, and then
 *              nothing faults;
 * - s2pf_warm: the same stores again, pages mapped: the store's own cost.
 */
#include "bench.h"

#define PAGES		2048
#define REGION		0x81000000

	.section .text
	.option norelax
#include "imghdr.S"

entry:
	call	settle
	li	s7, 4096
	bench	n_loop, b_loop, PAGES
	li	s6, REGION
	bench	n_s2pf, b_touch, PAGES
	li	s6, REGION
	bench	n_s2pf_warm, b_touch, PAGES
	j	shutdown

b_touch:
	sd	zero, 0(s6)
	add	s6, s6, s7
	jr	s11

#include "benchlib.S"

n_s2pf:		.asciz	"s2pf"
n_s2pf_warm:	.asciz	"s2pf_warm"
