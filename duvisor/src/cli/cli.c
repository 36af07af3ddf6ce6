// SPDX-License-Identifier: GPL-2.0-only
/*
 * The duvisor command line. Each option is one row of a table: its name, its
 * value syntax, its help line and the function that stores it; the parser,
 * the duplicate check and the help text all walk that table.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/opt.h"

/* Help lines start in column 32; continuation lines too. */
#define HELP_INDENT "                                "

/* "duvisor: --opt 'value': why" plus the hint every usage error ends with. */
int dv_cli_bad(FILE *err, const struct dv_opt *o, const char *val, const char *fmt, ...)
{
	va_list ap;

	fprintf(err, PROG ": --%s", o->name);
	/* Quote the value, but not all of a 4K path. */
	if (val && strlen(val) > 80)
		fprintf(err, " '%.64s...'", val);
	else if (val)
		fprintf(err, " '%s'", val);
	fputs(": ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " run --help'.\n", err);
	return -1;
}

int dv_cli_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	switch (tolower((unsigned char)*s)) {
	case '\0':
		shift = 0;
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (shift && s[1] != '\0')
		return -EINVAL;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int dv_cli_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	return 0;
}

static int set_path(const char **dst, const struct dv_opt *o, const char *val, FILE *err)
{
	if (!*val)
		return dv_cli_bad(err, o, NULL, "empty file name");
	*dst = val;
	return 0;
}

static int set_kernel(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	return set_path(&cfg->kernel, o, val, err);
}

static int set_initrd(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	return set_path(&cfg->initrd, o, val, err);
}

static int set_dump_dtb(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	return set_path(&cfg->dump_dtb, o, val, err);
}

static int set_cmdline(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	if (strlen(val) >= DV_CLI_MAX_CMDLINE)
		return dv_cli_bad(err, o, NULL, "%zu characters, Linux takes at most %d",
				  strlen(val), DV_CLI_MAX_CMDLINE - 1);
	cfg->cmdline = val;
	return 0;
}

static int set_memory(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	uint64_t v;
	int r = dv_cli_parse_size(val, &v);

	if (r == -ERANGE)
		return dv_cli_bad(err, o, val, "too large (must be between 16M and 16G)");
	if (r)
		return dv_cli_bad(err, o, val,
				  "not a size (a number of bytes, or with a K, M or G suffix)");
	if (v == 0)
		return dv_cli_bad(err, o, val, "must not be 0");
	if (v % DV_CLI_PAGE_SIZE)
		return dv_cli_bad(err, o, val, "not a multiple of the 4K page size");
	if (v < DV_CLI_MIN_MEM || v > DV_CLI_MAX_MEM)
		return dv_cli_bad(err, o, val, "must be between 16M and 16G");
	cfg->mem_size = v;
	return 0;
}

static int set_cpus(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	unsigned long v = 0;

	if (!*val || val[strspn(val, "0123456789")] != '\0')
		return dv_cli_bad(err, o, val, "not a number");
	/* Stop accumulating once past the limit: no overflow on long input. */
	for (const char *p = val; *p && v <= DV_CLI_MAX_CPUS; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (v < DV_CLI_MIN_CPUS || v > DV_CLI_MAX_CPUS)
		return dv_cli_bad(err, o, val, "must be between %d and %d", DV_CLI_MIN_CPUS,
				  DV_CLI_MAX_CPUS);
	cfg->ncpus = (unsigned int)v;
	return 0;
}

/* One value of a --backend/--console style enumeration. */
struct dv_name_val {
	const char *name;
	int val;
};

static int set_enum(int *dst, const struct dv_name_val *tab, size_t n, const char *choices,
		    const struct dv_opt *o, const char *val, FILE *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(val, tab[i].name)) {
			*dst = tab[i].val;
			return 0;
		}
	}
	return dv_cli_bad(err, o, val, "must be one of: %s", choices);
}

static int set_backend(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	static const struct dv_name_val tab[] = {
	    {"dvext", DV_BACKEND_DVEXT},
	    {"kvm", DV_BACKEND_KVM},
	};
	int v = 0, r = set_enum(&v, tab, 2, "dvext, kvm", o, val, err);

	if (!r)
		cfg->backend = (enum dv_backend_kind)v;
	return r;
}

static int set_console(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	static const struct dv_name_val tab[] = {
	    {"serial", DV_CONSOLE_SERIAL},
	    {"virtio", DV_CONSOLE_VIRTIO},
	};
	int v = 0, r = set_enum(&v, tab, 2, "serial, virtio", o, val, err);

	if (!r)
		cfg->console = (enum dv_console_kind)v;
	return r;
}

static int set_prefault(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	static const struct dv_name_val tab[] = {{"on", 0}, {"off", 1}};
	int v = 0, r = set_enum(&v, tab, 2, "on, off", o, val, err);

	if (!r)
		cfg->lazy_stage2 = v;
	return r;
}

static int set_sandbox(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	static const struct dv_name_val tab[] = {{"on", 0}, {"off", 1}};
	int v = 0, r = set_enum(&v, tab, 2, "on, off", o, val, err);

	if (!r)
		cfg->no_sandbox = v;
	return r;
}

static int set_api_socket(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	if (!*val)
		return dv_cli_bad(err, o, val, "must name a path");
	if (strlen(val) >= DV_CLI_MAX_SOCKET)
		return dv_cli_bad(err, o, val, "longer than %d bytes", DV_CLI_MAX_SOCKET - 1);
	cfg->api_socket = val;
	return 0;
}

static int set_live_upgrade(struct dv_config *cfg, const struct dv_opt *o, const char *val,
			    FILE *err)
{
	static const struct dv_name_val tab[] = {{"on", 1}, {"off", 0}};
	int v = 0, r = set_enum(&v, tab, 2, "on, off", o, val, err);

	if (!r)
		cfg->live_upgrade = v;
	return r;
}

static int set_stats(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	(void)o, (void)val, (void)err;
	cfg->stats = true;
	return 0;
}

static const struct dv_opt dv_opts[] = {
    {"kernel", "FILE", false, "Linux Image to boot (required)", set_kernel},
    {"initrd", "FILE", false, "initial ramdisk", set_initrd},
    {"cmdline", "STRING", false,
     "kernel command line (default \"" DV_CLI_CMDLINE_SERIAL "\",\n" HELP_INDENT
     "\"" DV_CLI_CMDLINE_VIRTIO "\" with --console virtio)",
     set_cmdline},
    {"memory", "SIZE", false,
     "guest RAM, 16M..16G, page multiple; suffix K, M or G\n" HELP_INDENT
     "(binary), plain number = bytes (default 256M)",
     set_memory},
    {"memory-prefault", "on|off", false,
     "dvext: map all guest RAM at start (on, default) or\n" HELP_INDENT
     "each page at its first touch (off; RAM up to 488M);\n" HELP_INDENT
     "kvm: KVM maps on first touch either way",
     set_prefault},
    {"cpus", "N", false, "vCPUs, 1..15 (default 1)", set_cpus},
    {"disk", DISK_SYNTAX, true, "virtio-blk disk (repeatable, up to 8)", dv_cli_set_disk},
    {"net", NET_SYNTAX, true, "virtio-net on a tap device (repeatable, up to 8)", dv_cli_set_net},
    {"backend", "dvext|kvm", false, "how to run the guest (default dvext)", set_backend},
    {"console", "serial|virtio", false, "guest console on stdio (default serial)", set_console},
    {"sandbox", "on|off", false,
     "confine every thread once the VM is set up: seccomp\n" HELP_INDENT
     "filters, no capabilities, no new privileges (default on)",
     set_sandbox},
    {"jail", "DIR", false,
     "once the VM is set up, confine duvisor: namespaces of\n" HELP_INDENT
     "its own, DIR (an empty directory) as its root, the\n" HELP_INDENT
     "user and group of --jail-uid and --jail-gid, resource\n" HELP_INDENT
     "limits (needs root; docs/security.md)",
     dv_cli_set_jail},
    {"jail-uid", "N", false, "user id the jailed duvisor runs as (with --jail)",
     dv_cli_set_jail_uid},
    {"jail-gid", "N", false, "group id the jailed duvisor runs as (with --jail)",
     dv_cli_set_jail_gid},
    {"jail-allow-root", NULL, false, "accept 0 as --jail-uid or --jail-gid",
     dv_cli_set_jail_allow_root},
    {"jail-limits", JAIL_LIMITS_SYNTAX, false,
     "resource limits in the jail, any of the four\n" HELP_INDENT
     "(default: what the VM needs; core files are off)",
     dv_cli_set_jail_limits},
    {"api-socket", "PATH", false,
     "serve the control API (HTTP, JSON) on a Unix socket\n" HELP_INDENT
     "at PATH, its owner's alone (docs/api.md)",
     set_api_socket},
    {"live-upgrade", "on|off", false,
     "let vmm.upgrade replace this binary under the running\n" HELP_INDENT
     "guest (needs --api-socket; its thread's filter then\n" HELP_INDENT
     "allows what the new binary needs to start; off)",
     set_live_upgrade},
    {"dump-dtb", "FILE", false, "also write the generated device tree to FILE", set_dump_dtb},
    {"stats", NULL, false, "print exit statistics when the guest stops", set_stats},
};
#define DV_NOPTS (sizeof(dv_opts) / sizeof(dv_opts[0]))

void dv_cli_version(FILE *out)
{
	fputs(PROG " " DV_VERSION "\n", out);
}

void dv_cli_usage(FILE *out)
{
	fputs("Usage: " PROG " run --kernel FILE [OPTION]...\n"
	      "       " PROG " restore DIR [OPTION]...\n"
	      "       " PROG " ctl --api-socket PATH VERB\n"
	      "       " PROG " run --help | " PROG " --help | " PROG " --version\n"
	      "\n"
	      "Boot a Linux guest in a RISC-V user-level hypervisor (DuVisor).\n"
	      "Options take their value as --opt VALUE or --opt=VALUE (the second form\n"
	      "for a value that starts with --).\n"
	      "\n"
	      "Options of run:\n",
	      out);
	for (size_t i = 0; i < DV_NOPTS; i++) {
		const struct dv_opt *o = &dv_opts[i];
		int w =
		    fprintf(out, "  --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");

		/* Help in column 32, or on the next line after a long syntax. */
		if (w >= 31)
			fputs("\n" HELP_INDENT, out);
		else
			fprintf(out, "%*s", 32 - w, "");
		fprintf(out, "%s\n", o->help);
	}
	fputs("  --help, -h                    show this help\n"
	      "\n"
	      "Exit status:\n"
	      "  0  the guest powered off (or --help, --version)\n"
	      "  1  runtime error in duvisor\n"
	      "  2  bad command line\n"
	      "  3  a file named on the command line is missing or not accessible\n"
	      "  4  the backend is unavailable\n"
	      "  5  the guest asked for a reboot (restart duvisor to reboot it)\n"
	      "  6  the guest reported a system failure (SBI reset reason SYSFAILURE)\n"
	      "  7  --jail could not be set up\n"
	      "  128+N  stopped by signal N\n"
	      "\n"
	      "restore resumes the VM of a snapshot (ctl snapshot DIR) in this process,\n"
	      "with the options it was started with; options given replace those.\n"
	      "\n"
	      "ctl asks the duvisor serving PATH (run --api-socket PATH) and prints its\n"
	      "JSON answer: VERB is ping, info, counters, pause, resume, shutdown, reboot,\n"
	      "snapshot DIR (of a paused VM, into the new directory DIR) or upgrade PATH\n"
	      "(replace that duvisor's binary by PATH under the running guest: it needs\n"
	      "--live-upgrade on).\n"
	      "Its exit status: 0 done, 1 refused (the answer's error is printed),\n"
	      "2 bad command line, 3 nothing serves PATH.\n",
	      out);
}

static void set_defaults(struct dv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->action = DV_ACTION_RUN;
	cfg->mem_size = DV_CLI_DEFAULT_MEM;
	cfg->ncpus = DV_CLI_DEFAULT_CPUS;
	cfg->backend = DV_BACKEND_DVEXT;
	cfg->console = DV_CONSOLE_SERIAL;
	cfg->upgrade_fd = -1;
	for (unsigned int i = 0; i < DV_CLI_MAX_DISKS; i++)
		cfg->disks[i].fd = -1;
	for (unsigned int i = 0; i < DV_CLI_MAX_NETS; i++)
		cfg->nets[i].fd = -1;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "--help") || !strcmp(a, "-h");
}

static const struct dv_opt *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < DV_NOPTS; i++)
		if (dv_cli_key_is(name, len, dv_opts[i].name))
			return &dv_opts[i];
	return NULL;
}

int dv_cli_usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " run --help'.\n", err);
	return DV_EXIT_USAGE;
}

/* The file must exist, not be a directory, and allow the given access. */
static int check_file(FILE *err, const char *opt, const char *path, int mode)
{
	struct stat st;
	int e = 0;

	if (access(path, mode))
		e = errno;
	else if (stat(path, &st))
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	if (!e)
		return 0;
	fprintf(err, PROG ": --%s '%s': %s\n", opt, path, strerror(e));
	return DV_EXIT_FILE;
}

static int check_files(const struct dv_config *cfg, FILE *err)
{
	/* A restore's guest is in its snapshot: its kernel and initrd are not read */
	int r = cfg->restore_dir ? 0 : check_file(err, "kernel", cfg->kernel, R_OK);

	if (!r && cfg->initrd && !cfg->restore_dir)
		r = check_file(err, "initrd", cfg->initrd, R_OK);
	for (unsigned int i = 0; !r && i < cfg->ndisks; i++)
		r = check_file(err, "disk", cfg->disks[i].path,
			       cfg->disks[i].readonly ? R_OK : R_OK | W_OK);
	return r;
}

/* Parse the options after "run". */
static int parse_run(int argc, char **argv, struct dv_config *cfg, FILE *err)
{
	bool seen[DV_NOPTS] = {false};
	int r;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *name, *eq, *val;
		const struct dv_opt *o;

		if (is_help(a)) {
			cfg->action = DV_ACTION_HELP;
			return DV_EXIT_OK;
		}
		if (strncmp(a, "--", 2) || !a[2]) {
			if (a[0] == '-')
				return dv_cli_usage_error(err, "unknown option '%s'", a);
			return dv_cli_usage_error(err, "unexpected argument '%s'", a);
		}
		name = a + 2;
		eq = strchr(name, '=');
		o = find_opt(name, eq ? (size_t)(eq - name) : strlen(name));
		if (!o)
			return dv_cli_usage_error(err, "unknown option '%s'", a);
		if (!o->arg) {
			if (eq)
				return dv_cli_usage_error(err, "option '--%s' takes no value",
							  o->name);
			val = NULL;
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
			val = argv[++i];
		} else {
			return dv_cli_usage_error(err, "option '--%s' needs a value", o->name);
		}
		if (seen[o - dv_opts] && !o->repeatable)
			return dv_cli_usage_error(err, "option '--%s' given twice", o->name);
		seen[o - dv_opts] = true;
		if (o->set(cfg, o, val, err))
			return DV_EXIT_USAGE;
	}
	if (!cfg->kernel)
		return dv_cli_usage_error(err, "run: missing --kernel FILE");
	if (!cfg->cmdline)
		cfg->cmdline = cfg->console == DV_CONSOLE_VIRTIO ? DV_CLI_CMDLINE_VIRTIO
								 : DV_CLI_CMDLINE_SERIAL;
	if (cfg->live_upgrade && !cfg->api_socket)
		return dv_cli_usage_error(err, "--live-upgrade on needs --api-socket PATH");
	/* A live upgrade's new image is in the jail and takes the files over: none is checked */
	if (cfg->action == DV_ACTION_UPGRADED)
		return DV_EXIT_OK;
	r = dv_cli_check_jail(cfg, err);
	if (r)
		return r;
	return check_files(cfg, err);
}

/* "restore DIR [OPTION]...": the snapshot's run options, the given ones replacing theirs */
static int parse_restore(int argc, char **argv, struct dv_config *cfg, FILE *err)
{
	char **all;
	int n, r;

	if (argc && is_help(argv[0])) {
		cfg->action = DV_ACTION_HELP;
		return DV_EXIT_OK;
	}
	if (!argc || argv[0][0] == '-')
		return dv_cli_usage_error(err, "restore: missing DIR (a snapshot's directory)");
	r = dv_cli_restore_args(argv[0], argv + 1, argc - 1, &all, &n, &cfg->restore_text, err);
	if (r)
		return r;
	cfg->restore_argv = all;
	cfg->restore_dir = argv[0];
	cfg->run_argv = all;
	cfg->run_argc = n;
	return parse_run(n, all, cfg, err);
}

static const char *const dv_ctl_verbs[] = {"ping",     "info",	 "counters", "pause",	"resume",
					   "shutdown", "reboot", "snapshot", "upgrade", NULL};

/* "ctl --api-socket PATH VERB" (or --api-socket=PATH; the option before or after VERB) */
static int parse_ctl(int argc, char **argv, struct dv_config *cfg, FILE *err)
{
	static const struct dv_opt sock = {"api-socket", "PATH", false, "", set_api_socket};

	cfg->action = DV_ACTION_CTL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			cfg->action = DV_ACTION_HELP;
			return DV_EXIT_OK;
		}
		if (!strncmp(a, "--api-socket", 12) && (!a[12] || a[12] == '=')) {
			if (cfg->api_socket)
				return dv_cli_usage_error(err, "option '--api-socket' given twice");
			if (!a[12] && i + 1 >= argc)
				return dv_cli_usage_error(err,
							  "option '--api-socket' needs a value");
			if (set_api_socket(cfg, &sock, a[12] ? a + 13 : argv[++i], err))
				return DV_EXIT_USAGE;
			continue;
		}
		if (a[0] == '-')
			return dv_cli_usage_error(err, "ctl: unknown option '%s'", a);
		if (cfg->ctl.verb && !cfg->ctl.arg &&
		    (!strcmp(cfg->ctl.verb, "snapshot") || !strcmp(cfg->ctl.verb, "upgrade"))) {
			if (!*a)
				return dv_cli_usage_error(err, "ctl: %s: an empty path",
							  cfg->ctl.verb);
			cfg->ctl.arg = a;
			continue;
		}
		if (cfg->ctl.verb)
			return dv_cli_usage_error(err, "ctl: unexpected argument '%s'", a);
		for (const char *const *v = dv_ctl_verbs; *v; v++)
			if (!strcmp(a, *v))
				cfg->ctl.verb = *v;
		if (!cfg->ctl.verb)
			return dv_cli_usage_error(
			    err,
			    "ctl: unknown verb '%s' (want ping, info, counters, pause, resume, "
			    "shutdown, reboot, snapshot DIR or upgrade PATH)",
			    a);
	}
	if (!cfg->api_socket)
		return dv_cli_usage_error(err, "ctl: missing --api-socket PATH");
	if (!cfg->ctl.verb)
		return dv_cli_usage_error(
		    err, "ctl: missing verb (ping, info, counters, pause, "
			 "resume, shutdown, reboot, snapshot DIR or upgrade PATH)");
	if (!strcmp(cfg->ctl.verb, "snapshot") && !cfg->ctl.arg)
		return dv_cli_usage_error(err, "ctl: snapshot: missing DIR");
	if (!strcmp(cfg->ctl.verb, "upgrade") && !cfg->ctl.arg)
		return dv_cli_usage_error(err, "ctl: upgrade: missing the new binary's PATH");
	cfg->ctl.socket = cfg->api_socket;
	return DV_EXIT_OK;
}

void dv_cli_release(struct dv_config *cfg)
{
	free(cfg->restore_argv);
	free(cfg->restore_text);
	cfg->restore_argv = NULL;
	cfg->restore_text = NULL;
}

int dv_cli_parse_upgraded(int argc, char **argv, struct dv_config *cfg, FILE *err)
{
	cfg->run_argv = argv;
	cfg->run_argc = argc;
	return parse_run(argc, argv, cfg, err);
}

int dv_cli_parse(int argc, char **argv, struct dv_config *cfg, FILE *err)
{
	const char *cmd;

	set_defaults(cfg);
	if (!err)
		err = stderr;
	if (argc < 2)
		return dv_cli_usage_error(err, "missing subcommand (run, --help or --version)");
	cmd = argv[1];
	if (is_help(cmd) || !strcmp(cmd, "help")) {
		cfg->action = DV_ACTION_HELP;
		return DV_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		cfg->action = DV_ACTION_VERSION;
		return DV_EXIT_OK;
	}
	if (!strcmp(cmd, "run")) {
		cfg->run_argv = argv + 2;
		cfg->run_argc = argc - 2;
		return parse_run(argc - 2, argv + 2, cfg, err);
	}
	if (!strcmp(cmd, "restore"))
		return parse_restore(argc - 2, argv + 2, cfg, err);
	if (!strcmp(cmd, "ctl"))
		return parse_ctl(argc - 2, argv + 2, cfg, err);
	/* Internal: the new image of a live upgrade (vmm/upgrade.c execs it so) */
	if (!strcmp(cmd, "upgraded") && argc == 3 && argv[2][0] >= '0' && argv[2][0] <= '9') {
		cfg->action = DV_ACTION_UPGRADED;
		cfg->upgrade_fd = atoi(argv[2]);
		return DV_EXIT_OK;
	}
	if (cmd[0] == '-')
		return dv_cli_usage_error(err, "unknown option '%s' (options follow 'run')", cmd);
	return dv_cli_usage_error(err, "unknown subcommand '%s' (want run, restore or ctl)", cmd);
}
