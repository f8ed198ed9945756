# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-completion: the conventions of a command-line tool. The bash completion
# for nsb, as `make install` installs it, run the way bash-completion's own
# tests run one (the file sourced, COMP_WORDS and COMP_CWORD set, the
# function called, COMPREPLY read): the subcommands (those `nsb help`
# lists), their options, the existing sessions and branches, directories.
# `nsb --help` and `nsb CMD --help`; NO_COLOR: nsb doctor's colours go (and
# come with a terminal without it), and the variable reaches the sandbox.
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
COMPLETION=$(dirname "$(dirname "$NSBSH")")/share/bash-completion/completions/nsb
expect_path_present "$COMPLETION" "make install puts the completion in DATADIR/bash-completion/completions/nsb"

# comp DIR WORD... - what the completion offers for the last WORD, sorted,
# one per line, run by a bash that sourced the installed file, in DIR.
comp() {
	local dir=$1
	shift
	run --in "$dir" -- bash -c '. "$1" || exit 99; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		complete -p nsb >/dev/null || exit 98
		_nsb nsb "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' comp "$COMPLETION" "$@"
}

# --- nsb --help, nsb CMD --help -------------------------------------------------------
run -- "$NSB" --help
expect_match "$RC:$OUT" '^0:usage: nsb COMMAND' "nsb --help: the usage on stdout, status 0"
cmds=$(sed -n 's/^  nsb \([a-z]*\).*/\1/p' <<<"$OUT" | sort)
expect_eq "$(tr '\n' ' ' <<<"$cmds")" "doctor enter gc help log ps sessions status stop trust version " "nsb --help lists every command"
for c in $cmds; do
	run -- "$NSB" "$c" --help
	first=${OUT%%$'\n'*}
	expect_match "$RC $first // ${OUT#*$'\n'}" "^0 usage: nsb $c( .*)? // [a-z][^[:cntrl:]]+\$" "nsb $c --help: its usage line, then what it does, status 0"
done
run -- "$NSB" help gc
expect_eq "$RC:$OUT" "0:$("$NSB" gc --help)" "nsb help gc is nsb gc --help"
run -- "$NSB" gc --bogus
expect_eq "$RC:$ERR" "2:nsb: unknown argument '--bogus': usage: nsb gc [--dry-run] [--older-than DURATION] [--homes]" "a usage error gives the same usage line"

# --- completion: subcommands and options ---------------------------------------------------
comp "$W" "$NSB" ""
expect_eq "$OUT" "$(printf '%s\n' $cmds --help --version | sort)" "nsb <TAB>: every subcommand (and --help, --version)"
comp "$W" "$NSB" s
expect_eq "$OUT" "sessions
status
stop" "nsb s<TAB>: the subcommands that start so"
comp "$W" "$NSB" gc --
expect_eq "$OUT" "--dry-run
--help
--homes
--older-than" "nsb gc --<TAB>: its options"
comp "$W" "$NSB" gc --older-than ""
expect_eq "$OUT" "" "nsb gc --older-than <TAB>: nothing to offer for a duration"
comp "$W" "$NSB" help ""
expect_eq "$OUT" "$cmds" "nsb help <TAB>: the commands"

# --- completion: sessions, branches, directories ----------------------------------------------
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$P/sub dir"
git -C "$P" branch other-branch
run_nsbsh --in "$P" --env NSBSH_SESSION=feat/x -c true
expect_eq "$RC" 0 "a session feat/x is made"
main=$(git -C "$P" symbolic-ref --short HEAD)
run --in "$P" -- "$NSB" sessions
expect_contains "$OUT" "feat/x" "nsb sessions lists it"
comp "$P" "$NSB" sessions rm ""
expect_eq "$OUT" "$(printf '%s\n' feat/x "$main" | sort)" "nsb sessions rm <TAB>: the existing sessions (not a branch without one)"
comp "$P" "$NSB" enter --session ""
expect_eq "$OUT" "$(printf '%s\n' feat/x "$main" other-branch | sort -u)" "nsb enter --session <TAB>: the sessions and the branches"
comp "$P" "$NSB" enter --session fe
expect_eq "$OUT" "feat/x" "nsb enter --session fe<TAB>: feat/x"
comp "$P" "$NSB" enter --
expect_eq "$OUT" "--from
--help
--pick
--session" "nsb enter --<TAB>: its options"
comp "$P" "$NSB" sessions ""
expect_eq "$(grep -x -e prune -e rm <<<"$OUT")" "prune
rm" "nsb sessions <TAB>: its subcommands"
expect_contains "$OUT" $'\nsub dir' "and directories (for DIR)"
comp "$P" "$NSB" status s
expect_eq "$OUT" "sub dir" "nsb status s<TAB>: a directory, spaces and all"
comp "$W" "$NSB" sessions rm ""
expect_eq "$OUT" "" "outside a project, no session to offer"

# --- NO_COLOR ----------------------------------------------------------------------------------
# nsb doctor on a terminal (script(1) makes one): coloured, unless NO_COLOR.
run --env TERM=xterm -- script -qec "$NSB doctor" /dev/null
expect_contains "$OUT" $'\e[' "nsb doctor on a terminal is coloured (the check below can fail)"
run --env TERM=xterm --env NO_COLOR=1 -- script -qec "$NSB doctor" /dev/null
expect_no_match "$OUT" $'\e' "with NO_COLOR, nsb doctor prints no escape sequence"
expect_match "$OUT" '(ok|PROBLEM)' "and still its checks"
grep -rl $'\e\\[\\|\\\\033\\[\\|\\\\e\\[' "$(dirname "$COMPLETION")" "$(dirname "$(dirname "$NSBSH")")/share/nsbsh" >"$W/escapes" 2>/dev/null
expect_eq "$(cat "$W/escapes")" "" "no shellwrap or completion file prints colour"
run_nsbsh --in "$P" --env NO_COLOR=1 -c 'printf %s "${NO_COLOR-unset}"'
expect_eq "$RC:$OUT" "0:1" "NO_COLOR reaches the sandbox"
run_nsbsh --in "$P" --unset NO_COLOR -c 'printf %s "${NO_COLOR-unset}"'
expect_eq "$RC:$OUT" "0:unset" "and is not made up there"
