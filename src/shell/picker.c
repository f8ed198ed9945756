/* picker.c - the session picker with libedit (see picker.h).  It prints:
 * it runs at the top level, on the user's terminal, before any sandbox. */
#include "shell/picker.h"

#include <histedit.h>
#include <stdio.h>

#include "base/dl.h"
#include "base/util.h"
#include "git/branchname.h"

#ifndef LIBEDIT_SONAME
#define LIBEDIT_SONAME "libedit.so"
#endif

/* libedit, loaded when a picker is shown: linked, it and what it links
 * (libtinfo, libbsd, libmd) cost every exec of nsbsh about 0.5 ms here. */
#define EDIT_SYMBOLS(X) X(el_init) X(el_end) X(el_set) X(el_gets) X(el_line) X(el_insertstr)
#define EDIT_FIELD(sym) __typeof__(sym) *sym;
static struct {
	EDIT_SYMBOLS(EDIT_FIELD)
} ed;
#undef EDIT_FIELD

static int edit_load(char **ret_err)
{
	static int loaded = 1; /* 1 not yet, 0 loaded, else it failed: why */
	static char *why;
	if (loaded > 0) {
		const struct dl_sym syms[] = {
#define EDIT_SLOT(sym) { (void **)&ed.sym, #sym },
			EDIT_SYMBOLS(EDIT_SLOT)
#undef EDIT_SLOT
		};
		void *h;
		loaded = dl_load(LIBEDIT_SONAME, syms, ARRAY_SIZE(syms), &h, &why);
	}
	if (loaded < 0)
		*ret_err = why ? strdup(why) : NULL;
	return loaded;
}

static const struct session_list *candidates;

/* Every name that completes prefix (sessions first, then branches; each
 * once): how many, and their longest common prefix in *ret_common. */
static size_t matches(const char *prefix, size_t plen, FILE *show, size_t *ret_common,
		      const char **ret_first)
{
	size_t n = 0, common = 0;
	const char *first = NULL;
	size_t total = candidates->n + candidates->n_branches;
	for (size_t i = 0; i < total; i++) {
		const char *c = i < candidates->n ? candidates->v[i].branch
						  : candidates->branches[i - candidates->n];
		if (!c || strncmp(c, prefix, plen) != 0)
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			const char *o = j < candidates->n ? candidates->v[j].branch
							  : candidates->branches[j - candidates->n];
			seen = o && streq(o, c);
		}
		if (seen)
			continue;
		if (show)
			fprintf(show, "  %s\n", c);
		if (!first) {
			first = c;
			common = strlen(c);
		} else {
			size_t k = 0;
			while (k < common && c[k] == first[k])
				k++;
			common = k;
		}
		n++;
	}
	*ret_common = common;
	*ret_first = first;
	return n;
}

static unsigned char complete(EditLine *el, int ch)
{
	const LineInfo *li = ed.el_line(el);
	size_t plen = (size_t)(li->cursor - li->buffer), common = 0;
	_cleanup_free_ char *prefix = strndup(li->buffer, plen);
	const char *first = NULL;
	if (!prefix)
		return CC_ERROR;
	size_t n = matches(prefix, plen, NULL, &common, &first);
	if (n == 0)
		return CC_ERROR;
	if (common > plen) {
		_cleanup_free_ char *add = strndup(first + plen, common - plen);
		if (!add || ed.el_insertstr(el, add) < 0)
			return CC_ERROR;
		return CC_REFRESH;
	}
	/* Nothing more in common: show the choices, then the line again. */
	fputc('\n', stderr);
	matches(prefix, plen, stderr, &common, &first);
	return CC_REDISPLAY;
}

static char *prompt(EditLine *el)
{
	static char p[] = "session (Tab completes; Enter alone: in place): ";
	return p;
}

static void show_sessions(const struct session_list *l)
{
	fprintf(stderr, "nsbsh: sessions of '%s':\n", l->name);
	fprintf(stderr, "  %-24s %s\n", "(in place)", "the shell runs where you are");
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].missing)
			fprintf(stderr, "  %-24s %s%s\n", l->v[i].branch ? l->v[i].branch : "(detached)",
				l->v[i].path, l->v[i].main ? " (main work tree)" : "");
	if (l->n_branches) {
		fprintf(stderr, "branches:");
		for (size_t i = 0; i < l->n_branches; i++)
			fprintf(stderr, " %s", l->branches[i]);
		fprintf(stderr, "\na new name makes a new branch and its session\n");
	}
}

int picker_run(const struct session_list *l, char **ret_branch, char **ret_err)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return -ENOTTY;
	int r = edit_load(ret_err);
	if (r < 0)
		return r;
	EditLine *el = ed.el_init("nsbsh", stdin, stderr, stderr);
	if (!el)
		return -ENOMEM;
	candidates = l;
	ed.el_set(el, EL_EDITOR, "emacs");
	ed.el_set(el, EL_PROMPT, prompt);
	ed.el_set(el, EL_ADDFN, "nsbsh-complete", "complete a session or branch name", complete);
	ed.el_set(el, EL_BIND, "^I", "nsbsh-complete", NULL);
	show_sessions(l);

	*ret_branch = NULL;
	for (;;) {
		int count = 0;
		const char *line = ed.el_gets(el, &count);
		if (!line || count <= 0)
			break; /* end of input: in place */
		_cleanup_free_ char *name = strndup(line, strcspn(line, "\n"));
		if (!name) {
			r = -ENOMEM;
			break;
		}
		/* Spaces around a name are the terminal's, not the name's. */
		char *s = name + strspn(name, " \t");
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			s[--n] = '\0';
		if (!*s || streq(s, "."))
			break;
		const char *why = branchname_refusal(s);
		if (why) {
			fprintf(stderr, "nsbsh: '%s' is not a valid branch name: it %s\n", s, why);
			continue;
		}
		*ret_branch = strdup(s);
		r = *ret_branch ? 0 : -ENOMEM;
		break;
	}
	ed.el_end(el);
	candidates = NULL;
	return r;
}
