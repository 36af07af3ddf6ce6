# virtio-net over a tap (a socketpair in the test), behind the virtio-mmio transport.
SRCS_virtio_net := virtio_net.c virtio_dev.c virtio_mmio.c virtq.c
