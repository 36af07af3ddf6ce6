# The board's device registry, with fake device kinds.
SRCS_device := util/snapbuf.c vmm/device.c vmm/devalloc.c vmm/mmio.c api/json.c
