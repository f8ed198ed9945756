# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-store: store = closure (issue 17, item 6; policy/default.conf): a
# sandbox sees of /nix/store only its environment's closure (ENTRY/closure,
# what `nix path-info --recursive` said of the store paths the environment
# names, when it was built), read-only, so that one project's code cannot
# read the sources another project's evaluation copied into the store.
# Project Q commits a secret; its source is in the store once Q is entered;
# project P cannot read it with store = closure, while its own environment
# still works, and reads it with store = all (the control).
. "$(dirname "$0")/../lib.sh"

# files running at once write the test user's ~/.config: a config of our own
export XDG_CONFIG_HOME=$W/config
P=$W/proj
Q=$W/other
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkproject "$Q" || { t_fail "mkproject" "fixture not created"; exit 1; }
SECRET="not-for-other-projects-$RANDOM$RANDOM"
echo "$SECRET" >"$Q/secret.txt"
# a flake of its own (the same one would share P's cache entry, whose
# environment would then link into Q's source)
sed -i 's/hello from flake/hello from Q/' "$Q/flake.nix"
git -C "$Q" add secret.txt flake.nix && git -C "$Q" -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -qm secret
userconf "linger = 0" "store = all"
run_nsbsh --in "$Q" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from Q]" "project Q is entered (its source is copied into the store)"
qsrc=$(grep -lx -- "$SECRET" /nix/store/*-source/secret.txt 2>/dev/null | head -n1)
qsrc=${qsrc%/secret.txt}
expect_match "$qsrc" '^/nix/store/[0-9a-z]{32}-source$' "Q's source is a store path the host sees"


# --- store = closure ------------------------------------------------------------
userconf "linger = 0" "store = closure"
run_nsbsh --in "$P" -c "cat $qsrc/secret.txt; echo \"rc=\$? [\$DEMO_VAR]\"; ls /nix/store | wc -l"
expect_contains "$OUT" "rc=1 [hello from flake]" "store = closure: P's environment enters, and Q's file is not there"
expect_contains "$ERR" "No such file or directory" "store = closure: reading Q's file says it does not exist"
expect_no_match "$OUT" "$SECRET" "store = closure: nothing of Q's secret reaches P's sandbox"
entry=$(dirname "$(grep -lx "worktree=$P" "$XDG_CACHE_HOME"/nsbsh/env/*/meta | head -n1)")
expect_path_present "$entry/closure" "the entry of P's environment has its closure"
shown=$(tail -n1 <<<"$OUT")
expect_eq "$shown" "$(wc -l <"$entry/closure")" "store = closure: /nix/store shows as many paths as the entry's closure lists"
total=$(ls /nix/store | wc -l)
expect_lt "$shown" "$total" "store = closure: fewer paths than the host's store ($total)"
tools=$(run_nsbsh --in "$P" -c 'echo $PATH' && echo "$OUT")
tools=${tools%%/bin*}
expect_eq "$(grep -cxF -- "$tools" "$entry/closure")" 1 "store = closure: the closure holds the environment's tools ($tools)"
expect_eq "$(grep -c -- '-source$' "$entry/closure")" 1 "store = closure: of the sources, only P's own (its tools link into it)"
run_nsbsh --in "$P" -c 'ls / >/dev/null && echo tools-run; touch /nix/store/planted; mkdir '"$tools"'/x'
expect_contains "$OUT" tools-run "store = closure: the environment's tools run (links into P's source, in the closure)"
expect_eq "$(grep -c 'Read-only file system' <<<"$ERR")" 2 "store = closure: the store and its paths are read-only"
# (that store = closure hides the daemon's socket with nix_daemon = auto is
# tests/unit/test_config.c's: on Debian, whose daemon does not sandbox its
# builds, auto hides it anyway)
userconf "linger = 0" "store = closure" "nix_daemon = on"
run_nsbsh --in "$P" -c 'test -S /nix/var/nix/daemon-socket/socket && echo daemon || echo no-daemon'
expect_eq "$OUT" daemon "store = closure with nix_daemon = on: the daemon's socket is shown"
userconf "linger = 0" "store = closure"

# --- the control: store = all shows it to P's code ---------------------------
userconf "linger = 0" "store = all"
run_nsbsh --in "$P" -c "cat $qsrc/secret.txt"
expect_eq "$RC:$OUT" "0:$SECRET" "store = all: P's sandbox reads Q's committed file in the store (control)"

# --- fail closed: an entry without its closure ------------------------------------
# Q's entry was built with store = all: no list (nix is asked only for
# store = closure)
userconf "linger = 0" "store = closure"
run_nsbsh --in "$Q" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[]" "an entry built with store = all: with closure, the sandbox without the environment"
expect_contains "$ERR" "store = closure: the closure of the environment is not known" "an entry built with store = all: said, naming nsb reload"

mv "$entry/closure" "$entry/closure.saved"
count='shopt -s nullglob; a=(/nix/store/*); echo ${#a[@]}'
run_nsbsh --in "$P" -c 'echo "[$DEMO_VAR]"; '"$count"
expect_eq "$RC:$OUT" "0:[]
0" "no closure in the entry: the sandbox without the environment, and an empty store"
expect_contains "$ERR" "store = closure: the closure of the environment is not known" "no closure in the entry: said in one line"
expect_eq "$(nsbsh_lines "$ERR")" 1 "no closure in the entry: one line"
printf '/etc/passwd\n' >"$entry/closure"
run_nsbsh --in "$P" -c 'echo "[$DEMO_VAR]"; '"$count"
expect_eq "$RC:$OUT" "0:[]
0" "a closure that is not nsbsh's list: the sandbox without the environment, nothing of it shown"
expect_contains "$ERR" "the closure of the environment is not nsbsh's list" "a closure that is not nsbsh's list: said"
# nsb status --view shows what that start got: no environment, and why
NSB=$(dirname "$NSBSH")/nsb
run --in "$P" -- "$NSB" status --view
expect_contains "$OUT" "environment: none: store = closure: the closure of" "nsb status --view: no environment without its closure, said"
expect_no_match "$OUT" "DEMO_VAR" "nsb status --view: none of the environment's variables without its closure"
mv "$entry/closure.saved" "$entry/closure"
run_nsbsh --in "$P" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "the closure back: the environment enters again"
run --in "$P" -- "$NSB" status --view
expect_contains "$OUT" "DEMO_VAR" "nsb status --view: the closure back, the environment's variables shown (control)"
