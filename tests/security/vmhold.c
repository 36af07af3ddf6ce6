// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmhold: take VM slots of /dev/duvisor and keep them, as other hypervisor
 * processes would (stress_cases.py, "the driver's limit"). Each open of
 * the device is a VM (docs/driver-abi.md) holding one of the driver's
 * DUVISOR_MAX_VMS vIPI windows, memory or not.
 *
 *   vmhold MAX [BYTES]
 *
 * opens the device until MAX are open or an open fails, maps BYTES of
 * guest memory from the first (0: none), prints "VMHOLD <opened> <errno
 * name or ok>", then keeps them open until a line (or end of file)
 * arrives on its standard input. A small mapping leaves the CMA area
 * where it is not 16 KiB aligned for the next VM's regions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int max = argc >= 2 && argc <= 3 ? atoi(argv[1]) : 0, n = 0, err = 0, fd, first = -1;
	long bytes = argc == 3 ? atol(argv[2]) : 0;
	char c;

	if (max <= 0 || bytes < 0) {
		fprintf(stderr, "usage: vmhold MAX [BYTES]\n");
		return 2;
	}
	for (; n < max; n++) {
		fd = open("/dev/duvisor", O_RDWR);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (first < 0)
			first = fd;
	}
	if (bytes && first >= 0 &&
	    mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_SHARED, first, 0) == MAP_FAILED)
		err = errno;
	printf("VMHOLD %d %s\n", n, err == EMFILE ? "EMFILE" : err ? strerror(err) : "ok");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
	return 0;
}
