# virtio-net over a tap (a socketpair in the test), behind the virtio-mmio transport.
SRCS_virtio_net := util/snapbuf.c virtio/net.c virtio/dev.c virtio/transport.c virtio/transport_queue.c virtio/queue.c util/lock.c util/futex.c
