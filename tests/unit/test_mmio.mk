SRCS_mmio := vmm/mmio.c
