# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-signals: signals reach the shell in the sandbox as they would reach bash.
# SIGTERM and SIGHUP sent to nsbsh are passed on (a shell can trap them and
# exit its own way); a terminal's SIGINT to the whole process group is the
# program's to handle (a trap keeps it running, no trap ends it with 130).
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
run_nsbsh --in "$P" -c true # warm the cache

# bg_nsbsh MARK SCRIPT - start nsbsh -c SCRIPT in its own process group (setsid)
# in $P, stdout to $W/MARK.out; sets BG to its pid once `sleep MARK` runs inside.
bg_nsbsh() {
	local mark=$1 i
	(cd "$P" && exec setsid "$NSBSH" -c "$2" >"$W/$mark.out" 2>/dev/null) &
	BG=$!
	for i in $(seq 100); do
		pgrep -f "^sleep $mark\$" >/dev/null && return 0
		sleep 0.05
	done
	return 1
}
bg_wait() { # -> RC of BG, bounded
	local i
	for i in $(seq 100); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.05
	done
	wait "$BG"
	RC=$?
}

bg_nsbsh 4711 'trap "echo got-term; exit 9" TERM; sleep 4711 & wait' || t_fail "start (TERM)" "sleep never ran"
kill -TERM "$BG"
bg_wait
expect_eq "$RC:$(cat "$W/4711.out")" "9:got-term" "SIGTERM to nsbsh reaches the shell's trap"

bg_nsbsh 4712 'trap "echo got-hup; exit 8" HUP; sleep 4712 & wait' || t_fail "start (HUP)" "sleep never ran"
kill -HUP "$BG"
bg_wait
expect_eq "$RC:$(cat "$W/4712.out")" "8:got-hup" "SIGHUP to nsbsh reaches the shell's trap"

bg_nsbsh 4713 'sleep 4713; echo not-reached' || t_fail "start (INT)" "sleep never ran"
kill -INT -- "-$BG"
bg_wait
expect_eq "$RC:$(cat "$W/4713.out")" "130:" "SIGINT to the process group ends an untrapping shell with 130"

bg_nsbsh 4714 'trap "" INT; sleep 4714 & wait; echo survived' || t_fail "start (INT trapped)" "sleep never ran"
kill -INT -- "-$BG"
sleep 0.3
kill -0 "$BG" 2>/dev/null && t_ok "SIGINT to the process group leaves nsbsh running when the shell ignores it" ||
	t_fail "SIGINT to the process group leaves nsbsh running when the shell ignores it" "nsbsh is gone"
kill $(pgrep -u "$(id -u)" -f "^sleep 4714$") # by its pid
bg_wait
expect_eq "$RC:$(cat "$W/4714.out")" "0:survived" "an ignored SIGINT changes nothing for the shell"
