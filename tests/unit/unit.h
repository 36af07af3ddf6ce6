/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal unit-test harness for duvisor's portable core, built natively.
 *
 *   UT_TEST(name) { UT_CHECK(x == 1, "x is %d", x); ... }
 *   UT_MAIN()
 *
 * Each test prints "PASS name" or "FAIL name: why" (every failed check is
 * shown); the program ends with "N passed, N failed" and exits non-zero if
 * anything failed.
 */
#ifndef DV_UNIT_H
#define DV_UNIT_H

#include <stdio.h>
#include <stdlib.h>

struct ut_case {
	const char *name;
	void (*fn)(int *failed);
};

#define UT_MAX_CASES 256
extern struct ut_case ut_cases[UT_MAX_CASES];
extern int ut_ncases;

#define UT_TEST(name)                                                                              \
	static void ut_##name(int *ut_failed);                                                     \
	__attribute__((constructor)) static void ut_register_##name(void)                          \
	{                                                                                          \
		if (ut_ncases < UT_MAX_CASES)                                                      \
			ut_cases[ut_ncases++] = (struct ut_case){#name, ut_##name};                \
	}                                                                                          \
	static void ut_##name(int *ut_failed)

#define UT_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);          \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			*ut_failed = 1;                                                            \
		}                                                                                  \
	} while (0)

#define UT_MAIN()                                                                                  \
	struct ut_case ut_cases[UT_MAX_CASES];                                                     \
	int ut_ncases;                                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		int passed = 0, failed = 0;                                                        \
		for (int i = 0; i < ut_ncases; i++) {                                              \
			int f = 0;                                                                 \
			ut_cases[i].fn(&f);                                                        \
			printf("%s %s\n", f ? "FAIL" : "PASS", ut_cases[i].name);                  \
			f ? failed++ : passed++;                                                   \
		}                                                                                  \
		printf("%d passed, %d failed\n", passed, failed);                                  \
		return failed ? 1 : 0;                                                             \
	}

#endif /* DV_UNIT_H */
