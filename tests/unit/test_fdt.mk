# The guest device tree builder.
SRCS_fdt := boot/fdt.c
