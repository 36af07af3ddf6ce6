# The jail's options of the command line.
SRCS_cli_jail := cli/cli.c cli/dev_opts.c cli/jail_opts.c cli/restore_opts.c
