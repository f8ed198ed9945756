# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-discovery: which directory is a project, decided with libgit2 (ceiling
# directories, ownership), and the memo that spares re-entries libgit2: it is
# used when nothing changed and dropped when something did.
. "$(dirname "$0")/../lib.sh"
linger_zero # strace -f of a first start waits for the supervisor it leaves

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$P/sub"

# opens NAME ARGS... - run nsbsh ARGS in the directory $IN under strace
# (openat only); the log in $W/NAME.trace.
opens() {
	local log=$W/$1.trace
	shift
	rm -f "$log"
	run --in "$IN" -- strace -f -qq -e trace=openat -o "$log" "$NSBSH" "$@"
}
loads_libgit2() { grep -q 'libgit2\.so' "$1"; }

# --- the memo ------------------------------------------------------------------------
IN=$P/sub
opens first -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "first entry from a subdirectory"
if loads_libgit2 "$W/first.trace"; then t_ok "first entry asks libgit2"
else t_fail "first entry asks libgit2" "no openat of libgit2.so in the trace"; fi
opens again -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "re-entry from the same directory"
if loads_libgit2 "$W/again.trace"; then t_fail "re-entry reuses libgit2's answer (memo)" "libgit2.so was opened again"
else t_ok "re-entry reuses libgit2's answer (memo)"; fi

IN=$W
opens outside -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[]" "outside any repository: plain bash"
if loads_libgit2 "$W/outside.trace"; then t_fail "outside any repository libgit2 is not loaded" "libgit2.so was opened"
else t_ok "outside any repository libgit2 is not loaded"; fi

# A repository made in the subdirectory changes what libgit2 would answer:
# the memo must not hide it.
git init -q "$P/sub"
run_nsbsh --in "$P/sub" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[]" "a new nested repository (no flake) is plain bash, memo or not"
expect_eq "$(nsbsh_lines "$ERR")" 0 "a nested repository without flake.nix: nsbsh says nothing"
rm -rf "$P/sub/.git"
run_nsbsh --in "$P/sub" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "the nested repository removed: the project again"

# A flake.nix made in the subdirectory becomes the nearest env file (it is
# untracked, so nix cannot see it: nsbsh says so instead of using the old one).
echo '{ outputs = { self }: { }; }' >"$P/sub/flake.nix"
run_nsbsh --in "$P/sub" -c 'echo "[$DEMO_VAR]"'
expect_match "$ERR" "sub/flake\.nix' is not tracked" "a new nearer flake.nix is seen through the memo"
rm -f "$P/sub/flake.nix"

# --- GIT_CEILING_DIRECTORIES -------------------------------------------------------------
run_nsbsh --in "$P/sub" --env GIT_CEILING_DIRECTORIES="$P" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[]" "a ceiling at the work tree stops discovery below it"
run_nsbsh --in "$P/sub" --env GIT_CEILING_DIRECTORIES="$W/elsewhere" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "a ceiling elsewhere changes nothing"
run_nsbsh --in "$P" --env GIT_CEILING_DIRECTORIES="$P" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "at the work tree itself a ceiling there does not apply"

# --- ownership -------------------------------------------------------------------------
root_do_checked foreign-repo "root hook made a root-owned project" "a repository owned by another user is refused"
if [ $? != 2 ]; then
	F=$T/foreign/proj
	run_nsbsh --in "$F" -c 'echo "[$DEMO_VAR]"; exit 4'
	expect_eq "$RC:$OUT" "4:[]" "a repository owned by another user is refused: plain bash"
	expect_eq "$(nsbsh_lines "$ERR")" 1 "refused repository: one 'nsbsh: ' line"
	expect_match "$ERR" "owned by someone else" "refused repository: the line says why"
	run_nsbsh --in "$F" -c 'echo "[$DEMO_VAR]"'
	expect_match "$ERR" "owned by someone else" "refused repository: said again on the next start (errors are not memoised)"
fi
