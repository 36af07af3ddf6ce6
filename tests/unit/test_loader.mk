# The Linux Image loader.
SRCS_loader := boot/loader.c
