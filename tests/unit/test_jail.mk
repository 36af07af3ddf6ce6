# The jail natively, as root: a child jails itself and is looked at through /proc.
SRCS_jail := jail/jail.c jail/supervisor.c jail/root.c jail/ids.c jail/limits.c jail/usage.c \
	     vmm/sandbox.c vmm/seccomp.c
# Without the sanitizers: their runtime makes calls (sigaltstack at exit, /proc
# for the leak check) that the jail and its supervisor's filter refuse by design.
CFLAGS_jail := -fno-sanitize=all
