# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-view: `nsb status --view` shows the sandbox a start would get, as the
# start would build it (src/nsb/view.c): its mounts are the real sandbox's
# mounts, each variable says where it came from, and it runs no Nix.
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$W/data" "$HOME/.config/nsbsh"
printf '%s\n' 'passthrough = { "VIEW_PASS_*" }' 'setenv = { "VIEW_SET=1" }' \
	"bind = { \"$W/data:/data:rw\" }" >"$HOME/.config/nsbsh/nsbsh.conf"

run --in "$P" -- "$NSB" status --view
expect_eq "$RC" 0 "a view of a project with no environment built yet"
expect_contains "$OUT" "environment: none built yet (the view has none)" "control: before the first start, the view says it has no environment"

run_nsbsh --in "$P" --env VIEW_PASS_X=1 -c 'cat /proc/self/mountinfo' # builds the environment
mountinfo=$OUT
run --in "$P" --env VIEW_PASS_X=1 -- strace -f -qq -e trace=execve -o "$W/view.trace" "$NSB" status --view
expect_eq "$RC" 0 "nsb status --view: status 0"
if has_nix_exec "$W/view.trace"; then t_fail "nsb status --view runs no nix" "nix ran"; else t_ok "nsb status --view runs no nix"; fi
text=$OUT
expect_match "$text" "environment: [0-9a-f]{64}"$'\n' "the view names the environment a start would use"
expect_match "$text" $'\n'"  rw +$P"$'\n' "the view shows the work tree read-write"
expect_match "$text" $'\n'"  ro +/nix/store"$'\n' "the view shows the store read-only"
expect_match "$text" $'\n'"  rw +/data \\(from $W/data\\)"$'\n' "the view shows the policy's bind, read-write, with its source"
expect_match "$text" "$P/\\.mcp\\.json +\\(policy protect; missing: refused when made\\)" "the view lists the protected paths and their state"
expect_match "$text" "landlock: writes only beneath: .* $P( |$)" "the view lists where Landlock lets the sandbox write"
expect_match "$text" $'\n'"  keyring +Operation not permitted, logged: keyctl" "the view lists the seccomp groups and their errors"
for v in TERM:allowlist VIEW_PASS_X:passthrough DEMO_VAR:environment VIEW_SET:setenv HOME:nsbsh NSBSH_PROJECT:nsbsh; do
	expect_match "$text" $'\n'"  ${v%%:*}: ${v#*:}"$'\n' "the view says where \$${v%%:*} comes from: ${v#*:}"
done

# The JSON, against the sandbox itself: every mount point the view lists is
# a mount point of the real sandbox, read-only where the view says so.
run --in "$P" --env VIEW_PASS_X=1 -- "$NSB" status --view --json
printf '%s\n' "$OUT" >"$W/view.json"
printf '%s\n' "$mountinfo" >"$W/mountinfo"
cat >"$W/compare.py" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
mi = {}
for line in open(sys.argv[2]):
    f = line.split()
    dest = f[4].encode().decode('unicode_escape')
    mi[dest] = 'ro' in f[5].split(',')
bad = []
binds = [m for m in v["mounts"] if m["kind"] in ("ro", "rw", "tmpfs", "proc", "devpts")]
for m in binds:
    if m["dest"] not in mi:
        bad.append("missing " + m["dest"])
    elif m["kind"] in ("ro", "rw") and mi[m["dest"]] != m["read_only"]:
        bad.append("ro differs " + m["dest"])
print(len(binds), v["network"], ";".join(bad) or "same")
PY
run -- /usr/bin/python3 "$W/compare.py" "$W/view.json" "$W/mountinfo"
expect_match "$OUT" '^[0-9]+ on same$' "the JSON view's mounts are the real sandbox's mount points, read-only as it says ($OUT)"
expect_match "$OUT" '^([2-9][0-9]|[1-9][0-9][0-9]) ' "control: the JSON view lists its mounts (a view of a few would prove little)"

printf 'network = off\n' >>"$HOME/.config/nsbsh/nsbsh.conf"
run --in "$P" -- "$NSB" status --view --json
expect_contains "$OUT" '"network":"off"' "the view follows the policy: network = off"

run --in "$W" -- "$NSB" status --view
expect_eq "$RC:$OUT" "0:no project here: a start runs plain bash, with no sandbox" "outside a project: no view, said"
run --in "$P" -- "$NSB" status --json
expect_eq "$RC" 2 "--json without --view: a usage error"
"$NSB" stop --all >/dev/null 2>&1
exit 0
