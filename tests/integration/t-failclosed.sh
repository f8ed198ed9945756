# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-failclosed: every budget or bound of the git protection, when code in a
# sandbox floods it, protects the whole place it guards (src/sandbox/gitprotect.c
# GITP-1, src/git/nested.c NEST-3, NEST-5): junk in .git/modules and in
# .git/worktrees, more nested repositories than are protected one by one, a
# directory deeper than the walk goes. Each flood is made from inside, as an
# attacker would (the environment's busybox); the next start must still keep
# the real submodule's, linked work tree's and nested repository's hooks and
# config out of reach, and git outside must still work on the project.
. "$(dirname "$0")/../lib.sh"

ROFS="Read-only file system"
gitc=(git -c user.name=t -c user.email=t@t -c commit.gpgsign=false -c protocol.file.allow=always)

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
S=$W/lib
git init -q "$S" && echo lib >"$S/lib.txt" && git -C "$S" add lib.txt && "${gitc[@]}" -C "$S" commit -qm lib
"${gitc[@]}" -C "$P" submodule add -q "$S" vendor/lib >/dev/null 2>&1
"${gitc[@]}" -C "$P" commit -qm "a submodule"
git -C "$P" worktree add -q -b side "$W/linked" >/dev/null 2>&1
sub_hooks=$P/.git/modules/vendor/lib/hooks
wt_gitdir=$P/.git/worktrees/linked

# in NAME SCRIPT - SCRIPT in the project's sandbox; $OUT holds what it said
in_sandbox() { run_nsbsh --in "$P" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; $1"; }

# --- control: without a flood, the submodule's git dir is writable but its hooks
in_sandbox "echo x >$sub_hooks/post-checkout; echo x >$P/.git/modules/vendor/lib/objects/t && echo objects-writable; rm -f $P/.git/modules/vendor/lib/objects/t"
expect_eq "$(grep -c "$ROFS" <<<"$ERR"):$(grep -c objects-writable <<<"$OUT")" "1:1" \
	"GITP-1 bounded-closed: control: a submodule's hooks are read-only, its objects writable"

# --- GITP-1: 20,000 junk entries in .git/modules ---------------------------
in_sandbox 'n=; j=0; while [ $j -lt 100 ]; do n="$n f$j"; j=$((j + 1)); done; cd .git/modules && mkdir junk && cd junk && i=0; while [ $i -lt 200 ]; do mkdir d$i && (cd d$i && touch $n); i=$((i + 1)); done; echo flooded'
expect_contains "$OUT" flooded "GITP-1 bounded-closed: code inside can flood .git/modules (20,000 entries)"
in_sandbox "echo x >$sub_hooks/post-checkout 2>&1; echo x >>$P/.git/modules/vendor/lib/config 2>&1; echo x >$P/.git/modules/vendor/lib/objects/t 2>&1; :"
expect_eq "$(grep -c "$ROFS" <<<"$OUT$ERR")" 3 "GITP-1 bounded-closed: after the flood, all of .git/modules is read-only: the real submodule's hooks, config and the rest"
expect_contains "$ERR" "nsbsh: '$P/.git/modules' holds more than 256 entries" "GITP-1 bounded-closed: the start says why .git/modules is read-only"
expect_path_absent "$sub_hooks/post-checkout" "GITP-1 bounded-closed: no hook appeared in the submodule outside"
rm -rf "$P/.git/modules/junk"

# --- GITP-1: junk in .git/worktrees ------------------------------------------
in_sandbox 'cd .git/worktrees && i=0; while [ $i -lt 300 ]; do mkdir j$i; i=$((i + 1)); done; echo flooded'
expect_contains "$OUT" flooded "GITP-1 bounded-closed: code inside can flood .git/worktrees"
in_sandbox "echo x >>$wt_gitdir/config.worktree 2>&1; echo x >$wt_gitdir/commondir 2>&1; echo x >$wt_gitdir/junk 2>&1; :"
expect_eq "$(grep -c "$ROFS" <<<"$OUT$ERR")" 3 "GITP-1 bounded-closed: after the flood, all of .git/worktrees is read-only"
expect_contains "$ERR" "nsbsh: '$P/.git/worktrees' holds more than 256 entries" "GITP-1 bounded-closed: the start says why .git/worktrees is read-only"
rm -rf "$P"/.git/worktrees/j*

# --- NEST-3: more nested repositories than are protected one by one ----------
N=$W/nest
mkproject "$N" || { t_fail "mkproject nest" "fixture not created"; exit 1; }
git init -q "$N/vendor/real"
run_nsbsh --in "$N" -c 'echo x >>vendor/real/.git/config 2>&1; echo x >notes 2>&1 && echo writable'
expect_eq "$(grep -c "$ROFS" <<<"$ERR"):$(grep -c '^writable' <<<"$OUT")" "1:1" "NEST-3 bounded-closed: control: a nested repository's config is read-only, the tree writable"
# the creation guard refuses a new .git (t-guard.sh); with nested_git =
# allow, what the walk makes of those repositories is the protection left
CONF=$HOME/.config/nsbsh/nsbsh.conf
mkdir -p "${CONF%/*}" && echo 'nested_git = allow' >"$CONF"
run_nsbsh --in "$N" -c 'i=0; while [ $i -lt 300 ]; do mkdir -p junk/r$i/.git; i=$((i + 1)); done; echo flooded'
expect_contains "$OUT" flooded "NEST-3 bounded-closed: code inside can make 300 nested .git directories (nested_git = allow)"
rm -f "$CONF"
run_nsbsh --in "$N" -c 'echo x >>vendor/real/.git/config 2>&1; echo x >notes 2>&1; :'
expect_eq "$(grep -c "$ROFS" <<<"$OUT$ERR")" 2 "NEST-3 bounded-closed: past 256, the whole work tree is read-only: the known repository's config too"
expect_contains "$ERR" "holds more than 256 git repositories" "NEST-3 bounded-closed: the start says why"
rm -rf "$N/junk"
run_nsbsh --in "$N" -c 'echo x >notes 2>&1 && echo writable'
expect_eq "$OUT" writable "NEST-5 fresh: the junk removed, the next start writes the tree again"

# --- NEST-3: a directory 64 levels deep does not stop the walk ----------------
deep=$(printf 'd/%.0s' $(seq 70))
run_nsbsh --in "$N" -c "mkdir -p ${deep}x && echo made"
expect_eq "$OUT" made "NEST-3 bounded-closed: code inside can make a directory 70 levels deep"
git init -q "$N/zz-after"
cp "$N/zz-after/.git/config" "$W/after.config"
level64=$(printf 'd/%.0s' $(seq 63))d
run_nsbsh --in "$N" -c "echo x >>zz-after/.git/config 2>&1; echo x >${level64}/planted 2>&1; echo x >d/d/shallow && echo shallow-writable; :"
expect_contains "$OUT$ERR" "zz-after/.git/config: $ROFS" "NEST-3 bounded-closed: a repository beside the deep directory is still found and protected"
expect_contains "$OUT$ERR" "planted: $ROFS" "NEST-3 bounded-closed: the directory at the depth bound is read-only whole"
expect_contains "$OUT" shallow-writable "NEST-3 bounded-closed: the directories above it stay writable"
expect_eq "$(cmp "$W/after.config" "$N/zz-after/.git/config" && echo same)" same "NEST-3 bounded-closed: the repository's config is unchanged outside"

# --- NEST-5: a repository made inside is protected at the next start, whatever the memo's age
echo 'nested_git = allow' >"$CONF"
run_nsbsh --in "$N" -c 'mkdir -p made/.git/hooks && echo "[core]" >made/.git/config && echo made'
expect_eq "$OUT" made "NEST-5 fresh: code inside can make a repository (nested_git = allow)"
rm -f "$CONF"
run_nsbsh --in "$N" -c 'echo "touch /tmp/x" >made/.git/hooks/pre-commit 2>&1; echo x >>made/.git/config 2>&1; :'
expect_eq "$(grep -c "$ROFS" <<<"$OUT$ERR")" 2 "NEST-5 fresh: at the very next start, its hooks and config are read-only"

# --- git outside still works on the project -------------------------------------
git_still_works "$P" vendor/lib
