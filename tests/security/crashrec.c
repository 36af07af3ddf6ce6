// SPDX-License-Identifier: GPL-2.0-only
/*
 * crashrec: the guest side of the security suite's crash loop
 * (stress_cases.py). It appends batches of checksummed records to a new
 * file on the guest's disk and fsyncs after each batch; only once fsync
 * has returned does it print "SYNCED <run> <batch>". The host SIGKILLs
 * duvisor at a random moment and then checks, on a copy of the image, that
 * every batch up to the last one printed is there, record for record.
 *
 *   crashrec DIR RUN BATCHES PER_BATCH
 *
 * creates DIR/r<RUN> (O_EXCL), makes its directory entry durable (fsync of
 * the file and of DIR), prints "CRASHREC start run=<RUN>", then writes
 * BATCHES batches of PER_BATCH records and prints "CRASHREC done ...".
 *
 * A record is 256 bytes, little-endian:
 *   0 magic "DVCR" (0x52435644)   4 run   8 batch   12 index in batch
 *  16 seq (u64, batch * PER_BATCH + index)
 *  24 payload: 28 u64 of xorshift64 seeded from run and seq
 * 248 PER_BATCH   252 CRC-32 (IEEE, as zlib's crc32) of bytes 0..251
 * so a record cannot be mistaken for another one, from another run, or
 * for one at another place in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REC_SIZE      256
#define REC_MAGIC     0x52435644u
#define PAYLOAD_WORDS 28

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	while (len--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void record(uint8_t *r, uint32_t run, uint32_t batch, uint32_t index, uint32_t per_batch)
{
	uint64_t seq = (uint64_t)batch * per_batch + index;
	uint64_t s = ((uint64_t)run * 0x9e3779b97f4a7c15ull) ^ ((seq + 1) * 0xbf58476d1ce4e5b9ull);

	if (!s)
		s = 1;
	put32(r, REC_MAGIC);
	put32(r + 4, run);
	put32(r + 8, batch);
	put32(r + 12, index);
	put64(r + 16, seq);
	for (int i = 0; i < PAYLOAD_WORDS; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		put64(r + 24 + 8 * i, s);
	}
	put32(r + 248, per_batch);
	put32(r + 252, crc32(r, 252));
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static unsigned long arg(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v == 0 || v > 1000000) {
		fprintf(stderr, "crashrec: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	char path[4096];
	uint8_t *buf;
	unsigned long run, batches, per_batch;
	int fd, dfd;

	if (argc != 5) {
		fprintf(stderr, "usage: crashrec DIR RUN BATCHES PER_BATCH\n");
		return 2;
	}
	run = arg(argv[2], "run");
	batches = arg(argv[3], "batch count");
	per_batch = arg(argv[4], "records per batch");
	crc_init();
	buf = malloc(per_batch * REC_SIZE);
	if (!buf)
		return 1;
	snprintf(path, sizeof(path), "%s/r%lu", argv[1], run);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
	dfd = open(argv[1], O_RDONLY);
	if (fd < 0 || dfd < 0 || fsync(fd) || fsync(dfd)) {
		printf("CRASHREC error %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("CRASHREC start run=%lu\n", run);
	fflush(stdout);
	for (unsigned long b = 0; b < batches; b++) {
		for (unsigned long i = 0; i < per_batch; i++)
			record(buf + i * REC_SIZE, (uint32_t)run, (uint32_t)b, (uint32_t)i,
			       (uint32_t)per_batch);
		if (write_all(fd, buf, per_batch * REC_SIZE) || fsync(fd)) {
			printf("CRASHREC error batch %lu: %s\n", b, strerror(errno));
			return 1;
		}
		/* Only now is the batch known to be on the disk */
		printf("SYNCED %lu %lu\n", run, b);
		fflush(stdout);
	}
	printf("CRASHREC done run=%lu batches=%lu\n", run, batches);
	return 0;
}
