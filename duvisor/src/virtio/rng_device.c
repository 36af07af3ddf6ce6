// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-rng as a device of the VM: always there, served by the I/O
 * thread's loop. Entropy never blocks that loop: while the host's CRNG is
 * unseeded a request waits and is tried again from a timerfd.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/snapbuf.h"
#include "api/json.h"
#include "cli/cli.h"
#include "vmm/vm.h"
#include "virtio/devices.h"
#include "virtio/rng.h"
#include "vmm/sandbox.h"

/* A request that waits for the host's CRNG is tried again every RNG_RETRY_MS */
#define RNG_RETRY_MS 50

struct rng_device {
	struct dv_vdev v; /* first: the shared part */
	struct dv_vrng rng;
	bool model;
	struct dv_io_handler retry; /* timerfd; -1: none */
};

static void rng_serve(struct rng_device *r)
{
	struct itimerspec its = {.it_value = {0, RNG_RETRY_MS * 1000000L}};

	if (dv_vrng_serve(&r->rng) && r->retry.fd >= 0)
		timerfd_settime(r->retry.fd, 0, &its, NULL);
}

static void rng_kicked(struct dv_io_handler *h, uint32_t events)
{
	(void)events;
	dv_eventfd_drain(h->fd);
	rng_serve(h->opaque);
}

static void rng_retry(struct dv_io_handler *h, uint32_t events)
{
	uint64_t expirations;

	(void)events;
	if (read(h->fd, &expirations, sizeof(expirations)) < 0) {
		/* EAGAIN: a stale wake-up */
	}
	rng_serve(h->opaque);
}

/*
 * The host's CRNG seeds itself (jitter entropy) only while someone waits
 * for it: a thread of its own does that wait, so the I/O thread never does.
 */
static void *rng_seed_wait(void *arg)
{
	sigset_t all;
	uint8_t b;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	dv_sandbox_thread(DV_THREAD_IO);
	while (getrandom(&b, 1, 0) < 0 && errno == EINTR)
		;
	return NULL;
}

static int rng_create(struct dv_vm *vm, struct dv_device *dev)
{
	struct rng_device *r = dv_vdev_new(dev, sizeof(*r));
	struct dv_vdev_kick kick;
	int rc;

	if (!r)
		return DV_EXIT_FAILURE;
	r->retry.fd = -1;
	rc = dv_vdev_kick_init(&r->v, vm->loop, rng_kicked, r, &kick);
	if (!rc)
		rc = dv_vrng_init(&r->rng, &vm->mem, dv_vm_irq_line(vm, dev->irq), kick);
	r->model = !rc;
	if (!rc)
		rc = dv_vdev_start(&r->v, dev, &r->rng.t);
	if (!rc) {
		r->retry = (struct dv_io_handler){
		    .fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
		    .fn = rng_retry,
		    .opaque = r};
		rc = r->retry.fd < 0 ? -errno : dv_ioloop_add(vm->loop, &r->retry, EPOLLIN);
	}
	return dv_vdev_created(dev, rc);
}

/* The seeding thread, if the CRNG needs one; without it requests still wait and retry */
static int rng_start(struct dv_device *dev)
{
	pthread_t t;
	uint8_t b;

	(void)dev;
	if (getrandom(&b, 1, GRND_NONBLOCK) == 1 || errno != EAGAIN)
		return 0;
	if (!pthread_create(&t, NULL, rng_seed_wait, NULL))
		pthread_detach(t);
	return 0;
}

static void rng_destroy(struct dv_device *dev)
{
	struct rng_device *r = dev->priv;

	if (!r)
		return;
	if (r->model)
		dv_vrng_destroy(&r->rng);
	if (r->retry.fd >= 0)
		close(r->retry.fd);
	dv_vdev_free(dev);
}

static void rng_stats(const struct dv_device *dev, FILE *f)
{
	const struct rng_device *r = dev->priv;

	dv_vdev_stats(dev, f);
	fprintf(f, "duvisor: %s: %llu bytes\n", dev->name, (unsigned long long)r->rng.bytes);
}

static void rng_counters(const struct dv_device *dev, struct dv_json *j)
{
	const struct rng_device *r = dev->priv;

	dv_vdev_counters(dev, j);
	dv_json_u64(j, "bytes", r->rng.bytes);
}

/*
 * A request held for the host's CRNG (right after the host booted) is the
 * last one popped and nothing was written to it: saved as not popped.
 */
static int rng_save(struct dv_device *dev, struct dv_snap_w *w)
{
	struct rng_device *r = dev->priv;
	bool held = r->rng.held && r->rng.held_gen == dv_virtio_mmio_generation(&r->rng.t);

	dv_virtio_mmio_save_unpopped(&r->rng.t, w, held ? 0 : -1);
	return 0;
}

const struct dv_device_ops dv_vrng_device = {
    .name = "virtio-rng",
    .mmio_size = DV_VIRTIO_MMIO_SIZE,
    .irq = DV_DEV_IRQ_ANY,
    .count = dv_device_one,
    .create = rng_create,
    .start = rng_start,
    .threads = 1, /* only while the host's CRNG is unseeded */
    .fdt = dv_vdev_fdt,
    .reset = dv_vdev_reset,
    .destroy = rng_destroy,
    .stats = rng_stats,
    .counters = rng_counters,
    .save = rng_save,
    .load = dv_vdev_load,
};
