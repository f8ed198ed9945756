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
