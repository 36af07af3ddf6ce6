# The split virtqueue.
SRCS_virtq := virtio/queue.c
