# SBI TIME, SRST (and duvisor's exit statuses) and DBCN on the scripted backend.
SRCS_sbi_system = $(FAKE_CORE) cli/cli.c cli/dev_opts.c cli/jail_opts.c cli/restore_opts.c
HELPERS_sbi_system = $(FAKE_HELPERS)
