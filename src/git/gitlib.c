/* gitlib.c - load libgit2 on demand (see gitlib.h). */
#include "git/gitlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LIBGIT2_SONAME
#define LIBGIT2_SONAME "libgit2.so"
#endif

static struct gitlib lib;
static int loaded; /* 0 not yet, 1 loaded, -1 failed */

int gitlib_load(const struct gitlib **ret, char **ret_err)
{
	if (loaded == 0) {
		void *h = dlopen(LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
		struct {
			void **slot;
			const char *name;
		} syms[] = {
#define GITLIB_SLOT(field, sym) { (void **)&lib.field, #sym },
			GITLIB_SYMBOLS(GITLIB_SLOT)
#undef GITLIB_SLOT
		};
		loaded = h ? 1 : -1;
		for (size_t i = 0; loaded == 1 && i < sizeof(syms) / sizeof(syms[0]); i++) {
			*syms[i].slot = dlsym(h, syms[i].name);
			if (!*syms[i].slot)
				loaded = -1;
		}
		if (loaded == 1 && lib.libgit2_init() < 0)
			loaded = -1;
	}
	if (loaded < 0) {
		const char *why = dlerror();
		if (asprintf(ret_err, "cannot load %s: %s", LIBGIT2_SONAME, why ? why : "missing symbols") < 0)
			*ret_err = NULL;
		return -ENOENT;
	}
	*ret = &lib;
	return 0;
}
