/* Test harness: registration, checks, trap capture, mode switches. Each
 * test is one function that runs code in the modes it needs (HS directly,
 * HU/VS/VU through the run helpers) and asserts on what the handlers saw. */
#ifndef DVEXT_HARNESS_H
#define DVEXT_HARNESS_H

#include <stdint.h>
#include "csr.h"
#include "hart.h"
#include "print.h"

/* Test flags. */
#define T_ANY	 0 /* runs with DV-Ext present or absent */
#define T_DV	 1 /* needs DV-Ext: reported SKIP when absent */
#define T_ABSENT 2 /* only meaningful without DV-Ext */

struct test {
	const char *name;
	const char *rules;
	int flags;
	void (*fn)(void);
};

#define TEST(fname, rules_, flags_)                                                                \
	static void fname(void);                                                                   \
	static const struct test __test_##fname                                                    \
	    __attribute__((used, section(".dvtests"), aligned(8))) = {#fname, rules_, flags_,      \
								      fname};                      \
	static void fname(void)

extern int dvext_present;
extern volatile int test_failed;

void check_failed(int line, const char *what, uint64_t expected, uint64_t actual);
void check_msg(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CHECK_EQ(actual, expected)                                                                 \
	do {                                                                                       \
		uint64_t __a = (uint64_t)(actual), __e = (uint64_t)(expected);                     \
		if (__a != __e)                                                                    \
			check_failed(__LINE__, #actual, __e, __a);                                 \
	} while (0)
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			check_msg(__LINE__, "%s is false", #cond);                                 \
	} while (0)

/* Trap capture (any level, any mode of this hart). */
void catch_begin(void);
int catch_end(void); /* returns the number of traps recorded */
const struct trap_rec *trap_at(int i);
/* Checks that exactly one trap was recorded, at `level` with `cause`;
 * returns it (or a zeroed record after reporting the mismatch). */
const struct trap_rec *expect_trap(int line, int level, uint64_t cause);
void expect_no_trap(int line);
#define EXPECT_TRAP(level, cause) expect_trap(__LINE__, level, cause)
#define EXPECT_NO_TRAP()	  expect_no_trap(__LINE__)

/* Mode switches. fn runs in the target mode with arg; its return value is
 * handed back. */
enum mode { MODE_U, MODE_VS, MODE_VU };
typedef uint64_t (*body_fn)(uint64_t);
/* HS: sret into U (with hdvctl as set), or into VS/VU through hgatp (EN=0)
 * or hugatp (EN=1). A guest exit that lands in HS ends it too. */
uint64_t hs_run(enum mode m, body_fn fn, uint64_t arg);
/* HU: HURET into VS or VU; returns at the guest's exit to HU. */
uint64_t hu_run_guest(enum mode m, body_fn fn, uint64_t arg);
/* Leave a guest or U body early (exit with value). */
void guest_exit(uint64_t v) __attribute__((noreturn));

/* DV-Ext set-up from HS: gate on, all causes delegated, the default
 * stage 2 in hugatp, PMC over the whole image, HU vectors. */
void dv_setup(void);
void dv_reset(void);  /* every DV-Ext register back to 0, H state to defaults */
uint64_t u_vec(void); /* the HU trap vector (utvec value) */

/* Hart 1: run fn(arg) in HS there; returns 0 if it finished in time. */
int hart1_call(body_fn fn, uint64_t arg, uint64_t timeout_ticks, uint64_t *result);
int hart1_post(body_fn fn, uint64_t arg); /* start it; then hart1_wait() */
int hart1_wait(uint64_t timeout_ticks, uint64_t *result);

void delay_ticks(uint64_t ticks);

#define TICKS_PER_MS 10000UL /* virt: 10 MHz timebase */

#endif
