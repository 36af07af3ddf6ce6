# The virtio-mmio transport.
SRCS_virtio_mmio := virtio/transport.c virtio/queue.c
