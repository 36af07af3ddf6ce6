# The PLIC model.
SRCS_plic := util/snapbuf.c hw/plic.c util/lock.c util/futex.c
