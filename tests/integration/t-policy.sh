# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-policy: the policy files (src/policy/, wired in src/main.c) do what
# nsbsh.conf(5) says: network off, binds, unshadowed home files, passthrough,
# host_system, bash, trusted project files (src/trust.c, invariants TRUST-1
# and TRUST-2), bad configuration, and strict mode (the system's file, put in
# place by the root actions sysconf-*).
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
CONF=$HOME/.config/nsbsh/nsbsh.conf
echo "the home secret" >"$HOME/secret.txt"

noconf() { rm -f "$CONF"; }

# --- network -------------------------------------------------------------------

# An outer listener on loopback: one connection, one line.
listen_once() {
	rm -f "$W/port"
	/usr/bin/python3 -c 'import socket,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); s.settimeout(20)
open(sys.argv[1],"w").write(str(s.getsockname()[1]))
try:
    c,_=s.accept(); c.sendall(b"hello from outside\n"); c.close()
except socket.timeout: pass' "$W/port" &
	LISTENER=$!
	for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
	PORT=$(cat "$W/port" 2>/dev/null)
}
connect='exec 3<>/dev/tcp/127.0.0.1/$1 && read -r line <&3 && echo "$line"'

userconf "network = host"
listen_once
run_nsbsh --in "$P" -c "$connect" sh "$PORT"
expect_eq "$OUT" "hello from outside" "network host: an outer listener on loopback is reached"
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null

noconf
listen_once
run_nsbsh --in "$P" -c "$connect"' || echo "refused $?"' sh "$PORT"
expect_match "$OUT" "^refused" "network on (the default): the outer listener on loopback is not reached (t-net.sh: NET-2)"
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null

userconf "network = off"
listen_once
run_nsbsh --in "$P" -c "$connect"' || echo "refused $?"' sh "$PORT"
expect_match "$OUT" "^refused" "network off: the outer listener on loopback cannot be reached"
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null
run_nsbsh --in "$P" -c 'while read -r a b; do case $a in *:) echo "${a%:}";; esac; done </proc/net/dev'
expect_eq "$OUT" "lo" "network off: the only interface is lo"
# lo is up: a connect to a closed port is refused (ECONNREFUSED, which bash
# says on stderr), where a loopback that is down answers ENETUNREACH; and a
# listener inside on 127.0.0.1 is reached from inside (the fixture's busybox
# nc, in the work tree; the sandbox has a network namespace of its own, so
# the port is its own too).
run_nsbsh --in "$P" -c 'exec 3<>/dev/tcp/127.0.0.1/1; echo "status $?"'
expect_eq "$OUT:${ERR##*: }" "status 1:Connection refused" "network off: lo is up (a connect to a closed port is refused, not unreachable)"
run_nsbsh --in "$P" -c './busybox timeout 20 ./busybox nc -l -p 4711 <<<"hello from inside" &
	for ((i = 0; i < 100; i++)); do
		exec 3<>/dev/tcp/127.0.0.1/4711 2>/dev/null && { read -r line <&3; echo "$line"; exit; }
		sleep 0.1
	done
	exec 3<>/dev/tcp/127.0.0.1/4711; echo "not reached"'
expect_eq "$OUT" "hello from inside" "network off: lo is up (a listener inside on 127.0.0.1 is reached from inside)"

# --- binds, unshadow, passthrough ----------------------------------------------

mkdir -p "$W/data/rw"
echo "read only data" >"$W/data/file.txt"
userconf "bind = { \"$W/data/file.txt:/data/ro.txt\", \"$W/data/rw:/data/rw:rw\" }"
run_nsbsh --in "$P" -c 'cat /data/ro.txt'
expect_eq "$OUT" "read only data" "bind ro file: readable at its destination"
run_nsbsh --in "$P" -c 'echo x >>/data/ro.txt 2>/dev/null || echo refused'
expect_eq "$OUT" "refused" "bind ro file: a write fails"
expect_eq "$(cat "$W/data/file.txt")" "read only data" "bind ro file: the host file is unchanged"
run_nsbsh --in "$P" -c 'echo made inside >/data/rw/new.txt && echo done'
expect_eq "$(cat "$W/data/rw/new.txt" 2>/dev/null)" "made inside" "bind rw dir: a file made inside appears on the host"

ln -s "$HOME" "$W/homelink"
userconf "bind = { \"$W/homelink:/h\" }"
run_nsbsh --in "$P" -c 'test -e /h/secret.txt && echo visible || echo hidden'
expect_eq "$OUT" "hidden" "bind: a link to the home is refused when it is resolved"
expect_contains "$ERR" "policy: bind '$W/homelink' refused" "bind: the refusal is said"

userconf 'bind = { "~" }'
run_nsbsh --in "$P" -c 'test -e ~/secret.txt && echo visible || echo hidden; echo "${DEMO_VAR-}"'
expect_eq "$OUT" $'hidden\nhello from flake' "bind of the whole home: refused, the shell still starts in the project"
expect_contains "$ERR" "$CONF:1: key 'bind'" "bind of the whole home: the message names file, line and key"

printf '[user]\n\tname = Ann\n' >"$HOME/.gitconfig"
userconf 'unshadow = { "~/.gitconfig", "~/.not-there" }'
run_nsbsh --in "$P" -c 'cat ~/.gitconfig; echo x >>~/.gitconfig 2>/dev/null && echo written || echo refused; test -e ~/secret.txt && echo secret'
expect_eq "$OUT" $'[user]\n\tname = Ann\nrefused' "unshadow ~/.gitconfig: readable, not writable, and the rest of the home stays hidden"
expect_eq "$(nsbsh_lines "$ERR")" 0 "unshadow of a file one does not have: nothing said"

userconf 'passthrough = { MY_TOOL_OPT, "GIT_AUTHOR_*" }'
run_nsbsh --in "$P" --env MY_TOOL_OPT=1 --env GIT_AUTHOR_NAME=Ann --env MY_TOOL_OPTX=2 \
	--env GITHUB_TOKEN=secret -c 'echo "${MY_TOOL_OPT-} ${GIT_AUTHOR_NAME-} ${MY_TOOL_OPTX-none} ${GITHUB_TOKEN-none}"'
expect_eq "$OUT" "1 Ann none none" "passthrough: the names and patterns pass, nothing else does"

# --- host_system and bash ------------------------------------------------------

prog='printf "int main(void){return 42;}\n" >/tmp/a.c && cc -o /tmp/a /tmp/a.c && /tmp/a; echo "status $?"'
noconf
run_nsbsh --in "$P" -c "$prog"
expect_match "$OUT" "status 127" "host_system off: the host's compiler is not there"
userconf "host_system = ro"
run_nsbsh --in "$P" -c "$prog"
expect_eq "$OUT" "status 42" "host_system ro: a compiler runs, and what it builds runs"
run_nsbsh --in "$P" -c 'echo x >/usr/bin/planted 2>/dev/null || echo refused; echo "$DEMO_VAR"'
expect_eq "$OUT" $'refused\nhello from flake' "host_system ro: the host's /usr is read-only, the environment still comes first"

userconf "host_system = ro" "bash = \"/bin/bash\""
run_nsbsh --in "$P" -c 'wc -c </bin/bash'
expect_eq "$OUT" "$(stat -L -c %s /bin/bash)" "bash = /bin/bash: the sandbox runs that bash"

# --- bad configuration -----------------------------------------------------------

userconf 'passthrough = MY_TOOL_OPT' 'netwrok = off'
run_nsbsh --in "$P" --env MY_TOOL_OPT=1 -c 'echo "${MY_TOOL_OPT-unset} $DEMO_VAR"'
expect_eq "$OUT" "unset hello from flake" "bad config: the shell starts with the defaults, not a half-read policy"
expect_contains "$ERR" "nsbsh: $CONF:2: unknown key 'netwrok'; using the default policy" "bad config: one message with file, line and key"
expect_eq "$(nsbsh_lines "$ERR")" 1 "bad config: said in one line"
userconf 'network = maybe'
run_nsbsh --in "$P" -c 'true'
expect_contains "$ERR" "$CONF:1: key 'network': 'maybe' is not on, host, off or allow" "bad value: file, line, key and value"
userconf 'bind = { "/srv'
run_nsbsh --in "$P" -c 'echo ran'
expect_eq "$OUT:$(nsbsh_lines "$ERR")" "ran:1" "syntax error: one message, and the command runs"
userconf 'network = off'
chmod 000 "$CONF"
run_nsbsh --in "$P" -c 'echo ran'
expect_contains "$OUT:$ERR" "ran:nsbsh: cannot read '$CONF': Permission denied" "unreadable file: said, and the command runs"
noconf

# --- a repository's own .nsbsh.conf --------------------------------------------

mkdir -p "$W/wide"
echo "wide data" >"$W/wide/f"
printf 'bind = { "%s:/wide" }\n' "$W/wide" >"$P/.nsbsh.conf"
show_wide='cat /wide/f 2>/dev/null || echo absent'
run_nsbsh --in "$P" -c "$show_wide"
expect_eq "$OUT" "absent" "untrusted .nsbsh.conf: a wide bind is ignored"
expect_contains "$ERR" "'$P/.nsbsh.conf' is not trusted, so it is ignored" "untrusted .nsbsh.conf: said"
run_nsbsh --in "$P" -c "$show_wide"
expect_eq "$OUT:$(nsbsh_lines "$ERR")" "absent:0" "untrusted .nsbsh.conf: said once"
run --in "$P" -- "${NSBSH%/*}/nsb" trust
expect_eq "$RC" 0 "nsb trust: succeeds"
run_nsbsh --in "$P" -c "$show_wide"
expect_eq "$OUT" "wide data" "TRUST-1: trusted .nsbsh.conf applies"
echo "# an edit" >>"$P/.nsbsh.conf"
run_nsbsh --in "$P" -c "$show_wide"
expect_eq "$OUT" "absent" "TRUST-1: edited after trust, .nsbsh.conf is ignored again"
expect_contains "$ERR" "changed since it was trusted" "edited .nsbsh.conf: said"
run_nsbsh --in "$P" -c 'echo "# from inside" >>.nsbsh.conf'
run_nsbsh --in "$P" -c "$show_wide"
expect_eq "$OUT" "absent" "TRUST-1: a file changed from inside the sandbox is not trusted"
run --in "$P" -- "${NSBSH%/*}/nsb" trust
run --in "$P" -- "${NSBSH%/*}/nsb" trust --remove
run_nsbsh --in "$P" -c "$show_wide"
expect_eq "$OUT" "absent" "nsb trust --remove: the file is ignored again"
echo 'network = sometimes' >"$P/.nsbsh.conf"
run --in "$P" -- "${NSBSH%/*}/nsb" trust
expect_eq "$RC" 1 "nsb trust of a broken file: refused"
expect_contains "$ERR" "key 'network': 'sometimes' is not on, host, off or allow; not trusted" "nsb trust of a broken file: says why"
rm -f "$P/.nsbsh.conf"

# nsbsh's own directories stay read-only under a writable bind (TRUST-2).
mkdir -p "$HOME/.config/other"
userconf "bind = { \"~/.config:rw\", \"$XDG_DATA_HOME:rw\", \"$XDG_CACHE_HOME:rw\" }"
run_nsbsh --in "$P" -c 'echo "strict = off" >>~/.config/nsbsh/nsbsh.conf 2>/dev/null && echo conf-written
	mkdir -p "$XDG_DATA_HOME/nsbsh/trust/x" 2>/dev/null && echo trust-written
	touch "$XDG_CACHE_HOME/nsbsh/planted" 2>/dev/null && echo cache-written
	echo ok >~/.config/other/f && echo other-written'
expect_eq "$OUT" "other-written" "TRUST-2: under writable binds, nsbsh's configuration, trust records and cache stay read-only"
noconf

# --- strict mode -----------------------------------------------------------------

# skipped where the step cannot be done here; a failed step is a failure
root_step sysconf-strict "strict mode" || exit 0
mkdir -p "$HOME/projects"
mkproject "$HOME/projects/ok" || t_fail "mkproject under ~/projects" "fixture not created"
mkproject "$HOME/projects/broken" broken || t_fail "mkproject broken under ~/projects" "fixture not created"
secret='test -e '"$HOME"'/secret.txt && echo secret-visible || echo secret-hidden'

run_nsbsh --in "$W" -c "$secret"' ; echo "project=${NSBSH_PROJECT-none}"'
expect_eq "$OUT" $'secret-hidden\nproject=none' "strict: outside a project the shell is a sandbox with no project"
run_nsbsh --in "$HOME/projects/ok" -c "$secret"' ; echo "$DEMO_VAR"'
expect_eq "$OUT" $'secret-hidden\nhello from flake' "strict: a project under the allowed roots is entered"
run_nsbsh --in "$P" -c "$secret"' ; echo "${DEMO_VAR-no env} ${NSBSH_PROJECT-none}"'
expect_eq "$OUT" $'secret-hidden\nno env none' "strict: a project outside the allowed roots gives the sandbox with no project"
expect_contains "$ERR" "'$P' is not under this account's allowed roots" "strict: the refused project is said"
run_nsbsh --in "$HOME/projects/broken" -c "$secret"' ; echo "${NSBSH_NO_ENV-} ${NSBSH_PROJECT-}"; exit 3'
expect_eq "$RC:$OUT" "3:secret-hidden"$'\n'"1 $HOME/projects/broken" "strict: a failed build gives the project's sandbox without the environment"
run_nsbsh --in "$HOME/projects/ok" -c 'cat /proc/net/dev | wc -l'
expect_eq "$OUT" 3 "strict: the system's network = off holds"
# In strict mode a cd never leaves sandboxes: a directory the sandbox does
# not show is refused (said), one it shows is the builtin's.
if command -v tmux >/dev/null; then
	tm -f /dev/null new-session -d -x 200 -y 50 -c "$HOME/projects/ok" "env PS1='\$ ' $(printf '%q' "$NSBSH") -i; echo nsbsh-ended-\$?; sleep 30"
	type_line 'echo "s0:${NSBSH_PROJECT-none}"'
	check_screen "s0:$HOME/projects/ok" "control: strict: an interactive shell in an allowed project"
	type_line "cd $(printf '%q' "$W")"
	settle
	type_line 'echo "s1:$PWD:${NSBSH_PROJECT-none}"'
	check_screen "nsbsh: cd: '$W' is outside the sandbox, and this account is strict" "strict: a cd to a directory outside the sandbox is refused, and said"
	check_screen "s1:$HOME/projects/ok:$HOME/projects/ok" "strict: after it, the project's sandbox again, where the shell was"
	type_line 'kept=yes; cd / && echo "s2:$PWD:${NSBSH_PROJECT-none}:${kept-lost}"'
	check_screen "s2:/:$HOME/projects/ok:yes" "strict: cd / is the sandbox's own root, in the same shell"
	tm kill-server 2>/dev/null
else
	t_skip "strict: cd" "tmux is not installed"
fi
userconf "strict = off" "network = on" "bind = { \"$W/data/rw:/data/rw:rw\" }"
run_nsbsh --in "$W" -c "$secret"' ; n=0; while read -r l; do n=$((n + 1)); done </proc/net/dev; echo $n; test -d /data/rw && echo bound'
expect_eq "$OUT" $'secret-hidden\n3' "strict: the user's file cannot loosen the system's policy"
expect_contains "$ERR" "key 'strict': 'off' ignored" "strict: what the user's file could not loosen is said"
userconf "netwrok = on"
run_nsbsh --in "$W" -c "$secret"
expect_eq "$RC:$OUT" "77:" "strict: a broken user file refuses the shell, never plain bash"
expect_contains "$ERR" "$CONF:1: unknown key 'netwrok'; refusing a shell" "strict: the refusal names file, line and key"
noconf

root_do sysconf-strict-broken
run_nsbsh --in "$W" -c "echo ran"
expect_eq "$RC:$OUT" "77:" "strict: a broken system policy refuses the shell (exit 77)"
expect_contains "$ERR" "unknown key 'netwrok'; refusing a shell" "strict: the refusal names the file's problem"

root_do sysconf-strict
# Without user namespaces (tests/fixtures/without-userns: the limit of a
# namespace of its own set to 0, which needs no root).
run --in "$HOME/projects/ok" -- "$FIXTURES/without-userns" "$NSBSH" -c "echo ran"
expect_eq "$RC:$OUT" "77:" "strict: without user namespaces the shell is refused, never plain"
expect_contains "$ERR" "user namespaces are not allowed" "strict: the refusal says why"
root_do sysconf-restore
