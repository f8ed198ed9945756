# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-session-promise: an explicit session is a promise (src/shell/session.c
# SESS-1). NSBSH_SESSION or `nsb enter --session` naming a session that
# cannot be entered used to run the command in the main work tree with
# status 0: an agent meant to work on its own branch wrote the main one. Now a
# start without a prompt runs nothing (status 77, README's exit codes); an
# interactive one says why and asks.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
run_nsbsh --in "$P" -c true # warm the cache
NSB=$(dirname "$NSBSH")/nsb

# --- control: a session that can be entered ---------------------------------------
run_nsbsh --in "$P" --env NSBSH_SESSION=agent/task -c 'echo work >done.txt; git rev-parse --abbrev-ref HEAD 2>/dev/null || pwd'
expect_eq "$RC" 0 "SESS-1 session-promise: control: a session that can be entered runs the command"
expect_path_absent "$P/done.txt" "SESS-1 session-promise: control: ... in the session, not in the main work tree"

# --- a session that cannot be entered: nothing runs -------------------------------------
run_nsbsh --in "$P" --env 'NSBSH_SESSION=bad..name' -c 'echo ran; echo work >main-written.txt'
expect_eq "$RC:$OUT" "77:" "SESS-1 session-promise: an invalid session name refuses a non-interactive start: status 77, nothing run"
expect_path_absent "$P/main-written.txt" "SESS-1 session-promise: the main work tree is not written"
expect_contains "$ERR" "nsbsh: cannot enter the session 'bad..name': 'bad..name' is not a valid branch name: it contains '..'; nothing runs in '$P' instead (refused, status 77)" \
	"SESS-1 session-promise: one line says why"
expect_eq "$(nsbsh_lines "$ERR")" 1 "SESS-1 session-promise: one 'nsbsh: ' line"

# a folder in the way at the session's place
REPO_DIR=$(dirname "$(cd "$P" && NSBSH_SESSION=agent/task "$NSBSH" -c pwd 2>/dev/null)")
mkdir -p "$REPO_DIR/blocked" && echo mine >"$REPO_DIR/blocked/file"
run_nsbsh --in "$P" --env NSBSH_SESSION=blocked -c 'echo ran; echo work >main-written.txt'
expect_eq "$RC:$OUT" "77:" "SESS-1 session-promise: a folder in the way refuses the start: status 77, nothing run"
expect_path_absent "$P/main-written.txt" "SESS-1 session-promise: ... and the main work tree is not written"
expect_eq "$(cat "$REPO_DIR/blocked/file")" mine "SESS-1 session-promise: the folder in the way is left as it was"

# a script (bash -c, an agent's tool) sees the refusal as a failed command
run --in "$P" --env 'NSBSH_SESSION=bad..name' --env SHELL="$NSBSH" -- /bin/bash -c '"$SHELL" -c "echo ran" && echo after || echo "refused $?"'
expect_eq "$OUT" "refused 77" "SESS-1 session-promise: an agent's \$SHELL -c sees status 77"

# nsb enter --session: refused before anything starts
run --in "$P" -- "$NSB" enter --session 'bad..name'
expect_eq "$RC" 1 "SESS-1 session-promise: nsb enter --session with a bad name: status 1, no shell"

# --- interactive: said, and asked ------------------------------------------------------
TM=(tmux -S "$W/tmux.sock")
trap '"${TM[@]}" kill-server 2>/dev/null; t_exit_' EXIT
pane() { "${TM[@]}" capture-pane -p -J -t t -S -100 2>/dev/null; }
wait_pane() { # ERE - until the pane shows a match (20 s: a loaded machine)
	local i
	for i in $(seq 400); do
		PANE=$(pane)
		[[ $PANE =~ $1 ]] && return 0
		sleep 0.05
	done
	return 1
}
"${TM[@]}" new-session -d -s t -x 200 -y 30 -c "$P" "env NSBSH_SESSION=bad..name '$NSBSH'; echo \"exited \$?\"; sleep 30"
if wait_pane "run the shell in '[^']*' instead, not in a session\? \[y/N\]"; then
	t_ok "SESS-1 session-promise: an interactive start says why and asks"
else
	t_fail "SESS-1 session-promise: an interactive start says why and asks" "the pane shows: $(show "$PANE")"
fi
expect_contains "$PANE" "cannot enter the session 'bad..name': 'bad..name' is not a valid branch name" "SESS-1 session-promise: the question says why"
"${TM[@]}" send-keys -t t n Enter
if wait_pane "exited 77"; then t_ok "SESS-1 session-promise: no: the start is refused (status 77)"
else t_fail "SESS-1 session-promise: no: the start is refused (status 77)" "the pane shows: $(show "$PANE")"; fi
"${TM[@]}" kill-server 2>/dev/null

TM=(tmux -S "$W/tmux2.sock") # a server of its own: the first may still be ending
"${TM[@]}" new-session -d -s t -x 200 -y 30 -c "$P" "env NSBSH_SESSION=bad..name '$NSBSH'; echo \"exited \$?\"; sleep 30"
wait_pane "\[y/N\]" >/dev/null
"${TM[@]}" send-keys -t t y Enter
if wait_pane "\[nsb:proj\]"; then t_ok "SESS-1 session-promise: yes: the shell runs in place, in the sandbox"
else t_fail "SESS-1 session-promise: yes: the shell runs in place, in the sandbox" "the pane shows: $(show "$PANE")"; fi
"${TM[@]}" send-keys -t t 'echo "[$DEMO_VAR] $PWD"' Enter
wait_pane "\[hello from flake\] $P" >/dev/null
expect_contains "$PANE" "[hello from flake] $P" "SESS-1 session-promise: ... in the main work tree, as the person chose"
"${TM[@]}" kill-server 2>/dev/null

# --- git outside still works on the project ---------------------------------------
git_still_works "$P"
