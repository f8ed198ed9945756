# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-cache: the first entry evaluates the flake and caches it; re-entry runs no
# Nix command; the cached environment survives nix-collect-garbage (root hook).
. "$(dirname "$0")/../lib.sh"
linger_zero # strace -f of a first start waits for the supervisor it leaves

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }

# traced NAME ARGS... - run nsbsh ARGS in $P under strace (execve only), the
# log in $W/NAME.trace.
traced() {
	local log=$W/$1.trace
	shift
	rm -f "$log"
	run --in "$P" -- strace -f -qq -e trace=execve -o "$log" "$NSBSH" "$@"
}

# --- cold entry ---------------------------------------------------------------------
traced cold -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello from flake" "cold entry (under strace) loads the env"
if has_nix_exec "$W/cold.trace"; then t_ok "cold entry executes nix"
else t_fail "cold entry executes nix" "no execve of a file named nix in the trace ($(grep -c execve "$W/cold.trace" 2>/dev/null) execve lines)"; fi
if [ -d "$XDG_CACHE_HOME/nsbsh" ] && [ -n "$(ls -A "$XDG_CACHE_HOME/nsbsh")" ]; then
	t_ok "the cache is under \$XDG_CACHE_HOME/nsbsh"
else
	t_fail "the cache is under \$XDG_CACHE_HOME/nsbsh" "$XDG_CACHE_HOME/nsbsh is missing or empty (XDG_CACHE_HOME has: $(ls -A "$XDG_CACHE_HOME" | tr '\n' ' '))"
fi

# --- re-entry -----------------------------------------------------------------------
traced warm -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello from flake" "re-entry (under strace) loads the env"
if has_nix_exec "$W/warm.trace"; then
	t_fail "re-entry runs no nix" "the trace has: $(grep -E 'execve\("([^"]*/)?nix",' "$W/warm.trace" | head -3 | cut -c1-200)"
else t_ok "re-entry runs no nix"; fi
expect_contains "$ERR" "hook ran" "re-entry runs the shellHook again"

t0=$(date +%s%N)
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
t1=$(date +%s%N)
expect_eq "$OUT" "hello from flake" "re-entry without strace"
diag "re-entry took $(((t1 - t0) / 1000000)) ms"

# --- nix-collect-garbage ---------------------------------------------------------------
run_nsbsh --in "$P" -c 'command -v ls'
tools=${OUT%/bin/ls}
expect_match "$tools" '^/nix/store/[^/]+-tools$' "the env's tools are a store path"
echo "unrooted $$ $(date +%s%N)" >"$W/unrooted"
unrooted=$(nix-store --add "$W/unrooted" 2>&1)
expect_match "$unrooted" '^/nix/store/[^/]+-unrooted$' "an unrooted store path was added"

root_do_checked gc "nix-collect-garbage (root hook) succeeded" "nix-collect-garbage"
if [ $? != 2 ]; then
	expect_path_absent "$unrooted" "the garbage collector really collected"
	if [[ $tools == /nix/store/* ]]; then
		expect_path_present "$tools" "the cached env's store paths survive gc (GC root)"
	else
		t_fail "the cached env's store paths survive gc (GC root)" "no store path of the env to look for (got $(show "$tools"))"
	fi
	traced aftergc -c 'echo "$DEMO_VAR"; ls -d /; command -v ls'
	expect_eq "$RC:$OUT" "0:hello from flake
/
$tools/bin/ls" "after gc: re-entry has the env and its tools run"
	if has_nix_exec "$W/aftergc.trace"; then
		t_fail "after gc: re-entry still runs no nix" "the trace has: $(grep -E 'execve\("([^"]*/)?nix",' "$W/aftergc.trace" | head -3 | cut -c1-200)"
	else t_ok "after gc: re-entry still runs no nix"; fi
fi

# --- changed flake.nix -------------------------------------------------------------------
# Non-interactive starts rebuild by default (policy reload_noninteractive).
sed -i 's/hello from flake/hello again/' "$P/flake.nix"
git -C "$P" -c user.name=t -c user.email=t@t commit -qam "change DEMO_VAR"
traced changed -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello again" "an edited flake.nix is rebuilt (non-interactive)"
if has_nix_exec "$W/changed.trace"; then t_ok "the edit made nsbsh run nix"
else t_fail "the edit made nsbsh run nix" "no execve of nix after flake.nix changed"; fi

# --- flake.lock is never written ------------------------------------------------------
L=$W/withinput
mkproject "$L" input || { t_fail "mkproject input" "fixture not created"; exit 1; }
cp -a "$L" "$W/withinput-plain"
run --in "$W/withinput-plain" -- nix print-dev-env --json
expect_eq "$RC" 0 "plain nix evaluates the flake with an input"
expect_path_present "$W/withinput-plain/flake.lock" "plain nix would write flake.lock here"
run_nsbsh --in "$L" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello from flake" "a flake with an input (no lock) loads"
expect_path_absent "$L/flake.lock" "nsbsh never writes flake.lock"
