// SPDX-License-Identifier: GPL-2.0-only
/* The duvisor command line: every option, the defaults and every error path. */
#include "cli/cli.h"
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static char kernel[128], initrd[128], disk[128], missing[128];

/* A temp dir with a kernel, an initrd and a disk image, made once. */
static void make_files(void)
{
	static const char *const names[] = {"Image", "initrd", "disk.img"};
	char *paths[] = {kernel, initrd, disk};

	if (tmpdir[0])
		return;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dv-test-cli.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	for (int i = 0; i < 3; i++) {
		FILE *f;

		snprintf(paths[i], 128, "%s/%s", tmpdir, names[i]);
		f = fopen(paths[i], "w");
		if (!f) {
			perror(paths[i]);
			exit(1);
		}
		fputs("x", f);
		fclose(f);
	}
	snprintf(missing, sizeof(missing), "%s/no-such-file", tmpdir);
}

__attribute__((destructor)) static void remove_files(void)
{
	if (!tmpdir[0])
		return;
	unlink(kernel);
	unlink(initrd);
	unlink(disk);
	rmdir(tmpdir);
}

static char msg[4096];

/* Parse a NULL-terminated argument list (argv[0] is added); msg gets err. */
static int parse_list(struct dv_config *cfg, const char **args)
{
	const char *argv[64] = {"duvisor"};
	int argc = 1, r;
	FILE *err;

	make_files();
	while (*args)
		argv[argc++] = *args++;
	memset(msg, 0, sizeof(msg));
	err = fmemopen(msg, sizeof(msg) - 1, "w");
	r = dv_cli_parse(argc, (char **)argv, cfg, err);
	fclose(err);
	return r;
}

#define PARSE(cfg, ...) parse_list(cfg, (const char *[]){__VA_ARGS__, NULL})

UT_TEST(defaults)
{
	struct dv_config c;
	int r = PARSE(&c, "run", "--kernel", kernel);

	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(msg[0] == '\0', "unexpected message: %s", msg);
	UT_CHECK(c.action == DV_ACTION_RUN, "action %d", c.action);
	UT_CHECK(c.kernel && !strcmp(c.kernel, kernel), "kernel %s", c.kernel);
	UT_CHECK(c.initrd == NULL, "initrd %s", c.initrd);
	UT_CHECK(c.cmdline && !strcmp(c.cmdline, "console=ttyS0 earlycon=sbi"), "cmdline %s",
		 c.cmdline);
	UT_CHECK(c.mem_size == 256ULL << 20, "mem %llu", (unsigned long long)c.mem_size);
	UT_CHECK(c.ncpus == 1, "cpus %u", c.ncpus);
	UT_CHECK(c.ndisks == 0 && c.nnets == 0, "disks %u nets %u", c.ndisks, c.nnets);
	UT_CHECK(c.backend == DV_BACKEND_DVEXT, "backend %d", c.backend);
	UT_CHECK(c.console == DV_CONSOLE_SERIAL, "console %d", c.console);
	UT_CHECK(c.dump_dtb == NULL, "dump_dtb %s", c.dump_dtb);
	UT_CHECK(!c.stats, "stats");
}

UT_TEST(every_option_separate_values)
{
	struct dv_config c;
	int r = PARSE(&c, "run", "--kernel", kernel, "--initrd", initrd, "--cmdline",
		      "root=/dev/vda rw", "--memory", "1G", "--cpus", "4", "--disk",
		      "path=/dev/null", "--disk", disk, "--net", "tap=tap0", "--net",
		      "tap=tap1,mac=52:54:00:AB:cd:0f", "--backend", "kvm", "--console", "virtio",
		      "--dump-dtb", "/tmp/out.dtb", "--stats");

	/* "--disk FILE" without path= is an error; redo with the right syntax. */
	UT_CHECK(r == DV_EXIT_USAGE, "bare disk path accepted: r=%d", r);
	UT_CHECK(strstr(msg, "--disk") && strstr(msg, disk), "msg %s", msg);

	char dspec[256];
	snprintf(dspec, sizeof(dspec), "path=%s,readonly", disk);
	r = PARSE(&c, "run", "--kernel", kernel, "--initrd", initrd, "--cmdline",
		  "root=/dev/vda rw", "--memory", "1G", "--cpus", "4", "--disk", "path=/dev/null",
		  "--disk", dspec, "--net", "tap=tap0", "--net", "tap=tap1,mac=52:54:00:AB:cd:0f",
		  "--backend", "kvm", "--console", "virtio", "--dump-dtb", "/tmp/out.dtb",
		  "--stats");
	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(c.action == DV_ACTION_RUN, "action %d", c.action);
	UT_CHECK(!strcmp(c.kernel, kernel), "kernel %s", c.kernel);
	UT_CHECK(c.initrd && !strcmp(c.initrd, initrd), "initrd %s", c.initrd);
	UT_CHECK(!strcmp(c.cmdline, "root=/dev/vda rw"), "cmdline %s", c.cmdline);
	UT_CHECK(c.mem_size == 1ULL << 30, "mem %llu", (unsigned long long)c.mem_size);
	UT_CHECK(c.ncpus == 4, "cpus %u", c.ncpus);
	UT_CHECK(c.ndisks == 2, "ndisks %u", c.ndisks);
	UT_CHECK(!strcmp(c.disks[0].path, "/dev/null") && !c.disks[0].readonly, "disk0 %s %d",
		 c.disks[0].path, c.disks[0].readonly);
	UT_CHECK(c.disks[0].io == DV_DISK_IO_VCPU, "disk0 io %d (default: vcpu)", c.disks[0].io);
	UT_CHECK(!strcmp(c.disks[1].path, disk) && c.disks[1].readonly, "disk1 %s %d",
		 c.disks[1].path, c.disks[1].readonly);
	UT_CHECK(c.nnets == 2, "nnets %u", c.nnets);
	UT_CHECK(!strcmp(c.nets[0].tap, "tap0") && !c.nets[0].has_mac, "net0 %s", c.nets[0].tap);
	UT_CHECK(!strcmp(c.nets[1].tap, "tap1") && c.nets[1].has_mac, "net1 %s", c.nets[1].tap);
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0x0f};
	UT_CHECK(!memcmp(c.nets[1].mac, mac, 6), "mac %02x:%02x:%02x:%02x:%02x:%02x",
		 c.nets[1].mac[0], c.nets[1].mac[1], c.nets[1].mac[2], c.nets[1].mac[3],
		 c.nets[1].mac[4], c.nets[1].mac[5]);
	UT_CHECK(c.backend == DV_BACKEND_KVM, "backend %d", c.backend);
	UT_CHECK(c.console == DV_CONSOLE_VIRTIO, "console %d", c.console);
	UT_CHECK(c.dump_dtb && !strcmp(c.dump_dtb, "/tmp/out.dtb"), "dump %s", c.dump_dtb);
	UT_CHECK(c.stats, "stats");
}

UT_TEST(every_option_equals_values)
{
	struct dv_config c;
	char k[160], i[160], d[192];

	snprintf(k, sizeof(k), "--kernel=%s", kernel);
	snprintf(i, sizeof(i), "--initrd=%s", initrd);
	snprintf(d, sizeof(d), "--disk=readonly=on,path=%s,io=thread", disk);
	int r =
	    PARSE(&c, "run", "--cpus=15", k, i, "--cmdline=a=b c", "--memory=16g", d,
		  "--disk=path=/dev/null,readonly=off,io=vcpu", "--net=mac=02:00:00:00:00:01,tap=t",
		  "--backend=dvext", "--console=serial", "--dump-dtb=x.dtb");

	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(!strcmp(c.kernel, kernel) && !strcmp(c.initrd, initrd), "files");
	UT_CHECK(!strcmp(c.cmdline, "a=b c"), "cmdline %s", c.cmdline);
	UT_CHECK(c.mem_size == 16ULL << 30, "mem %llu", (unsigned long long)c.mem_size);
	UT_CHECK(c.ncpus == 15, "cpus %u", c.ncpus);
	UT_CHECK(c.ndisks == 2 && c.disks[0].readonly && !c.disks[1].readonly, "disks");
	UT_CHECK(c.disks[0].io == DV_DISK_IO_THREAD && c.disks[1].io == DV_DISK_IO_VCPU,
		 "disk io %d %d", c.disks[0].io, c.disks[1].io);
	UT_CHECK(!strcmp(c.disks[0].path, disk), "disk0 %s", c.disks[0].path);
	UT_CHECK(c.nnets == 1 && c.nets[0].has_mac && c.nets[0].mac[5] == 1, "net");
	UT_CHECK(!strcmp(c.nets[0].tap, "t"), "tap %s", c.nets[0].tap);
	UT_CHECK(c.backend == DV_BACKEND_DVEXT && c.console == DV_CONSOLE_SERIAL, "enums");
	UT_CHECK(!strcmp(c.dump_dtb, "x.dtb"), "dump %s", c.dump_dtb);
	UT_CHECK(!c.stats, "stats");
}

UT_TEST(virtio_console_default_cmdline)
{
	struct dv_config c;
	int r = PARSE(&c, "run", "--console", "virtio", "--kernel", kernel);

	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(!strcmp(c.cmdline, "console=hvc0 earlycon=sbi"), "cmdline %s", c.cmdline);
	r = PARSE(&c, "run", "--console", "virtio", "--kernel", kernel, "--cmdline", "");
	UT_CHECK(r == DV_EXIT_OK && !strcmp(c.cmdline, ""), "empty cmdline: r=%d", r);
}

UT_TEST(memory_prefault)
{
	struct dv_config c;
	int r = PARSE(&c, "run", "--kernel", kernel);

	UT_CHECK(r == DV_EXIT_OK && !c.lazy_stage2, "default: prefaulted (r=%d)", r);
	r = PARSE(&c, "run", "--kernel", kernel, "--memory-prefault", "off");
	UT_CHECK(r == DV_EXIT_OK && c.lazy_stage2, "off: r=%d lazy %d", r, c.lazy_stage2);
	r = PARSE(&c, "run", "--kernel", kernel, "--memory-prefault=on");
	UT_CHECK(r == DV_EXIT_OK && !c.lazy_stage2, "on: r=%d lazy %d", r, c.lazy_stage2);
	r = PARSE(&c, "run", "--kernel", kernel, "--memory-prefault", "lazy");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "--memory-prefault") && strstr(msg, "on, off"),
		 "bad value: r=%d msg %s", r, msg);
}

UT_TEST(api_socket_and_ctl)
{
	static const struct {
		const char *args[6];
		int rc;
		const char *verb, *msg;
	} ctl[] = {
	    {{"ctl", "--api-socket", "/tmp/s", "pause"}, DV_EXIT_OK, "pause", ""},
	    {{"ctl", "info", "--api-socket=/tmp/s"}, DV_EXIT_OK, "info", ""},
	    {{"ctl", "--api-socket", "/tmp/s"}, DV_EXIT_USAGE, NULL, "missing verb"},
	    {{"ctl", "pause"}, DV_EXIT_USAGE, NULL, "missing --api-socket"},
	    {{"ctl", "--api-socket", "/tmp/s", "explode"}, DV_EXIT_USAGE, NULL, "unknown verb"},
	    {{"ctl", "--api-socket", "/tmp/s", "pause", "resume"},
	     DV_EXIT_USAGE,
	     NULL,
	     "unexpected argument 'resume'"},
	    {{"ctl", "--api-socket", "/a", "--api-socket", "/b", "ping"},
	     DV_EXIT_USAGE,
	     NULL,
	     "given twice"},
	    {{"ctl", "--api-socket", "", "ping"}, DV_EXIT_USAGE, NULL, "must name a path"},
	    {{"ctl", "--api-socket"}, DV_EXIT_USAGE, NULL, "needs a value"},
	    {{"ctl", "--bogus", "ping"}, DV_EXIT_USAGE, NULL, "unknown option '--bogus'"},
	};
	char longp[200];
	struct dv_config c;
	int r;

	for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
		const char **a = (const char **)ctl[i].args;

		r = parse_list(&c, a);
		UT_CHECK(r == ctl[i].rc && strstr(msg, ctl[i].msg), "ctl case %zu: %d %s", i, r,
			 msg);
		if (ctl[i].verb)
			UT_CHECK(c.action == DV_ACTION_CTL && c.ctl.verb &&
				     !strcmp(c.ctl.verb, ctl[i].verb) &&
				     !strcmp(c.ctl.socket, "/tmp/s"),
				 "ctl case %zu: parsed wrong", i);
	}
	r = PARSE(&c, "run", "--kernel", kernel, "--api-socket", "/run/vm.sock");
	UT_CHECK(r == DV_EXIT_OK && c.api_socket && !strcmp(c.api_socket, "/run/vm.sock"),
		 "run --api-socket: %d %s", r, msg);
	r = PARSE(&c, "run", "--kernel", kernel);
	UT_CHECK(r == DV_EXIT_OK && !c.api_socket, "an API socket by default");
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[DV_CLI_MAX_SOCKET] = '\0';
	r = PARSE(&c, "run", "--kernel", kernel, "--api-socket", longp);
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "longer than 107"), "long socket: %d %s", r,
		 msg);
	longp[DV_CLI_MAX_SOCKET - 1] = '\0';
	r = PARSE(&c, "run", "--kernel", kernel, "--api-socket", longp);
	UT_CHECK(r == DV_EXIT_OK, "107 bytes refused: %s", msg);
}

UT_TEST(live_upgrade_options)
{
	struct dv_config c;
	int r;

	r = PARSE(&c, "run", "--kernel", kernel, "--api-socket", "/tmp/s", "--live-upgrade", "on");
	UT_CHECK(r == DV_EXIT_OK && c.live_upgrade, "--live-upgrade on: %d %s", r, msg);
	r = PARSE(&c, "run", "--kernel", kernel);
	UT_CHECK(r == DV_EXIT_OK && !c.live_upgrade, "live upgrade on by default");
	r = PARSE(&c, "run", "--kernel", kernel, "--live-upgrade", "on");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "needs --api-socket"), "without a socket: %d %s",
		 r, msg);
	r = PARSE(&c, "run", "--kernel", kernel, "--api-socket", "/tmp/s", "--live-upgrade", "yes");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "on, off"), "a bad value: %d %s", r, msg);
	r = PARSE(&c, "ctl", "--api-socket", "/tmp/s", "upgrade", "/usr/bin/duvisor");
	UT_CHECK(r == DV_EXIT_OK && !strcmp(c.ctl.verb, "upgrade") &&
		     !strcmp(c.ctl.arg, "/usr/bin/duvisor"),
		 "ctl upgrade: %d %s", r, msg);
	r = PARSE(&c, "ctl", "--api-socket", "/tmp/s", "upgrade");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "missing the new binary"), "no PATH: %d %s", r,
		 msg);
	/* the new image's command line: an fd, nothing else */
	r = PARSE(&c, "upgraded", "7");
	UT_CHECK(r == DV_EXIT_OK && c.action == DV_ACTION_UPGRADED && c.upgrade_fd == 7,
		 "upgraded 7: %d", r);
	r = PARSE(&c, "upgraded", "x");
	UT_CHECK(r == DV_EXIT_USAGE, "upgraded x: %d", r);
	r = PARSE(&c, "upgraded", "7", "8");
	UT_CHECK(r == DV_EXIT_USAGE, "upgraded 7 8: %d", r);
	/* disks and links start with no descriptor to take over */
	r = PARSE(&c, "run", "--kernel", kernel, "--disk", "path=/dev/null");
	UT_CHECK(c.disks[0].fd == -1 && c.nets[0].fd == -1, "fds %d %d", c.disks[0].fd,
		 c.nets[0].fd);
}

/* A snapshot directory whose config holds text (NULL: none) */
static const char *snapdir(const char *text, size_t len)
{
	static char dir[64];
	char path[96];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/dv-cli-snap-%d", getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/config", dir);
	unlink(path);
	if (text) {
		f = fopen(path, "wb");
		fwrite(text, 1, len, f);
		fclose(f);
	}
	return dir;
}

UT_TEST(restore_takes_the_snapshots_options_and_replaces_the_given_ones)
{
	struct dv_config c;
	char text[512];
	const char *dir;
	int r, n;

	n = snprintf(text, sizeof(text),
		     "--kernel\n/nonexistent/Image\n--memory\n128M\n--disk\npath=%s\n--cpus=2\n"
		     "--sandbox\noff\n",
		     disk);
	dir = snapdir(text, (size_t)n);
	r = PARSE(&c, "restore", dir, "--api-socket", "/tmp/new.sock", "--sandbox=on");
	UT_CHECK(r == DV_EXIT_OK && c.restore_dir && !strcmp(c.restore_dir, dir), "restore: %d %s",
		 r, msg);
	UT_CHECK(c.mem_size == 128ULL << 20 && c.ncpus == 2 && c.ndisks == 1 && !c.no_sandbox &&
		     c.api_socket && !strcmp(c.api_socket, "/tmp/new.sock"),
		 "options: mem %llu cpus %u disks %u sandbox-off %d",
		 (unsigned long long)c.mem_size, c.ncpus, c.ndisks, c.no_sandbox);
	/* the kernel is not read on a restore: a missing one is no error */
	UT_CHECK(r == DV_EXIT_OK, "a missing kernel refused the restore");
	dv_cli_release(&c);
	r = PARSE(&c, "restore", dir, "--memory", "64M");
	UT_CHECK(r == DV_EXIT_OK && c.mem_size == 64ULL << 20, "--memory replaced: %d", r);
	dv_cli_release(&c);
	/* a config that is not one */
	dir = snapdir("--kernel\nx", 10);
	UT_CHECK(PARSE(&c, "restore", dir) == DV_EXIT_FILE &&
		     strstr(msg, "not a snapshot's config"),
		 "no final newline: %s", msg);
	dir = snapdir("--kernel\n\0x\n", 12);
	UT_CHECK(PARSE(&c, "restore", dir) == DV_EXIT_FILE, "a NUL inside: %s", msg);
	dir = snapdir(NULL, 0);
	UT_CHECK(PARSE(&c, "restore", dir) == DV_EXIT_FILE && strstr(msg, "No such file"),
		 "no config: %s", msg);
	UT_CHECK(PARSE(&c, "restore") == DV_EXIT_USAGE && strstr(msg, "missing DIR"), "no DIR: %s",
		 msg);
	rmdir(dir);
}

UT_TEST(help_and_version)
{
	static const struct {
		const char *a, *b, *c;
		enum dv_action action;
	} cases[] = {
	    {"--help", NULL, NULL, DV_ACTION_HELP},
	    {"-h", NULL, NULL, DV_ACTION_HELP},
	    {"help", NULL, NULL, DV_ACTION_HELP},
	    {"run", "--help", NULL, DV_ACTION_HELP},
	    {"run", "-h", NULL, DV_ACTION_HELP},
	    /* --help wins over a missing kernel and over what follows it */
	    {"run", "--cpus=2", "--help", DV_ACTION_HELP},
	    {"run", "--help", "--bogus", DV_ACTION_HELP},
	    {"--version", NULL, NULL, DV_ACTION_VERSION},
	    {"version", NULL, NULL, DV_ACTION_VERSION},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_config c;
		int r = PARSE(&c, cases[i].a, cases[i].b, cases[i].c);

		UT_CHECK(r == DV_EXIT_OK, "case %zu: r=%d msg=%s", i, r, msg);
		UT_CHECK(c.action == cases[i].action, "case %zu: action %d", i, c.action);
		UT_CHECK(msg[0] == '\0', "case %zu: message %s", i, msg);
	}
}

UT_TEST(usage_text)
{
	static const char *const want[] = {"--kernel",	 "--initrd",   "--cmdline",
					   "--memory",	 "--cpus",     "--disk",
					   "--net",	 "--backend",  "--console",
					   "--dump-dtb", "--stats",    "--help",
					   "path=FILE",	 "readonly",   "io=vcpu|thread",
					   "tap=NAME",	 "dvext|kvm",  "256M",
					   "default 1",	 "16M..16G",   "console=ttyS0 earlycon=sbi",
					   "Exit",	 "  5  the g", "console=hvc0"};
	char buf[8192] = {0}, ver[64] = {0};
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	dv_cli_usage(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		UT_CHECK(strstr(buf, want[i]), "help lacks '%s'", want[i]);
	f = fmemopen(ver, sizeof(ver) - 1, "w");
	dv_cli_version(f);
	fclose(f);
	UT_CHECK(!strcmp(ver, "duvisor " DV_VERSION "\n"), "version '%s'", ver);
}

UT_TEST(exit_codes)
{
	UT_CHECK(DV_EXIT_OK == 0 && DV_EXIT_FAILURE == 1 && DV_EXIT_USAGE == 2 &&
		     DV_EXIT_FILE == 3 && DV_EXIT_BACKEND == 4 && DV_EXIT_GUEST == 5,
		 "exit codes changed");
}

UT_TEST(parse_size)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
	    {"0", 0, 0},
	    {"4096", 0, 4096},
	    {"1k", 0, 1024},
	    {"1K", 0, 1024},
	    {"3m", 0, 3ULL << 20},
	    {"3M", 0, 3ULL << 20},
	    {"2g", 0, 2ULL << 30},
	    {"2G", 0, 2ULL << 30},
	    {"18446744073709551615", 0, UINT64_MAX},
	    {"18446744073709551616", -ERANGE, 0},
	    {"99999999999999999999999", -ERANGE, 0},
	    {"17179869183G", 0, 17179869183ULL << 30},
	    {"17179869184G", -ERANGE, 0},
	    {"", -EINVAL, 0},
	    {"M", -EINVAL, 0},
	    {"-1M", -EINVAL, 0},
	    {"+1M", -EINVAL, 0},
	    {" 1M", -EINVAL, 0},
	    {"1M ", -EINVAL, 0},
	    {"1MB", -EINVAL, 0},
	    {"1.5G", -EINVAL, 0},
	    {"1T", -EINVAL, 0},
	    {"0x100", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = dv_cli_parse_size(cases[i].s, &v);

		UT_CHECK(r == cases[i].ret, "'%s': r=%d want %d", cases[i].s, r, cases[i].ret);
		if (!cases[i].ret)
			UT_CHECK(v == cases[i].v, "'%s': %llu", cases[i].s, (unsigned long long)v);
		else
			UT_CHECK(v == 12345, "'%s': output written on error", cases[i].s);
	}
}

UT_TEST(memory_values)
{
	static const struct {
		const char *s;
		uint64_t v; /* 0: must be rejected */
		const char *why;
	} cases[] = {
	    {"16M", 16ULL << 20, NULL},
	    {"16m", 16ULL << 20, NULL},
	    {"16777216", 16ULL << 20, NULL},
	    {"16384K", 16ULL << 20, NULL},
	    {"16G", 16ULL << 30, NULL},
	    {"17179869184", 16ULL << 30, NULL},
	    {"512M", 512ULL << 20, NULL},
	    {"16781312", 16781312, NULL}, /* 16M + 4K */
	    {"0", 0, "must not be 0"},
	    {"0M", 0, "must not be 0"},
	    {"15M", 0, "between 16M and 16G"},
	    {"16777215", 0, "not a multiple"},
	    {"16777217", 0, "not a multiple"},
	    {"16385000", 0, "not a multiple"},
	    {"17G", 0, "between 16M and 16G"},
	    {"17179873280", 0, "between 16M and 16G"}, /* 16G + 4K */
	    {"99999999999999999999", 0, "too large"},
	    {"18014398509481984G", 0, "too large"},
	    {"1.5G", 0, "not a size"},
	    {"1GB", 0, "not a size"},
	    {"1X", 0, "not a size"},
	    {"big", 0, "not a size"},
	    {"-16M", 0, "not a size"},
	    {"", 0, "not a size"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_config c;
		char opt[64];
		int r;

		snprintf(opt, sizeof(opt), "--memory=%s", cases[i].s);
		r = PARSE(&c, "run", "--kernel", kernel, opt);
		if (cases[i].v) {
			UT_CHECK(r == DV_EXIT_OK, "'%s': r=%d msg=%s", cases[i].s, r, msg);
			UT_CHECK(c.mem_size == cases[i].v, "'%s': %llu", cases[i].s,
				 (unsigned long long)c.mem_size);
			continue;
		}
		UT_CHECK(r == DV_EXIT_USAGE, "'%s': r=%d", cases[i].s, r);
		UT_CHECK(strstr(msg, "--memory"), "'%s': msg %s", cases[i].s, msg);
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "'%s'", cases[i].s);
		UT_CHECK(strstr(msg, quoted), "'%s': msg %s", cases[i].s, msg);
		UT_CHECK(strstr(msg, cases[i].why), "'%s': msg %s", cases[i].s, msg);
	}
	/* A separate value starting with one "-" is taken (and rejected as a size)... */
	struct dv_config c;
	int r = PARSE(&c, "run", "--kernel", kernel, "--memory", "-16M");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "'-16M'") && strstr(msg, "not a size"),
		 "r=%d msg=%s", r, msg);
	/* ...one starting with "--" is the next option, so the value is missing. */
	r = PARSE(&c, "run", "--kernel", kernel, "--memory", "--16M");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "'--memory' needs a value"), "r=%d msg=%s", r,
		 msg);
}

UT_TEST(cpus_values)
{
	static const struct {
		const char *s;
		unsigned int v; /* 0: rejected */
		const char *why;
	} cases[] = {
	    {"1", 1, NULL},
	    {"2", 2, NULL},
	    {"15", 15, NULL},
	    {"015", 15, NULL},
	    {"0", 0, "between 1 and 15"},
	    {"16", 0, "between 1 and 15"},
	    {"100", 0, "between 1 and 15"},
	    {"99999999999999999999999999", 0, "between 1 and 15"},
	    {"", 0, "not a number"},
	    {"two", 0, "not a number"},
	    {"2x", 0, "not a number"},
	    {"-1", 0, "not a number"},
	    {" 2", 0, "not a number"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_config c;
		char opt[64], quoted[64];
		int r;

		snprintf(opt, sizeof(opt), "--cpus=%s", cases[i].s);
		r = PARSE(&c, "run", "--kernel", kernel, opt);
		if (cases[i].v) {
			UT_CHECK(r == DV_EXIT_OK && c.ncpus == cases[i].v, "'%s': r=%d cpus=%u",
				 cases[i].s, r, c.ncpus);
			continue;
		}
		snprintf(quoted, sizeof(quoted), "'%s'", cases[i].s);
		UT_CHECK(r == DV_EXIT_USAGE, "'%s': r=%d", cases[i].s, r);
		UT_CHECK(strstr(msg, "--cpus") && strstr(msg, quoted) && strstr(msg, cases[i].why),
			 "'%s': msg %s", cases[i].s, msg);
	}
}

UT_TEST(parse_mac)
{
	uint8_t m[6];

	UT_CHECK(dv_cli_parse_mac("00:11:22:aa:BB:ff", m) == 0 && m[0] == 0 && m[3] == 0xaa &&
		     m[5] == 0xff,
		 "good mac");
	static const char *const bad[] = {
	    "",
	    "00:11:22:33:44",
	    "00:11:22:33:44:55:66",
	    "00:11:22:33:44:5",
	    "0:11:22:33:44:55",
	    "00-11-22-33-44-55",
	    "00:11:22:33:44:5g",
	    "001122334455",
	    "00:11:22:33:44:55 ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UT_CHECK(dv_cli_parse_mac(bad[i], m) == -EINVAL, "'%s' accepted", bad[i]);
}

/* Each row: arguments after "run", and strings the message must contain. */
struct err_case {
	const char *args[6];
	int code;
	const char *want[3];
};

static void run_err_cases(int *ut_failed, const struct err_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *argv[10] = {"run"};
		struct dv_config c;
		int k = 1, r;

		for (int j = 0; j < 6 && cases[i].args[j]; j++)
			argv[k++] = cases[i].args[j];
		argv[k] = NULL;
		r = parse_list(&c, argv);
		UT_CHECK(r == cases[i].code, "case %zu (%s %s): r=%d want %d msg=%s", i,
			 cases[i].args[0], cases[i].args[1] ? cases[i].args[1] : "", r,
			 cases[i].code, msg);
		for (int j = 0; j < 3 && cases[i].want[j]; j++)
			UT_CHECK(strstr(msg, cases[i].want[j]), "case %zu: msg lacks '%s': %s", i,
				 cases[i].want[j], msg);
		if (r == DV_EXIT_USAGE)
			UT_CHECK(strstr(msg, "--help"), "case %zu: no hint: %s", i, msg);
		UT_CHECK(msg[0] && msg[strlen(msg) - 1] == '\n', "case %zu: msg not a line", i);
	}
}

#define K "--kernel", kernel

UT_TEST(option_errors)
{
	const struct err_case cases[] = {
	    {{NULL}, DV_EXIT_USAGE, {"missing --kernel"}},
	    {{"--cpus", "2"}, DV_EXIT_USAGE, {"missing --kernel"}},
	    {{K, "--bogus"}, DV_EXIT_USAGE, {"unknown option", "'--bogus'"}},
	    {{K, "--bogus=1"}, DV_EXIT_USAGE, {"unknown option", "'--bogus=1'"}},
	    {{K, "--kern", "x"}, DV_EXIT_USAGE, {"unknown option", "'--kern'"}},
	    {{K, "-k"}, DV_EXIT_USAGE, {"unknown option", "'-k'"}},
	    {{K, "--"}, DV_EXIT_USAGE, {"unknown option", "'--'"}},
	    {{K, "extra"}, DV_EXIT_USAGE, {"unexpected argument", "'extra'"}},
	    {{"--kernel"}, DV_EXIT_USAGE, {"'--kernel' needs a value"}},
	    {{"--kernel", "--cpus", "1"}, DV_EXIT_USAGE, {"'--kernel' needs a value"}},
	    {{K, "--initrd"}, DV_EXIT_USAGE, {"'--initrd' needs a value"}},
	    {{K, "--memory"}, DV_EXIT_USAGE, {"'--memory' needs a value"}},
	    {{K, "--cmdline"}, DV_EXIT_USAGE, {"'--cmdline' needs a value"}},
	    {{K, "--dump-dtb"}, DV_EXIT_USAGE, {"'--dump-dtb' needs a value"}},
	    {{"--kernel="}, DV_EXIT_USAGE, {"--kernel", "empty file name"}},
	    {{K, "--initrd="}, DV_EXIT_USAGE, {"--initrd", "empty file name"}},
	    {{K, "--dump-dtb="}, DV_EXIT_USAGE, {"--dump-dtb", "empty file name"}},
	    {{K, "--stats=1"}, DV_EXIT_USAGE, {"'--stats' takes no value"}},
	    {{K, "--stats", "--stats"}, DV_EXIT_USAGE, {"'--stats' given twice"}},
	    {{K, K}, DV_EXIT_USAGE, {"'--kernel' given twice"}},
	    {{K, "--cpus=1", "--cpus=2"}, DV_EXIT_USAGE, {"'--cpus' given twice"}},
	    {{K, "--memory=1G", "--memory=2G"}, DV_EXIT_USAGE, {"'--memory' given twice"}},
	    {{K, "--backend", "xen"}, DV_EXIT_USAGE, {"--backend", "'xen'", "dvext, kvm"}},
	    {{K, "--backend", "KVM"}, DV_EXIT_USAGE, {"--backend", "'KVM'"}},
	    {{K, "--backend="}, DV_EXIT_USAGE, {"--backend", "''"}},
	    {{K, "--console", "hv"}, DV_EXIT_USAGE, {"--console", "'hv'", "serial, virtio"}},
	    {{K, "--disk", "readonly"}, DV_EXIT_USAGE, {"--disk", "missing path="}},
	    {{K, "--disk", "path="}, DV_EXIT_USAGE, {"--disk", "empty path"}},
	    {{K, "--disk", "path"}, DV_EXIT_USAGE, {"--disk", "empty path"}},
	    {{K, "--disk", "file=x"}, DV_EXIT_USAGE, {"--disk", "unknown key 'file'", "path=FILE"}},
	    {{K, "--disk", "path=x,ro"}, DV_EXIT_USAGE, {"--disk", "'path=x,ro'", "'ro'"}},
	    {{K, "--disk", "path=a,path=b"}, DV_EXIT_USAGE, {"--disk", "'path' given twice"}},
	    {{K, "--disk", "path=a,readonly=yes"}, DV_EXIT_USAGE, {"--disk", "on/off"}},
	    {{K, "--disk", "path=a,io=aio"}, DV_EXIT_USAGE, {"--disk", "io takes vcpu or thread"}},
	    {{K, "--disk", "path=a,io"}, DV_EXIT_USAGE, {"--disk", "io takes vcpu or thread"}},
	    {{K, "--disk", "path=a,io=vcpu,io=thread"},
	     DV_EXIT_USAGE,
	     {"--disk", "'io' given twice"}},
	    {{K, "--disk", "path=a,"}, DV_EXIT_USAGE, {"--disk", "unknown key ''"}},
	    {{K, "--disk", ""}, DV_EXIT_USAGE, {"--disk", "unknown key ''"}},
	    {{K, "--net", "mac=02:00:00:00:00:01"}, DV_EXIT_USAGE, {"--net", "missing tap="}},
	    {{K, "--net", "tap="}, DV_EXIT_USAGE, {"--net", "bad interface name ''"}},
	    {{K, "--net", "tap"}, DV_EXIT_USAGE, {"--net", "bad interface name"}},
	    {{K, "--net", "tap=a234567890123456"}, DV_EXIT_USAGE, {"--net", "'a234567890123456'"}},
	    {{K, "--net", "tap=a/b"}, DV_EXIT_USAGE, {"--net", "'a/b'"}},
	    {{K, "--net", "tap=a:b"}, DV_EXIT_USAGE, {"--net", "'a:b'"}},
	    {{K, "--net", "tap=a b"}, DV_EXIT_USAGE, {"--net", "'a b'"}},
	    {{K, "--net", "tap=.."}, DV_EXIT_USAGE, {"--net", "'..'"}},
	    {{K, "--net", "tap=t,mac=00:11:22:33:44"}, DV_EXIT_USAGE, {"--net", "bad mac"}},
	    {{K, "--net", "tap=t,mac=00:11:22:33:44:zz"}, DV_EXIT_USAGE, {"bad mac '00:11:2"}},
	    {{K, "--net", "tap=t,mac=01:00:5e:00:00:01"}, DV_EXIT_USAGE, {"--net", "multicast"}},
	    {{K, "--net", "tap=t,mac"}, DV_EXIT_USAGE, {"--net", "bad mac"}},
	    {{K, "--net", "tap=t,vhost=on"}, DV_EXIT_USAGE, {"unknown key 'vhost'", "tap=NAME"}},
	    {{K, "--net", "tap=t,tap=u"}, DV_EXIT_USAGE, {"'tap' given twice"}},
	    {{K, "--net", "tap=t,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02"},
	     DV_EXIT_USAGE,
	     {"'mac' given twice"}},
	};
	run_err_cases(ut_failed, cases, sizeof(cases) / sizeof(cases[0]));
}

UT_TEST(top_level_errors)
{
	struct dv_config c;
	int r = parse_list(&c, (const char *[]){NULL});

	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "missing subcommand"), "r=%d msg=%s", r, msg);
	r = PARSE(&c, "start", "--kernel", "x");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "unknown subcommand 'start'"), "r=%d msg=%s", r,
		 msg);
	r = PARSE(&c, "--kernel", "x");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "unknown option '--kernel'"), "r=%d msg=%s", r,
		 msg);
	r = PARSE(&c, "RUN");
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "'RUN'"), "r=%d msg=%s", r, msg);
}

UT_TEST(cmdline_length)
{
	static char longest[DV_CLI_MAX_CMDLINE], toolong[DV_CLI_MAX_CMDLINE + 1];
	struct dv_config c;

	memset(longest, 'a', sizeof(longest) - 1);
	memset(toolong, 'a', sizeof(toolong) - 1);
	int r = PARSE(&c, "run", "--kernel", kernel, "--cmdline", longest);
	UT_CHECK(r == DV_EXIT_OK && strlen(c.cmdline) == 1023, "r=%d msg=%s", r, msg);
	r = PARSE(&c, "run", "--kernel", kernel, "--cmdline", toolong);
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "--cmdline") && strstr(msg, "1024 characters") &&
		     strstr(msg, "1023"),
		 "r=%d msg=%s", r, msg);
}

UT_TEST(device_limits)
{
	const char *argv[40] = {"run", "--kernel", kernel};
	struct dv_config c;
	int n = 3, r;

	for (int i = 0; i < DV_CLI_MAX_DISKS; i++) {
		argv[n++] = "--disk";
		argv[n++] = "path=/dev/null";
	}
	argv[n] = NULL;
	r = parse_list(&c, argv);
	UT_CHECK(r == DV_EXIT_OK && c.ndisks == 8, "8 disks: r=%d n=%u msg=%s", r, c.ndisks, msg);
	argv[n++] = "--disk";
	argv[n++] = "path=/dev/zero";
	argv[n] = NULL;
	r = parse_list(&c, argv);
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "--disk") && strstr(msg, "at most 8"),
		 "9 disks: r=%d msg=%s", r, msg);

	n = 3;
	for (int i = 0; i < DV_CLI_MAX_NETS; i++) {
		argv[n++] = "--net";
		argv[n++] = "tap=tap0";
	}
	argv[n] = NULL;
	r = parse_list(&c, argv);
	UT_CHECK(r == DV_EXIT_OK && c.nnets == 8, "8 nets: r=%d n=%u msg=%s", r, c.nnets, msg);
	argv[n++] = "--net";
	argv[n++] = "tap=tap9";
	argv[n] = NULL;
	r = parse_list(&c, argv);
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "--net") && strstr(msg, "at most 8"),
		 "9 nets: r=%d msg=%s", r, msg);

	/* The longest interface name and path that fit, and a path that does not. */
	r = PARSE(&c, "run", "--kernel", kernel, "--net", "tap=a234567890123456");
	UT_CHECK(r == DV_EXIT_USAGE, "16-character interface name accepted");
	r = PARSE(&c, "run", "--kernel", kernel, "--net", "tap=a23456789012345");
	UT_CHECK(r == DV_EXIT_OK && !strcmp(c.nets[0].tap, "a23456789012345"), "r=%d msg=%s", r,
		 msg);
	static char path[PATH_MAX + 16];
	strcpy(path, "path=");
	memset(path + 5, 'p', PATH_MAX);
	r = PARSE(&c, "run", "--kernel", kernel, "--disk", path);
	UT_CHECK(r == DV_EXIT_USAGE && strstr(msg, "path longer than 4095") &&
		     strstr(msg, "pppp...'") && strlen(msg) < 300,
		 "r=%d msg=%.80s", r, msg);
}

UT_TEST(file_errors)
{
	char d_missing[160], d_dir[160];

	make_files();
	snprintf(d_missing, sizeof(d_missing), "path=%s", missing);
	snprintf(d_dir, sizeof(d_dir), "path=%s,readonly", tmpdir);
	const struct err_case cases[] = {
	    {{"--kernel", missing}, DV_EXIT_FILE, {"--kernel", missing, strerror(ENOENT)}},
	    {{"--kernel", tmpdir}, DV_EXIT_FILE, {"--kernel", tmpdir, strerror(EISDIR)}},
	    {{K, "--initrd", missing}, DV_EXIT_FILE, {"--initrd", missing, strerror(ENOENT)}},
	    {{K, "--disk", d_missing}, DV_EXIT_FILE, {"--disk", missing, strerror(ENOENT)}},
	    {{K, "--disk", d_dir}, DV_EXIT_FILE, {"--disk", tmpdir, strerror(EISDIR)}},
	    /* usage errors are reported before file errors */
	    {{"--kernel", missing, "--cpus=0"}, DV_EXIT_USAGE, {"--cpus"}},
	};
	run_err_cases(ut_failed, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Without root's override, permissions count: unreadable files, read-only disks. */
UT_TEST(file_permissions)
{
	struct dv_config c;
	char d[160];
	int r;

	if (geteuid() == 0) {
		printf("  (skipped as root: access() ignores permissions)\n");
		return;
	}
	chmod(initrd, 0);
	r = PARSE(&c, "run", "--kernel", kernel, "--initrd", initrd);
	UT_CHECK(r == DV_EXIT_FILE && strstr(msg, initrd) && strstr(msg, strerror(EACCES)),
		 "r=%d msg=%s", r, msg);
	chmod(initrd, 0644);
	chmod(disk, 0444);
	snprintf(d, sizeof(d), "path=%s", disk);
	r = PARSE(&c, "run", "--kernel", kernel, "--disk", d);
	UT_CHECK(r == DV_EXIT_FILE && strstr(msg, disk) && strstr(msg, strerror(EACCES)),
		 "r=%d msg=%s", r, msg);
	snprintf(d, sizeof(d), "path=%s,readonly", disk);
	r = PARSE(&c, "run", "--kernel", kernel, "--disk", d);
	UT_CHECK(r == DV_EXIT_OK, "read-only disk: r=%d msg=%s", r, msg);
	chmod(disk, 0644);
}

UT_TEST(no_state_between_calls)
{
	struct dv_config c;
	int r = PARSE(&c, "run", "--kernel", kernel, "--cpus", "3", "--stats", "--disk",
		      "path=/dev/null");

	UT_CHECK(r == DV_EXIT_OK, "r=%d", r);
	r = PARSE(&c, "run", "--kernel", kernel);
	UT_CHECK(r == DV_EXIT_OK && c.ncpus == 1 && !c.stats && c.ndisks == 0, "state leaked");
	/* A failed parse still leaves a defined config behind. */
	memset(&c, 0xff, sizeof(c));
	r = PARSE(&c, "run", "--bogus");
	UT_CHECK(r == DV_EXIT_USAGE && c.ncpus == 1 && c.ndisks == 0 && c.kernel == NULL,
		 "config after error");
}

UT_MAIN()
