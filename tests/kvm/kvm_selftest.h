/*
 * Constants shared by the KVM selftest (kvm_selftest.c) and its guest
 * (guest.S). Plain numbers only: this header is read by the assembler too.
 */
#ifndef KVM_SELFTEST_H
#define KVM_SELFTEST_H

/* Guest-physical layout: RAM holding the guest blob, and an MMIO window
 * that has no memslot, so every access to it exits to user space. */
#define GUEST_RAM_BASE	0x80000000
#define GUEST_RAM_SIZE	0x10000
#define GUEST_MMIO_BASE 0x10000000

/* (a) The guest stores MMIO_WRITE_VALUE at MMIO_WRITE_ADDR, then loads from
 * MMIO_READ_ADDR; user space answers the load with MMIO_READ_VALUE. */
#define MMIO_WRITE_ADDR	 (GUEST_MMIO_BASE + 0x0)
#define MMIO_READ_ADDR	 (GUEST_MMIO_BASE + 0x8)
#define MMIO_WRITE_VALUE 0x1122334455667788
#define MMIO_READ_VALUE	 0x0123456789abcdef

/* (b1) Legacy SBI v0.1 console putchar (EID 0x01); a0 is the character. */
#define SBI_LEGACY_PUTCHAR 0x01
#define PUTCHAR_CHAR	   0x4b /* 'K' */

/* (b2) A call in the SBI experimental extension space (EIDs 0x08000000 to
 * 0x08FFFFFF), which KVM in Linux 6.1 forwards to user space whole.
 * a0 = loaded MMIO value + 1, a1..a5 = SBI_ARG1..SBI_ARG5. */
#define SBI_EXT_DV_TEST 0x08004456 /* "DV" in the experimental space */
#define SBI_FID_DV_TEST 0x42
#define SBI_ARG1	0xa1a1a1a1a1
#define SBI_ARG2	0xa2a2a2a2a2
#define SBI_ARG3	0xa3a3a3a3a3
#define SBI_ARG4	0xa4a4a4a4a4
#define SBI_ARG5	0xa5a5a5a5a5
/* What user space returns for it: a0 = SBI_SUCCESS, a1 = SBI_RET_VALUE. */
#define SBI_RET_VALUE 0xfeedface12345678

/* The guest's trap handler reports an unexpected trap with this FID in the
 * same extension: a0 = scause, a1 = sepc, a2 = stval. */
#define SBI_FID_DV_TRAP 0xdead

/* (c) The final exit: SBI SRST system reset, type shutdown, no reason. */
#define SBI_EXT_SRST	       0x53525354
#define SBI_SRST_RESET	       0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_REASON_NONE   0

#endif
