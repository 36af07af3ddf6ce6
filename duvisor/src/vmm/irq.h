/* SPDX-License-Identifier: GPL-2.0-only */
/* Interrupt lines between device models, the PLIC model and vCPUs. */
#ifndef DV_IRQ_H
#define DV_IRQ_H

#include <stdbool.h>

/* A level-triggered line: calling set(opaque, n, level) drives it. */
struct dv_irq_line {
	void (*set)(void *opaque, unsigned int n, bool level);
	void *opaque;
	unsigned int n;
};

static inline void dv_irq_set(const struct dv_irq_line *l, bool level)
{
	if (l->set)
		l->set(l->opaque, l->n, level);
}

#endif /* DV_IRQ_H */
