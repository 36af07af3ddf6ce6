# SBI dispatch, errors, BASE and the v0.1 calls, on the scripted backend.
SRCS_sbi = $(FAKE_CORE)
HELPERS_sbi = $(FAKE_HELPERS)
