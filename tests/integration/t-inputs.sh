# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-inputs: after a build, a flake's inputs have GC roots beside the entry's
# profile (ENTRY/input, input-N, registered with the daemon); they survive
# nix-collect-garbage (root hook), so that an edit of flake.nix re-evaluates
# with no way to fetch the input again (its source is gone from the store,
# and substituters are empty); a control whose roots were taken away cannot.
# A cache hit refreshes their times; `nsb gc` removes them with the entry.
# A flake with no inputs runs no `nix flake archive` at all.
. "$(dirname "$0")/../lib.sh"
linger_zero # strace -f of a first start waits for the supervisor it leaves

NSB=$(dirname "$NSBSH")/nsb
ENV=$XDG_CACHE_HOME/nsbsh/env
uniq=$$-$(date +%s%N)

entry_of() { # DIR - the entry the project at DIR uses now
	local key
	key=$(cd "$1" && "$NSB" status | sed -n 's/^cache key: \([0-9a-f]*\).*/\1/p')
	echo "$ENV/$key"
}
commit() { git -C "$1" -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -qam "$2"; }

# proj DIR NAME - a fixture whose DEMO_VAR is read from an input that is a
# directory added to the store by hand (path:/nix/store/...-NAME, locked in
# a committed flake.lock): nix copies it to a "-source" path of its own,
# and once the original is collected, nothing can fetch the input again.
proj() {
	local dir=$1 dep=$W/$2 path
	mkdir -p "$dep" && echo "input-$2-$uniq" >"$dep/README"
	path=$(nix-store --add "$dep") || return 1
	mkproject "$dir" || return 1
	sed -i "s|^  outputs = { self }:|  inputs.dep = { url = \"path:$path\"; flake = false; };\n  outputs = { self, dep }:|" "$dir/flake.nix"
	sed -i 's|DEMO_VAR = "hello from flake";|DEMO_VAR = builtins.readFile "${dep}/README";|' "$dir/flake.nix"
	(cd "$dir" && nix flake lock 2>/dev/null) || return 1
	git -C "$dir" add flake.nix flake.lock && commit "$dir" "an input" || return 1
	echo "$path"
}

run -- nix show-config
expect_match "$OUT" $'(^|\n)substituters = *($|\n)' "the daemon's clients have no substituter (nothing to fetch an input from)"

P=$W/proj C=$W/control
dep_p=$(proj "$P" dep-p) && dep_c=$(proj "$C" dep-c) || { t_fail "fixtures" "not created"; exit 1; }
expect_match "$dep_p|$dep_c" '^/nix/store/[^|]+-dep-p\|/nix/store/[^|]+-dep-c$' "the inputs are store paths added by hand"

# --- the roots ----------------------------------------------------------------------
run_nsbsh --in "$P" -c 'printf %s "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:input-dep-p-$uniq" "a flake with an input enters (its variable read from the input)"
EP=$(entry_of "$P")
src_p=$(readlink "$EP/input")
expect_match "$src_p" '^/nix/store/[a-z0-9]{32}-source$' "the input has a GC root beside the profile (ENTRY/input -> its source in the store)"
expect_ne "$src_p" "$dep_p" "the rooted path is nix's copy of the input, not the path it was fetched from"
expect_eq "$(cat "$src_p/README" 2>&1)" "input-dep-p-$uniq" "the rooted path holds the input"
expect_path_present "$EP/profile" "the entry's profile is there too"
auto=$(find /nix/var/nix/gcroots/auto -maxdepth 1 -lname "$EP/input" 2>/dev/null)
expect_match "$auto" '^/nix/var/nix/gcroots/auto/[a-z0-9]+$' "the root is registered with the daemon (gcroots/auto -> ENTRY/input), so root's nix-collect-garbage keeps it"
expect_eq "$(find "$EP" -maxdepth 1 -name 'input*' | wc -l)" 1 "one input, one root"

run_nsbsh --in "$C" -c 'printf %s "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:input-dep-c-$uniq" "the control enters"
EC=$(entry_of "$C")
src_c=$(readlink "$EC/input")
expect_match "$src_c" '^/nix/store/[a-z0-9]{32}-source$' "the control's input is rooted too"
rm -f "$EC"/input*

# --- a hit refreshes the roots' times ------------------------------------------------
touch -h -d '2001-01-01' "$EP/input" "$EP/profile"
run --in "$P" -- strace -f -qq -e trace=execve -o "$W/hit.trace" "$NSBSH" -c true
if has_nix_exec "$W/hit.trace"; then t_fail "the re-entry is a cache hit" "nix ran"; else t_ok "the re-entry is a cache hit"; fi
expect_lt "$(($(date +%s) - $(stat -c %Y "$EP/input")))" 120 "a cache hit refreshes the input root's time"
expect_lt "$(($(date +%s) - $(stat -c %Y "$EP/profile")))" 120 "and the profile's"

# --- nix-collect-garbage, then an edit: offline re-evaluation ------------------------
if root_do_checked gc "nix-collect-garbage (root hook) succeeded" "the inputs survive nix-collect-garbage"; then
	expect_path_absent "$dep_p" "the path the input was fetched from is collected (it cannot be fetched again)"
	expect_path_absent "$src_c" "the control's input, whose root was taken away, is collected"
	expect_path_present "$src_p" "the rooted input survives nix-collect-garbage"

	sed -i 's|shellHook = "echo hook ran|shellHook = "echo edited; echo hook ran|' "$P/flake.nix" "$C/flake.nix"
	commit "$P" edit && commit "$C" edit
	run_nsbsh --in "$P" -c 'printf %s "$DEMO_VAR"'
	expect_eq "$RC:$OUT" "0:input-dep-p-$uniq" "after an edit, the flake re-evaluates with its rooted input, offline"
	expect_contains "$ERR" "edited" "and it is the new environment (its shellHook says so)"
	expect_eq "$(nsbsh_lines "$ERR")" 0 "with nothing to say"
	run_nsbsh --in "$C" -c 'printf %s "$DEMO_VAR"'
	expect_contains "$ERR" "nsbsh: cannot evaluate '$C/flake.nix'" "the control cannot: its input is gone (so the roots are what keeps it)"
	expect_contains "$ERR" "using the last environment built" "and falls back to its last environment"
fi

# --- no inputs: no archive -------------------------------------------------------------
N=$W/noinputs
mkproject "$N" || t_fail "mkproject" "fixture not created"
sed -i "s|hello from flake|none-$uniq|" "$N/flake.nix" && commit "$N" "own value"
run --in "$N" -- strace -f -qq -e trace=execve -o "$W/none.trace" "$NSBSH" -c 'printf %s "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:none-$uniq" "a flake without inputs enters"
expect_eq "$(grep -c '"flake", "archive"' "$W/none.trace")" 0 "and runs no nix flake archive (outputs = { self }: and no inputs)"
expect_eq "$(find "$(entry_of "$N")" -maxdepth 1 -name 'input*' | wc -l)" 0 "nor roots any input"
sed -i 's|echo edited;|echo edited twice;|' "$P/flake.nix" && commit "$P" "edit again"
run --in "$P" -- strace -f -qq -e trace=execve -o "$W/with.trace" "$NSBSH" -c true
expect_eq "$(grep -c '"flake", "archive"' "$W/with.trace")" 1 "a flake with inputs runs it once (the check above can fail)"

# --- nsb gc removes the roots with the entry --------------------------------------------
EP2=$(entry_of "$P")
src_p2=$(readlink "$EP2/input")
expect_match "$src_p2" '^/nix/store/' "the current entry has its input root"
rm -rf "$P"
run -- "$NSB" gc
expect_eq "$RC" 0 "nsb gc: status 0"
expect_path_absent "$EP2/input" "nsb gc removes the input roots with the entry of a project gone"
expect_path_absent "$EP/input" "and those of its older entry"
if root_do_checked gc "nix-collect-garbage after nsb gc"; then
	expect_path_absent "$src_p" "then nix-collect-garbage reclaims the input"
fi
