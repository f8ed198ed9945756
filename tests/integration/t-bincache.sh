# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-bincache: a team's shared binary cache. CI builds a project's
# environment and pushes it, signed, to a cache (`nix copy` to a file://
# cache, `nix store sign`); the store paths are deleted here; then, with the
# daemon configured as an administrator would (substituters and
# trusted-public-keys in /etc/nix/nix.conf, read by the daemon and by
# nsbsh's evaluation: the root action bincache-run, in a mount namespace of
# its own), a cold entry fetches the environment from the cache instead of
# building it. With a key the daemon does not trust, the cache is refused
# and the environment is built here. nsbsh has no setting of its own for
# this: it goes through the daemon's.
. "$(dirname "$0")/../lib.sh"
linger_zero # no supervisor left waiting in the root action's namespace

B=$W/bincache
uniq=$$-$(date +%s%N)
mkdir -p "$B"

# --- CI: build, push, sign ---------------------------------------------------------------
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
sed -i "s|hello from flake|cached-$uniq|" "$P/flake.nix"
git -C "$P" -c user.name=t -c user.email=t@t commit -qam "own value"
run_nsbsh --env XDG_CACHE_HOME="$W/ci-cache" --in "$P" -c 'printf %s "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:cached-$uniq" "CI builds the environment (a first entry)"
env_out=$(readlink -f "$W"/ci-cache/nsbsh/env/*/profile)
expect_match "$env_out" '^/nix/store/[a-z0-9]{32}-demo-shell-env$' "its profile is the environment's store path"
mapfile -t closure < <(nix-store -qR "$env_out" 2>/dev/null)
expect_match "${#closure[@]}" '^[2-9]$' "the environment has a closure of its own (its tools, its source)"

nix key generate-secret --key-name "team-$uniq" >"$B/secret" 2>/dev/null
nix key convert-secret-to-public <"$B/secret" >"$B/public" 2>/dev/null
nix key generate-secret --key-name "team-$uniq" >"$B/other-secret" 2>/dev/null
nix key convert-secret-to-public <"$B/other-secret" >"$B/other-public" 2>/dev/null
expect_match "$(cat "$B/public")|$(cat "$B/other-public")" "^team-$uniq:[A-Za-z0-9+/]+=*\\|team-$uniq:[A-Za-z0-9+/]+=*\$" "two signing keys of the same name (nix key generate-secret)"
run -- nix copy --to "file://$B/cache" "$env_out"
expect_eq "$RC" 0 "nix copy pushes the environment and its closure to a file:// cache"
run -- nix store sign --store "file://$B/cache" --key-file "$B/secret" --recursive "$env_out"
expect_eq "$RC" 0 "nix store sign signs them there"
expect_eq "$(grep -l "^Sig: team-$uniq:" "$B"/cache/*.narinfo | wc -l)" "${#closure[@]}" "every path of the closure is signed in the cache"

# gone_here NAME - the closure deleted from this machine's store, with what
# refers to it (the derivations; all of this project's own), the entries
# that root it removed first; a check that each path is gone
gone_here() {
	rm -rf "$W/ci-cache" "$B/xdg-cache" "$B/xdg-data"
	local all=()
	mapfile -t all < <(nix-store -q --referrers-closure "${closure[@]}" 2>/dev/null)
	run -- nix-store --delete "${all[@]}"
	local p left=0
	for p in "${closure[@]}"; do [ ! -e "$p" ] || left=$((left + 1)); done
	expect_eq "$left" 0 "$1"
}

# The developer's cold entry, in the namespace the root action makes.
cat >"$B/run.sh" <<EOF
exec >"$B/run.out" 2>"$B/run.err"
nix show-config | grep -E '^(substituters|trusted-public-keys) ' >"$B/conf"
cd "$P" && "\$NSBSH" -c 'printf %s "\$DEMO_VAR"'
echo "status \$?" >"$B/run.status"
nix path-info --json "$env_out" >"$B/info.json" 2>&1
EOF
cold() { # PUBKEY-FILE - run.sh with the daemon trusting that key
	rm -f "$B/run.out" "$B/run.err" "$B/run.status" "$B/info.json" "$B/conf"
	cp "$1" "$B/trusted.pub"
	root_do_checked bincache-run "$2"
}

# --- a key the daemon does not trust: refused, built here -----------------------------------
gone_here "the environment's store paths are deleted here"
if cold "$B/other-public" "the root action ran the cold entry (daemon trusting another key)" "the cache with an untrusted key"; then
	expect_eq "$(cat "$B/conf")" "substituters = file://$B/cache
trusted-public-keys = $(cat "$B/other-public")" "the daemon's clients there read the cache and the other key from /etc/nix/nix.conf"
	expect_eq "$(cat "$B/run.status"):$(cat "$B/run.out")" "status 0:cached-$uniq" "the cold entry works"
	err=$(cat "$B/run.err")
	expect_no_match "$err" "copying path '$env_out' from 'file://" "the cache's copy is not taken: its signature is not one the daemon trusts"
	expect_contains "$err" "building '/nix/store/" "the environment is built here instead"
	expect_no_match "$(cat "$B/info.json")" "team-$uniq:" "the path here carries no signature of the cache"
fi

# --- the right key: a cold entry substitutes ---------------------------------------------------
gone_here "deleted again"
if cold "$B/public" "the root action ran the cold entry (daemon trusting the cache's key)" "the signed cache"; then
	expect_eq "$(cat "$B/run.status"):$(cat "$B/run.out")" "status 0:cached-$uniq" "the cold entry works"
	err=$(cat "$B/run.err")
	expect_contains "$err" "copying path '$env_out' from 'file://$B/cache'" "the environment is fetched from the cache"
	expect_no_match "$err" "building '" "nothing is built"
	expect_contains "$(cat "$B/info.json")" "team-$uniq:" "the path here carries the cache's signature"
	expect_match "$(ls "$B"/xdg-cache/nsbsh/env/*/meta 2>/dev/null)" '/meta$' "and the developer's cache entry is complete"
fi
