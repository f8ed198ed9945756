# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-devenv: projects whose env file is devenv.nix. devenv is not in Debian, so
# these checks run tests/fixtures/devenv, a STAND-IN that speaks the interface
# nsbsh uses (`devenv print-dev-env --json`) and turns what devenv.nix sets into
# a dev shell with real nix (see that file). nsbsh finds it by name in PATH,
# as it would find the real program.
. "$(dirname "$0")/../lib.sh"

BIN=$W/bin
mkdir -p "$BIN"
cp "$FIXTURES/devenv" "$BIN/devenv"
WITH=PATH=$BIN:/usr/bin:/bin
P=$W/proj
mkproject "$P" devenv || { t_fail "mkproject devenv" "fixture not created"; exit 1; }
evals() { [ -f "$1/.devenv/standin.log" ] && wc -l <"$1/.devenv/standin.log" || echo 0; }

# --- a devenv project enters with what devenv.nix sets -------------------------------
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"; echo "$NSBSH_ENV_FILE"'
expect_eq "$RC:$OUT" "0:hello from devenv
$P/devenv.nix" "a devenv.nix project enters with the variable devenv.nix sets"
expect_eq "$(evals "$P")" 1 "the first entry ran devenv print-dev-env once"
expect_path_present "$P/.devenv/standin.log" "devenv keeps its state in the project's .devenv, as without nsbsh"
run --in "$P" --env "$WITH" -- "$(dirname "$NSBSH")/nsb" status
expect_contains "$OUT" "env file:  $P/devenv.nix (devenv)" "nsb status names devenv.nix and its kind"
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(evals "$P")" "0:hello from devenv:1" "re-entry uses the cache: devenv does not run again"

# --- an edit re-keys ----------------------------------------------------------------
sed -i 's/hello from devenv/hello again/' "$P/devenv.nix"
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(evals "$P")" "0:hello again:2" "an edit of devenv.nix rebuilds: the new value appears"
printf 'inputs: {}\n' >"$P/devenv.yaml"
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(evals "$P")" "0:hello again:3" "a new devenv.yaml is part of the key: it rebuilds"
printf '{}\n' >"$P/devenv.lock"
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(evals "$P")" "0:hello again:4" "a new devenv.lock is part of the key: it rebuilds"

# --- the devenv program is part of the key (its real path, size, mtime) --------------
touch -d '2020-01-02 03:04:05' "$BIN/devenv"
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(evals "$P")" "0:hello again:5" "devenv upgraded in place (another mtime): the environment is built again"
run_nsbsh --in "$P" --env "$WITH" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(evals "$P")" "0:hello again:5" "then it is a cache hit again"
run_nsbsh --in "$P" --env "PATH=/usr/bin:/bin" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT:$(nsbsh_lines "$ERR"):$(evals "$P")" "0:hello again:0:5" "no devenv on PATH, env files unchanged: the last environment, silently"

# --- flake.nix wins in one directory; the nearest file wins across directories -------
F=$W/both
mkproject "$F" || { t_fail "mkproject" "fixture not created"; exit 1; }
printf '{ ... }: { env.DEMO_VAR = "from devenv.nix"; }\n' >"$F/devenv.nix"
run_nsbsh --in "$F" --env "$WITH" -c 'echo "$DEMO_VAR"; echo "$NSBSH_ENV_FILE"'
expect_eq "$RC:$OUT" "0:hello from flake
$F/flake.nix" "flake.nix wins over devenv.nix in the same directory"
expect_eq "$(evals "$F")" 0 "with both, devenv does not run"
mkdir -p "$F/sub"
cp "$F/bash" "$F/busybox" "$F/sub/"
printf '{ ... }: { env.DEMO_VAR = "from sub/devenv.nix"; }\n' >"$F/sub/devenv.nix"
run_nsbsh --in "$F/sub" --env "$WITH" -c 'echo "$DEMO_VAR"; echo "$NSBSH_PROJECT"'
expect_eq "$RC:$OUT" "0:from sub/devenv.nix
$F" "a devenv.nix nearer than the flake.nix wins (the project is still the work tree)"

# --- devenv missing -------------------------------------------------------------------
M=$W/nodevenv
mkproject "$M" devenv || { t_fail "mkproject devenv" "fixture not created"; exit 1; }
sed -i 's/hello from devenv/never built/' "$M/devenv.nix" # content keys: not P's entry
run_nsbsh --in "$M" --env PATH=/usr/bin:/bin -c 'echo "${DEMO_VAR-unset}:${NSBSH_PROJECT-none}:${NSBSH_NO_ENV-}"; exit 3'
expect_eq "$RC:$OUT" "3:unset:$M:1" "devenv missing: the command still runs, in the sandbox without the environment, with its own status"
expect_eq "$ERR" "nsbsh: cannot evaluate '$M/devenv.nix': cannot find 'devenv' in PATH: install it (nix profile install nixpkgs#devenv; see https://devenv.sh); the shell runs in the sandbox without the environment" "devenv missing: one line naming devenv and how to install it"
# with an environment built before, a missing devenv falls back to it, as a broken flake does
sed -i 's/hello again/hello a third time/' "$P/devenv.nix"
run_nsbsh --in "$P" --env PATH=/usr/bin:/bin -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello again" "devenv missing after an edit: the last environment, marked stale"
expect_contains "$ERR" "cannot find 'devenv' in PATH" "and the reason is said"
expect_contains "$ERR" "stale" "and it says the environment is stale"

# --- .devenv must be a directory of the project, not a link ----------------------------
L=$W/linked
mkproject "$L" devenv || { t_fail "mkproject devenv" "fixture not created"; exit 1; }
sed -i 's/hello from devenv/linked/' "$L/devenv.nix"
mkdir -p "$W/elsewhere"
ln -s "$W/elsewhere" "$L/.devenv"
run_nsbsh --in "$L" --env "$WITH" -c 'echo "${DEMO_VAR-unset}"'
expect_eq "$RC:$OUT" "0:unset" "a .devenv that is a link is not given to devenv: plain bash"
expect_contains "$ERR" "it must be a directory, not a link" "and the line says why"
expect_eq "$(ls -A "$W/elsewhere")" "" "nothing was written through the link"
