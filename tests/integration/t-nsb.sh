# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-nsb: the control command, the installed `nsb` link to the same binary.
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
expect_eq "$(readlink "$NSB")" nsbsh "nsb is installed as a link to nsbsh"
run -- "$NSB" --version
expect_match "$RC:$OUT" '^0:nsb [0-9]+\.[0-9]+\.[0-9]+ ' "nsb --version prints the version"
run -- "$NSB" help
expect_match "$RC:$OUT" '^0:usage:' "nsb help prints the usage on stdout"
run -- "$NSB"
expect_eq "$RC:$OUT" "2:" "nsb without a command: status 2, nothing on stdout"
expect_match "$ERR" '^usage:' "nsb without a command: the usage on stderr"
run -- "$NSB" no-such-command
expect_eq "$RC" 2 "an unknown nsb command: status 2"
expect_eq "$ERR" "nsb: unknown command 'no-such-command' (nsb help lists them)" "an unknown nsb command: one line that says so"

# --version: nsbsh's line (with the libraries' versions), then bash's own lines
# unchanged, so that programs looking for "GNU bash" still find it.
run -- "$NSB" --version
expect_match "$OUT" '^nsb [0-9.]+ \(libgit2 [0-9]+\.[0-9]+\.[0-9]+, libseccomp [0-9.]+, libedit [0-9.]+, libconfuse [0-9.]+\)$' "nsb --version names the libraries' versions"
run --in "$W" -- "$NSBSH" --version
first=${OUT%%$'\n'*}
expect_match "$first" '^nsbsh [0-9.]+ \(libgit2 [0-9]+\.[0-9]+\.[0-9]+, libseccomp [0-9.]+, libedit [0-9.]+, libconfuse [0-9.]+\)$' "nsbsh --version: nsbsh's line first"
bash_version=$(/bin/bash --version)
expect_eq "${OUT#*$'\n'}" "$bash_version" "nsbsh --version: then bash's --version, unchanged"

# --- nsb status --------------------------------------------------------------------
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
run --in "$W" -- "$NSB" status
expect_match "$RC:$OUT" '^0:project:   none' "nsb status outside a project says so"
run --in "$P" -- "$NSB" status
expect_contains "$OUT" "project:   $P" "nsb status names the project"
expect_contains "$OUT" "env file:  $P/flake.nix" "nsb status names the env file"
expect_match "$OUT" 'cache key: [0-9a-f]{64} \(not built' "nsb status before the first entry: not built"
run_nsbsh --in "$P" -c true
run --in "$P" -- "$NSB" status
expect_match "$OUT" 'cache key: [0-9a-f]{64} \(built [0-9]+ s ago\)' "nsb status after an entry: the key and its age"
expect_contains "$OUT" "stale:     no" "nsb status: not stale"
expect_contains "$OUT" "bash:      /bin/bash-static (packaged" "nsb status: the bash in use and why"
abi=$(perl -e 'my $v = syscall(444, 0, 0, 1); print $v < 0 ? 0 : $v')
if [ "$abi" -ge 2 ]; then
	expect_contains "$OUT" "landlock:  ABI $abi:" "nsb status: the Landlock ABI of this kernel"
else
	expect_contains "$OUT" "landlock:  not used" "nsb status: Landlock not used on this kernel"
fi
printf '\n# an edit\n' >>"$P/flake.nix"
run --in "$P" -- "$NSB" status
expect_contains "$OUT" "stale:     yes" "nsb status after an edit: the last environment is stale"
run --in "$P" -- strace -f -qq -e trace=execve -o "$W/status.trace" "$NSB" status
if has_nix_exec "$W/status.trace"; then t_fail "nsb status runs no nix" "$(grep -c execve "$W/status.trace") execve"
else t_ok "nsb status runs no nix"; fi
