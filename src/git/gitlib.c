/* gitlib.c - load libgit2 on demand (see gitlib.h). */
#include "git/gitlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"

#ifndef LIBGIT2_SONAME
#define LIBGIT2_SONAME "libgit2.so"
#endif

static struct gitlib lib;
static int loaded; /* 0 not yet, else the result of the first load */
static char *load_err;
static void *handle;

int gitlib_load(const struct gitlib **ret, char **ret_err)
{
	if (loaded == 0) {
		const struct dl_sym syms[] = {
#define GITLIB_SLOT(field, sym) { (void **)&lib.field, #sym },
			GITLIB_SYMBOLS(GITLIB_SLOT)
#undef GITLIB_SLOT
		};
		loaded = dl_load(LIBGIT2_SONAME, syms, sizeof(syms) / sizeof(syms[0]), &handle, &load_err);
		if (loaded == 0 && lib.libgit2_init() < 0) {
			loaded = -ENOENT;
			if (asprintf(&load_err, "cannot initialise %s", LIBGIT2_SONAME) < 0)
				load_err = NULL;
		}
		if (loaded == 0)
			loaded = 1;
	}
	if (loaded < 0) {
		*ret_err = load_err ? strdup(load_err) : NULL;
		return loaded;
	}
	*ret = &lib;
	return 0;
}

void gitlib_unload(void)
{
	if (loaded != 1)
		return;
	lib.libgit2_shutdown();
	dlclose(handle);
	loaded = 0;
}
