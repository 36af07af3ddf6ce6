// SPDX-License-Identifier: GPL-2.0-only
/*
 * seedrng: credits the host kernel's entropy pool with 256 fixed bits
 * (RNDADDENTROPY), so that its CRNG is ready at once. For make bench only:
 * an emulated host under -icount would take about 10^9 instructions to
 * seed itself, and meanwhile duvisor starts a thread that waits for it in
 * getrandom(), whose jitter-entropy loop runs inside the timed windows.
 * The bytes are fixed so that runs repeat; nothing here needs secrecy.
 */
#include <fcntl.h>
#include <linux/random.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[32];
	} seed;
	int fd = open("/dev/random", O_WRONLY);

	if (fd < 0) {
		perror("seedrng: /dev/random");
		return 1;
	}
	for (unsigned int i = 0; i < sizeof(seed.buf); i++)
		seed.buf[i] = (unsigned char)(i * 151 + 7);
	seed.info.entropy_count = 8 * sizeof(seed.buf);
	seed.info.buf_size = sizeof(seed.buf);
	if (ioctl(fd, RNDADDENTROPY, &seed) < 0) {
		perror("seedrng: RNDADDENTROPY");
		return 1;
	}
	close(fd);
	return 0;
}
