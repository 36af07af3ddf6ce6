# virtio-blk over a file, behind the virtio-mmio transport.
SRCS_virtio_blk := virtio_blk.c virtio_dev.c virtio_mmio.c virtq.c
