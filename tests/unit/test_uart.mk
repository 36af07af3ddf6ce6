# The ns16550a UART model.
SRCS_uart := uart.c
