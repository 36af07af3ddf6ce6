# SBI dispatch and the BASE extension; the other handlers are stubs in the test.
SRCS_sbi := sbi/sbi.c
