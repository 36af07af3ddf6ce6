# The PLIC model.
SRCS_plic := hw/plic.c util/lock.c util/futex.c
