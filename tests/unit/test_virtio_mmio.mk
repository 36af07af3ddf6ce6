# The virtio-mmio transport.
SRCS_virtio_mmio := virtio/transport.c virtio/transport_queue.c virtio/queue.c util/lock.c util/futex.c
