// SPDX-License-Identifier: GPL-2.0-only
/* The jail's options: --jail, --jail-uid, --jail-gid, --jail-allow-root, --jail-limits. */
#include "cli/cli.h"
#include "unit.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64], kernel[128], jail[128], file[128];

/* A kernel file, an empty jail directory and a plain file, made once */
static void make_files(void)
{
	FILE *f;

	if (tmpdir[0])
		return;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dv-test-cli-jail.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(kernel, sizeof(kernel), "%s/Image", tmpdir);
	snprintf(file, sizeof(file), "%s/file", tmpdir);
	snprintf(jail, sizeof(jail), "%s/jail", tmpdir);
	f = fopen(kernel, "w");
	if (!f || fputs("x", f) < 0 || fclose(f) || mkdir(jail, 0755)) {
		perror(tmpdir);
		exit(1);
	}
	f = fopen(file, "w");
	if (!f || fclose(f)) {
		perror(file);
		exit(1);
	}
}

__attribute__((destructor)) static void remove_files(void)
{
	if (!tmpdir[0])
		return;
	unlink(kernel);
	unlink(file);
	rmdir(jail);
	rmdir(tmpdir);
}

static char msg[4096];

/* "run --kernel K" and the given arguments; msg gets the diagnostics */
static int parse_list(struct dv_config *cfg, const char **args)
{
	const char *argv[32] = {"duvisor", "run", "--kernel", NULL};
	int argc = 4, r;
	FILE *err;

	make_files();
	argv[3] = kernel;
	while (*args)
		argv[argc++] = *args++;
	memset(msg, 0, sizeof(msg));
	err = fmemopen(msg, sizeof(msg) - 1, "w");
	r = dv_cli_parse(argc, (char **)argv, cfg, err);
	fclose(err);
	return r;
}

#define PARSE(cfg, ...) parse_list(cfg, (const char *[]){__VA_ARGS__, NULL})

UT_TEST(no_jail_by_default)
{
	struct dv_config c;
	int r = PARSE(&c, "--cpus", "1");

	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(!c.jail.dir && !c.jail.has_uid && !c.jail.has_gid && !c.jail.allow_root &&
		     !c.jail.limits_set,
		 "jail config not empty");
}

UT_TEST(every_jail_option)
{
	struct dv_config c;
	int r = PARSE(&c, "--jail", jail, "--jail-uid", "1000", "--jail-gid=4294967294",
		      "--jail-limits", "nofile=64,nproc=16,fsize=64M,as=1G");

	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(c.jail.dir && !strcmp(c.jail.dir, jail), "dir %s", c.jail.dir);
	UT_CHECK(c.jail.has_uid && c.jail.uid == 1000, "uid %u", c.jail.uid);
	UT_CHECK(c.jail.has_gid && c.jail.gid == 4294967294u, "gid %u", c.jail.gid);
	UT_CHECK(!c.jail.allow_root, "allow_root");
	UT_CHECK(c.jail.limits_set == 0xf, "limits set %#x", c.jail.limits_set);
	UT_CHECK(c.jail.limits[DV_JAIL_NOFILE] == 64 && c.jail.limits[DV_JAIL_NPROC] == 16,
		 "nofile %llu nproc %llu", (unsigned long long)c.jail.limits[DV_JAIL_NOFILE],
		 (unsigned long long)c.jail.limits[DV_JAIL_NPROC]);
	UT_CHECK(c.jail.limits[DV_JAIL_FSIZE] == 64ULL << 20 &&
		     c.jail.limits[DV_JAIL_AS] == 1ULL << 30,
		 "fsize %llu as %llu", (unsigned long long)c.jail.limits[DV_JAIL_FSIZE],
		 (unsigned long long)c.jail.limits[DV_JAIL_AS]);
}

UT_TEST(some_limits_and_root_when_asked)
{
	struct dv_config c;
	int r = PARSE(&c, "--jail", jail, "--jail-uid", "0", "--jail-gid", "0", "--jail-allow-root",
		      "--jail-limits", "fsize=0");

	UT_CHECK(r == DV_EXIT_OK, "r=%d msg=%s", r, msg);
	UT_CHECK(c.jail.allow_root && c.jail.uid == 0 && c.jail.gid == 0, "root ids");
	UT_CHECK(c.jail.limits_set == 1u << DV_JAIL_FSIZE && c.jail.limits[DV_JAIL_FSIZE] == 0,
		 "only fsize=0: set %#x", c.jail.limits_set);
}

/* Each row: the arguments after "run --kernel K", the code, what msg must say */
struct err_case {
	const char *args[10];
	int code;
	const char *want[2];
};

#define J   "--jail", jail
#define IDS "--jail-uid", "1000", "--jail-gid", "1000"

UT_TEST(jail_errors)
{
	const struct err_case cases[] = {
	    {{"--jail"}, DV_EXIT_USAGE, {"'--jail' needs a value"}},
	    {{"--jail="}, DV_EXIT_USAGE, {"--jail", "empty directory name"}},
	    {{J}, DV_EXIT_USAGE, {"--jail needs --jail-uid N and --jail-gid N"}},
	    {{J, "--jail-uid", "1000"}, DV_EXIT_USAGE, {"--jail-gid N"}},
	    {{J, "--jail-gid", "1000"}, DV_EXIT_USAGE, {"--jail-uid N"}},
	    {{"--jail-uid", "1000"}, DV_EXIT_USAGE, {"--jail-uid needs --jail DIR"}},
	    {{"--jail-gid", "1000"}, DV_EXIT_USAGE, {"--jail-gid needs --jail DIR"}},
	    {{"--jail-allow-root"}, DV_EXIT_USAGE, {"--jail-allow-root needs --jail DIR"}},
	    {{"--jail-limits", "nofile=9"}, DV_EXIT_USAGE, {"--jail-limits needs --jail DIR"}},
	    {{J, "--jail-uid", "0", "--jail-gid", "1000"},
	     DV_EXIT_USAGE,
	     {"--jail-uid 0", "--jail-allow-root"}},
	    {{J, "--jail-uid", "1000", "--jail-gid", "0"},
	     DV_EXIT_USAGE,
	     {"--jail-gid 0", "--jail-allow-root"}},
	    {{J, "--jail-uid", "root", "--jail-gid", "0"},
	     DV_EXIT_USAGE,
	     {"'root'", "names are not looked up"}},
	    {{J, "--jail-uid", "-1", "--jail-gid", "0"}, DV_EXIT_USAGE, {"'-1'", "not a number"}},
	    {{J, "--jail-uid", "4294967295", "--jail-gid", "1"},
	     DV_EXIT_USAGE,
	     {"'4294967295'", "out of range"}},
	    {{J, "--jail-uid", "99999999999999999999", "--jail-gid", "1"},
	     DV_EXIT_USAGE,
	     {"out of range"}},
	    {{J, "--jail-uid="}, DV_EXIT_USAGE, {"not a number"}},
	    {{J, "--jail-uid", "1", "--jail-uid", "2"},
	     DV_EXIT_USAGE,
	     {"'--jail-uid' given twice"}},
	    {{J, J, IDS}, DV_EXIT_USAGE, {"'--jail' given twice"}},
	    {{J, IDS, "--jail-allow-root=1"}, DV_EXIT_USAGE, {"takes no value"}},
	    {{J, IDS, "--jail-limits", "cpu=1"}, DV_EXIT_USAGE, {"unknown key 'cpu'", "nofile=N"}},
	    {{J, IDS, "--jail-limits", "nofile"}, DV_EXIT_USAGE, {"nofile needs a value"}},
	    {{J, IDS, "--jail-limits", "nofile="}, DV_EXIT_USAGE, {"nofile needs a value"}},
	    {{J, IDS, "--jail-limits", "nofile=0"}, DV_EXIT_USAGE, {"nofile must be at least 1"}},
	    {{J, IDS, "--jail-limits", "nproc=0"}, DV_EXIT_USAGE, {"nproc must be at least 1"}},
	    {{J, IDS, "--jail-limits", "nofile=1k"}, DV_EXIT_USAGE, {"'1k' is not a number"}},
	    {{J, IDS, "--jail-limits", "nproc=99999999999"}, DV_EXIT_USAGE, {"too large"}},
	    {{J, IDS, "--jail-limits", "as=0"}, DV_EXIT_USAGE, {"as must not be 0"}},
	    {{J, IDS, "--jail-limits", "as=1T"}, DV_EXIT_USAGE, {"'1T' is not a size"}},
	    {{J, IDS, "--jail-limits", "fsize=99999999999G"}, DV_EXIT_USAGE, {"too large"}},
	    {{J, IDS, "--jail-limits", "fsize=123456789012345678901234567890"},
	     DV_EXIT_USAGE,
	     {"too large"}},
	    {{J, IDS, "--jail-limits", "nofile=8,nofile=9"},
	     DV_EXIT_USAGE,
	     {"'nofile' given twice"}},
	    {{J, IDS, "--jail-limits", "nofile=8,"}, DV_EXIT_USAGE, {"unknown key ''"}},
	    {{"--jail", "/nonexistent/dv-jail", IDS},
	     DV_EXIT_FILE,
	     {"/nonexistent/dv-jail", "No such file or directory"}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_config c;
		int r = parse_list(&c, (const char **)cases[i].args);

		UT_CHECK(r == cases[i].code, "case %zu (%s %s): r=%d want %d msg=%s", i,
			 cases[i].args[0], cases[i].args[1] ? cases[i].args[1] : "", r,
			 cases[i].code, msg);
		for (int j = 0; j < 2 && cases[i].want[j]; j++)
			UT_CHECK(strstr(msg, cases[i].want[j]), "case %zu: msg lacks '%s': %s", i,
				 cases[i].want[j], msg);
		if (r == DV_EXIT_USAGE)
			UT_CHECK(strstr(msg, "--help"), "case %zu: no hint: %s", i, msg);
	}
}

UT_TEST(jail_must_be_a_directory)
{
	struct dv_config c;
	int r = PARSE(&c, "--jail", file, IDS);

	UT_CHECK(r == DV_EXIT_FILE && strstr(msg, file) && strstr(msg, "Not a directory"),
		 "a plain file as DIR: r=%d msg=%s", r, msg);
}

UT_TEST(help_lists_the_jail_options)
{
	static const char *const want[] = {
	    "--jail DIR",	 "--jail-uid N",	   "--jail-gid N",
	    "--jail-allow-root", "--jail-limits nofile=N", "7  --jail could not be set up"};
	char help[8192] = {0};
	FILE *f = fmemopen(help, sizeof(help) - 1, "w");

	dv_cli_usage(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		UT_CHECK(strstr(help, want[i]), "help lacks '%s'", want[i]);
}

UT_MAIN()
