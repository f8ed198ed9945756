/* dl.h - a shared library loaded when it is first needed (dlopen), with
 * every symbol a caller uses looked up at once: a start that does not need
 * the library does not pay for loading it and what it links (libgit2:
 * about 7 ms; libedit with libtinfo, libbsd and libmd: about 0.5 ms of
 * every exec of nsbsh here; libseccomp, which a join never needs: about
 * 0.06 ms). */
#pragma once

#include <stddef.h>

struct dl_sym {
	void **slot;
	const char *name;
};

/* Open soname (RTLD_NOW, RTLD_LOCAL) and fill every slot: 0 and the
 * handle in *ret_handle (for dlclose), or -ENOENT with the reason
 * ("cannot load SONAME: ...") in *ret_err (NULL when out of memory), and
 * no slot to be trusted. */
int dl_load(const char *soname, const struct dl_sym *syms, size_t n, void **ret_handle, char **ret_err);
