// SPDX-License-Identifier: GPL-2.0-only
/* virtio-rng: see rng.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "virtio/rng.h"

#define BIT64(n) (1ull << (n))

/* dv_vdev_notify() serves through a void pointer */
static void serve_any(void *dev)
{
	dv_vrng_serve(dev);
}

static void rng_notify(void *opaque, unsigned int queue)
{
	struct dv_vrng *r = opaque;

	dv_vdev_notify(&r->pending, queue, &r->kick, serve_any, r);
}

static const struct dv_virtio_dev_ops rng_ops = {
    .device_id = VIRTIO_ID_RNG,
    .features = BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX),
    .nqueues = 1,
    .queue_max = DV_VRNG_QUEUE_SIZE,
    .notify = rng_notify,
};

int dv_vrng_init(struct dv_vrng *r, const struct dv_guest_mem *mem, struct dv_irq_line irq,
		 struct dv_vdev_kick kick)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->req = malloc(sizeof(*r->req));
	if (!r->req)
		return -ENOMEM;
	r->kick = kick;
	rc = dv_virtio_mmio_init(&r->t, mem, &rng_ops, r, irq);
	if (rc) {
		free(r->req);
		r->req = NULL;
	}
	return rc;
}

void dv_vrng_destroy(struct dv_vrng *r)
{
	dv_virtio_mmio_destroy(&r->t);
	free(r->req);
	r->req = NULL;
}

/*
 * Fill up to DV_VRNG_MAX_REQ bytes of the request's writable buffers from
 * the host's CRNG, without blocking: the bytes filled, or -EAGAIN while the
 * host's CRNG is not seeded yet (early after the host booted).
 */
static int64_t fill(struct dv_virtq_req *q)
{
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < q->nwrite && done < DV_VRNG_MAX_REQ; i++) {
		uint8_t *p = q->write[i].ptr;
		uint32_t want = q->write[i].len, got = 0;

		if (want > DV_VRNG_MAX_REQ - done)
			want = DV_VRNG_MAX_REQ - done;
		while (got < want) {
			ssize_t n = getrandom(p + got, want - got, GRND_NONBLOCK);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN && !done && !got)
				return -EAGAIN;
			if (n <= 0)
				return done + got;
			got += (uint32_t)n;
		}
		done += got;
	}
	return done;
}

bool dv_vrng_serve(struct dv_vrng *r)
{
	bool pushed = false;
	int64_t n;

	dv_vdev_take(&r->pending);
	for (;;) {
		if (r->held && r->held_gen != dv_virtio_mmio_generation(&r->t))
			r->held =
			    false; /* the driver reset the queue meanwhile: its buffer is gone */
		if (!r->held) {
			if (dv_virtio_mmio_pop(&r->t, 0, r->req, &r->held_gen) != 1)
				break;
			r->held = true;
		}
		n = fill(r->req);
		if (n == -EAGAIN)
			break; /* keep the request: the caller retries later */
		r->held = false;
		if (!dv_virtio_mmio_push(&r->t, 0, r->held_gen, r->req->head, (uint32_t)n)) {
			pushed = true;
			r->bytes += (uint64_t)n;
		}
	}
	if (pushed)
		dv_virtio_mmio_signal_used(&r->t, 0);
	return r->held;
}
