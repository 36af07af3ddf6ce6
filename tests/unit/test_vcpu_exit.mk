# The vCPU's exit dispatch and run loop (vmm/vcpu.c) on the scripted backend.
SRCS_vcpu_exit = util/snapbuf.c $(FAKE_CORE) hw/plic.c util/lock.c
HELPERS_vcpu_exit = $(FAKE_HELPERS)
