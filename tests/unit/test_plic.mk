# The PLIC model.
SRCS_plic := plic.c
