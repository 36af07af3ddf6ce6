# virtio-blk over a file, behind the virtio-mmio transport.
SRCS_virtio_blk := util/snapbuf.c virtio/blk.c virtio/dev.c virtio/transport.c virtio/transport_queue.c virtio/queue.c util/lock.c util/futex.c
