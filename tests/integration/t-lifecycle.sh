# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-lifecycle: the cache under concurrency and crashes. Two shells entering the
# same cold project run one evaluation (a file lock; the second waits and
# reuses the result); a build killed half-way leaves no entry a lookup would
# take (meta is written last), and the next start builds and works.
. "$(dirname "$0")/../lib.sh"
linger_zero # strace -f of a first start waits for the supervisor it leaves

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }

# --- two cold entries at once ----------------------------------------------------------
for i in 1 2; do
	(cd "$P" && exec strace -f -qq -e trace=execve -o "$W/cold$i.trace" "$NSBSH" -c 'echo "$DEMO_VAR"' \
		>"$W/cold$i.out" 2>"$W/cold$i.err") &
done
wait
expect_eq "$(cat "$W/cold1.out")|$(cat "$W/cold2.out")" "hello from flake|hello from flake" "two concurrent cold entries both get the environment"
n=0
for i in 1 2; do has_nix_exec "$W/cold$i.trace" && n=$((n + 1)); done
expect_eq "$n" 1 "two concurrent cold entries run one evaluation"
diag "stderr of the two: $(cat "$W/cold1.err" "$W/cold2.err" | grep '^nsbsh' | tr '\n' ';')"

# --- a build killed half-way --------------------------------------------------------
Q=$W/killed
mkproject "$Q" || { t_fail "mkproject" "fixture not created"; exit 1; }
# A flake whose tools take long enough to build to be killed during it (the
# dev shell's own args are replaced by nix print-dev-env's, its inputs' are not).
# A marker unique to this run makes a new derivation, never in the store yet.
sed -i "s|\"\${self}/busybox mkdir -p \$out/bin;|\"\${self}/busybox sleep 3; : run-$$-$(date +%s%N); \${self}/busybox mkdir -p \$out/bin;|" "$Q/flake.nix"
grep -q 'busybox sleep 3' "$Q/flake.nix" || t_fail "slow fixture" "the sed did not apply"
git -C "$Q" -c user.name=t -c user.email=t@t commit -qam "slow build"
(cd "$Q" && exec "$NSBSH" -c true >/dev/null 2>&1) &
sup=$!
seen=0
for _ in $(seq 200); do
	# nix itself runs as the user, in the evaluation sandbox (the build's
	# sleep runs as a build user of the daemon)
	pgrep -u "$(id -u)" -f 'nix print-dev-env' >/dev/null && { seen=1; break; }
	sleep 0.05
done
expect_eq "$seen" 1 "the slow build is running"
sleep 1 # well into the 3 s build
kill -9 "$sup"
wait "$sup" 2>/dev/null
sleep 0.3
entries=$(find "$XDG_CACHE_HOME/nsbsh/env" -mindepth 1 -maxdepth 1 -type d -newer "$Q/flake.nix" | wc -l)
complete=$(find "$XDG_CACHE_HOME/nsbsh/env" -mindepth 2 -maxdepth 2 -name meta -newer "$Q/flake.nix" | wc -l)
expect_eq "$entries:$complete" "1:0" "a killed build leaves its directory but no complete entry (no meta)"
run_nsbsh --in "$Q" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello from flake" "after a killed build the next start builds and works"
run --in "$Q" -- strace -f -qq -e trace=execve -o "$W/after.trace" "$NSBSH" -c true
if has_nix_exec "$W/after.trace"; then t_fail "and the start after that is a cache hit" "nix ran again"
else t_ok "and the start after that is a cache hit"; fi
