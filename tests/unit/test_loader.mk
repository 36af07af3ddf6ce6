# The Linux Image loader.
SRCS_loader := loader.c
