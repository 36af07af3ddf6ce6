# virtio-rng, behind the virtio-mmio transport.
SRCS_virtio_rng := util/snapbuf.c virtio/rng.c virtio/dev.c virtio/transport.c virtio/transport_queue.c virtio/queue.c util/lock.c util/futex.c
