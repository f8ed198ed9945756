/* dl.c - a shared library loaded on demand (see dl.h). */
#include "base/dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int dl_load(const char *soname, const struct dl_sym *syms, size_t n, void **ret_handle, char **ret_err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	const char *why = NULL;
	if (!h)
		why = dlerror();
	for (size_t i = 0; h && i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot) {
			why = dlerror();
			break;
		}
	}
	if (h && !why) {
		*ret_handle = h;
		return 0;
	}
	if (asprintf(ret_err, "cannot load %s: %s", soname, why ? why : "a symbol is missing") < 0)
		*ret_err = NULL;
	return -ENOENT;
}
