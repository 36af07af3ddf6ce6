# The jail's resource limits (pure, then applied in a child).
SRCS_jail_limits := jail/limits.c
