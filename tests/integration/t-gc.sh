# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-gc: `nsb gc` removes the cache entries of projects gone and, with
# --older-than, entries not used for that long; it keeps each existing
# project's current entry and any entry a build holds locked; --dry-run
# changes nothing; after it, nix-collect-garbage (root hook) really reclaims
# the store path of a removed entry and keeps that of a kept one.
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
ENV=$XDG_CACHE_HOME/nsbsh/env
uniq=$$-$(date +%s%N)

# proj DIR VALUE - a fixture whose DEMO_VAR (and so whose env's store path) is
# its own: no other project or run shares the entry.
proj() {
	mkproject "$1" || return 1
	sed -i "s|hello from flake|$2|" "$1/flake.nix"
	git -C "$1" -c user.name=t -c user.email=t@t commit -qam "value $2"
}
# entry_of DIR - the current entry of the project at DIR (after an entry).
entry_of() {
	local key
	key=$(cd "$1" && "$NSB" status | sed -n 's/^cache key: \([0-9a-f]*\).*/\1/p')
	echo "$ENV/$key"
}
snapshot() { find "$XDG_CACHE_HOME" "$XDG_DATA_HOME" -printf '%p %s %T@\n' 2>/dev/null | sort; }

# --- usage ------------------------------------------------------------------------
run -- "$NSB" gc --older-than 3x
expect_eq "$RC" 2 "a bad duration: status 2"
expect_eq "$ERR" "nsb: invalid duration '3x' for --older-than: use a number and a unit (s, m, h, d, w), e.g. 30d or 12h" "a bad duration: one line that says how to write one"
run -- "$NSB" gc --bogus
expect_eq "$RC:$(nsbsh_lines "${ERR//nsb: /nsbsh: }")" "2:1" "an unknown argument: status 2, one line"
run -- "$NSB" gc
expect_match "$RC:$OUT" '^0:removed 0 entries' "an empty cache: nothing to do, status 0"

# --- the projects -------------------------------------------------------------------
G=$W/gone K=$W/kept
proj "$G" "gone-$uniq" || { t_fail "mkproject" "fixture not created"; exit 1; }
proj "$K" "kept-one-$uniq" || { t_fail "mkproject" "fixture not created"; exit 1; }
run_nsbsh --in "$G" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:gone-$uniq" "the project to delete has its entry"
EG=$(entry_of "$G")
run_nsbsh --in "$K" -c 'echo "$DEMO_VAR"'
K1=$(entry_of "$K")
sed -i "s|kept-one-$uniq|kept-two-$uniq|" "$K/flake.nix"
git -C "$K" -c user.name=t -c user.email=t@t commit -qam "second value"
run_nsbsh --in "$K" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:kept-two-$uniq" "the kept project's second entry is its current one"
K2=$(entry_of "$K")
path_g=$(readlink -f "$EG/profile") path_k1=$(readlink -f "$K1/profile") path_k2=$(readlink -f "$K2/profile")
expect_match "$path_g|$path_k1|$path_k2" '^/nix/store/[^|]+\|/nix/store/[^|]+\|/nix/store/[^|]+$' "each entry roots a store path (its profile link)"
home_g=$(echo "$XDG_DATA_HOME"/nsbsh/home/gone-*)
expect_path_present "$home_g" "the project to delete has a private home"
memo_g=$XDG_CACHE_HOME/nsbsh/discovery/$(printf %s "$G" | sha256sum | cut -c1-64)
expect_path_present "$memo_g" "the project to delete has a discovery memo"

rm -rf "$G"

# --- dry run --------------------------------------------------------------------------
before=$(snapshot)
run -- "$NSB" gc --dry-run --older-than 1s
expect_eq "$RC" 0 "gc --dry-run: status 0"
expect_contains "$OUT" "would remove ${EG:${#ENV}+1:12}" "gc --dry-run names the entry of the project gone"
expect_match "$OUT" "would remove ${EG:${#ENV}+1:12}  $G/flake.nix  \\(flake, last used [0-9]+ s ago, [0-9.]+ [KM]i?B\\): project gone" "gc --dry-run: one line with project, key prefix, age, size and why"
expect_eq "$(snapshot)" "$before" "gc --dry-run changes nothing"

# --- entries of projects gone -----------------------------------------------------------
run -- "$NSB" gc
expect_eq "$RC" 0 "gc: status 0"
expect_match "$OUT" "(^|$'\n')removed ${EG:${#ENV}+1:12}  $G/flake.nix  \\(flake, last used [0-9]+ s ago, [0-9.]+ [KM]i?B\\): project gone" "gc says it removed the entry of the project gone"
expect_path_absent "$EG" "gc removes the entry of a project gone"
expect_path_present "$K1/meta" "gc keeps a recent entry of an existing project (no --older-than)"
expect_path_present "$K2/meta" "gc keeps the current entry of an existing project"
expect_path_absent "$memo_g" "gc removes the discovery memo of the project gone"
expect_match "$OUT" "removed 1 entry \\([0-9.]+ [KM]i?B\\), 0 pointers and 1 discovery memo of projects gone; kept 2 entries \\(1 in use by a project, 0 being built, 1 other\\)" "gc: a summary with counts and bytes"
expect_path_present "$home_g" "gc keeps the private home of a project gone (it may hold the user's data)"
expect_contains "$OUT" "kept home $home_g  of $G" "gc lists the private home it keeps"
expect_contains "$OUT" "'nsb gc --homes' removes it" "and says how to remove it"

# --- entries not used for a while, and the lock of a build ------------------------------
sleep 2
exec 9>"$K1/lock"
flock -n 9 || t_fail "take the entry's build lock" "flock failed"
run -- "$NSB" gc --older-than 1s
expect_path_present "$K1/meta" "gc --older-than keeps an entry a build holds locked"
expect_contains "$OUT" "1 being built" "and counts it as being built"
exec 9>&-
run -- "$NSB" gc --older-than 1s
expect_path_absent "$K1" "gc --older-than removes an old entry that is not current"
expect_contains "$OUT" "removed ${K1:${#ENV}+1:12}  $K/flake.nix" "and says so"
expect_contains "$OUT" "not used for more than 1 s" "and why"
expect_path_present "$K2/meta" "gc --older-than keeps the current entry of an existing project, however old"
run_nsbsh --in "$K" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:kept-two-$uniq" "the kept project still enters after gc"
run --in "$K" -- strace -f -qq -e trace=execve -o "$W/kept.trace" "$NSBSH" -c true
if has_nix_exec "$W/kept.trace"; then t_fail "and its entry is still a cache hit" "nix ran"
else t_ok "and its entry is still a cache hit"; fi

# --- private homes with --homes -----------------------------------------------------------
run -- "$NSB" gc --homes --dry-run
expect_contains "$OUT" "would remove home $home_g" "gc --homes --dry-run names the home"
expect_path_present "$home_g" "and keeps it"
run -- "$NSB" gc --homes
expect_eq "$RC" 0 "gc --homes: status 0"
expect_path_absent "$home_g" "gc --homes removes the private home of a project gone"
expect_path_present "$(echo "$XDG_DATA_HOME"/nsbsh/home/kept-*)" "and keeps that of an existing project"

# --- fast-join records (shell/fastjoin.c) -------------------------------------------------
R=$XDG_CACHE_HOME/nsbsh/fastjoin
mkdir -p "$R" && chmod 700 "$R"
old_rec=$R/$(printf old | sha256sum | cut -c1-64) new_rec=$R/$(printf new | sha256sum | cut -c1-64)
: >"$old_rec" && : >"$new_rec" && chmod 600 "$old_rec" "$new_rec"
touch -d '40 days ago' "$old_rec"
run -- "$NSB" gc --dry-run
expect_contains "$OUT" "would remove 1 fast-join record written over 30 days ago" "gc --dry-run names the old fast-join records"
expect_path_present "$old_rec" "and keeps them"
run -- "$NSB" gc
expect_path_absent "$old_rec" "gc removes a fast-join record written over 30 days ago"
expect_path_present "$new_rec" "and keeps a recent one"
expect_contains "$OUT" "removed 1 fast-join record written over 30 days ago" "and says so"

# --- the store ---------------------------------------------------------------------------------
if root_do_checked gc "nix-collect-garbage (root hook) succeeded"; then
	expect_path_absent "$path_g" "nix-collect-garbage reclaims the store path of the entry of the project gone"
	expect_path_absent "$path_k1" "nix-collect-garbage reclaims the store path of the old entry"
	expect_path_present "$path_k2" "the store path of the kept entry survives"
fi
