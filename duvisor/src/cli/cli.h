/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The duvisor command line, parsed into one configuration structure.
 *
 *   duvisor run --kernel F [--initrd F] [--cmdline S] [--memory SIZE] [--cpus N]
 *               [--disk path=F[,readonly][,io=vcpu|thread]]... [--net tap=NAME[,mac=M]]...
 *               [--backend dvext|kvm] [--console serial|virtio]
 *               [--sandbox on|off] [--jail DIR --jail-uid N --jail-gid N
 *               [--jail-allow-root] [--jail-limits nofile=N,nproc=N,fsize=SIZE,as=SIZE]]
 *               [--api-socket PATH] [--dump-dtb F] [--stats]
 *   duvisor restore DIR [run's options, replacing the snapshot's]
 *   duvisor ctl --api-socket PATH ping|info|counters|pause|resume|shutdown|reboot|
 *               snapshot DIR|upgrade PATH
 *   duvisor --help | duvisor run --help | duvisor --version
 *
 * The parser neither exits nor keeps global state, so tests can call it
 * repeatedly; it writes its diagnostics to the FILE it is given. Options take
 * their value as "--opt VALUE" or "--opt=VALUE" (a separate value may not
 * start with "--", so a forgotten value is caught); devices take one
 * "key=value,..." list per option, repeated for more devices (as in
 * cloud-hypervisor and lkvm).
 */
#ifndef DV_CLI_H
#define DV_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifndef DV_VERSION
#define DV_VERSION "0.1.0"
#endif

/*
 * Exit codes of duvisor (and the return values of dv_cli_parse):
 *
 *   code  name             meaning
 *   0     DV_EXIT_OK       success: the guest powered off, or --help/--version
 *   1     DV_EXIT_FAILURE  runtime error in duvisor (memory, thread, device set-up, I/O)
 *   2     DV_EXIT_USAGE    bad command line: unknown option or subcommand, bad value,
 *                          missing --kernel, option repeated
 *   3     DV_EXIT_FILE     a file named on the command line is missing or not accessible
 *   4     DV_EXIT_BACKEND  the requested backend is unavailable (/dev/duvisor or /dev/kvm
 *                          missing, or the CPU lacks DV-Ext / the H extension)
 *   5     DV_EXIT_GUEST    the guest asked for a reboot (SBI SRST cold or warm reboot):
 *                          duvisor does not reboot it, whoever started it may
 *   6     DV_EXIT_SYSFAIL  the guest reported a system failure (SBI SRST shutdown or
 *                          reboot with reason SYSFAILURE): it crashed
 *   7     DV_EXIT_JAIL     --jail could not be set up: not root, DIR not empty, a
 *                          namespace or mount the kernel refuses, a limit below what
 *                          the VM needs (src/jail/jail.h)
 */
#define DV_EXIT_OK	0
#define DV_EXIT_FAILURE 1
#define DV_EXIT_USAGE	2
#define DV_EXIT_FILE	3
#define DV_EXIT_BACKEND 4
#define DV_EXIT_GUEST	5
#define DV_EXIT_SYSFAIL 6
#define DV_EXIT_JAIL	7

/* Limits of the options. */
#define DV_CLI_MAX_DISKS 8
#define DV_CLI_MAX_NETS	 8
#define DV_CLI_MIN_CPUS	 1
#define DV_CLI_MAX_CPUS	 15 /* /dev/duvisor has 16 slots; the I/O thread takes one */
#define DV_CLI_MIN_MEM	 (16ULL << 20)
#define DV_CLI_MAX_MEM	 (16ULL << 30)
#define DV_CLI_PAGE_SIZE 4096ULL
/* Linux riscv COMMAND_LINE_SIZE, including the terminating NUL. */
#define DV_CLI_MAX_CMDLINE 1024
/* sizeof(struct sockaddr_un.sun_path), including the terminating NUL. */
#define DV_CLI_MAX_SOCKET 108
/* Linux IFNAMSIZ, including the terminating NUL. */
#define DV_CLI_IFNAMSIZ 16

/*
 * Defaults. Without --cmdline the guest gets DV_CLI_CMDLINE_SERIAL, or
 * DV_CLI_CMDLINE_VIRTIO with --console virtio, so the console the guest
 * writes to is the one duvisor shows; earlycon=sbi prints through the SBI
 * debug console before any driver is up.
 */
#define DV_CLI_DEFAULT_CPUS    1
#define DV_CLI_DEFAULT_MEM     (256ULL << 20)
#define DV_CLI_CMDLINE_SERIAL  "console=ttyS0 earlycon=sbi"
#define DV_CLI_CMDLINE_VIRTIO  "console=hvc0 earlycon=sbi"
#define DV_CLI_DEFAULT_CMDLINE DV_CLI_CMDLINE_SERIAL

struct dv_upgrade_in;

/* What the caller should do after a DV_EXIT_OK parse. */
enum dv_action {
	DV_ACTION_RUN,	    /* boot the guest described by the rest of the config */
	DV_ACTION_HELP,	    /* print dv_cli_usage() to stdout and exit 0 */
	DV_ACTION_VERSION,  /* print dv_cli_version() to stdout and exit 0 */
	DV_ACTION_CTL,	    /* ask a running duvisor through its API (cfg->ctl, ctl/ctl.h) */
	DV_ACTION_UPGRADED, /* "duvisor upgraded FD": the new image of a live upgrade
			       (vmm/upgrade.h) */
};

/* duvisor ctl --api-socket PATH VERB */
struct dv_ctl_cfg {
	const char *socket;
	const char *verb; /* ping, info, counters, pause, resume, shutdown, reboot, snapshot */
	const char *arg;  /* snapshot: DIR; upgrade: the new binary */
};

enum dv_backend_kind {
	DV_BACKEND_DVEXT, /* /dev/duvisor, delegated virtualization (default) */
	DV_BACKEND_KVM,	  /* /dev/kvm, the baseline */
};

enum dv_console_kind {
	DV_CONSOLE_SERIAL, /* ns16550a UART on stdio (default) */
	DV_CONSOLE_VIRTIO, /* virtio-console on stdio */
};

/* Who serves a disk's requests: the vCPU that notified it, or a thread of its own */
enum dv_disk_io { DV_DISK_IO_VCPU, DV_DISK_IO_THREAD };

/* --disk path=F[,readonly][,io=vcpu|thread] */
struct dv_disk_cfg {
	char path[PATH_MAX];
	bool readonly;
	enum dv_disk_io io;
	int fd; /* live upgrade: the open disk the new image takes over; -1: open path */
};

/* --net tap=NAME[,mac=M] */
struct dv_net_cfg {
	char tap[DV_CLI_IFNAMSIZ];
	bool has_mac; /* false: duvisor picks one */
	uint8_t mac[6];
	int fd; /* live upgrade: the open tap the new image takes over; -1: open it */
};

/* The resource limits --jail-limits sets, as indices of dv_jail_cfg.limits */
enum dv_jail_limit {
	DV_JAIL_NOFILE, /* nofile=N: RLIMIT_NOFILE */
	DV_JAIL_NPROC,	/* nproc=N: RLIMIT_NPROC */
	DV_JAIL_FSIZE,	/* fsize=SIZE: RLIMIT_FSIZE */
	DV_JAIL_AS,	/* as=SIZE: RLIMIT_AS */
	DV_JAIL_NLIMITS
};

/* --jail DIR --jail-uid N --jail-gid N [--jail-allow-root] [--jail-limits ...] */
struct dv_jail_cfg {
	const char *dir; /* NULL: no jail */
	bool has_uid, has_gid;
	uint32_t uid, gid;
	bool allow_root;	 /* uid or gid 0 accepted */
	unsigned int limits_set; /* bit (1 << enum dv_jail_limit) per limit given */
	uint64_t limits[DV_JAIL_NLIMITS];
};

/*
 * The whole configuration of one duvisor process. The string pointers point
 * into argv (which outlives the program's use of it) or at the default
 * string constants; they are never NULL where noted.
 */
struct dv_config {
	enum dv_action action;
	const char *kernel;  /* Linux Image; never NULL after a RUN parse */
	const char *initrd;  /* NULL: no initrd */
	const char *cmdline; /* guest bootargs; never NULL after a RUN parse */
	uint64_t mem_size;   /* bytes, page multiple, DV_CLI_MIN_MEM..DV_CLI_MAX_MEM */
	unsigned int ncpus;  /* DV_CLI_MIN_CPUS..DV_CLI_MAX_CPUS */
	unsigned int ndisks;
	struct dv_disk_cfg disks[DV_CLI_MAX_DISKS];
	unsigned int nnets;
	struct dv_net_cfg nets[DV_CLI_MAX_NETS];
	enum dv_backend_kind backend;
	enum dv_console_kind console;
	const char *dump_dtb;	       /* NULL: don't; else write the generated DTB here */
	bool stats;		       /* print exit statistics when the guest stops */
	bool lazy_stage2;	       /* --memory-prefault off: stage-2 mapped on first touch */
	bool no_sandbox;	       /* --sandbox off: threads are not confined (vmm/sandbox.h) */
	const char *api_socket;	       /* NULL: no control API (vmm/api_vm.h) */
	const char *restore_dir;       /* duvisor restore DIR: the VM comes from its snapshot */
	bool live_upgrade;	       /* --live-upgrade on: vmm.upgrade may replace this binary */
	int upgrade_fd;		       /* DV_ACTION_UPGRADED: the state the old image left */
	struct dv_upgrade_in *upgrade; /* ... as read (vmm/upgrade.h); NULL otherwise */
	/* The options after "run" (a restore's: the snapshot's, then its own), for snapshots */
	char **run_argv;
	int run_argc;
	char **restore_argv, *restore_text; /* a restore's, allocated: dv_cli_release() */
	struct dv_ctl_cfg ctl;
	struct dv_jail_cfg jail;
};

/*
 * Parse argv (argv[0] is the program name) into cfg. Returns DV_EXIT_OK with
 * cfg->action set, or DV_EXIT_USAGE / DV_EXIT_FILE after writing one line
 * naming the culprit (and a hint to --help) to err. cfg is fully written in
 * every case, with the defaults for what was not given.
 */
int dv_cli_parse(int argc, char **argv, struct dv_config *cfg, FILE *err);

/*
 * A live upgrade's new image: the run options the old one was started with
 * (argv[0..argc), kept for the next snapshot or upgrade), into cfg, whose
 * action stays DV_ACTION_UPGRADED; no file is opened or checked.
 */
int dv_cli_parse_upgraded(int argc, char **argv, struct dv_config *cfg, FILE *err);

/* Free what a parse allocated (a restore's options); cfg is unusable after */
void dv_cli_release(struct dv_config *cfg);

/* The full help text (both "duvisor --help" and "duvisor run --help"). */
void dv_cli_usage(FILE *out);

/* "duvisor VERSION" */
void dv_cli_version(FILE *out);

/*
 * Parse a size: decimal digits with an optional binary suffix K, M or G
 * (case-insensitive); a plain number is bytes. Returns 0, or -EINVAL for
 * bad syntax and -ERANGE for overflow. Exposed for tests and other options.
 */
int dv_cli_parse_size(const char *s, uint64_t *out);

/* Parse "xx:xx:xx:xx:xx:xx" (hex digits, either case). 0 or -EINVAL. */
int dv_cli_parse_mac(const char *s, uint8_t mac[6]);

#endif /* DV_CLI_H */
