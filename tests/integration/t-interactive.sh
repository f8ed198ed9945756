# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-interactive: `nsbsh -i` in a pty (util-linux script) is a real interactive
# bash with job control, inside a project and outside one.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
plain=$W/plain
mkdir -p "$plain"

# in_pty DIR INPUT - run `nsbsh -i` in a pty in DIR, typing INPUT after a short
# pause; OUT is the terminal output (with \r removed), RC the shell's status.
in_pty() {
	run --in "$1" -- bash -c '{ sleep 0.5; printf "%s" "$1"; } |
		script -qfec "$2 -i" /dev/null' _ "$2" "$(printf '%q' "$NSBSH")"
	OUT=${OUT//$'\r'/}
}

# A short prompt first: the pty has no size, so readline would scroll a long
# prompt sideways and mangle the lines.
session='PS1="$ "
echo "[$DEMO_VAR]"
set -o | grep monitor
sleep 1 & jobs
fg
exit 4
'

for where in P plain; do
	dir=${!where}
	case $where in
	P) label=inside; want_env="[hello from flake]" ;;
	*) label=outside; want_env="[]" ;;
	esac
	in_pty "$dir" "$session"
	expect_eq "$RC" 4 "$label: the interactive shell's exit status passes through"
	expect_match "$OUT" $'(^|\n)'"$(printf '%s' "$want_env" | sed 's/[][]/\\&/g')"$'(\n|$)' "$label: environment ($want_env)"
	expect_match "$OUT" $'monitor[ \t]+on' "$label: job control (monitor) is on"
	expect_no_match "$OUT" "no job control|cannot set terminal process group" "$label: no job-control warning"
	expect_match "$OUT" $'\\[1\\]\\+ +Running +sleep 1' "$label: jobs lists the background job"
	expect_match "$OUT" $'(^|\n)sleep 1(\n|$)' "$label: fg brings the job to the foreground"
done
