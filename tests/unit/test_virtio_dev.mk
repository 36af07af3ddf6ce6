# Helpers the virtio device models share.
SRCS_virtio_dev := virtio/dev.c
