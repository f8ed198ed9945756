/* homerc.c - the startup files bash reads in the private home (see
 * homerc.h).
 *
 * Invariant (tests/integration/t-homerc.sh names it):
 * HOMERC-1 rc-from-outside: inside the sandbox, ~/.bashrc, ~/.bash_profile,
 *          ~/.profile, ~/.bash_login, ~/.bash_logout and ~/.inputrc are
 *          read-only: the user's own from ~/.config/nsbsh/home/ (edited
 *          outside, where no sandbox writes), or an empty file of nsbsh's
 *          where there is none there.  Code in the sandbox can neither
 *          change nor create them, so nothing it writes is sourced by a
 *          later shell, nor carried out by an editor's `$SHELL -ilc env`.
 *
 * Why read-only binds and not a read-only home: the private home is where
 * history and tool caches live; only these names must not be the sandbox's.
 * Why one empty file of nsbsh's for the missing ones, not /dev/null (a
 * nodev mount cannot open a device) nor the private home's own file
 * emptied (what an older nsbsh let a person keep there stays, hidden, for
 * them to move to ~/.config/nsbsh/home/). */
#include "sandbox/homerc.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/path.h"
#include "base/util.h"

const char *const homerc_names[HOMERC_N] = { ".bashrc", ".bash_profile", ".profile",
					     ".bash_login", ".bash_logout", ".inputrc" };

/* A regular file the user keeps in rc_dir (through a link of theirs: it is
 * their directory, which no sandbox writes), or NULL. */
static char *user_file(const char *rc_dir, const char *name)
{
	struct stat dir_st;
	/* most people keep none: one stat, not a realpath walk a name */
	if (!rc_dir || stat(rc_dir, &dir_st) < 0 || !S_ISDIR(dir_st.st_mode))
		return NULL;
	_cleanup_free_ char *p = path_join(rc_dir, name);
	char *real = p ? realpath(p, NULL) : NULL;
	struct stat st;
	if (real && (stat(real, &st) < 0 || !S_ISREG(st.st_mode))) {
		free(real);
		real = NULL;
	}
	return real;
}

/* dir/name as a regular file, made when missing; what is there and is not
 * a regular file (a link, a directory, a FIFO left by code in a sandbox) is
 * removed first, so that the bind's mount point is a file of this home.
 * truncate: emptied too. */
static int regular_file_at(int dir, const char *name, bool truncate, struct stat *ret)
{
	struct stat st;
	int there = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW);
	if (there == 0 && S_ISREG(st.st_mode) && (!truncate || st.st_size == 0)) {
		*ret = st; /* as wanted already: the common case, nothing written */
		return 0;
	}
	if (there == 0 && !S_ISREG(st.st_mode)) {
		int r = S_ISDIR(st.st_mode) ? remove_tree_at(dir, name)
					    : unlinkat(dir, name, 0) < 0 ? -errno : 0;
		if (r < 0)
			return r;
	}
	_cleanup_close_ int fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
						   O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (truncate && st.st_size != 0 && (ftruncate(fd, 0) < 0 || fstat(fd, &st) < 0))
		return -errno;
	*ret = st;
	return 0;
}

static int open_dir(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void homerc_view(struct layout *l, const char *private_home, const char *home, const char *rc_dir)
{
	if (layout_error(l))
		return;
	/* nsbsh's empty file: beside the private homes, in nsbsh's data,
	 * which no sandbox sees (shell-view.c SV-2) */
	_cleanup_free_ char *parent = strdup(private_home), *empty = NULL;
	if (!parent || !path_up(parent) || !(empty = path_join(parent, ".empty-rc"))) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	_cleanup_close_ int pdir = open_dir(parent), hdir = open_dir(private_home);
	struct stat empty_st;
	int r = pdir < 0 ? pdir : hdir < 0 ? hdir : regular_file_at(pdir, ".empty-rc", true, &empty_st);
	for (size_t i = 0; r == 0 && i < HOMERC_N; i++) {
		const char *name = homerc_names[i];
		_cleanup_free_ char *mine = user_file(rc_dir, name), *dest = path_join(home, name);
		struct stat st;
		if (!dest) {
			r = -ENOMEM;
			break;
		}
		/* the mount point: the private home's own file, kept as it is */
		r = regular_file_at(hdir, name, false, &st);
		if (r < 0)
			break;
		if (mine)
			layout_add(l, SB_BIND_RO, mine, dest);
		else
			layout_add_checked_at(l, SB_BIND_RO, empty, dest, &empty_st);
	}
	if (r < 0)
		layout_fail(l, r, "cannot set up the startup files of the private home '%s': %s", private_home,
			    strerror(-r));
}

char *homerc_login_chain(const char *rc_dir)
{
	/* bash reads the first of .bash_profile, .bash_login and .profile
	 * that exists; all three exist inside (empty when not the user's), so
	 * /etc/profile reads the one bash would have read. */
	static const char *const chain[] = { ".bash_login", ".profile" };
	_cleanup_free_ char *profile = user_file(rc_dir, ".bash_profile");
	if (profile)
		return strdup("");
	for (size_t i = 0; i < ARRAY_SIZE(chain); i++) {
		_cleanup_free_ char *f = user_file(rc_dir, chain[i]);
		char *text = NULL;
		if (f)
			return asprintf(&text, "# as bash would, without a ~/.bash_profile\n. \"$HOME/%s\"\n", chain[i]) < 0
				       ? NULL
				       : text;
	}
	return strdup("");
}
