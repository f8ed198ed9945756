# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-outside: outside a project nsbsh is bash. For the same command line, stdout,
# stderr and exit status equal /bin/bash's; argv[0] is passed on unchanged.
. "$(dirname "$0")/../lib.sh"

plain=$W/plain              # not in any Git repository
mkdir -p "$plain"
repo_noflake=$W/repo-noflake # a Git repository without flake.nix
mkdir -p "$repo_noflake"
git -C "$repo_noflake" init -q
echo data >"$repo_noflake/README"

printf '%s\n' 'echo "script:$#:$1:$2"' 'exit 5' >"$W/script.sh"

# same_as_bash NAME [-C DIR] [-i STDIN] -- ARGS...
# Runs ARGS under /bin/bash and under nsbsh, both with argv[0] "nsbsh" (so
# that even $0 and bash's error prefixes agree), and compares stdout, stderr
# and status.
same_as_bash() {
	local name=$1 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	run "${opts[@]}" --argv0 nsbsh -- /bin/bash "$@"
	local b_out=$OUT_RAW b_err=$ERR b_rc=$RC
	run "${opts[@]}" --argv0 nsbsh -- "$NSBSH" "$@"
	expect_eq "$OUT_RAW" "$b_out" "$name: stdout as bash"
	expect_eq "$ERR" "$b_err" "$name: stderr as bash"
	expect_eq "$RC" "$b_rc" "$name: status as bash ($b_rc)"
}

for where in plain repo_noflake; do
	dir=${!where}
	same_as_bash "$where -c args" --in "$dir" -- -c 'echo "$0|$1|$2|$#"' name 'a b' ''
	same_as_bash "$where -e" --in "$dir" -- -e -c 'false; echo no'
	same_as_bash "$where exit 7" --in "$dir" -- -c 'exit 7'
done

same_as_bash "script path" --in "$plain" -- "$W/script.sh" 'x y' z
same_as_bash "-s" --in "$plain" --stdin 'echo "$@"; echo "$#"' -- -s a b
same_as_bash "--norc" --in "$plain" -- --norc -c 'echo "norc:$-"'
same_as_bash "-x" --in "$plain" -- -x -c 'true; echo traced'
same_as_bash "-o pipefail" --in "$plain" -- -o pipefail -c 'false | true'
same_as_bash "-l" --in "$plain" -- -l -c 'shopt -q login_shell && echo login'
same_as_bash "kill -TERM" --in "$plain" -- -c 'kill -TERM $$'
same_as_bash "command not found" --in "$plain" -- -c 'no-such-command-xyz'

# the absolute values, so that a bash and an nsbsh broken the same way fail
run_nsbsh --in "$plain" -c 'echo "$0|$1|$2|$#"' name 'a b' ''
expect_eq "$OUT" "name|a b||2" "-c NAME ARGS values"
run_nsbsh --in "$plain" -e -c 'false; echo no'
expect_eq "$RC:$OUT" "1:" "-e stops at false with status 1"
run_nsbsh --in "$plain" -c 'exit 7'
expect_eq "$RC" 7 "exit 7 gives status 7"
run_nsbsh --in "$plain" -o pipefail -c 'false | true'
expect_eq "$RC" 1 "-o pipefail gives status 1"
run_nsbsh --in "$plain" -x -c 'true'
expect_eq "$ERR" "+ true" "-x traces to stderr"
run_nsbsh --in "$plain" --stdin 'echo "$@"' -s a b
expect_eq "$OUT" "a b" "-s reads stdin with the args"
run_nsbsh --in "$plain" "$W/script.sh" 'x y' z
expect_eq "$RC:$OUT" "5:script:2:x y:z" "script path with args"
run_nsbsh --in "$plain" -l -c 'shopt -q login_shell && echo login'
expect_eq "$OUT" "login" "-l is a login shell"

# $0 without NAME is the argv[0] nsbsh was called with
run_nsbsh --in "$plain" -c 'echo "$0"'
expect_eq "$OUT" "$NSBSH" "\$0 is nsbsh's path when called by path"
run_nsbsh --in "$plain" --argv0 my-shell -c 'echo "$0"'
expect_eq "$OUT" "my-shell" "\$0 is argv[0] as given"

# login via argv[0] starting with '-'
run --in "$plain" -- bash -c '(exec -a -nsbsh "$0" -c "shopt -q login_shell && echo login")' "$NSBSH"
expect_eq "$OUT" "login" "argv[0] -nsbsh starts a login shell"
run --in "$repo_noflake" -- bash -c '(exec -a -nsbsh "$0" -c "shopt -q login_shell && echo login")' "$NSBSH"
expect_eq "$OUT" "login" "argv[0] -nsbsh login in a repo without flake.nix"

# not sandboxed: the real home and the working directory are reachable
echo real >"$HOME/outside-marker"
run_nsbsh --in "$plain" -c 'cat ~/outside-marker && echo w >written-outside && pwd'
expect_eq "$RC:$OUT" "0:real
$plain" "outside: real home readable, cwd kept"
expect_path_present "$plain/written-outside" "outside: writes land in the real directory"
run_nsbsh --in "$plain" -c 'echo "[$DEMO_VAR]"'
expect_eq "$OUT" "[]" "outside: no project environment"
rm -f "$HOME/outside-marker"

# no nsbsh line when nothing failed
run_nsbsh --in "$repo_noflake" -c 'echo ok'
expect_eq "$(nsbsh_lines "$ERR")" 0 "repo without flake.nix: nsbsh says nothing"
