// SPDX-License-Identifier: GPL-2.0-only
/*
 * seccomp filters from rule lists (seccomp.h), built with the kernel's
 * BPF macros: check the architecture, load the system call number, then
 * one block per rule; a block whose number matches either allows the
 * call or, when its argument check fails, traps it at once.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/seccomp.h"

#if defined(__riscv) && __riscv_xlen == 64
#define DV_AUDIT_ARCH AUDIT_ARCH_RISCV64
#elif defined(__x86_64__)
#define DV_AUDIT_ARCH AUDIT_ARCH_X86_64 /* the native unit tests */
#elif defined(__aarch64__)
#define DV_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "duvisor's sandbox: unknown architecture"
#endif

/* The low 32 bits of argument i in struct seccomp_data */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DV_ARG_LO(i) (offsetof(struct seccomp_data, args[i]))
#else
#define DV_ARG_LO(i) (offsetof(struct seccomp_data, args[i]) + 4)
#endif

#define DV_STMT(code, k)	 ((struct sock_filter)BPF_STMT(code, k))
#define DV_JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))
#define DV_RET(action)		 DV_STMT(BPF_RET | BPF_K, action)
#define DV_JEQ(k, jt, jf)	 DV_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(k), jt, jf)
#define DV_LOAD(off)		 DV_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(off))
#define DV_MAX_VALS		 64 /* a block's jumps are 8-bit */

static void emit(struct dv_seccomp *f, struct sock_filter i)
{
	if (f->n < DV_SECCOMP_MAX_INSNS)
		f->insn[f->n] = i;
	f->n++; /* counted past the end: the build then says -E2BIG */
}

static int emit_rule(struct dv_seccomp *f, const struct dv_sys_rule *r)
{
	unsigned int i;

	if (r->check != DV_ARG_ANY && r->check != DV_ARG_ENOSYS &&
	    (r->arg > 5 || !r->nvals || r->nvals > DV_MAX_VALS))
		return -EINVAL;
	switch (r->check) {
	case DV_ARG_ANY:
		emit(f, DV_JEQ(r->nr, 0, 1));
		emit(f, DV_RET(SECCOMP_RET_ALLOW));
		return 0;
	case DV_ARG_ONE_OF:
		/* nr, load, a compare and allow per value, trap */
		emit(f, DV_JEQ(r->nr, 0, (uint8_t)(2 * r->nvals + 2)));
		emit(f, DV_LOAD(DV_ARG_LO(r->arg)));
		for (i = 0; i < r->nvals; i++) {
			emit(f, DV_JEQ(r->vals[i], 0, 1));
			emit(f, DV_RET(SECCOMP_RET_ALLOW));
		}
		emit(f, DV_RET(SECCOMP_RET_TRAP));
		return 0;
	case DV_ARG_BITS_CLEAR:
		emit(f, DV_JEQ(r->nr, 0, 4));
		emit(f, DV_LOAD(DV_ARG_LO(r->arg)));
		emit(f, DV_JUMP(BPF_JMP | BPF_JSET | BPF_K, r->vals[0], 1, 0));
		emit(f, DV_RET(SECCOMP_RET_ALLOW));
		emit(f, DV_RET(SECCOMP_RET_TRAP));
		return 0;
	case DV_ARG_BITS_SET:
		/* nr, load, keep the bits, all there? allow : trap (A is reloaded by the next rule)
		 */
		emit(f, DV_JEQ(r->nr, 0, 5));
		emit(f, DV_LOAD(DV_ARG_LO(r->arg)));
		emit(f, DV_STMT(BPF_ALU | BPF_AND | BPF_K, r->vals[0]));
		emit(f, DV_JEQ(r->vals[0], 0, 1));
		emit(f, DV_RET(SECCOMP_RET_ALLOW));
		emit(f, DV_RET(SECCOMP_RET_TRAP));
		return 0;
	case DV_ARG_ENOSYS:
		emit(f, DV_JEQ(r->nr, 0, 1));
		emit(f, DV_RET(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
		return 0;
	}
	return -EINVAL;
}

int dv_seccomp_build(struct dv_seccomp *f, const struct dv_sys_rules *lists, unsigned int nlists)
{
	f->n = 0;
	emit(f, DV_LOAD(offsetof(struct seccomp_data, arch)));
	emit(f, DV_JEQ(DV_AUDIT_ARCH, 1, 0));
	emit(f, DV_RET(SECCOMP_RET_KILL_PROCESS));
	emit(f, DV_LOAD(offsetof(struct seccomp_data, nr)));
	for (unsigned int l = 0; l < nlists; l++) {
		for (unsigned int i = 0; i < lists[l].n; i++) {
			int rc = emit_rule(f, &lists[l].rule[i]);

			if (rc)
				return rc;
		}
	}
	emit(f, DV_RET(SECCOMP_RET_TRAP));
	return f->n <= DV_SECCOMP_MAX_INSNS ? 0 : -E2BIG;
}

int dv_seccomp_install(const struct dv_seccomp *f)
{
	struct sock_fprog prog = {.len = (unsigned short)f->n,
				  .filter = (struct sock_filter *)f->insn};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}
