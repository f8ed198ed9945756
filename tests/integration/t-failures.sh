# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-failures: when entering the project fails, nsbsh prints ONE line starting
# `nsbsh: ` and runs the command in the project's sandbox without its
# environment (never a plain bash in a tree the sandbox could write), with
# the command's own exit status; only where no sandbox can be made at all
# (no user namespaces) does the command run in plain bash.  And a cached
# environment needs no nix.  Each line is the exact text README.md's "When
# something fails" documents (the messages are in src/env/choice.c,
# src/git/project.c and src/main.c).
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
nonix=$W/bin-without-nix # a PATH with no nix in it (but pasta: network = on)
mkdir -p "$nonix"
! command -v pasta >/dev/null || ln -s "$(command -v pasta)" "$nonix/pasta"
touch "$HOME/.nsbsh-t-marker" # only visible outside a sandbox

# Prints the project env (empty without it), whether the real home is
# there (outside), whether the sandbox says it has no environment, and
# exits 3.
probe='echo "ran[$DEMO_VAR]"; test -e "$HOME/.nsbsh-t-marker" && echo outside; [ -z "${NSBSH_NO_ENV-}" ] || echo noenv; exit 3'
without_env="; the shell runs in the sandbox without the environment"

# checked_run NAME LINE WANT [run options] - run the probe (--in DIR); expect
# its output WANT and one `nsbsh: ` line on stderr, which is LINE.
checked_run() {
	local name=$1 want=$2 out=$3
	shift 3
	run_nsbsh "$@" -c "$probe"
	expect_eq "$RC" 3 "$name: the command's status passes through"
	expect_eq "$OUT" "$out" "$name: the command runs $([ "$out" = "ran[]
noenv" ] && echo "in the sandbox, without the environment" || echo "in plain bash")"
	expect_eq "$(nsbsh_lines "$ERR")" 1 "$name: one 'nsbsh: ' line on stderr"
	local line
	line=$(grep '^nsbsh: ' <<<"$ERR" | head -1)
	expect_eq "$line" "$want" "$name: the line says why"
}
# sandboxed_without_env NAME LINE [run options]: the sandbox, no environment
sandboxed_without_env() {
	local name=$1 want=$2
	shift 2
	checked_run "$name" "$want$without_env" "ran[]
noenv" "$@"
}
# falls_back NAME LINE [run options]: plain bash (no sandbox can be made)
falls_back() {
	local name=$1 want=$2
	shift 2
	checked_run "$name" "$want" "ran[]
outside" "$@"
}
# the line README.md shows for a machine where user.max_user_namespaces is 0
no_userns="nsbsh: cannot create the sandbox: user namespaces are not allowed: user.max_user_namespaces is 0: enable them with: sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d/ to keep it)"

# --- a cached environment needs no nix ----------------------------------------------
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
expect_eq "$OUT" "hello from flake" "warm the cache"
run_nsbsh --in "$P" --env PATH="$nonix" -c 'echo "$DEMO_VAR"; ls -d /'
expect_eq "$RC:$OUT" "0:hello from flake
/" "cached env works with nix missing from PATH"
expect_eq "$(nsbsh_lines "$ERR")" 0 "cached env without nix: no nsbsh complaint"

# --- no nix (cold cache) -------------------------------------------------------------
fresh_cache
P_real=$(cd "$P" && pwd -P)
sandboxed_without_env "no nix" "nsbsh: cannot find 'nix' in PATH, needed for the environment of '$P_real/flake.nix': install Nix (e.g. apt-get install nix-bin)" \
	--in "$P" --env PATH="$nonix"

# --- nix daemon unreachable (cold cache) -----------------------------------------
fresh_cache
sandboxed_without_env "no daemon" "nsbsh: cannot reach the nix daemon at '$W/no-daemon/socket': No such file or directory; start it (nix-daemon, or systemctl start nix-daemon)" \
	--in "$P" --env NIX_DAEMON_SOCKET_PATH="$W/no-daemon/socket"

# --- flake evaluation error ------------------------------------------------------------
B=$W/broken
mkproject "$B" broken
sandboxed_without_env "broken flake" "nsbsh: cannot evaluate '$(cd "$B" && pwd -P)/flake.nix': nix print-dev-env failed (exit status 1)" --in "$B"
expect_match "$ERR" $'(^|\n)error:' "broken flake: nix's own error text is shown"
expect_contains "$ERR" "syntax error" "broken flake: the parse error is shown"

# --- untracked flake.nix ------------------------------------------------------------------
U=$W/untracked
mkproject "$U" untracked
U_flake=$(cd "$U" && pwd -P)/flake.nix
sandboxed_without_env "untracked flake.nix" "nsbsh: '$U_flake' is not tracked by git, and nix does not see untracked files: run 'git add $U_flake'" --in "$U"

# --- staged, not committed: Nix reads the index, so the env loads -------------------
S=$W/staged
mkproject "$S" nocommit
run_nsbsh --in "$S" -c 'echo "$DEMO_VAR"'
expect_eq "$RC:$OUT" "0:hello from flake" "staged but uncommitted flake.nix loads"

# --- unreadable directory ----------------------------------------------------------------
R=$W/unreadable
mkproject "$R"
chmod 000 "$R/.git"
sandboxed_without_env "unreadable .git" "nsbsh: cannot read the git repository '$(cd "$R" && pwd -P)/.git': Permission denied" --in "$R"
chmod 755 "$R/.git"

# --- no user namespaces -----------------------------------------------------------------
# Without root: nsbsh runs in a user namespace whose limit is 0
# (tests/fixtures/without-userns).
run --in "$P" -- "$FIXTURES/without-userns" /bin/sh -c 'cat /proc/sys/user/max_user_namespaces; unshare -U true 2>/dev/null || echo refused'
expect_eq "$RC:$OUT" "0:0
refused" "without-userns: a namespace where no user namespace can be made"
run --in "$P" -- "$FIXTURES/without-userns" "$NSBSH" -c "$probe"
expect_eq "$RC" 3 "no user namespaces (nested limit 0): the command's status passes through"
expect_eq "$OUT" "ran[]
outside" "no user namespaces (nested limit 0): the command runs in plain bash"
expect_eq "$(nsbsh_lines "$ERR")" 1 "no user namespaces (nested limit 0): one 'nsbsh: ' line on stderr"
expect_eq "$(grep '^nsbsh: ' <<<"$ERR" | head -1)" "$no_userns" \
	"no user namespaces (nested limit 0): the line says why"

# With root: the real sysctl, user.max_user_namespaces=0 (root hook).
root_do_checked userns-off "user namespaces switched off (root hook)" "no user namespaces (sysctl)"
if [ $? != 2 ]; then
	falls_back "no user namespaces (sysctl)" "$no_userns" --in "$P"
	root_do userns-on
	expect_eq "$?" 0 "user namespaces switched back on (root hook)"
	run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
	expect_eq "$OUT" "hello from flake" "sandbox works again after user namespaces are back"
fi

rm -f "$HOME/.nsbsh-t-marker"
