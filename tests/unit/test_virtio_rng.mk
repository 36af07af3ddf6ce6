# virtio-rng, behind the virtio-mmio transport.
SRCS_virtio_rng := virtio_rng.c virtio_dev.c virtio_mmio.c virtq.c
