# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-tmux: nsbsh as tmux's default-command (a real tmux server of the test
# user's own), and as the shell an editor probes for its environment: a pane
# opened in a project gets the sandboxed shell and the flake's variables, one
# elsewhere plain bash; in the sandboxed shell Ctrl-C interrupts a program and
# the shell survives, Ctrl-Z and fg work, and a resized window reaches the
# programs inside; `nsbsh -ilc env` prints the environment and nothing else.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
plain=$W/plain
mkdir -p "$plain"
run_nsbsh --in "$P" -c true # warm the cache

# --- editors: $SHELL -ilc env ------------------------------------------------------------

start=$(date +%s%N)
run_nsbsh --in "$P" -ilc env
ms=$((($(date +%s%N) - start) / 1000000))
diag "warm 'nsbsh -ilc env' in the project: ${ms} ms"
expect_eq "$RC" 0 "editor probe: status 0"
expect_match "$OUT" $'(^|\n)DEMO_VAR=hello from flake(\n|$)' "editor probe: the project's environment"
expect_match "$OUT" $'(^|\n)PATH=/nix/store/' "editor probe: the environment's PATH"
bad_lines=$(grep -cvE '^[A-Za-z_][A-Za-z0-9_]*=' <<<"$OUT")
expect_eq "$bad_lines" 0 "editor probe: stdout is env's output only (every line NAME=VALUE)"
expect_no_match "$OUT" $'\e|\\[nsb:|hook ran' "editor probe: no colour codes, prompt or shellHook output on stdout"
expect_contains "$ERR" "hook ran" "editor probe: the shellHook's output went to stderr"
run_nsbsh --in "$plain" -ilc 'env'
expect_no_match "$OUT" "DEMO_VAR|NSBSH_PROJECT" "editor probe outside a project: the plain environment"

# --- tmux with default-command nsbsh ------------------------------------------------------

printf 'set -g default-command "%s"\nset -g history-limit 1000\n' "$NSBSH" >"$W/tmux.conf"
TM=(tmux -S "$W/tmux.sock" -f "$W/tmux.conf")
"${TM[@]}" new-session -d -s t -x 200 -y 30 -c "$P"
"${TM[@]}" new-window -d -t t:1 -c "$plain"
trap '"${TM[@]}" kill-server 2>/dev/null; t_exit_' EXIT

# wait_for WINDOW ERE - until the pane shows a match (5 s); PANE is what it shows.
wait_for() {
	local i
	for i in $(seq 100); do
		PANE=$("${TM[@]}" capture-pane -p -J -t "t:$1" -S -200 2>/dev/null)
		[[ $PANE =~ $2 ]] && return 0
		sleep 0.05
	done
	return 1
}
type_in() { "${TM[@]}" send-keys -t "t:$1" "$2" Enter; }
line() { printf '(^|\n)%s(\n|$)' "$1"; }
wait_pid() { # PATTERN - until a process runs whose command line is PATTERN
	local i
	for i in $(seq 100); do
		pgrep -u "$(id -u)" -fx "$1" >/dev/null && return 0
		sleep 0.05
	done
	return 1
}

type_in 0 'echo "[${DEMO_VAR-none}] ${NSBSH_PROJECT-outside}"'
wait_for 0 "$(line "\\[hello from flake\\] $P")"
expect_match "$PANE" "$(line "\\[hello from flake\\] $P")" "tmux: a pane opened in the project has the flake's variable"
expect_match "$PANE" '\[nsb:proj\] ' "tmux: the project pane's prompt marker"
type_in 1 'echo "[${DEMO_VAR-none}] ${NSBSH_PROJECT-outside}"'
wait_for 1 "$(line '\[none\] outside')"
expect_match "$PANE" "$(line '\[none\] outside')" "tmux: a pane opened elsewhere is plain bash"

type_in 0 'sleep 4799'
wait_pid 'sleep 4799' || diag "sleep 4799 did not start"
"${TM[@]}" send-keys -t t:0 C-c
type_in 0 'echo "alive-$?"'
wait_for 0 "$(line alive-130)"
expect_match "$PANE" "$(line alive-130)" "tmux: Ctrl-C interrupts a sleep (130) and the shell survives"

type_in 0 'sleep 4798'
wait_pid 'sleep 4798' || diag "sleep 4798 did not start"
"${TM[@]}" send-keys -t t:0 C-z
wait_for 0 'Stopped +sleep 4798'
expect_match "$PANE" '\[1\]\+ +Stopped +sleep 4798' "tmux: Ctrl-Z stops the job"
type_in 0 'fg'
wait_for 0 "$(line 'sleep 4798')"
sleep 0.2
state=$(ps -o stat= -p "$(pgrep -u "$(id -u)" -fx 'sleep 4798' | head -1)" 2>/dev/null)
expect_match "$state" '^S' "tmux: fg resumes it (running again)"
"${TM[@]}" send-keys -t t:0 C-c
type_in 0 'echo "back-$?"; jobs | wc -l'
wait_for 0 "$(line 'back-130')"$'0(\n|$)'
expect_match "$PANE" "$(line 'back-130')"$'0(\n|$)' "tmux: Ctrl-C ends the resumed job, no job is left"

"${TM[@]}" resize-window -t t:0 -x 120 -y 40
sleep 0.2
type_in 0 'echo "cols-$COLUMNS"; "$(readlink -f "$(command -v ls)")" stty size'
wait_for 0 "$(line '40 120')"
expect_match "$PANE" "$(line 'cols-120')" "tmux: a resized window: \$COLUMNS follows (checkwinsize)"
expect_match "$PANE" "$(line '40 120')" "tmux: a resized window: a program inside reads the new size"

"${TM[@]}" kill-server
