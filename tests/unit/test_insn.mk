SRCS_insn := util/insn.c
