SRCS_insn := insn.c
