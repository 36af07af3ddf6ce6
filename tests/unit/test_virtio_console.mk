# virtio-console, behind the virtio-mmio transport.
SRCS_virtio_console := util/snapbuf.c virtio/console.c virtio/dev.c virtio/transport.c virtio/transport_queue.c virtio/queue.c util/lock.c util/futex.c
