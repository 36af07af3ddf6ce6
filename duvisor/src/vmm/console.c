// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/console.h"

#define DV_CONSOLE_RING 4096

static struct {
	pthread_mutex_t lock;
	uint8_t ring[DV_CONSOLE_RING];
	size_t head, tail; /* tail - head bytes queued */
	bool escape;
	bool raw;
	bool handed; /* saved came from the image before (live upgrade) */
	struct termios saved;
} con = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Guest output standard output did not take, and why the first time */
static atomic_ullong con_lost;
static atomic_int con_lost_errno;

size_t dv_console_saved(void *buf, size_t len)
{
	if (!con.raw || len < sizeof(con.saved))
		return 0;
	memcpy(buf, &con.saved, sizeof(con.saved));
	return sizeof(con.saved);
}

void dv_console_take_saved(const void *buf, size_t len)
{
	if (len != sizeof(con.saved))
		return;
	memcpy(&con.saved, buf, sizeof(con.saved));
	con.handed = true;
}

int dv_console_init(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (!con.handed && tcgetattr(STDIN_FILENO, &con.saved) < 0)
		return -1;
	t = con.saved;
	cfmakeraw(&t);
	/* output untouched: the guest's tty layer already sends "\r\n" */
	t.c_oflag = con.saved.c_oflag;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return -1;
	con.raw = true;
	return 0;
}

void dv_console_restore(void)
{
	if (con.raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &con.saved);
		con.raw = false;
	}
}

/*
 * Output is dropped, not held, when standard output fails (a terminal that
 * went away, a full file system): say so once, so that a guest whose output
 * stops is not taken for a guest that stopped.
 */
static void dv_console_lost(size_t len, int err)
{
	int none = 0;

	atomic_fetch_add(&con_lost, len);
	if (atomic_compare_exchange_strong(&con_lost_errno, &none, err))
		fprintf(stderr, "\nduvisor: the guest's console output is being lost: %s\n",
			strerror(err));
}

void dv_console_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n <= 0) {
			dv_console_lost(len, n < 0 ? errno : EIO);
			return;
		}
		p += n;
		len -= n;
	}
}

unsigned long long dv_console_lost_bytes(void)
{
	return atomic_load(&con_lost);
}

void dv_console_report(void)
{
	unsigned long long n = atomic_load(&con_lost);

	if (n)
		fprintf(stderr, "duvisor: %llu bytes of the guest's console output lost (%s)\n", n,
			strerror(atomic_load(&con_lost_errno)));
}

static void dv_console_queue(uint8_t c)
{
	if (con.tail - con.head < DV_CONSOLE_RING)
		con.ring[con.tail++ % DV_CONSOLE_RING] = c;
}

bool dv_console_input(const uint8_t *buf, size_t len)
{
	bool go_on = true;
	size_t i;

	pthread_mutex_lock(&con.lock);
	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (con.escape) {
			con.escape = false;
			if (c == 'x' || c == 'X') {
				go_on = false;
				break;
			}
			if (c != DV_CONSOLE_ESCAPE)
				dv_console_queue(DV_CONSOLE_ESCAPE);
			dv_console_queue(c);
		} else if (c == DV_CONSOLE_ESCAPE) {
			con.escape = true;
		} else {
			dv_console_queue(c);
		}
	}
	pthread_mutex_unlock(&con.lock);
	return go_on;
}

int dv_console_getc(void)
{
	int c = -1;

	pthread_mutex_lock(&con.lock);
	if (con.tail != con.head)
		c = con.ring[con.head++ % DV_CONSOLE_RING];
	pthread_mutex_unlock(&con.lock);
	return c;
}

size_t dv_console_pending(void)
{
	size_t n;

	pthread_mutex_lock(&con.lock);
	n = con.tail - con.head;
	pthread_mutex_unlock(&con.lock);
	return n;
}

size_t dv_console_peek(uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&con.lock);
	while (n < len && con.head + n != con.tail) {
		buf[n] = con.ring[(con.head + n) % DV_CONSOLE_RING];
		n++;
	}
	pthread_mutex_unlock(&con.lock);
	return n;
}

void dv_console_consume(size_t len)
{
	pthread_mutex_lock(&con.lock);
	if (len > con.tail - con.head)
		len = con.tail - con.head;
	con.head += len;
	pthread_mutex_unlock(&con.lock);
}
