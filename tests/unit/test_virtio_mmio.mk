# The virtio-mmio transport.
SRCS_virtio_mmio := util/snapbuf.c virtio/transport.c virtio/transport_queue.c virtio/queue.c util/lock.c util/futex.c
