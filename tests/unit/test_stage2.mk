# The Sv39x4 stage-2 table builder of the DV-Ext backend.
SRCS_stage2 := backend/dvext/stage2.c
