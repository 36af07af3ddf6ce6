SRCS_mmio := mmio.c
