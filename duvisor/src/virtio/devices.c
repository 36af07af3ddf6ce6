// SPDX-License-Identifier: GPL-2.0-only
/* A VM's virtio devices: see vm_virtio.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vmm/console.h"
#include "hw/plic.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/net.h"
#include "virtio/rng.h"
#include "vmm/vm.h"
#include "virtio/devices.h"

enum dv_vdev_kind { VDEV_BLK, VDEV_NET, VDEV_RNG, VDEV_CONSOLE };

struct dv_vdev_slot {
	enum dv_vdev_kind kind;
	char name[24];
	struct dv_ioloop *loop;
	int fd;			    /* disk or tap, owned; -1: none */
	struct dv_io_handler kick;  /* eventfd: a vCPU notified a queue */
	struct dv_io_handler tap;   /* virtio-net: the tap is readable */
	struct dv_io_handler retry; /* virtio-rng: timerfd, the host's CRNG was not ready */
	pthread_t worker;	    /* virtio-blk: its own thread, blocking on kick.fd */
	bool has_worker;
	atomic_bool stop;
	bool tap_polled;
	union {
		struct dv_vblk blk;
		struct dv_vnet net;
		struct dv_vrng rng;
		struct dv_vcons cons;
	} u;
};

static struct dv_virtio_mmio *transport(struct dv_vdev_slot *s)
{
	switch (s->kind) {
	case VDEV_BLK:
		return &s->u.blk.t;
	case VDEV_NET:
		return &s->u.net.t;
	case VDEV_RNG:
		return &s->u.rng.t;
	default:
		return &s->u.cons.t;
	}
}

/* vCPU thread: hand the queue work to its server (a disk's worker, else the I/O thread) */
static void slot_kick(void *ctx)
{
	struct dv_vdev_slot *s = ctx;

	dv_eventfd_post(s->kick.fd);
}

/* Poll the tap for input only while the guest has somewhere to put it */
static void net_poll_tap(struct dv_vdev_slot *s)
{
	bool want = !dv_vnet_rx_stalled(&s->u.net);

	if (want != s->tap_polled && !dv_ioloop_modify(s->loop, &s->tap, want ? EPOLLIN : 0))
		s->tap_polled = want;
}

/* Queued terminal input into the guest's receive buffers, as much as they take */
static void feed_console(struct dv_vcons *c)
{
	uint8_t buf[256];
	size_t n, took;

	while ((n = dv_console_peek(buf, sizeof(buf))) > 0) {
		took = dv_vcons_input(c, buf, n);
		dv_console_consume(took);
		if (took < n)
			break;
	}
}

/* virtio-rng: a request that waits for the host's CRNG is tried again every RNG_RETRY_MS */
#define RNG_RETRY_MS 50

static void rng_serve(struct dv_vdev_slot *s)
{
	struct itimerspec its = {.it_value = {0, RNG_RETRY_MS * 1000000L}};

	if (dv_vrng_serve(&s->u.rng) && s->retry.fd >= 0)
		timerfd_settime(s->retry.fd, 0, &its, NULL);
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
	while (getrandom(&b, 1, 0) < 0 && errno == EINTR)
		;
	return NULL;
}

static void rng_seed_host(void)
{
	pthread_t t;
	uint8_t b;

	if (getrandom(&b, 1, GRND_NONBLOCK) == 1 || errno != EAGAIN)
		return;
	if (!pthread_create(&t, NULL, rng_seed_wait, NULL))
		pthread_detach(t);
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

static void slot_serve(struct dv_io_handler *h, uint32_t events)
{
	struct dv_vdev_slot *s = h->opaque;

	(void)events;
	dv_eventfd_drain(h->fd);
	switch (s->kind) {
	case VDEV_BLK: /* not in the loop: blk_worker() serves disks */
		break;
	case VDEV_NET:
		dv_vnet_serve(&s->u.net);
		net_poll_tap(s);
		break;
	case VDEV_RNG:
		rng_serve(s);
		break;
	case VDEV_CONSOLE:
		dv_vcons_serve(&s->u.cons);
		/* New receive buffers may take input that waited */
		feed_console(&s->u.cons);
		break;
	}
}

static void tap_readable(struct dv_io_handler *h, uint32_t events)
{
	struct dv_vdev_slot *s = h->opaque;

	(void)events;
	dv_vnet_rx(&s->u.net);
	net_poll_tap(s);
}

static void console_out(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	dv_console_write(buf, len);
}

static void default_mac(unsigned int index, uint8_t mac[6])
{
	pid_t pid = getpid();

	/* Locally administered, unicast; differs between duvisor processes */
	mac[0] = 0x02;
	mac[1] = 0x64; /* 'd' */
	mac[2] = (uint8_t)(pid >> 16);
	mac[3] = (uint8_t)(pid >> 8);
	mac[4] = (uint8_t)pid;
	mac[5] = (uint8_t)index;
}

static const char *basename_of(const char *path)
{
	const char *p = strrchr(path, '/');

	return p ? p + 1 : path;
}

/*
 * A disk's requests are served on a thread of its own, so a slow write or
 * fdatasync() delays neither the network nor the console, and disks work
 * in parallel. Its interrupts reach vCPUs like any other (the I/O thread
 * rings the doorbells this thread cannot).
 */
static void *blk_worker(void *arg)
{
	struct dv_vdev_slot *s = arg;
	sigset_t all;
	uint64_t n;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		if (read(s->kick.fd, &n, sizeof(n)) < 0 && errno == EINTR)
			continue;
		if (atomic_load(&s->stop))
			break;
		dv_vblk_serve(&s->u.blk);
	}
	return NULL;
}

static int add_slot(struct dv_vm *vm, struct dv_ioloop *loop, struct dv_vm_virtio *v,
		    struct dv_vdev_slot *s, unsigned int index)
{
	uint64_t base = DV_VIRTIO_BASE + (uint64_t)v->n * DV_VIRTIO_STRIDE;
	uint32_t irq = DV_VIRTIO_IRQ + v->n;
	struct dv_irq_line line = {dv_plic_line_set, vm->plic, irq};
	struct dv_vdev_kick kick = {slot_kick, s};
	const struct dv_config *cfg = vm->cfg;
	uint8_t mac[6];
	int rc;

	s->loop = loop;
	/* A disk's worker blocks on its kick; the I/O loop's fds do not block */
	s->kick = (struct dv_io_handler){.fd = s->kind == VDEV_BLK ? eventfd(0, EFD_CLOEXEC)
								   : dv_eventfd_new(),
					 .fn = slot_serve,
					 .opaque = s};
	if (s->kick.fd < 0)
		return s->kind == VDEV_BLK ? -errno : s->kick.fd;
	switch (s->kind) {
	case VDEV_BLK:
		rc = dv_vblk_init(&s->u.blk, &vm->mem, line, s->fd, cfg->disks[index].readonly,
				  basename_of(cfg->disks[index].path), kick);
		break;
	case VDEV_NET:
		if (cfg->nets[index].has_mac)
			memcpy(mac, cfg->nets[index].mac, 6);
		else
			default_mac(index, mac);
		rc = dv_vnet_init(&s->u.net, &vm->mem, line, s->fd, mac, kick);
		break;
	case VDEV_RNG:
		rc = dv_vrng_init(&s->u.rng, &vm->mem, line, kick);
		break;
	default:
		rc = dv_vcons_init(&s->u.cons, &vm->mem, line, console_out, NULL, kick);
		break;
	}
	if (rc)
		return rc;
	v->slot[v->n] = s;
	v->fdt[v->n] = (struct dv_fdt_virtio){base, DV_VIRTIO_MMIO_SIZE, irq};
	v->n++;
	rc = dv_mmio_register(&vm->mmio, s->name, base, DV_VIRTIO_MMIO_SIZE, &dv_virtio_mmio_ops,
			      transport(s));
	if (!rc && s->kind == VDEV_BLK) {
		rc = -pthread_create(&s->worker, NULL, blk_worker, s);
		s->has_worker = !rc;
	} else if (!rc) {
		rc = dv_ioloop_add(loop, &s->kick, EPOLLIN);
	}
	if (!rc && s->kind == VDEV_RNG) {
		s->retry = (struct dv_io_handler){
		    .fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
		    .fn = rng_retry,
		    .opaque = s};
		rc = s->retry.fd < 0 ? -errno : dv_ioloop_add(loop, &s->retry, EPOLLIN);
		rng_seed_host();
	}
	if (!rc && s->kind == VDEV_NET) {
		s->tap = (struct dv_io_handler){.fd = s->fd, .fn = tap_readable, .opaque = s};
		rc = dv_ioloop_add(loop, &s->tap, EPOLLIN);
		s->tap_polled = !rc;
	}
	return rc;
}

static struct dv_vdev_slot *new_slot(enum dv_vdev_kind kind, const char *name, unsigned int i)
{
	struct dv_vdev_slot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	s->fd = -1;
	s->kick.fd = -1;
	s->retry.fd = -1;
	snprintf(s->name, sizeof(s->name), "%s%u", name, i);
	return s;
}

int dv_vm_virtio_create(struct dv_vm *vm, struct dv_ioloop *loop, struct dv_vm_virtio *v)
{
	const struct dv_config *cfg = vm->cfg;
	struct dv_vdev_slot *s;
	const char *why;
	unsigned int i;
	int rc;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < cfg->ndisks; i++) {
		s = new_slot(VDEV_BLK, "virtio-blk", i);
		if (!s)
			return DV_EXIT_FAILURE;
		rc = dv_vblk_open(cfg->disks[i].path, cfg->disks[i].readonly);
		if (rc < 0) {
			fprintf(stderr, "duvisor: --disk %s: %s\n", cfg->disks[i].path,
				rc == -EBUSY ? "in use by another process (locked)"
					     : strerror(-rc));
			free(s);
			return rc == -EBUSY ? DV_EXIT_FAILURE : DV_EXIT_FILE;
		}
		s->fd = rc;
		rc = add_slot(vm, loop, v, s, i);
		if (rc)
			goto fail;
	}
	for (i = 0; i < cfg->nnets; i++) {
		s = new_slot(VDEV_NET, "virtio-net", i);
		if (!s)
			return DV_EXIT_FAILURE;
		s->fd = dv_tap_open(cfg->nets[i].tap, &why);
		if (s->fd < 0) {
			fprintf(stderr, "duvisor: --net tap=%s: %s: %s\n", cfg->nets[i].tap, why,
				strerror(-s->fd));
			free(s);
			return DV_EXIT_FAILURE;
		}
		rc = add_slot(vm, loop, v, s, i);
		if (rc)
			goto fail;
	}
	s = new_slot(VDEV_RNG, "virtio-rng", 0);
	if (!s)
		return DV_EXIT_FAILURE;
	rc = add_slot(vm, loop, v, s, 0);
	if (rc)
		goto fail;
	if (cfg->console == DV_CONSOLE_VIRTIO) {
		s = new_slot(VDEV_CONSOLE, "virtio-console", 0);
		if (!s)
			return DV_EXIT_FAILURE;
		rc = add_slot(vm, loop, v, s, 0);
		if (rc)
			goto fail;
		v->console = &s->u.cons;
	}
	return 0;
fail:
	fprintf(stderr, "duvisor: %s: %s\n", s->name, strerror(-rc));
	if (v->n == 0 || v->slot[v->n - 1] != s) {
		if (s->fd >= 0)
			close(s->fd);
		if (s->kick.fd >= 0)
			close(s->kick.fd);
		free(s);
	}
	return DV_EXIT_FAILURE;
}

void dv_vm_virtio_destroy(struct dv_vm_virtio *v)
{
	for (unsigned int i = 0; i < v->n; i++) {
		struct dv_vdev_slot *s = v->slot[i];

		if (s->has_worker) {
			atomic_store(&s->stop, true);
			dv_eventfd_post(s->kick.fd);
			pthread_join(s->worker, NULL); /* after the request it may be serving */
		}
		switch (s->kind) {
		case VDEV_BLK:
			dv_vblk_destroy(&s->u.blk);
			break;
		case VDEV_NET:
			dv_vnet_destroy(&s->u.net);
			break;
		case VDEV_RNG:
			dv_vrng_destroy(&s->u.rng);
			break;
		case VDEV_CONSOLE:
			dv_vcons_destroy(&s->u.cons);
			break;
		}
		if (s->fd >= 0)
			close(s->fd); /* a disk's data is on the file: writes were pwritev()s */
		if (s->kick.fd >= 0)
			close(s->kick.fd);
		if (s->retry.fd >= 0)
			close(s->retry.fd);
		free(s);
	}
	v->n = 0;
}

void dv_vm_virtio_console_feed(struct dv_vm_virtio *v)
{
	if (v->console)
		feed_console(v->console);
}

void dv_vm_virtio_print_stats(struct dv_vm_virtio *v, FILE *f)
{
	for (unsigned int i = 0; i < v->n; i++) {
		struct dv_vdev_slot *s = v->slot[i];
		struct dv_virtio_mmio *t = transport(s);

		fprintf(f, "duvisor: %s: status %#x, %llu notifies, %llu interrupts\n", s->name,
			t->status, (unsigned long long)t->notifies,
			(unsigned long long)t->interrupts);
		switch (s->kind) {
		case VDEV_BLK: {
			const struct dv_vblk_stats *b = &s->u.blk.stats;

			fprintf(f,
				"duvisor: %s: %llu reads (%llu bytes), %llu writes (%llu bytes), "
				"%llu flushes, %llu errors\n",
				s->name, (unsigned long long)b->reads,
				(unsigned long long)b->read_bytes, (unsigned long long)b->writes,
				(unsigned long long)b->written_bytes,
				(unsigned long long)b->flushes, (unsigned long long)b->errors);
			break;
		}
		case VDEV_NET: {
			const struct dv_vnet_stats *n = &s->u.net.stats;

			fprintf(
			    f,
			    "duvisor: %s: rx %llu packets %llu bytes %llu dropped (%llu stale), "
			    "tx %llu packets %llu bytes %llu dropped\n",
			    s->name, (unsigned long long)n->rx_packets,
			    (unsigned long long)n->rx_bytes, (unsigned long long)n->rx_dropped,
			    (unsigned long long)n->rx_stale, (unsigned long long)n->tx_packets,
			    (unsigned long long)n->tx_bytes, (unsigned long long)n->tx_dropped);
			break;
		}
		case VDEV_RNG:
			fprintf(f, "duvisor: %s: %llu bytes\n", s->name,
				(unsigned long long)s->u.rng.bytes);
			break;
		case VDEV_CONSOLE:
			fprintf(f, "duvisor: %s: in %llu bytes, out %llu bytes\n", s->name,
				(unsigned long long)s->u.cons.rx_bytes,
				(unsigned long long)s->u.cons.tx_bytes);
			break;
		}
	}
}
