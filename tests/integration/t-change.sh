# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-change: a project whose env files changed since its environment was built
# (src/envchoice.c): -c starts rebuild (or keep, as policy says); an
# interactive start asks, on a real terminal (tmux), and each answer does what
# it says; an open shell's prompt hook says once that a watched file changed;
# nsb reload rebuilds and restarts the shell in the same directory.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
CONF=$HOME/.config/nsbsh/nsbsh.conf
setvar() { sed -i "s/DEMO_VAR = \"[^\"]*\"/DEMO_VAR = \"$1\"/" "$P/flake.nix"; }

run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
expect_eq "$OUT" "hello from flake" "the first entry builds"

# --- non-interactive ---------------------------------------------------------------
setvar "second value"
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR ${NSBSH_STALE-fresh}"'
expect_eq "$OUT" "second value fresh" "-c after an edit of flake.nix: rebuilt, the new value appears"

mkdir -p "${CONF%/*}"
echo 'reload_noninteractive = keep' >"$CONF"
setvar "third value"
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR ${NSBSH_STALE-fresh}"'
expect_eq "$OUT" "second value 1" "reload_noninteractive = keep: the last environment, marked stale"
expect_contains "$ERR" "keeping the last environment of '$P/flake.nix': it is stale (flake.nix changed" "keep: says which file changed"
rm -f "$CONF"

echo "watched one" >"$P/.env.sample"
printf 'watch = { ".env.sample" }\n' >"$CONF"
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
expect_eq "$OUT" "third value" "a watched file joins the key (one rebuild for the new list)"
key_of() { run --in "$P" -- "${NSBSH%/*}/nsb" status; sed -n 's/^cache key: \([0-9a-f]*\).*/\1/p' <<<"$OUT"; }
k1=$(key_of)
echo "watched two" >"$P/.env.sample"
k2=$(key_of)
expect_ne "$k2" "$k1" "an edit of a watched file changes the key"
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
run --in "$P" -- "${NSBSH%/*}/nsb" status
expect_contains "$OUT" "stale:     no" "an edit of a watched file: the next start builds the new key"
# A watched path that is a FIFO: said in one line, and the shell still starts
# (plain bash here: the key cannot be made), instead of hanging on the open.
mkfifo "$P/.env.sample.fifo"
printf 'watch = { ".env.sample.fifo" }\n' >"$CONF"
run_nsbsh --in "$P" -c 'echo ran'
expect_eq "$RC:$OUT" "0:ran" "a watched FIFO does not hang the start: the command runs"
expect_eq "$(nsbsh_lines "$ERR")" 1 "a watched FIFO: one line on stderr"
rm -f "$CONF" "$P/.env.sample" "$P/.env.sample.fifo"
run_nsbsh --in "$P" -c 'true'

# --- interactive, on a terminal ------------------------------------------------------
if ! command -v tmux >/dev/null; then
	t_skip "interactive change prompt" "tmux is not installed"
	exit 0
fi
# start_shell DIR - a new tmux session running an interactive nsbsh in DIR.
start_shell() {
	tm kill-server 2>/dev/null
	# a server still ending may take the new session with it (seen under
	# load: "no server running"): asked again, five times at most
	local i
	for i in 1 2 3 4 5; do
		tm -f /dev/null new-session -d -x 160 -y 50 -c "$1" \
			"env PS1='\$ ' $(printf '%q' "$NSBSH") -i; sleep 30" 2>/dev/null &&
			sleep 0.1 && tm has-session 2>/dev/null && return 0
		sleep 0.2
	done
}
setvar "fourth value"
start_shell "$P"
check_screen "flake.nix changed since the environment of .* was built" "interactive start after an edit: says which file changed"
check_screen "\[r\]ebuild it now, \[k\]eep the last one for this shell, or show the \[d\]iff" "interactive start: asks rebuild, keep or diff"
type_line d
check_screen $'\n-      DEMO_VAR = "third value";\n\\+      DEMO_VAR = "fourth value";' "answer d: the diff of flake.nix is shown"
type_line k
check_screen "\[nsb:proj stale\]" "answer k: the shell starts, its prompt says stale"
type_line 'echo "v=$DEMO_VAR"'
check_screen "v=third value" "answer k: the last environment is in use"

# The open shell notices an edit at its next prompt, once.
setvar "fifth value"
type_line 'true'
check_screen "nsbsh: flake.nix changed: run nsb reload" "the prompt hook says that flake.nix changed"
type_line 'true'
sleep 0.5
SCREEN=$(screen)
expect_eq "$(grep -c 'flake.nix changed: run nsb reload' <<<"$SCREEN")" 1 "the prompt hook says it once"

mkdir -p "$P/sub dir"
type_line 'cd "sub dir" && nsb reload'
check_screen "building the environment of '$P/flake.nix' \(nsb reload\)" "nsb reload: rebuilds, saying why"
type_line 'echo "after=$DEMO_VAR in $PWD"'
check_screen "after=fifth value in $P/sub dir" "nsb reload: the new shell has the new value, in the same directory"
type_line 'echo "[${NSBSH_STALE-fresh}]"'
check_screen '\[fresh\]' "nsb reload: the new environment is not stale"
type_line 'exit'

setvar "sixth value"
start_shell "$P"
check_screen "or show the \[d\]iff" "a second interactive start asks again"
type_line r
check_screen "building the environment of '$P/flake.nix' \(flake.nix changed\)" "answer r: rebuilds, saying why"
type_line 'echo "w=$DEMO_VAR"'
check_screen "w=sixth value" "answer r: the new environment is in use"
type_line 'exit'
tm kill-server 2>/dev/null
