// SPDX-License-Identifier: GPL-2.0-only
/* The backends built into duvisor, by name. */
#include <stddef.h>
#include <string.h>

#include "backend/backend.h"

static const struct dv_backend_ops *const dv_backends[] = {
    &dv_dvext_backend,
    &dv_kvm_backend,
};

const struct dv_backend_ops *dv_backend_find(const char *name)
{
	for (size_t i = 0; i < sizeof(dv_backends) / sizeof(dv_backends[0]); i++)
		if (!strcmp(dv_backends[i]->name, name))
			return dv_backends[i];
	return NULL;
}
