# The ns16550a UART model.
SRCS_uart := util/snapbuf.c hw/uart.c util/lock.c util/futex.c
