# The split virtqueue.
SRCS_virtq := virtq.c
