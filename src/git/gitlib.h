/* gitlib.h - libgit2, loaded when it is needed (dlopen) rather than at every
 * start: Debian's libgit2 and what it links (TLS, SSH, Kerberos) cost about
 * 7 ms to load and initialise, and most starts need no git at all (outside a
 * project, or a re-entry whose discovery memo still holds: see project.c).
 * Sessions (session.c) load it only when a session is asked for. */
#pragma once

#include <git2.h>

/* Each libgit2 function nsbsh calls: X(field, symbol).  The field has the
 * symbol's own type, so a prototype can never drift from libgit2's. */
#define GITLIB_SYMBOLS(X)                                         \
	X(libgit2_init, git_libgit2_init)                         \
	X(libgit2_shutdown, git_libgit2_shutdown)                 \
	X(repository_open_ext, git_repository_open_ext)           \
	X(repository_workdir, git_repository_workdir)             \
	X(repository_free, git_repository_free)                   \
	X(error_last, git_error_last)                             \
	X(status_file, git_status_file)                           \
	X(libgit2_version, git_libgit2_version)                   \
	/* sessions */                                            \
	X(repository_open, git_repository_open)                   \
	X(repository_open_from_worktree, git_repository_open_from_worktree) \
	X(repository_commondir, git_repository_commondir)         \
	X(repository_path, git_repository_path)                   \
	X(reference_lookup, git_reference_lookup)                 \
	X(reference_target, git_reference_target)                 \
	X(reference_symbolic_target, git_reference_symbolic_target) \
	X(reference_free, git_reference_free)                     \
	X(branch_lookup, git_branch_lookup)                       \
	X(branch_create, git_branch_create)                       \
	X(branch_name_is_valid, git_branch_name_is_valid)         \
	X(branch_iterator_new, git_branch_iterator_new)           \
	X(branch_next, git_branch_next)                           \
	X(branch_iterator_free, git_branch_iterator_free)         \
	X(branch_name, git_branch_name)                           \
	X(revparse_single, git_revparse_single)                   \
	X(object_peel, git_object_peel)                           \
	X(object_id, git_object_id)                               \
	X(object_free, git_object_free)                           \
	X(worktree_add, git_worktree_add)                         \
	X(worktree_list, git_worktree_list)                       \
	X(worktree_lookup, git_worktree_lookup)                   \
	X(worktree_path, git_worktree_path)                       \
	X(worktree_validate, git_worktree_validate)               \
	X(worktree_prune, git_worktree_prune)                     \
	X(worktree_free, git_worktree_free)                       \
	X(strarray_dispose, git_strarray_dispose)                 \
	X(status_list_new, git_status_list_new)                   \
	X(status_list_entrycount, git_status_list_entrycount)     \
	X(status_byindex, git_status_byindex)                     \
	X(status_list_free, git_status_list_free)                 \
	X(graph_ahead_behind, git_graph_ahead_behind)             \
	X(graph_descendant_of, git_graph_descendant_of)

#define GITLIB_FIELD(field, sym) __typeof__(sym) *field;
struct gitlib {
	GITLIB_SYMBOLS(GITLIB_FIELD)
};
#undef GITLIB_FIELD

/* Load and initialise libgit2 once; 0 and *ret, or -ENOENT with a reason. */
int gitlib_load(const struct gitlib **ret, char **ret_err);

/* libgit2 shut down and closed, with what it loaded (its TLS and
 * Kerberos libraries' pages stay otherwise mapped in every process
 * forked from the start: a live sandbox's supervisor and pid 1, for as
 * long as they run); a later gitlib_load opens it again. */
void gitlib_unload(void);
