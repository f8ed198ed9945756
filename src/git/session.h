/* session.h - sessions: a work tree per branch of a project.
 * Work trees are made, listed and removed with libgit2 (loaded only here,
 * when a session is asked for), in nsbsh's data dir:
 *   $XDG_DATA_HOME/nsbsh/sessions/REPO-ID/ENCODED-BRANCH
 * REPO-ID is the main work tree's name and a hash of the common git dir's
 * path; ENCODED-BRANCH is branchname_encode()'s.  Creation, removal and
 * pruning of one repository's sessions hold REPO-ID/lock (flock).
 * Nothing here prints: errors come back as one line in *ret_err, things
 * worth saying on success in the result's notes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct policy_list;

struct session {
	char *branch;
	char *path;      /* the work tree, absolute, physical */
	bool created;    /* this call made the work tree */
	bool main;       /* the repository's main work tree */
	char *notes;     /* lines to show ("copied '.env' ..."), or NULL */
};

struct session_info {
	char *branch;    /* NULL: a detached HEAD */
	char *path;
	char *name;      /* git's name of a linked work tree; NULL: main */
	bool main;       /* the main work tree */
	bool nsbsh;      /* made by nsbsh (under its sessions dir) */
	bool missing;    /* its folder is gone (nsb sessions prune) */
	int dirty;       /* changed or untracked files; -1 unknown */
	char *base;      /* what ahead/behind count against, or NULL */
	size_t ahead, behind;
	bool counted;    /* ahead/behind known */
	time_t last_used; /* 0: never entered through nsbsh */
};

struct session_list {
	char *name;      /* the repository's name */
	struct session_info *v;
	size_t n;
	char **branches; /* every local branch */
	size_t n_branches;
};

void session_release(struct session *s);
void session_list_release(struct session_list *l);

/* The work tree of BRANCH in the repository of worktree: the one where
 * BRANCH is checked out (the main one included), else a new one at the
 * fixed place, checking out BRANCH, or creating BRANCH from `from` (NULL:
 * HEAD) first.  copy (may be NULL): files of worktree copied into a new
 * work tree (policy session_copy).  0 and *ret, or a negative errno and
 * the reason in *ret_err: -EINVAL an invalid name, -EEXIST a folder in
 * the way, -ENOENT `from` not found, other: git or the system failed. */
int session_enter(const char *worktree, const char *branch, const char *from,
		  const struct policy_list *copy, struct session *ret, char **ret_err);

/* The repository's work trees and branches.  with_state: also dirty,
 * ahead/behind (slower: reads every work tree). */
int session_list(const char *worktree, bool with_state, struct session_list *ret, char **ret_err);

/* Removes the work tree of BRANCH made by nsbsh: refused (-EBUSY, with
 * the reason) when it has changes or BRANCH has commits on no other branch,
 * unless force.  The branch is never deleted.  *ret_path: what was removed. */
int session_remove(const char *worktree, const char *branch, bool force, char **ret_path,
		   char **ret_err);

/* Forgets the work trees whose folders are gone; *ret_pruned gets their
 * lines ("BRANCH PATH\n"...), NULL when there were none. */
int session_prune(const char *worktree, char **ret_pruned, char **ret_err);
