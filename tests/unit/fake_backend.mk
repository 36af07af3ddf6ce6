# The core a test links with the scripted backend (fake_backend.c): the
# vCPU exit dispatch and every SBI extension, with what they call
# (fake_backend.c stands in for vmm/vm.c's dv_vm_stop and vmm/crash.c).
FAKE_CORE := $(patsubst $(CORE)/%,%,$(wildcard $(CORE)/sbi/*.c)) vmm/vcpu.c vmm/mmio.c \
	     vmm/console.c vmm/ioloop.c vmm/pause.c vmm/sandbox.c vmm/seccomp.c util/futex.c
FAKE_HELPERS := fake_backend.c
