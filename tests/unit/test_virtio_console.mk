# virtio-console, behind the virtio-mmio transport.
SRCS_virtio_console := virtio_console.c virtio_dev.c virtio_mmio.c virtq.c
