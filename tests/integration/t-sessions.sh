# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-sessions: a shell per branch in its own work tree (src/session.c,
# src/session-cmd.c, src/picker.c; layout.c for the common git dir), with
# real git and libgit2 as the unprivileged user. The fixture's environment has
# the host's git (mkproject hostbin), so commits are made inside the sandbox
# as a user would make them.
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
P=$W/proj
mkproject "$P" hostbin || { t_fail "mkproject" "fixture not created"; exit 1; }
g() { git -C "$P" "$@"; }
MAIN=$(g branch --show-current)
ID=(git -c user.name=t -c user.email=t@t)
# Inside, git's identity comes from the command line (no ~/.gitconfig there).
GITID='GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t'
SESSIONS=$XDG_DATA_HOME/nsbsh/sessions

# in_session BRANCH SCRIPT - run SCRIPT in the session BRANCH of $P.
in_session() { run_nsbsh --in "$P" --env "NSBSH_SESSION=$1" -c "$2"; }
first_line() { printf '%s\n' "${1%%$'\n'*}"; }

# --- a new branch gets a work tree at the fixed place, made from HEAD ----------
in_session feature/x 'pwd; git rev-parse --abbrev-ref HEAD; echo "[$DEMO_VAR]"'
SX=$(first_line "$OUT")
expect_match "$SX" "^$SESSIONS/proj-[0-9a-f]{16}/feature%2Fx\$" "a new branch: its work tree is \$XDG_DATA_HOME/nsbsh/sessions/REPO-ID/ENCODED-BRANCH"
expect_eq "$(sed -n 2,3p <<<"$OUT")" $'feature/x\n[hello from flake]' "a new branch: the shell runs in it, on the branch, in the environment"
expect_contains "$ERR" "created the session 'feature/x' at '$SX'" "a new branch: the creation is said"
expect_eq "$(g rev-parse feature/x)" "$(g rev-parse HEAD)" "a new branch is made from HEAD"
REPO_DIR=$(dirname "$SX")

in_session feature/x 'pwd'
expect_eq "$RC:$OUT" "0:$SX" "a second entry reuses the work tree"
expect_no_match "$ERR" "created" "a second entry creates nothing"

in_session feature-x 'pwd'
SY=$OUT
expect_eq "$SY" "$REPO_DIR/feature-x" "feature-x gets its own folder"
expect_ne "$SY" "$SX" "feature/x and feature-x never share a work tree"
expect_eq "$(git -C "$SY" branch --show-current):$(git -C "$SX" branch --show-current)" "feature-x:feature/x" "each folder is on its own branch"

# --- an existing branch is checked out; the main work tree's branch uses it ----
"${ID[@]}" -C "$P" switch -q -c existing && echo e >"$P/e.txt" && g add e.txt &&
	"${ID[@]}" -C "$P" commit -qm existing && g switch -q "$MAIN"
in_session existing 'pwd; git rev-parse HEAD'
expect_eq "$OUT" "$REPO_DIR/existing"$'\n'"$(g rev-parse existing)" "an existing branch is checked out as it is"
in_session "$MAIN" 'pwd'
expect_eq "$OUT" "$P" "the main work tree's branch: the session is the main work tree"
expect_eq "$(ls "$REPO_DIR" | grep -c "^$MAIN\$")" 0 "no folder is made for the main work tree's branch"
sub=$P/sub && mkdir -p "$sub"
run_nsbsh --in "$sub" --env NSBSH_SESSION=feature/x -c pwd
expect_eq "$OUT" "$SX" "a start in a subdirectory lands in the session's root when the branch has no such directory"

# --- what the session sees --------------------------------------------------------
in_session feature/x 'echo made >made-in-session && echo ok'
expect_eq "$OUT" ok "a file can be made in the session"
expect_path_present "$SX/made-in-session" "the file is in the session's work tree"
expect_path_absent "$P/made-in-session" "the file is not in the main work tree"
in_session feature/x "git add made-in-session && $GITID git commit -qm 'from the session' && echo committed"
expect_eq "$OUT" committed "MUST-C1 objects and refs stay writable: a commit made inside the session succeeds"
expect_eq "$(g log --format=%s -1 feature/x)" "from the session" "the session's commit is in the main work tree's git log feature/x"
in_session feature/x "cat '$P/flake.nix' >/dev/null 2>&1 && echo visible || echo hidden"
expect_eq "$OUT" hidden "the main work tree is not visible in a session"

COMMON=$P/.git
GD=$(sed 's/^gitdir: //' "$SX/.git")
# try_ro NAME SCRIPT - SCRIPT must fail in the session feature/x with EROFS.
try_ro() {
	in_session feature/x "if $2; then echo written; else echo refused; fi"
	expect_eq "$OUT" refused "$1"
	expect_contains "$ERR" "Read-only file system" "$1: Read-only file system"
}
try_ro "MUST-C1 a session cannot add a hook to the common dir" "echo 'touch /tmp/x' >'$COMMON/hooks/pre-commit'"
try_ro "MUST-C1 a session cannot change the common dir's config" "echo '[core]' >>'$COMMON/config'"
try_ro "MUST-C1 a session cannot create commondir at the top of the common dir (the known gap, closed)" "echo /tmp >'$COMMON/commondir'"
try_ro "MUST-C2 a session cannot change its own git dir's commondir" "echo /tmp >'$GD/commondir'"
try_ro "MUST-C2 a session cannot plant a config.worktree" "echo '[core]' >'$GD/config.worktree'"
try_ro "MUST-C2 a session cannot change its .git file" "echo 'gitdir: /tmp' >.git"
expect_path_absent "$COMMON/hooks/pre-commit" "no hook appeared outside"
expect_path_absent "$COMMON/commondir" "no commondir appeared outside"
run_nsbsh --in "$P" -c "if echo /tmp >'$GD/commondir'; then echo written; else echo refused; fi"
expect_eq "$OUT" refused "MUST-C2 in place, a session's commondir is read-only too"

# Code in the sandbox in place can write .git/worktrees/NEW and a .git file
# naming it, whose commondir names another repository: the links do not agree
# (NEW is not in that repository's worktrees/), so that repository's git dir
# is not shown, and never read-write.
V=$W/victim
mkproject "$V"
mkdir -p "$P/.git/worktrees/evil" "$P/forged"
echo "$V/.git" >"$P/.git/worktrees/evil/commondir"
echo "$P/forged/.git" >"$P/.git/worktrees/evil/gitdir"
echo "ref: refs/heads/$MAIN" >"$P/.git/worktrees/evil/HEAD"
echo "gitdir: $P/.git/worktrees/evil" >"$P/forged/.git"
cp "$P/flake.nix" "$P/forged/"
run_nsbsh --in "$P/forged" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; ls '$V/.git' >/dev/null 2>&1 && echo visible || echo hidden"
expect_eq "$OUT" hidden "MUST-C3 a forged .git file does not get another repository's git dir shown"
expect_contains "$ERR" "names it back" "MUST-C3 a forged .git file is said so"
rm -rf "$P/forged" "$P/.git/worktrees/evil"

# --- refusals -----------------------------------------------------------------------
in_session 'a..b' 'pwd'
expect_contains "$ERR" "'a..b' is not a valid branch name: it contains '..'" "an invalid name is refused with why"
expect_eq "$RC:$OUT" "77:" "SESS-1 after a refused session, nothing runs (status 77): never the main work tree instead"
run --in "$P" -- "$NSB" enter --session 'bad name'
expect_eq "$RC" 1 "nsb enter with an invalid name: status 1"
expect_contains "$ERR" "contains a space" "nsb enter with an invalid name says why"
run --in "$P" -- "$NSB" enter --session '-x'
expect_contains "$ERR" "starts with '-'" "a name starting with '-' is refused"

mkdir -p "$REPO_DIR/blocked" && git init -q "$REPO_DIR/blocked" && touch "$REPO_DIR/blocked/f"
run --in "$P" -- "$NSB" enter --session blocked
expect_eq "$RC" 1 "a folder of another repository at the fixed place: status 1"
expect_contains "$ERR" "is in the way of the session 'blocked': it is not a work tree of this repository" "a folder of another repository is refused"
expect_path_present "$REPO_DIR/blocked/f" "the folder in the way is left alone"
git -C "$SY" switch -q -c other-branch
in_session feature-x 'pwd'
expect_contains "$ERR" "is a work tree of this repository on 'other-branch', not on 'feature-x'" "a work tree of this repository on another branch is refused"
git -C "$SY" switch -q feature-x

# --- nsb enter ----------------------------------------------------------------------
run --in "$P" --stdin 'pwd; git rev-parse HEAD; echo "$NSBSH_SESSION"' -- "$NSB" enter --session from-test --from existing
expect_eq "$OUT" "$REPO_DIR/from-test"$'\n'"$(g rev-parse existing)"$'\nfrom-test' "nsb enter --session B --from REF: a branch made from REF, the shell in its work tree"
run --in "$W" --stdin 'pwd' -- "$NSB" enter "$P"
expect_eq "$RC:$OUT" "0:$P" "nsb enter DIR without a session: in place"
run --in "$W" -- "$NSB" enter
expect_eq "$RC" 1 "nsb enter outside a project: status 1"
expect_contains "$ERR" "is not in a project" "nsb enter outside a project says so"
run --in "$P" -- "$NSB" enter --from x
expect_eq "$RC" 2 "nsb enter --from without --session: usage, status 2"

# --- the prompt ------------------------------------------------------------------------
run_nsbsh --in "$P" --env NSBSH_SESSION=feature-x -i -c 'echo "${PS1@P}"'
expect_match "$OUT" '^\[nsb:proj@feature-x\] ' "the prompt shows the project and the session"
run_nsbsh --in "$P" -i -c 'echo "${PS1@P}"'
expect_match "$OUT" '^\[nsb:proj\] ' "in place, the prompt shows the project only"
run_nsbsh --in "$P" --env 'NSBSH_SESSION=$(echo${IFS}pwned)' -i -c 'echo "${PS1@P}"'
expect_contains "$OUT" '[nsb:proj@$(echo${IFS}pwned)]' "a branch name in the prompt is shown, never run"

# --- the fast path: no libgit2 unless a session is asked for ------------------------------
run_nsbsh --in "$P" -c true
run --in "$P" -- strace -f -qq -e trace=openat -o "$W/nosession.trace" "$NSBSH" -c true
if grep -q 'libgit2\.so' "$W/nosession.trace"; then t_fail "a cached start without a session loads no libgit2" "libgit2 opened"
else t_ok "a cached start without a session loads no libgit2"; fi

# --- session_copy ---------------------------------------------------------------------------
echo .env >"$P/.gitignore" && g add .gitignore && "${ID[@]}" -C "$P" commit -qm ignore
echo 'SECRET=1' >"$P/.env"
in_session no-copy 'ls -a'
expect_no_match "$OUT" '(^|\n)\.env(\n|$)' "without policy, .env is not copied"
expect_contains "$ERR" "not copied into the new work tree (gitignored): '.env'" "without policy, the left-behind .env is said"
mkdir -p "$HOME/.config/nsbsh"
printf 'session_copy = { ".env", ".link" }\n' >"$HOME/.config/nsbsh/nsbsh.conf"
ln -s /etc/hostname "$P/.link"
in_session with-copy 'cat .env'
expect_eq "$OUT" "SECRET=1" "policy session_copy copies .env into a new work tree"
expect_contains "$ERR" "copied '.env' into the new work tree (policy session_copy)" "the copy is said"
expect_contains "$ERR" "not copied: '.link': a symbolic link is on its way" "a symbolic link is never followed by the copy"
expect_path_absent "$REPO_DIR/with-copy/.link" "the link's target is not copied"
rm -f "$P/.link" "$HOME/.config/nsbsh/nsbsh.conf"

# --- nsb sessions, rm, prune -----------------------------------------------------------------
run --in "$P" -- "$NSB" sessions
expect_match "$OUT" $'(^|\n)feature/x +clean +\\+1 -1 '"$MAIN"' +[0-9]+ s ago +'"$SX" "nsb sessions: branch, state, ahead/behind its base, last used, path"
expect_match "$OUT" $'(^|\n)'"$MAIN"' +clean .*'"$P"' \(main work tree\)' "nsb sessions lists the main work tree"
echo dirt >"$SX/dirt"
run --in "$P" -- "$NSB" sessions
expect_match "$OUT" $'(^|\n)feature/x +dirty' "nsb sessions: a changed work tree is dirty"
run --in "$P" -- "$NSB" sessions rm feature/x
expect_eq "$RC" 1 "rm of a dirty session: status 1"
expect_contains "$ERR" "the session 'feature/x' has 1 changed or untracked files" "rm refuses a dirty work tree"
rm -f "$SX/dirt"
run --in "$P" -- "$NSB" sessions rm feature/x
expect_contains "$RC:$ERR" "1:nsb: the branch 'feature/x' has commits that are on no other branch" "rm refuses a branch with commits on no other branch"
expect_path_present "$SX/made-in-session" "a refused rm removes nothing"
run --in "$P" -- "$NSB" sessions rm feature/x --force
expect_eq "$RC:$OUT" "0:removed the session 'feature/x' ($SX); the branch 'feature/x' is kept" "rm --force removes the work tree"
expect_path_absent "$SX" "rm --force: the folder is gone"
expect_eq "$(g log --format=%s -1 feature/x 2>&1)" "from the session" "rm never deletes the branch"
expect_no_match "$(g worktree list)" "feature%2Fx" "rm: git no longer lists the work tree"
run --in "$P" -- "$NSB" sessions rm feature-x
expect_eq "$RC" 0 "rm of a clean session whose commits are on another branch needs no --force"
run --in "$P" -- "$NSB" sessions rm "$MAIN"
expect_contains "$RC:$ERR" "1:nsb: '$MAIN' is checked out in the main work tree" "rm refuses the main work tree"

in_session gone 'pwd'
rm -rf "$REPO_DIR/gone"
run --in "$P" -- "$NSB" sessions
expect_match "$OUT" $'(^|\n)gone +missing' "nsb sessions: a deleted folder is missing"
run --in "$P" -- "$NSB" sessions prune
expect_eq "$RC:$OUT" "0:pruned gone $REPO_DIR/gone (its folder is gone)" "prune forgets a work tree whose folder is gone"
expect_no_match "$(g worktree list)" "/gone" "prune: git no longer lists it"
run --in "$P" -- "$NSB" sessions prune
expect_eq "$OUT" "nothing to prune" "prune again: nothing to do"

# --- two first entries at once make one work tree ---------------------------------------------
for i in 1 2 3; do
	(cd "$P" && NSBSH_SESSION=race timeout 60 "$NSBSH" -c pwd >"$W/race.$i.out" 2>"$W/race.$i.err") &
done
wait
expect_eq "$(cat "$W"/race.*.out | sort -u)" "$REPO_DIR/race" "concurrent first entries all land in one work tree"
expect_eq "$(cat "$W"/race.*.err | grep -c "created the session 'race'")" 1 "concurrent first entries: one creates, the others reuse"
expect_eq "$(g worktree list | grep -c '/race ')" 1 "concurrent first entries: git lists one work tree"

# --- the picker (libedit), driven through tmux -------------------------------------------------------
if ! command -v tmux >/dev/null; then
	t_skip "the picker" "tmux is not installed"
	exit 0
fi
printf 'picker = on\n' >"$HOME/.config/nsbsh/nsbsh.conf"
# One server per picker run: a server being killed cannot take the next one.
n_tm=0
tm_start() {
	n_tm=$((n_tm + 1))
	tm new-session -d -s pick -x 150 -y 50 -c "$P" "$NSBSH"
}
tm() { tmux -S "$W/tmux.$n_tm.sock" "$@"; }
# wait_pane TEXT - until the pane shows TEXT (10 s at most); PANE is what it shows.
wait_pane() {
	local i
	for i in $(seq 100); do
		PANE=$(tm capture-pane -p -t pick 2>/dev/null)
		[[ $PANE == *"$1"* ]] && return 0
		sleep 0.1
	done
	return 1
}
tm_start
if wait_pane "session (Tab completes"; then t_ok "picker = on: an interactive start shows the picker"
else t_fail "picker = on: an interactive start shows the picker" "pane: $(show "$PANE")"; fi
expect_contains "$PANE" "(in place)" "the picker offers in place"
expect_match "$PANE" "existing +$REPO_DIR/existing" "the picker lists the existing sessions"
tm send-keys -t pick 'exis' Tab
wait_pane "in place): existing"
expect_contains "$PANE" "in place): existing" "Tab completes a session's name"
tm send-keys -t pick Enter
wait_pane "[nsb:proj@existing]"
expect_contains "$PANE" "[nsb:proj@existing] " "the prompt of the chosen session shows it"
tm send-keys -t pick 'echo "at:$PWD"' Enter
wait_pane "at:$REPO_DIR/existing"
expect_contains "$PANE" "at:$REPO_DIR/existing" "Enter starts the shell in the chosen session"
tm kill-server 2>/dev/null

tm_start
wait_pane "session (Tab completes"
tm send-keys -t pick 'picked/new' Enter
wait_pane "created the session 'picked/new'"
tm send-keys -t pick 'echo "at:$PWD"' Enter
wait_pane "at:$REPO_DIR/picked%2Fnew"
expect_contains "$PANE" "at:$REPO_DIR/picked%2Fnew" "the shell starts in the new session"
expect_contains "$PANE" "created the session 'picked/new'" "a new name typed in the picker creates that session"
expect_eq "$(g rev-parse picked/new 2>&1)" "$(g rev-parse HEAD)" "the picker's new branch is made from HEAD"
tm kill-server 2>/dev/null

tm_start
wait_pane "session (Tab completes"
tm send-keys -t pick Enter
wait_pane "[nsb:proj]"
tm send-keys -t pick 'echo "at:$PWD"' Enter
wait_pane "at:$P"
expect_contains "$PANE" "at:$P"$'\n' "Enter alone in the picker: in place"
tm kill-server 2>/dev/null
rm -f "$HOME/.config/nsbsh/nsbsh.conf"
