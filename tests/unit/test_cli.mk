# The command line parser.
SRCS_cli := cli.c
