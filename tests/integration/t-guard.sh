# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-guard: the creation guard (src/sandbox/guard.c GUARD-1..7): code in the
# sandbox cannot make a name a tool outside acts on: a new .git in the work
# tree (policy nested_git), a name git does not write at the top of a git
# dir (commondir, config.worktree, hooks, info/...), a missing protected path;
# by mkdir, open, rename, link or symlink.  Each refusal is EPERM with a line
# in `nsb log` naming the path; the same in the private /tmp works; git
# inside and outside keep working.
. "$(dirname "$0")/../lib.sh"

EPERM="Operation not permitted"
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
NSB=$(dirname "$NSBSH")/nsb
CONF=$HOME/.config/nsbsh/nsbsh.conf
userconf() { mkdir -p "${CONF%/*}" && printf '%s\n' "$@" >"$CONF"; }

# in SCRIPT - SCRIPT in the project's sandbox
in_sandbox() { run_nsbsh --in "$P" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; $1"; }

# --- GUARD-5: mkdir .git refused, with the log line; control in /tmp ----------
in_sandbox 'mkdir sub && mkdir sub/.git; echo "rc=$?"; mkdir -p /tmp/r/.git && echo tmp-ok; ls -d /tmp/r/.git'
expect_contains "$OUT" "rc=1" "GUARD-5 refusal-logged: mkdir sub/.git in the work tree fails"
expect_contains "$ERR" "$EPERM" "GUARD-5 refusal-logged: with EPERM"
expect_contains "$OUT" "tmp-ok" "GUARD-5 refusal-logged: control: mkdir /tmp/r/.git works in the private /tmp"
expect_path_absent "$P/sub/.git" "GUARD-5 refusal-logged: no sub/.git outside"
expect_path_present "$P/sub" "GUARD-5 refusal-logged: control: sub itself was made"
run -- "$NSB" log -n 20 "$P"
expect_match "$OUT" "nested_git '$P/sub/.git'" "GUARD-5 refusal-logged: nsb log names the path and the key"
