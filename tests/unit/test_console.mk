# The host console: guest output standard output does not take.
SRCS_console := vmm/console.c
