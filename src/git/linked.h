/* linked.h - a linked work tree's links, read and checked both ways.
 *
 * A linked work tree W (a session, or any `git worktree add`) has a .git
 * file "gitdir: G"; G is C/worktrees/NAME, G/commondir names C (the
 * repository's common git dir) and G/gitdir names W/.git back.  git
 * outside follows these files, so a sandbox is shown C only when they
 * agree (sandbox/gitprotect.c MUST-C3). */
#pragma once

struct linked {
	char *gitdir;     /* G, real path */
	char *commondir;  /* C, real path */
	char *branch;     /* the branch G's HEAD names; NULL: detached */
	char *name;       /* the repository's name: the main work tree's base name */
};

/* 0 and *ret when worktree's .git file names a git dir G of a common dir
 * C that agree both ways (G = C/worktrees/NAME, G/gitdir names this .git)
 * and are the user's; -ENOENT when worktree is not a linked work tree (no
 * .git file, or one of a submodule's checkout); -EPERM and *ret_err when
 * its .git file names git dirs that do not agree (then nothing of them may
 * be shown); -ENOMEM. */
int linked_find(const char *worktree, struct linked *ret, char **ret_err);
void linked_release(struct linked *lk);
