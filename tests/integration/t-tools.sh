# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-tools: the policy's `tools` (installables built with the environment in
# the evaluation sandbox, a local one shown to that build read-only) are on
# PATH inside after the environment's, rooted beside the entry's profile
# (they survive nix-collect-garbage, an unrooted build does not), and part
# of the cache key; a trusted .nsbsh.conf adds to them; a tool that fails
# to build fails the build (the last environment is used). `setenv` sets
# variables inside, over the environment's and before its shellHook, with
# no rebuild: it is not part of the key.
. "$(dirname "$0")/../lib.sh"
linger_zero # strace -f of a first start waits for the supervisor it leaves

NSB=$(dirname "$NSBSH")/nsb
ENV=$XDG_CACHE_HOME/nsbsh/env
CONF=$HOME/.config/nsbsh/nsbsh.conf
uniq=$$-$(date +%s%N)

userconf() { mkdir -p "${CONF%/*}" && printf '%s\n' "linger = 0" "$@" >"$CONF"; }
key_of() { (cd "$1" && "$NSB" status | sed -n 's/^cache key: \([0-9a-f]*\).*/\1/p'); }

# mktool DIR NAME - a flake (no git, no inputs) whose default package has
# bin/NAME, a script printing "NAME-UNIQ".
mktool() {
	mkdir -p "$1" && cp /bin/bash-static "$1/bash" && cp /bin/busybox "$1/busybox" || return 1
	cat >"$1/flake.nix" <<-NIX
		{
		  outputs = { self }: {
		    packages.x86_64-linux.default = derivation {
		      name = "$2"; system = "x86_64-linux"; builder = "\${self}/bash";
		      args = [ "-c" "\${self}/busybox mkdir -p \$out/bin; echo '#!/bin/sh' > \$out/bin/$2; echo 'echo $2-$uniq' >> \$out/bin/$2; \${self}/busybox chmod 755 \$out/bin/$2" ];
		    };
		  };
		}
	NIX
}

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
# LOCAL_VAR: a variable the environment sets but does not export (its
# stdenv's setup does), which the environment's rc assigns
sed -i "s|hello from flake|flake-$uniq|; s|shellHook = \"echo hook ran|shellHook = \"echo hook sees \$RUST_LOG \$DEMO_VAR \$LOCAL_VAR|" "$P/flake.nix"
sed -i 's|      DEMO_VAR = |      stdenv = derivation { name = "fake-stdenv"; inherit system; builder = "${self}/bash"; args = [ "-c" "${self}/busybox mkdir $out; echo LOCAL_VAR=from-nix > $out/setup" ]; };\n      DEMO_VAR = |' "$P/flake.nix"
git -C "$P" -c user.name=t -c user.email=t@t commit -qam "own values"
mktool "$W/tool1" tool-one && mktool "$HOME/tool2" tool-two && mktool "$W/tool3" tool-three &&
	mktool "$W/tool4" tool-four || { t_fail "tool fixtures" "not created"; exit 1; }

run_nsbsh --in "$P" -c 'printf %s "$PATH"'
expect_match "$RC:$OUT" '^0:/nix/store/[^:]+-tools/bin:/bin$' "without tools: the environment's PATH"
expect_contains "$ERR" "hook sees flake-$uniq from-nix" "the environment's rc sets LOCAL_VAR (the setenv check below can fail)"
env_path=${OUT%:/bin}
key0=$(key_of "$P")

# --- tools ----------------------------------------------------------------------------
userconf "tools = { \"path:$W/tool1#default\", \"~/tool2#default\" }"
key1=$(key_of "$P")
expect_match "$key1" '^[0-9a-f]{64}$' "nsb status gives the key with tools"
expect_ne "$key1" "$key0" "the tools are part of the cache key"
run_nsbsh --in "$P" -c 'tool-one; tool-two; command -v tool-one; printf %s "$PATH"'
expect_eq "$RC" 0 "a start with tools: status 0"
lines=()
mapfile -t lines <<<"$OUT"
expect_eq "${lines[0]}|${lines[1]}" "tool-one-$uniq|tool-two-$uniq" "both tools run inside (a local one, and one under the home, which the evaluation shows only for its build)"
expect_match "${lines[2]}" '^/nix/store/[a-z0-9]{32}-tool-one/bin/tool-one$' "a tool is its store path"
expect_match "${lines[3]}" "^${env_path//./\\.}:/nix/store/[a-z0-9]{32}-tool-one/bin:/nix/store/[a-z0-9]{32}-tool-two/bin:/bin\$" "their bin/ on PATH after the environment's, in order, before /bin"
E=$ENV/$key1
out1=$(readlink "$E/tool") out2=$(readlink "$E/tool-1")
expect_match "$out1|$out2" '^/nix/store/[a-z0-9]{32}-tool-one\|/nix/store/[a-z0-9]{32}-tool-two$' "each tool has a GC root in the entry (tool, tool-1)"
expect_match "$(find /nix/var/nix/gcroots/auto -maxdepth 1 -lname "$E/tool*" 2>/dev/null | wc -l)" '^2$' "registered with the daemon"
expect_path_present "$ENV/$key0/meta" "the entry without tools is another entry"

run -- nix build --no-link --json "path:$W/tool3#default"
unrooted=$(sed -n 's/.*"out":"\([^"]*\)".*/\1/p' <<<"$OUT")
expect_match "$unrooted" '^/nix/store/[a-z0-9]{32}-tool-three$' "a tool built by hand, with no root"
if root_do_checked gc "nix-collect-garbage (root hook) succeeded" "the tools survive nix-collect-garbage"; then
	expect_path_absent "$unrooted" "nix-collect-garbage collects an unrooted build"
	expect_path_present "$out1" "and keeps the tools of an entry"
	expect_path_present "$out2" "both"
	run --in "$P" -- strace -f -qq -e trace=execve -o "$W/gc.trace" "$NSBSH" -c 'tool-two'
	expect_eq "$RC:$OUT" "0:tool-two-$uniq" "after it, the cached entry's tools still run"
	if has_nix_exec "$W/gc.trace"; then t_fail "as a cache hit" "nix ran"; else t_ok "as a cache hit"; fi
fi

# --- setenv -----------------------------------------------------------------------------
userconf "tools = { \"path:$W/tool1#default\", \"~/tool2#default\" }" \
	"setenv = { \"RUST_LOG=debug\", \"DEMO_VAR=from setenv\", \"QUOTED=it's \$(not run)\"," \
	"           \"LOCAL_VAR=set too\" }"
expect_eq "$(key_of "$P")" "$key1" "setenv is not part of the cache key"
run --in "$P" -- strace -f -qq -e trace=execve -o "$W/setenv.trace" "$NSBSH" -c 'printf "%s|" "$RUST_LOG" "$DEMO_VAR" "$QUOTED"; env | grep -c "^RUST_LOG=debug$"'
expect_eq "$RC:$OUT" "0:debug|from setenv|it's \$(not run)|1" "setenv's variables are inside, exported, over the environment's own (DEMO_VAR), quoted as written"
expect_contains "$ERR" "hook sees debug from setenv set too" "the shellHook runs after them and sees them, also over a variable the environment's rc assigns"
if has_nix_exec "$W/setenv.trace"; then t_fail "a setenv change needs no build" "nix ran"; else t_ok "a setenv change needs no build"; fi
run_nsbsh --in "$P" -i -c 'printf %s "$RUST_LOG"'
expect_eq "$RC:$OUT" "0:debug" "an interactive shell has them too"
run_nsbsh --in "$W" -c 'printf %s "${RUST_LOG-unset}"'
expect_eq "$OUT" "unset" "outside a project, setenv does nothing (plain bash)"
userconf "setenv = { \"PATH=/evil\" }"
run_nsbsh --in "$P" -c 'printf %s "${RUST_LOG-unset}"'
expect_contains "$ERR" "key 'setenv': 'PATH' is set by nsbsh itself (the tools key adds to it)" "setenv cannot set PATH: the file is refused, said with its line"
expect_eq "$OUT" "unset" "and the shell starts with the defaults"

# --- a trusted .nsbsh.conf adds tools ---------------------------------------------------------
userconf "tools = { \"path:$W/tool1#default\" }"
t4=$(nix-store --add "$W/tool4")
expect_match "$t4" '^/nix/store/[a-z0-9]{32}-tool4$' "a tool flake in the store"
printf 'tools = { "path:%s#default" }\n' "$t4" >"$P/.nsbsh.conf"
run -- "$NSB" trust "$P"
expect_eq "$RC" 0 "nsb trust"
run_nsbsh --in "$P" -c 'tool-one; tool-four'
expect_eq "$RC:$OUT" "0:tool-one-$uniq
tool-four-$uniq" "a trusted project file adds its tool to the person's, which stay"
rm -f "$P/.nsbsh.conf"

# --- a tool that does not build ----------------------------------------------------------------
mkdir -p "$W/broken" && echo '{ outputs = { self }: { packages = ; }; }' >"$W/broken/flake.nix"
userconf "tools = { \"path:$W/broken#default\" }"
run_nsbsh --in "$P" -c 'printf %s "$DEMO_VAR"'
expect_contains "$ERR" "nsbsh: cannot evaluate '$P/flake.nix': nix build of the policy's tools failed" "a tool that does not build: said in one line"
expect_contains "$ERR" "using the last environment built" "and the last environment is used"
expect_eq "$RC:$OUT" "0:flake-$uniq" "the shell still starts"
