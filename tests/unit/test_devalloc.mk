# The allocator of MMIO windows and PLIC sources.
SRCS_devalloc := vmm/devalloc.c
