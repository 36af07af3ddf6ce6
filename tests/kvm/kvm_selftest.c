/*
 * KVM selftest: proves that KVM works inside the emulated RISC-V host.
 *
 * Creates a VM with one vCPU and 64 KiB of RAM, runs the guest blob of
 * guest.S in it and checks every exit it takes (MMIO store, MMIO load,
 * forwarded SBI calls, SBI shutdown), answering the MMIO load and the SBI
 * calls with known values, then reads the guest's registers back with
 * KVM_GET_ONE_REG to see those values arrived.
 *
 * Prints "ok <name>" or "FAIL <name>: why" per check and finally
 * "KVM_SELFTEST=pass" or "KVM_SELFTEST=fail"; exits 0 only if all passed.
 * Build: riscv64-linux-gnu-gcc -static (see Makefile); run in the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kvm_selftest.h"

/* The whole run must finish well within this; see on_alarm(). */
#define TIMEOUT_SECONDS 10

/* SBI error code KVM pre-loads into riscv_sbi.ret[0] before forwarding a
 * call, so user space that ignores a call answers "not supported". */
#define SBI_SUCCESS	      0
#define SBI_ERR_NOT_SUPPORTED (-2L)

/* Marker returned in ret[1] of the legacy putchar call, to see whether KVM
 * writes it to the guest's a1 (v0.1 calls only define a0 as a result). */
#define PUTCHAR_RET1 0x5a5a

/* Labels in guest.S; the blob runs from guest_start at GUEST_RAM_BASE. */
extern const char guest_start[], guest_mmio_store[], guest_mmio_load[], guest_putchar_ecall[],
    guest_sbi_ecall[], guest_srst_ecall[], guest_scratch[], guest_end[];

/* Guest-physical address of a label in the blob. */
#define GPA(label) ((uint64_t)GUEST_RAM_BASE + (uint64_t)((label)-guest_start))

/*
 * ONE_REG ids for RISC-V: architecture, size, register class and the index
 * of the register in the class's uapi struct (in unsigned longs). Core
 * registers are struct kvm_riscv_core: regs.pc, then x1..x31 by ABI name,
 * then mode. Writing regs.pc sets the guest's sepc, where KVM_RUN enters.
 */
_Static_assert(sizeof(unsigned long) == 8, "riscv64 only: ONE_REG sizes below are U64");
#define CORE_REG(name)                                                                             \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(name))

static int kvm_fd = -1, vm_fd = -1, vcpu_fd = -1;
static struct kvm_run *run;
static uint8_t *guest_mem;

static int n_failed;
static char why[2048]; /* reasons the current check failed, "; "-separated */

/* Written by on_alarm(), which may only make async-signal-safe calls. */
static char timeout_msg[128];
static int timeout_len;

static void on_alarm(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, timeout_msg, (size_t)timeout_len) < 0) {
		/* nothing more we can do */
	}
	_exit(3);
}

/* A step that cannot continue: report it, the verdict, and stop. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nKVM_SELFTEST=fail\n");
	exit(1);
}

/* die() for a system call that returned -1, with errno's text. */
#define die_errno(name, what) die(name, "%s failed: %s", what, strerror(errno))

static void __attribute__((format(printf, 1, 2))) complain(const char *fmt, ...)
{
	size_t n = strlen(why);
	va_list ap;

	if (n && n + 2 < sizeof(why)) {
		strcpy(why + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - n, fmt, ap);
	va_end(ap);
}

static void expect_eq(const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		complain("%s is %#llx, expected %#llx", what, (unsigned long long)got,
			 (unsigned long long)want);
}

/* Close the current check: print ok/FAIL with every reason collected. */
static bool report(const char *name)
{
	bool ok = why[0] == '\0';

	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		n_failed++;
	}
	why[0] = '\0';
	return ok;
}

static uint64_t get_reg(const char *name, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)&val};

	if (ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg) < 0)
		die(name, "KVM_GET_ONE_REG(%#llx) failed: %s", (unsigned long long)id,
		    strerror(errno));
	return val;
}

static void set_reg(const char *name, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)&val};

	if (ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg) < 0)
		die(name, "KVM_SET_ONE_REG(%#llx) failed: %s", (unsigned long long)id,
		    strerror(errno));
}

/* One line describing the exit in kvm_run, for failure messages. */
static const char *describe_exit(void)
{
	static char buf[512];
	uint64_t data = 0;
	int n;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		/* For a read, mmio.data is ours to fill: KVM leaves whatever
		 * was there (the previous exit's data), so it is not shown. */
		n = snprintf(buf, sizeof(buf), "KVM_EXIT_MMIO %s phys_addr=%#llx len=%u",
			     run->mmio.is_write ? "write" : "read",
			     (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		if (run->mmio.is_write) {
			memcpy(&data, run->mmio.data, sizeof(data));
			snprintf(buf + n, sizeof(buf) - (size_t)n, " data=%#llx",
				 (unsigned long long)data);
		}
		break;
	case KVM_EXIT_RISCV_SBI:
		if (run->riscv_sbi.extension_id == SBI_EXT_DV_TEST &&
		    run->riscv_sbi.function_id == SBI_FID_DV_TRAP) {
			snprintf(
			    buf, sizeof(buf),
			    "the guest took an unexpected trap: scause=%#lx sepc=%#lx stval=%#lx",
			    run->riscv_sbi.args[0], run->riscv_sbi.args[1], run->riscv_sbi.args[2]);
			break;
		}
		snprintf(buf, sizeof(buf),
			 "KVM_EXIT_RISCV_SBI eid=%#lx fid=%#lx args=%#lx,%#lx,%#lx,%#lx,%#lx,%#lx",
			 run->riscv_sbi.extension_id, run->riscv_sbi.function_id,
			 run->riscv_sbi.args[0], run->riscv_sbi.args[1], run->riscv_sbi.args[2],
			 run->riscv_sbi.args[3], run->riscv_sbi.args[4], run->riscv_sbi.args[5]);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(buf, sizeof(buf), "KVM_EXIT_SYSTEM_EVENT type=%u ndata=%u data[0]=%#llx",
			 run->system_event.type, run->system_event.ndata,
			 (unsigned long long)run->system_event.data[0]);
		break;
	case KVM_EXIT_RISCV_CSR:
		snprintf(buf, sizeof(buf), "KVM_EXIT_RISCV_CSR csr=%#lx", run->riscv_csr.csr_num);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "KVM_EXIT_INTERNAL_ERROR suberror=%u",
			 run->internal.suberror);
		break;
	default:
		snprintf(buf, sizeof(buf), "exit reason %u", run->exit_reason);
		break;
	}
	return buf;
}

/*
 * Enter the guest until its next exit to user space, which must be
 * want_reason: the guest is a straight line, so any other exit means the
 * rest of the sequence cannot happen and the test stops there. Values user
 * space put in kvm_run for the previous exit (mmio.data, riscv_sbi.ret) are
 * consumed by KVM at the start of this KVM_RUN.
 */
static void run_until(const char *name, uint32_t want_reason, const char *want_name)
{
	if (ioctl(vcpu_fd, KVM_RUN, 0) < 0)
		die_errno(name, "KVM_RUN");
	printf("exit: %s\n", describe_exit());
	if (run->exit_reason != want_reason)
		die(name, "expected %s (%u), the guest exited with %s", want_name, want_reason,
		    describe_exit());
}

static uint64_t mmio_data(void)
{
	uint64_t data = 0;

	/* mmio.data holds len bytes in guest (little-endian) byte order. */
	memcpy(&data, run->mmio.data, sizeof(data));
	return data;
}

static void setup(void)
{
	struct kvm_userspace_memory_region region;
	size_t blob = (size_t)(guest_end - guest_start);
	int version, mmap_size;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die_errno("open_kvm", "open(/dev/kvm)");

	version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		die_errno("api_version", "KVM_GET_API_VERSION");
	expect_eq("KVM_GET_API_VERSION", (uint64_t)version, KVM_API_VERSION);
	report("api_version");

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die_errno("create_vm", "KVM_CREATE_VM");
	report("create_vm");

	/* Guest RAM is ordinary anonymous memory; KVM maps it into the
	 * guest's stage-2 (G-stage) tables on first touch. */
	guest_mem = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (guest_mem == MAP_FAILED)
		die_errno("guest_memory", "mmap of guest RAM");
	if (blob > GUEST_RAM_SIZE)
		die("guest_memory", "guest blob is %zu bytes, RAM only %d", blob, GUEST_RAM_SIZE);
	memcpy(guest_mem, guest_start, blob);
	region = (struct kvm_userspace_memory_region){
	    .slot = 0,
	    .flags = 0,
	    .guest_phys_addr = GUEST_RAM_BASE,
	    .memory_size = GUEST_RAM_SIZE,
	    .userspace_addr = (uintptr_t)guest_mem,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die_errno("guest_memory", "KVM_SET_USER_MEMORY_REGION");
	report("guest_memory");

	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0)
		die_errno("create_vcpu", "KVM_CREATE_VCPU");
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < 0)
		die_errno("create_vcpu", "KVM_GET_VCPU_MMAP_SIZE");
	if ((size_t)mmap_size < sizeof(struct kvm_run))
		die("create_vcpu",
		    "KVM_GET_VCPU_MMAP_SIZE is %d, smaller than struct kvm_run (%zu)", mmap_size,
		    sizeof(struct kvm_run));
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		die_errno("create_vcpu", "mmap of kvm_run");
	report("create_vcpu");

	/* A new vCPU is reset to S-mode (sstatus.SPP = 1) with translation
	 * off; only the entry point is ours to set. */
	set_reg("set_pc", CORE_REG(regs.pc), GPA(guest_start));
	set_reg("set_pc", CORE_REG(mode), KVM_RISCV_MODE_S);
	expect_eq("pc read back", get_reg("set_pc", CORE_REG(regs.pc)), GPA(guest_start));
	expect_eq("mode read back", get_reg("set_pc", CORE_REG(mode)), KVM_RISCV_MODE_S);
	report("set_pc");
}

int main(void)
{
	uint64_t scratch;

	setvbuf(stdout, NULL, _IOLBF, 0);
	timeout_len = snprintf(timeout_msg, sizeof(timeout_msg),
			       "FAIL timeout: the selftest did not finish within %d s\n"
			       "KVM_SELFTEST=fail\n",
			       TIMEOUT_SECONDS);
	signal(SIGALRM, on_alarm);
	alarm(TIMEOUT_SECONDS);

	setup();

	/*
	 * (a) MMIO store then load. KVM leaves the PC on the faulting
	 * instruction until the next KVM_RUN completes the access, so the PC
	 * at the exit names the instruction that made it.
	 */
	run_until("mmio_write", KVM_EXIT_MMIO, "KVM_EXIT_MMIO");
	expect_eq("mmio.is_write", run->mmio.is_write, 1);
	expect_eq("mmio.phys_addr", run->mmio.phys_addr, MMIO_WRITE_ADDR);
	expect_eq("mmio.len", run->mmio.len, 8);
	expect_eq("mmio.data", mmio_data(), MMIO_WRITE_VALUE);
	expect_eq("pc at the exit", get_reg("mmio_write", CORE_REG(regs.pc)),
		  GPA(guest_mmio_store));
	report("mmio_write");

	run_until("mmio_read", KVM_EXIT_MMIO, "KVM_EXIT_MMIO");
	expect_eq("mmio.is_write", run->mmio.is_write, 0);
	expect_eq("mmio.phys_addr", run->mmio.phys_addr, MMIO_READ_ADDR);
	expect_eq("mmio.len", run->mmio.len, 8);
	expect_eq("pc at the exit", get_reg("mmio_read", CORE_REG(regs.pc)), GPA(guest_mmio_load));
	report("mmio_read");
	/* The load's value: KVM writes it to the ld's rd on the next run. */
	{
		uint64_t v = MMIO_READ_VALUE;
		memcpy(run->mmio.data, &v, sizeof(v));
	}

	/*
	 * (b) SBI calls. KVM forwards a call as KVM_EXIT_RISCV_SBI with
	 * extension_id = a7, function_id = a6, args = a0..a5, and ret[0..1]
	 * pre-set to { SBI_ERR_NOT_SUPPORTED, 0 }. On the next KVM_RUN it
	 * copies ret[0..1] to a0/a1 and steps sepc past the ecall.
	 */
	run_until("sbi_legacy_putchar", KVM_EXIT_RISCV_SBI, "KVM_EXIT_RISCV_SBI");
	expect_eq("extension_id", run->riscv_sbi.extension_id, SBI_LEGACY_PUTCHAR);
	expect_eq("function_id", run->riscv_sbi.function_id, 0);
	expect_eq("args[0] (the character)", run->riscv_sbi.args[0], PUTCHAR_CHAR);
	expect_eq("pre-set ret[0]", run->riscv_sbi.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	expect_eq("pre-set ret[1]", run->riscv_sbi.ret[1], 0);
	expect_eq("pc at the exit", get_reg("sbi_legacy_putchar", CORE_REG(regs.pc)),
		  GPA(guest_putchar_ecall));
	report("sbi_legacy_putchar");
	run->riscv_sbi.ret[0] = SBI_SUCCESS;
	run->riscv_sbi.ret[1] = PUTCHAR_RET1;

	run_until("sbi_forward", KVM_EXIT_RISCV_SBI, "KVM_EXIT_RISCV_SBI");
	expect_eq("extension_id", run->riscv_sbi.extension_id, SBI_EXT_DV_TEST);
	expect_eq("function_id", run->riscv_sbi.function_id, SBI_FID_DV_TEST);
	expect_eq("args[0] (MMIO value + 1)", run->riscv_sbi.args[0], MMIO_READ_VALUE + 1);
	expect_eq("args[1]", run->riscv_sbi.args[1], SBI_ARG1);
	expect_eq("args[2]", run->riscv_sbi.args[2], SBI_ARG2);
	expect_eq("args[3]", run->riscv_sbi.args[3], SBI_ARG3);
	expect_eq("args[4]", run->riscv_sbi.args[4], SBI_ARG4);
	expect_eq("args[5]", run->riscv_sbi.args[5], SBI_ARG5);
	expect_eq("pre-set ret[0]", run->riscv_sbi.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	expect_eq("pre-set ret[1]", run->riscv_sbi.ret[1], 0);
	expect_eq("pc at the exit", get_reg("sbi_forward", CORE_REG(regs.pc)),
		  GPA(guest_sbi_ecall));
	/* Not yet answered: a0 still holds the argument. */
	expect_eq("a0 at the exit", get_reg("sbi_forward", CORE_REG(regs.a0)), MMIO_READ_VALUE + 1);
	report("sbi_forward");
	run->riscv_sbi.ret[0] = SBI_SUCCESS;
	run->riscv_sbi.ret[1] = SBI_RET_VALUE;

	/*
	 * (c) SBI SRST shutdown, handled inside KVM: it marks every vCPU
	 * powered off and exits with KVM_EXIT_SYSTEM_EVENT, PC left on the
	 * ecall. The vCPU must not be run again (it would sleep).
	 */
	run_until("system_event", KVM_EXIT_SYSTEM_EVENT, "KVM_EXIT_SYSTEM_EVENT");
	expect_eq("system_event.type", run->system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
	expect_eq("system_event.ndata", run->system_event.ndata, 1);
	expect_eq("system_event.data[0] (reason)", run->system_event.data[0], SBI_SRST_REASON_NONE);
	report("system_event");

	/* What the guest kept of each answer (see the register list in
	 * guest.S). */
	expect_eq("pc", get_reg("registers", CORE_REG(regs.pc)), GPA(guest_srst_ecall));
	expect_eq("t2 (MMIO load)", get_reg("registers", CORE_REG(regs.t2)), MMIO_READ_VALUE);
	expect_eq("s4 (a0 after putchar)", get_reg("registers", CORE_REG(regs.s4)), SBI_SUCCESS);
	expect_eq("s2 (a0 after SBI call)", get_reg("registers", CORE_REG(regs.s2)), SBI_SUCCESS);
	expect_eq("s3 (a1 after SBI call)", get_reg("registers", CORE_REG(regs.s3)), SBI_RET_VALUE);
	expect_eq("a7 (SRST EID)", get_reg("registers", CORE_REG(regs.a7)), SBI_EXT_SRST);
	report("registers");
	/* Informational: whether KVM also wrote ret[1] to a1 for a v0.1 call. */
	printf("info legacy_a1_after_putchar=%#llx\n",
	       (unsigned long long)get_reg("registers", CORE_REG(regs.s5)));

	/* The guest's RAM store is visible in our mapping of its memory. */
	memcpy(&scratch, guest_mem + (guest_scratch - guest_start), sizeof(scratch));
	expect_eq("guest_scratch in RAM", scratch, SBI_RET_VALUE);
	report("guest_ram");

	printf("KVM_SELFTEST=%s\n", n_failed ? "fail" : "pass");
	return n_failed ? 1 : 0;
}
