# SBI HSM (start, stop, status, suspend) on the scripted backend.
SRCS_sbi_hsm = $(FAKE_CORE)
HELPERS_sbi_hsm = $(FAKE_HELPERS)
