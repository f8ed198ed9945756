# shellcheck shell=bash
# tests/lib.sh - helpers for the integration test files (tests/integration/t-*.sh).
#
# Sourced by each test file, which tests/run starts as the unprivileged test user
# with a clean environment: HOME, USER, PATH, TERM=dumb, NSBSH (the installed
# binary), T (the run's scratch root), W (this file's own scratch dir),
# XDG_CACHE_HOME and XDG_DATA_HOME (fresh for this file), ROOT_REQ/ROOT_ACK (the
# root hook, see tests/run).
#
# Output protocol, read by tests/run: one line per check, `ok - NAME`,
# `not ok - NAME: why` or `skip - NAME: why`; any other line starts with `# `
# and is a diagnostic. A file exits 1 if any of its checks failed, and also
# (with a `not ok` line of its own) if it ran no check or every check it ran
# was skipped: a file that asserted nothing must not pass.
#
# No `set -e`: a failing command is an observation to report, not a reason to
# stop. Every check compares an observed value with the wanted one.

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIXTURES=$TESTS/fixtures
T_FAILED=0
T_COUNT=0
T_SKIPPED=0
T_TIMEOUT=${T_TIMEOUT:-60}

: "${NSBSH:?NSBSH must name the nsbsh binary under test}"
: "${W:?W must name a scratch directory}"

trap 't_exit_' EXIT
t_exit_() {
	if [ "$T_COUNT" -eq 0 ]; then
		echo "not ok - $(basename "$0"): no check ran"
		exit 1
	fi
	if [ "$T_SKIPPED" -eq "$T_COUNT" ]; then
		echo "not ok - $(basename "$0"): all its $T_COUNT checks skipped, none ran"
		exit 1
	fi
	[ "$T_FAILED" -eq 0 ] || exit 1
	exit 0
}

# show VALUE - VALUE on one line, quoted so that newlines and odd bytes are
# visible, cut to a readable length.
show() {
	local s
	s=$(printf '%q' "$1")
	[ ${#s} -le 400 ] || s="${s:0:400}...(${#1} chars)"
	printf '%s' "$s"
}

t_ok() {
	T_COUNT=$((T_COUNT + 1))
	echo "ok - $1"
}

# t_fail NAME WHY - a failed check; also prints the last run's stderr (when the
# check was not about it) so the cause is visible without rerunning.
t_fail() {
	T_COUNT=$((T_COUNT + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok - $1: $2"
	if [ -n "${LAST_CMD:-}" ]; then
		echo "#   last command: $LAST_CMD"
		echo "#   its status: $RC, stdout: $(show "$OUT")"
		echo "#   its stderr: $(show "$ERR")"
	fi
}

t_skip() {
	T_COUNT=$((T_COUNT + 1))
	T_SKIPPED=$((T_SKIPPED + 1))
	echo "skip - $1: $2"
}

diag() { echo "# $*"; }

expect_eq() { # GOT WANT NAME
	if [ "$1" = "$2" ]; then t_ok "$3"; else
		t_fail "$3" "got $(show "$1"), want $(show "$2")"; fi
}

expect_ne() { # GOT UNWANTED NAME
	if [ "$1" != "$2" ]; then t_ok "$3"; else
		t_fail "$3" "got $(show "$1"), which it must not be"; fi
}

expect_match() { # GOT ERE NAME
	if [[ $1 =~ $2 ]]; then t_ok "$3"; else
		t_fail "$3" "got $(show "$1"), want a match for /$2/"; fi
}

expect_no_match() { # GOT ERE NAME
	if [[ $1 =~ $2 ]]; then
		t_fail "$3" "got $(show "$1"), which matches /$2/ (it must not)"
	else t_ok "$3"; fi
}

expect_contains() { # GOT FIXED-STRING NAME
	if [[ $1 == *"$2"* ]]; then t_ok "$3"; else
		t_fail "$3" "got $(show "$1"), want it to contain $(show "$2")"; fi
}

expect_lt() { # GOT LIMIT NAME (integers)
	if [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -lt "$2" ]; then t_ok "$3"; else
		t_fail "$3" "got $(show "$1"), want a number below $2"; fi
}

expect_path_absent() { # PATH NAME
	if [ -e "$1" ] || [ -L "$1" ]; then
		t_fail "$2" "$(show "$1") exists outside the sandbox"
	else t_ok "$2"; fi
}

expect_path_present() { # PATH NAME
	if [ -e "$1" ]; then t_ok "$2"; else
		t_fail "$2" "$(show "$1") does not exist"; fi
}

# run [--in DIR] [--stdin STR] [--argv0 ARG0] [--env VAR=VAL]... [--unset VAR]...
#     [--] CMD ARGS...
# Runs CMD (with a time limit) and sets:
#   OUT      its stdout without trailing newlines (as $(...) gives it)
#   OUT_RAW  its stdout, byte-exact
#   ERR      its stderr without trailing newlines
#   RC       its exit status (124/137 from the time limit)
# --in runs it in DIR, --stdin feeds STR and a newline (else /dev/null),
# --argv0 sets argv[0], --env adds or overrides an environment variable, --unset
# removes one. (Long names, so they never clash with a shell's own flags.)
run() {
	local dir=. input='' has_input=0 argv0='' envs=() unsets=()
	while [ $# -gt 0 ]; do
		case $1 in
		--in) dir=$2; shift 2 ;;
		--stdin) input=$2; has_input=1; shift 2 ;;
		--argv0) argv0=$2; shift 2 ;;
		--env) envs+=("$2"); shift 2 ;;
		--unset) unsets+=(-u "$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	local o=$W/.run.out e=$W/.run.err
	LAST_CMD=$(printf '%q ' "$@")
	[ -z "$argv0" ] || LAST_CMD="(argv0=$(show "$argv0")) $LAST_CMD"
	[ "$dir" = . ] || LAST_CMD="(in $(show "$dir")) $LAST_CMD"
	[ ${#envs[@]} -eq 0 ] || LAST_CMD="${envs[*]} $LAST_CMD"
	(
		cd -- "$dir" || exit 125
		# exec -a needs a shell between timeout and the program;
		# absolute paths: -e may change PATH for env's own lookup
		set -- /usr/bin/timeout -k 5 "$T_TIMEOUT" /bin/bash -c \
			'a=$1; shift; if [ -n "$a" ]; then exec -a "$a" "$@"; else exec "$@"; fi' \
			run "$argv0" "$@"
		if [ "$has_input" = 1 ]; then
			/usr/bin/env "${unsets[@]}" "${envs[@]}" "$@" <<<"$input"
		else
			/usr/bin/env "${unsets[@]}" "${envs[@]}" "$@" </dev/null
		fi
	) >"$o" 2>"$e"
	RC=$?
	OUT_RAW=$(cat "$o"; printf .)
	OUT_RAW=${OUT_RAW%.}
	OUT=$(cat "$o")
	ERR=$(cat "$e")
}

# run_nsbsh ARGS... - run "$NSBSH" ARGS (same options as run before ARGS).
run_nsbsh() {
	local opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		--in|--stdin|--argv0|--env|--unset) opts+=("$1" "$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	run "${opts[@]}" -- "$NSBSH" "$@"
}

# nsbsh_lines TEXT - the number of lines of TEXT that start with `nsbsh: `.
nsbsh_lines() {
	local n=0 line
	while IFS= read -r line; do
		[[ $line == 'nsbsh: '* ]] && n=$((n + 1))
	done <<<"$1"
	echo "$n"
}

# mkproject DIR [VARIANT] - see tests/fixtures/mkproject.
mkproject() {
	if ! "$FIXTURES/mkproject" "$@" >"$W/.mkproject.log" 2>&1; then
		echo "# mkproject $(show "$1") ${2:-} failed: $(cat "$W/.mkproject.log")"
		return 1
	fi
}

# try_project DIR NAME - a fixture project at DIR, entered once (the cache is
# warm: later checks time nothing of nix), with tests/try-syscall copied in.
# Sets P_real (DIR's physical path) and TRY; on failure reports a failed check
# NAME and returns 1.
try_project() {
	mkproject "$1" || { t_fail "$2" "fixture not created"; return 1; }
	P_real=$(cd "$1" && pwd -P)
	run_nsbsh --in "$1" -c true
	if [ ! -x "$TESTS/try-syscall" ]; then
		t_fail "$2" "tests/try-syscall is not built (make tests/try-syscall)"
		return 1
	fi
	cp "$TESTS/try-syscall" "$1/try-syscall"
	TRY=$1/try-syscall
}

# fresh_cache - point XDG_CACHE_HOME at a new, empty directory (a cold cache).
fresh_cache() {
	XDG_CACHE_HOME=$(mktemp -d "$W/cache.XXXXXX")
	export XDG_CACHE_HOME
}

# root_do ACTION - ask tests/run to perform a root step (see tests/run for the
# list). Returns its status, or 2 when no root hook is available (a run by an
# unprivileged user): the caller then reports its checks as skipped.
root_do() {
	[ -n "${ROOT_REQ:-}" ] && [ -p "$ROOT_REQ" ] || return 2
	local rc
	printf '%s\n' "$1" >"$ROOT_REQ" || return 1
	IFS= read -r rc <"$ROOT_ACK" || return 1
	return "$rc"
}

# root_step ACTION CHECK - root_do ACTION before the checks named CHECK. When
# it cannot be done here (no root hook: a run by an unprivileged user; or
# status 3: not possible on this machine), reports CHECK as skipped; another
# failure is a failed check. Returns 0 only when the step was done.
root_step() {
	root_do "$1"
	local rc=$?
	if [ $rc = 2 ] && ! [ -p "${ROOT_REQ:-/nonexistent}" ]; then
		t_skip "$2" "needs the root hook (run tests/run as root)"
	elif [ $rc = 3 ]; then
		t_skip "$2" "root cannot do '$1' on this machine"
	elif [ $rc != 0 ]; then
		t_fail "$2" "the root step '$1' failed with status $rc (tests/run keeps its log)"
	else
		return 0
	fi
	return 1
}

# root_do_checked ACTION NAME [SKIPPED] - root_do ACTION as a check named
# NAME: ok when it succeeded (status 0), returning 0. When it cannot be done
# here (no root hook: a run by an unprivileged user; or status 3: not possible
# on this machine), reports SKIPPED (default NAME: the checks that need the
# step) as skipped instead, and returns 2. Any other status is a failed check
# NAME, and returns 1. So `if root_do_checked ...; then` runs the checks that
# need the step done; `root_do_checked ...; if [ $? != 2 ]; then` also runs
# them after a failed step, to show what it left.
root_do_checked() {
	local rc
	root_do "$1"
	rc=$?
	if [ $rc = 2 ] && ! [ -p "${ROOT_REQ:-/nonexistent}" ]; then
		t_skip "${3:-$2}" "needs the root hook (run tests/run as root)"
		return 2
	elif [ $rc = 3 ]; then
		t_skip "${3:-$2}" "root cannot do '$1' on this machine"
		return 2
	fi
	expect_eq "$rc" 0 "$2"
	[ $rc = 0 ] || return 1
}

# userconf LINE... - the test user's nsbsh.conf, $CONF (default: under
# $XDG_CONFIG_HOME, else ~/.config), made of these lines
userconf() {
	local conf=${CONF:-${XDG_CONFIG_HOME:-$HOME/.config}/nsbsh/nsbsh.conf}
	mkdir -p "${conf%/*}" && printf '%s\n' "$@" >"$conf"
}

# answer TEXT NAME - tests/try-syscall's answer for NAME in TEXT (what it
# printed): the rest of NAME's line ("ok", "ok EXTRA", "errno=E...",
# "signal=SIG..."), or "(no answer)" when TEXT has no line for NAME.
answer() {
	local line
	while IFS= read -r line; do
		[[ $line == "$2 "* ]] && { echo "${line#"$2 "}"; return; }
	done <<<"$1"
	echo "(no answer)"
}

# git_still_works DIR [SUBMODULE] - the checks that git outside still works
# on the project at DIR after its sandboxes: status, commit, checkout (a new
# branch), worktree add, submodule update of SUBMODULE (a path in DIR,
# emptied first; without one, a submodule vendor/after is added first).
git_still_works() {
	local g=(git -c user.name=t -c user.email=t@t -c commit.gpgsign=false -c protocol.file.allow=always)
	local sub=${2:-vendor/after} lib=$W/sub-after-$RANDOM
	if [ -z "${2:-}" ]; then
		git init -q "$lib" && echo lib >"$lib/lib.txt" && git -C "$lib" add lib.txt &&
			"${g[@]}" -C "$lib" commit -qm lib && "${g[@]}" -C "$1" submodule add -q "$lib" "$sub" >/dev/null 2>&1 &&
			"${g[@]}" -C "$1" commit -qm "a submodule" >/dev/null 2>&1
	fi
	set -- "$1" "$sub"
	run --in "$1" -- git status --short
	expect_eq "$RC" 0 "git outside afterwards: status"
	run --in "$1" -- "${g[@]}" commit -q --allow-empty -m "after the sandbox"
	expect_eq "$RC" 0 "git outside afterwards: commit"
	run --in "$1" -- git checkout -q -b "after-$RANDOM"
	expect_eq "$RC" 0 "git outside afterwards: checkout"
	run --in "$1" -- git worktree add -q -b "wt-after-$RANDOM" "$W/wt-after-$RANDOM"
	expect_eq "$RC" 0 "git outside afterwards: worktree add"
	rm -rf "${1:?}/${2:?}" && mkdir "$1/$2"
	run --in "$1" -- "${g[@]}" submodule update -q --init
	# checked out at the commit the project records (no '-' or '+' first)
	expect_match "$RC:$(git -C "$1" submodule status -- "$2" 2>&1)" '^0: [0-9a-f]{40} ' \
		"git outside afterwards: submodule update"
}

# --- a real terminal: tmux, with its own server per test file -------------------
# tm ARGS... - tmux on this file's socket ($W/tmux.sock).
tm() { tmux -S "$W/tmux.sock" "$@"; }
# screen - what the pane shows, its history included, wrapped lines joined.
screen() { tm capture-pane -p -J -S -200 2>/dev/null; }
# wait_for ERE [SECONDS] - until the screen matches ERE (default 20 s);
# SCREEN holds the last screen seen.
wait_for() {
	local i
	for i in $(seq $((${2:-20} * 10))); do
		SCREEN=$(screen)
		[[ $SCREEN =~ $1 ]] && return 0
		sleep 0.1
	done
	return 1
}
# check_screen ERE NAME - a check: the screen comes to match ERE.
check_screen() {
	if wait_for "$1"; then t_ok "$2"; else t_fail "$2" "the terminal shows: $(show "$SCREEN")"; fi
}
# type_line TEXT - TEXT typed into the pane, then Enter.
type_line() { tm send-keys -l "$1" && tm send-keys Enter; }
# settle - until the screen has not changed for 0.5 s (at most 10 s): after
# a line that ends a shell (a cd that leaves, nsb reload), so that what is
# typed next goes to the shell that follows.  (What is typed while a
# sandbox's shell ends is lost with its terminal, as with ssh.)
settle() {
	local i last='' now
	for i in $(seq 20); do
		sleep 0.5
		now=$(screen)
		[ "$now" = "$last" ] && return 0
		last=$now
	done
}

# has_nix_exec TRACEFILE - true if an strace -e trace=execve log shows an
# execve (successful or not) of a file named `nix`.
has_nix_exec() {
	grep -Eq 'execve\("([^"]*/)?nix",' "$1"
}

# linger_zero - the user's policy says linger = 0 (appended to the user's
# file): a sandbox ends as soon as nothing runs in it.  For the files that
# wait for a start's whole process tree (strace -f follows the sandbox's
# supervisor, which a first start leaves running; a cgroup is removed when
# its sandbox ends).
linger_zero() {
	mkdir -p "$HOME/.config/nsbsh"
	printf '\nlinger = 0\n' >>"$HOME/.config/nsbsh/nsbsh.conf"
}

# supervisor_of DIR - the pid of the supervisor of a live sandbox of the work
# tree around DIR (its record in $XDG_RUNTIME_DIR/nsbsh), the newest one;
# status 1 when none runs.
supervisor_of() {
	local real info pid=
	real=$(cd "$1" && git rev-parse --show-toplevel 2>/dev/null) || real=$(cd "$1" && pwd -P)
	for info in $(ls -t "$XDG_RUNTIME_DIR"/nsbsh/*.info 2>/dev/null); do
		if grep -qxF "worktree $real" "$info"; then
			pid=$(sed -n 's/^supervisor //p' "$info")
			[ -d "/proc/$pid" ] && { echo "$pid"; return 0; }
		fi
	done
	return 1
}
