# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-paths: projects at awkward paths - a space, a newline, under the home
# directory - and the nearest flake.nix choosing the environment.
. "$(dirname "$0")/../lib.sh"

# works_at NAME DIR - DIR is a fresh project: the env loads, pwd is exact,
# also from a subdirectory.
works_at() {
	local name=$1 dir=$2
	if ! mkproject "$dir"; then t_fail "$name: mkproject" "fixture not created"; return; fi
	mkdir -p "$dir/a b"
	local real
	real=$(cd "$dir" && pwd -P)
	run_nsbsh --in "$dir" -c 'echo "$DEMO_VAR"; pwd; echo "$PWD"'
	expect_eq "$RC:$OUT" "0:hello from flake
$real
$real" "$name: env loads, pwd exact"
	run_nsbsh --in "$dir/a b" -c 'echo "$DEMO_VAR"; pwd'
	expect_eq "$OUT" "hello from flake
$real/a b" "$name: from a subdirectory"
	run_nsbsh --in "$dir" -c 'touch made-inside && echo ok'
	expect_eq "$OUT" "ok" "$name: work tree writable"
	expect_path_present "$dir/made-inside" "$name: the write lands in the work tree"
}

works_at "space" "$W/with space/proj"
works_at "newline" "$W/with"$'\n'"newline/proj"

# The usual place: a project inside the home directory, whose home is private.
echo "top secret" >"$HOME/secret"
works_at "under home" "$HOME/src/proj"
run_nsbsh --in "$HOME/src/proj" -c 'cat ~/secret 2>/dev/null || echo unreadable; ls -A ~/src'
expect_eq "$OUT" "unreadable
proj" "under home: the rest of the home stays hidden"
rm -rf "$HOME/secret" "$HOME/src"

# The nearest flake.nix between cwd and the work tree root is the env file.
N=$W/nested
mkproject "$N"
mkdir -p "$N/sub/deeper"
sed 's/hello from flake/hello from sub/' "$N/flake.nix" >"$N/sub/flake.nix"
git -C "$N" add sub/flake.nix
git -C "$N" -c user.name=t -c user.email=t@t commit -qm "sub flake"
run_nsbsh --in "$N/sub/deeper" -c 'echo "$DEMO_VAR"; pwd'
expect_eq "$OUT" "hello from sub
$N/sub/deeper" "nested: the nearest flake.nix wins"
run_nsbsh --in "$N" -c 'echo "$DEMO_VAR"'
expect_eq "$OUT" "hello from flake" "nested: the root flake.nix at the root"
run_nsbsh --in "$N/sub" -c 'echo x >"$1/root-file" && echo wrote' n "$N"
expect_eq "$OUT" "wrote" "nested: the whole work tree is writable"
