# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-gitmeta: git metadata that git outside the sandbox acts on cannot be changed
# from inside (src/layout.c, layout_protect_git): .git cannot be renamed,
# removed or replaced; hooks/ and config are read-only, also those of
# submodules (modules/*) and config.worktree of linked work trees; the rest of
# .git stays writable. The attacks use the environment's busybox, as code in the
# sandbox would; git outside checks that the repository is intact.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
g() { git -C "$P" -c safe.directory='*' "$@"; }
# A submodule's git dir and a linked work tree, made outside as git would.
mkdir -p "$P/.git/modules/lib/a/hooks" "$P/.git/worktrees/wt"
echo 'ref: refs/heads/main' >"$P/.git/modules/lib/a/HEAD"
printf '[core]\n\tbare = false\n' >"$P/.git/modules/lib/a/config"
printf '[core]\n\tsparseCheckout = false\n' >"$P/.git/worktrees/wt/config.worktree"
config_before=$(cat "$P/.git/config")
head_before=$(g rev-parse HEAD)

# try NAME ERRNO-TEXT SCRIPT [DIR] - run SCRIPT in the sandbox of DIR (default
# $P), its stderr kept: it must fail, inside the sandbox (the env is there),
# with the error the protection gives (EBUSY for a mount point, EROFS for a
# read-only bind), not with some other error that would prove nothing.
try() {
	run_nsbsh --in "${4:-$P}" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; if $3; then echo ok; else echo refused; fi"
	expect_eq "$OUT" refused "$1"
	expect_contains "$ERR" "$2" "$1: $2"
}
BUSY="Device or resource busy"
ROFS="Read-only file system"
try "rename .git is refused" "$BUSY" 'mv .git .git-old'
try "a new hook is refused" "$ROFS" 'echo "touch /tmp/pwned" >.git/hooks/pre-commit'
try "chmod of the hooks dir is refused" "$ROFS" 'chmod 777 .git/hooks'
try "appending core.fsmonitor to config is refused" "$ROFS" 'printf "[core]\n\tfsmonitor = touch /tmp/pwned\n" >>.git/config'
try "replacing config by rename is refused" "$BUSY" 'echo "[core]" >.git/config.lock && mv .git/config.lock .git/config'
try "a new name at the top of .git is refused (the creation guard)" "Operation not permitted" 'echo "[core]" >.git/c.new'
GCONF=$HOME/.config/nsbsh/nsbsh.conf
mkdir -p "${GCONF%/*}" && echo 'create_guard = off' >"$GCONF"
try "replacing config by rename is refused (create_guard = off: the bind)" "$BUSY" 'echo "[core]" >.git/c.new && mv .git/c.new .git/config'
rm -f "$GCONF" "$P/.git/c.new" "$P/.git/config.lock"
try "removing config is refused" "$BUSY" 'rm -f .git/config && ! [ -e .git/config ]'
try "a submodule's hook is refused" "$ROFS" 'echo x >.git/modules/lib/a/hooks/post-checkout'
try "a submodule's config is refused" "$ROFS" 'echo x >>.git/modules/lib/a/config'
try "a linked work tree's config.worktree is refused" "$ROFS" 'echo x >>.git/worktrees/wt/config.worktree'

expect_eq "$(cat "$P/.git/config")" "$config_before" "config is unchanged outside"
expect_path_absent "$P/.git/hooks/pre-commit" "no hook appeared outside"
expect_eq "$(g rev-parse HEAD 2>&1)" "$head_before" "git outside still sees the repository"

# Normal work inside .git stays possible: objects, refs and the index are written.
run_nsbsh --in "$P" -c 'echo data >.git/objects/nsbsh-t && rm .git/objects/nsbsh-t && cp .git/HEAD .git/ORIG_HEAD && echo ok'
expect_eq "$OUT" ok "objects, refs and HEAD files stay writable"
echo change >"$P/new-file"
run_nsbsh --in "$P" -c 'echo more >>new-file && echo ok'
expect_eq "$OUT" ok "the work tree stays writable"
g add new-file && g -c user.name=t -c user.email=t@t commit -qm "after the sandbox" >/dev/null 2>&1
expect_ne "$(g rev-parse HEAD 2>&1)" "$head_before" "git outside commits what was done inside"

# Destructive attempts, each on its own copy of the project (same content, so
# the cached environment is reused).
C1=$W/copy1
cp -a "$P" "$C1"
try "rmdir .git is refused (its content may go, the mount point stays)" "$BUSY" 'rm -rf .git; rmdir .git' "$C1"
expect_path_present "$C1/.git/config" "after rm -rf .git inside, config is still there"
expect_path_present "$C1/.git/hooks" "after rm -rf .git inside, hooks/ is still there"
C2=$W/copy2
cp -a "$P" "$C2"
try "replace .git with a symlink is refused" "$BUSY" 'rm -rf .git && ln -s /tmp .git' "$C2"
if [ -d "$C2/.git" ] && ! [ -L "$C2/.git" ]; then t_ok ".git is still a directory outside"
else t_fail ".git is still a directory outside" "$(ls -ld "$C2/.git" 2>&1)"; fi

# A .git file (a linked work tree's checkout) is read-only: its gitdir: line
# decides which repository git outside opens.
L=$W/linked
g worktree add -q "$L" -b linked-branch >/dev/null 2>&1
gitfile_before=$(cat "$L/.git")
cp "$P/flake.nix" "$L/flake.nix" 2>/dev/null
run_nsbsh --in "$L" -c 'if echo "gitdir: /tmp/evil" >.git 2>/dev/null; then echo ok; else echo refused; fi'
expect_eq "$OUT" refused "a .git file's gitdir: line cannot be changed"
expect_eq "$(cat "$L/.git")" "$gitfile_before" "the .git file is unchanged outside"

# Breaking the repository from inside must not get the next start silently out
# of the sandbox: the start after says what happened.
C3=$W/copy3
cp -a "$P" "$C3"
run_nsbsh --in "$C3" -c 'rm -rf .git/objects .git/refs .git/HEAD 2>/dev/null; echo broke'
expect_eq "$OUT" broke "the repository's content can be removed from inside (the work tree is writable)"
run_nsbsh --in "$C3" -c 'echo "[$DEMO_VAR]"'
expect_eq "$(nsbsh_lines "$ERR")" 1 "the next start after a broken repository: one 'nsbsh: ' line"
expect_match "$ERR" "no longer opens as one" "the next start after a broken repository says why"
run_nsbsh --in "$C3" -c 'echo "[$DEMO_VAR] [${NSBSH_NO_ENV-}] [${NSBSH_PROJECT-plain}]"'
expect_match "$ERR" "no longer opens as one" "and says it again on the start after"
expect_eq "$OUT" "[] [1] [$(cd "$C3" && pwd -P)]" "the start after a broken repository is the project's sandbox, without the environment, never plain bash"
