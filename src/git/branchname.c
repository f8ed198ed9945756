/* branchname.c - git's branch-name rules, with reasons, and the folder name
 * of a session (see branchname.h).  The rules are those of git's
 * check_refname_component() (refs.c) for "refs/heads/NAME", plus what git
 * branch refuses on top: a leading '-' and "HEAD". */
#include "git/branchname.h"

#include <stdbool.h>
#include <string.h>

#include "base/sha256.h"

/* Encodings longer than this end in ~HASH: at most ENCODED_CUT + 65 bytes. */
#define ENCODED_CUT 190

const char *branchname_refusal(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "is empty";
	if (len > BRANCHNAME_MAX)
		return "is longer than 1024 bytes";
	if (name[0] == '-')
		return "starts with '-' (git would read it as an option)";
	if (strcmp(name, "HEAD") == 0)
		return "is 'HEAD', which git keeps for the checked-out commit";
	for (const char *c = name; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (u < 0x20 || u == 0x7f)
			return "contains a control character";
		if (u == ' ')
			return "contains a space";
		switch (u) {
		case '~': return "contains '~', which git does not allow in a ref";
		case '^': return "contains '^', which git does not allow in a ref";
		case ':': return "contains ':', which git does not allow in a ref";
		case '?': return "contains '?', which git does not allow in a ref";
		case '*': return "contains '*', which git does not allow in a ref";
		case '[': return "contains '[', which git does not allow in a ref";
		case '\\': return "contains a backslash, which git does not allow in a ref";
		default: break;
		}
		if (u == '.' && c[1] == '.')
			return "contains '..'";
		if (u == '@' && c[1] == '{')
			return "contains '@{'";
	}
	/* Component by component: "a//b", "/a", "a/" have an empty one. */
	for (const char *c = name;;) {
		size_t n = strcspn(c, "/");
		if (n == 0)
			return "has an empty part ('/' at the start or end, or '//')";
		if (c[0] == '.')
			return "has a part that starts with '.'";
		if (n >= 5 && memcmp(c + n - 5, ".lock", 5) == 0)
			return "has a part that ends with '.lock'";
		if (!c[n])
			break;
		c += n + 1;
	}
	if (name[len - 1] == '.')
		return "ends with '.'";
	return NULL;
}

static bool plain(unsigned char u)
{
	return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
	       u == '.' || u == '_' || u == '-';
}

size_t branchname_encode(const char *name, char out[BRANCHNAME_ENCODED_MAX + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (n + 3 > ENCODED_CUT) {
			char digest[65];
			sha256_hex_of(name, strlen(name), digest);
			out[n++] = '~';
			memcpy(out + n, digest, 64);
			n += 64;
			break;
		}
		if (plain(*c) && !(n == 0 && *c == '.')) {
			out[n++] = (char)*c;
		} else {
			out[n++] = '%';
			out[n++] = hex[*c >> 4];
			out[n++] = hex[*c & 15];
		}
	}
	out[n] = '\0';
	return n;
}
