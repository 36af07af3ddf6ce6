# The virtio-mmio transport.
SRCS_virtio_mmio := virtio_mmio.c virtq.c
