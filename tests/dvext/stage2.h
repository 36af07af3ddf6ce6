/* G-stage (Sv39x4) page tables built by the tests. Every table maps the
 * test image identity (GPA = HPA, 0x80000000..OUT_BASE, 2 MiB leaves) so
 * guests can run the program's own code; tests add 4 KiB mappings at
 * GPA_TEST and up. Leaves are U=1 (G-stage requires it) with A/D set. */
#ifndef DVEXT_STAGE2_H
#define DVEXT_STAGE2_H

#include <stdint.h>

#define PTE_V	(1UL << 0)
#define PTE_R	(1UL << 1)
#define PTE_W	(1UL << 2)
#define PTE_X	(1UL << 3)
#define PTE_U	(1UL << 4)
#define PTE_A	(1UL << 6)
#define PTE_D	(1UL << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)

#define RAM_BASE 0x80000000UL
/* Host pages the default PMC range does not cover (inside RAM, PMP open). */
#define OUT_BASE    0x88000000UL
#define OUT_PAGE(n) (OUT_BASE + 4096UL * (n))
/* GPAs for test mappings: root index 1, so they get their own L1/L0. */
#define GPA_TEST(n) (0x40000000UL + 4096UL * (n))

#define S2_ROOTS 4
struct s2 {
	uint64_t *root;
};

/* Root i (0..S2_ROOTS-1): cleared and given the identity map. */
struct s2 s2_new(int i);
void s2_reset_pool(void);
void s2_map(struct s2 t, uint64_t gpa, uint64_t hpa, uint64_t perm);
uint64_t *s2_leaf(struct s2 t, uint64_t gpa); /* 4 KiB leaf PTE, or 0 */
uint64_t s2_atp(struct s2 t);		      /* Sv39x4 hgatp/hugatp value */

/* Where the tables live (for PMC tests). */
extern char __pt_start[], __pt_pool[], __pt_end[];

/* PMC ranges (HS only). */
void pmc_set(int n, uint64_t base, uint64_t size);
uint64_t pmc_get_base(int n);
uint64_t pmc_get_size(int n);
void pmc_clear(void);
void pmc_default(void); /* range 0 = [RAM_BASE, OUT_BASE) */

/* Two 4 KiB data pages inside the image. */
extern uint64_t page_a[512], page_b[512];

#endif
