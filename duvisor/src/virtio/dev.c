// SPDX-License-Identifier: GPL-2.0-only
/* Helpers the virtio device models share: see dev.h. */
#include <string.h>

#include "virtio/dev.h"

/* Walk to byte off: index of the segment holding it, *skip = offset inside. */
static unsigned int seek(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, uint64_t *skip)
{
	unsigned int i = 0;

	while (i < n && off >= s[i].len) {
		off -= s[i].len;
		i++;
	}
	*skip = off;
	return i;
}

static size_t copy(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, uint8_t *buf,
		   size_t len, int to_segs)
{
	uint64_t skip;
	unsigned int i = seek(s, n, off, &skip);
	size_t done = 0;

	for (; i < n && done < len; i++, skip = 0) {
		size_t chunk = s[i].len - skip;

		if (chunk > len - done)
			chunk = len - done;
		if (to_segs)
			memcpy((uint8_t *)s[i].ptr + skip, buf + done, chunk);
		else
			memcpy(buf + done, (uint8_t *)s[i].ptr + skip, chunk);
		done += chunk;
	}
	return done;
}

size_t dv_segs_read(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, void *buf,
		    size_t len)
{
	return copy(s, n, off, buf, len, 0);
}

size_t dv_segs_write(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, const void *buf,
		     size_t len)
{
	return copy(s, n, off, (uint8_t *)buf, len, 1);
}

unsigned int dv_segs_iov(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, uint64_t len,
			 struct iovec *iov, unsigned int max)
{
	uint64_t skip;
	unsigned int i = seek(s, n, off, &skip), k = 0;

	for (; i < n && len && k < max; i++, skip = 0) {
		uint64_t chunk = s[i].len - skip;

		if (chunk > len)
			chunk = len;
		iov[k].iov_base = (uint8_t *)s[i].ptr + skip;
		iov[k].iov_len = chunk;
		k++;
		len -= chunk;
	}
	return k;
}
