# The command line parser.
SRCS_cli := cli/cli.c cli/dev_opts.c cli/jail_opts.c cli/restore_opts.c
