# The seccomp sandbox of duvisor's threads, natively (the filters check the build's arch).
SRCS_sandbox := vmm/sandbox.c vmm/seccomp.c
