# The guest device tree builder.
SRCS_fdt := fdt_build.c
