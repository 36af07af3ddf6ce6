# The ns16550a UART model.
SRCS_uart := hw/uart.c util/lock.c util/futex.c
