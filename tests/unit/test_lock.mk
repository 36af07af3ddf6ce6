# struct dv_lock, the futex mutex of the exit paths.
SRCS_lock := util/lock.c util/futex.c
