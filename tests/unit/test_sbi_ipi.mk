# SBI IPI and RFENCE on the scripted backend.
SRCS_sbi_ipi = $(FAKE_CORE)
HELPERS_sbi_ipi = $(FAKE_HELPERS)
