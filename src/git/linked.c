/* linked.c - a linked work tree's links (see linked.h). */
#include "git/linked.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/util.h"

void linked_release(struct linked *lk)
{
	free(lk->gitdir);
	free(lk->commondir);
	free(lk->branch);
	free(lk->name);
	*lk = (struct linked){ 0 };
}

/* The first line of a small file, without its newline; a link is not
 * followed. */
static int read_line(const char *path, char **ret)
{
	size_t len;
	int r = file_read(AT_FDCWD, path, PATH_MAX + 16, FILE_NOFOLLOW, ret, &len);
	if (r == 0)
		(*ret)[strcspn(*ret, "\n")] = '\0';
	return r;
}

/* realpath of rel, taken relative to dir when it is not absolute. */
static char *resolve_in(const char *dir, const char *rel)
{
	_cleanup_free_ char *joined = NULL;
	if (rel[0] != '/' && asprintf(&joined, "%s/%s", dir, rel) < 0)
		return NULL;
	return realpath(joined ? joined : rel, NULL);
}

int linked_find(const char *worktree, struct linked *ret, char **ret_err)
{
	_cleanup_free_ char *dotgit = NULL, *line = NULL, *g = NULL, *cd = NULL, *c = NULL,
			    *back = NULL, *wt_dotgit = NULL, *back_real = NULL, *parent = NULL,
			    *want_parent = NULL, *head = NULL, *headpath = NULL, *cdpath = NULL,
			    *backpath = NULL;
	struct stat st;
	if (asprintf(&dotgit, "%s/.git", worktree) < 0)
		return -ENOMEM;
	if (lstat(dotgit, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	if (read_line(dotgit, &line) < 0 || strncmp(line, "gitdir: ", 8) != 0)
		return -ENOENT;
	g = resolve_in(worktree, line + 8);
	if (!g || asprintf(&cdpath, "%s/commondir", g) < 0 || read_line(cdpath, &cd) < 0)
		return -ENOENT; /* a submodule's checkout, or a dangling link: no common dir */

	int bad = 0;
	c = resolve_in(g, cd);
	wt_dotgit = realpath(dotgit, NULL);
	parent = strdup(g);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (slash)
		*slash = '\0';
	if (!c || !wt_dotgit || !slash || asprintf(&want_parent, "%s/worktrees", c) < 0)
		bad = 1;
	else if (!streq(parent, want_parent))
		bad = 1; /* G is not C/worktrees/NAME */
	else if (asprintf(&backpath, "%s/gitdir", g) < 0 || read_line(backpath, &back) < 0 ||
		 !(back_real = resolve_in(g, back)) || !streq(back_real, wt_dotgit))
		bad = 1; /* G does not name this work tree back */
	else if (!is_own_dir(c) || !is_own_dir(g))
		bad = 1;
	if (bad) {
		if (asprintf(ret_err, "'%s' names the git dir '%s', which is not a work tree's of a repository of yours that names it back", dotgit, line + 8) < 0)
			*ret_err = NULL;
		return -EPERM;
	}
	if (asprintf(&headpath, "%s/HEAD", g) < 0)
		return -ENOMEM;
	if (read_line(headpath, &head) == 0 && strncmp(head, "ref: refs/heads/", 16) == 0)
		ret->branch = strdup(head + 16);
	/* The repository's name: the main work tree's (C = MAIN/.git), else C's. */
	_cleanup_free_ char *name = strdup(c);
	if (!name)
		return -ENOMEM;
	size_t n = strlen(name);
	if (n > 5 && streq(name + n - 5, "/.git"))
		name[n - 5] = '\0';
	else if (n > 4 && streq(name + n - 4, ".git"))
		name[n - 4] = '\0';
	const char *base = strrchr(name, '/');
	ret->name = strdup(base && base[1] ? base + 1 : name);
	ret->gitdir = steal_pointer(&g);
	ret->commondir = steal_pointer(&c);
	return ret->name ? 0 : -ENOMEM;
}
