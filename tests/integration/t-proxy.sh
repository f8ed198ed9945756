# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-proxy: network = allow (src/sandbox/proxy-run.c, PROXY-1..5; the match
# is net/proxy.c's, unit-tested in tests/unit/test_proxy.c): the sandbox has
# only lo, and the proxy at 127.0.0.1:3128 inside lets through what
# allow_hosts lists, over HTTP (forward and CONNECT) and SOCKS5, with real
# curl (host_system = ro) against test servers on the host's loopback only.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
# the user's file in the scratch: another suite's run that empties the shared
# home cannot change this file's policy half-way
export XDG_CONFIG_HOME=$W/config
CONF=$XDG_CONFIG_HOME/nsbsh/nsbsh.conf
NSB=$(dirname "$NSBSH")/nsb

# Two HTTP servers on the host's loopback, each its own port and page,
# stopped by their pids at the end.
SERVERS=()
serve() { # NAME - starts one; sets PORT
	mkdir -p "$W/www-$1" && echo "page of $1" >"$W/www-$1/page.txt"
	rm -f "$W/port-$1"
	/usr/bin/python3 -c 'import http.server, functools, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
h = functools.partial(Quiet, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.timeout = 1
import time; end = time.time() + 300
while time.time() < end: s.handle_request()' "$W/www-$1" "$W/port-$1" &
	SERVERS+=($!)
	for _ in $(seq 50); do [ -s "$W/port-$1" ] && break; sleep 0.1; done
	PORT=$(cat "$W/port-$1" 2>/dev/null)
}
cleanup() {
	for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	"$NSB" stop "$P" >/dev/null 2>&1
}
trap 'cleanup; t_exit_' EXIT

serve a; PA=$PORT
serve b; PB=$PORT
# controls: both servers answer on the host
run -- curl -sS --max-time 10 "http://127.0.0.1:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "control: server a answers on the host's loopback"
run -- curl -sS --max-time 10 "http://127.0.0.1:$PB/page.txt"
expect_eq "$RC:$OUT" "0:page of b" "control: server b answers on the host's loopback"

userconf "network = allow" "host_system = ro" "linger = 0" \
	"allow_hosts = { \"127.0.0.1:$PA\", \"localhost:$PA\", \"localhost:$PB\" }"
# curl honours no_proxy for every proxy, SOCKS too (127.0.0.1 is in it,
# rightly: the sandbox's own loopback): these requests are for the host's,
# so through the proxy.
C='env -u no_proxy -u NO_PROXY curl -sS --max-time 20'

run_nsbsh --in "$P" -c 'echo "$http_proxy $HTTPS_PROXY $all_proxy $NO_PROXY"'
expect_eq "$RC:$OUT" "0:http://127.0.0.1:3128 http://127.0.0.1:3128 socks5h://127.0.0.1:3128 localhost,127.0.0.1,::1" \
	"network allow: the proxy variables are set inside"
run_nsbsh --in "$P" -c 'while read -r a b; do case $a in *:) echo "${a%:}";; esac; done </proc/net/dev'
expect_eq "$OUT" "lo" "network allow: the only interface is lo"

# --- PROXY-1 only-listed --------------------------------------------------------
run_nsbsh --in "$P" -c "$C http://127.0.0.1:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "PROXY-1 only-listed: a listed host:port passes (HTTP forward, from http_proxy)"
run_nsbsh --in "$P" -c "$C -p http://127.0.0.1:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "PROXY-1 only-listed: a listed host:port passes (CONNECT)"
run_nsbsh --in "$P" -c "$C --socks5-hostname 127.0.0.1:3128 http://127.0.0.1:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "PROXY-1 only-listed: a listed host:port passes (SOCKS5)"
run_nsbsh --in "$P" -c "$C -o /dev/null -D - http://127.0.0.1:$PB/page.txt; $C http://127.0.0.1:$PB/page.txt"
expect_match "$OUT" "^HTTP/1.1 403 Forbidden" "PROXY-1 only-listed: a port not listed: 403"
expect_contains "$OUT" "X-Nsbsh-Refused: port not listed in allow_hosts" "PROXY-1 only-listed: a port not listed: the reason in a header"
expect_contains "$OUT" "nsbsh: port not listed in allow_hosts" "PROXY-1 only-listed: a port not listed: the reason in the body"
run_nsbsh --in "$P" -c "$C -p http://127.0.0.1:$PB/page.txt"
expect_contains "$ERR" "403" "PROXY-1 only-listed: a port not listed: CONNECT gets 403"
run_nsbsh --in "$P" -c "$C --socks5-hostname 127.0.0.1:3128 http://127.0.0.1:$PB/page.txt"
expect_match "$RC:$ERR" '^97:.*SOCKS5.*\(2\)' "PROXY-1 only-listed: a port not listed: SOCKS5 answers reply 2, 'connection not allowed by ruleset'"
run_nsbsh --in "$P" -c "$C http://127.0.0.2:$PA/page.txt"
expect_contains "$OUT" "address not listed in allow_hosts" "PROXY-1 only-listed: another loopback literal is not the listed one"

# git over http (a dumb-http repository served by server a): through the proxy
repo=$W/www-a/repo.git
git init -q "$W/src" && echo "from git" >"$W/src/file" && git -C "$W/src" add file &&
	git -C "$W/src" -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -qm one &&
	git clone -q --bare "$W/src" "$repo" && git -C "$repo" update-server-info
run_nsbsh --in "$P" -c "env -u no_proxy -u NO_PROXY git clone -q http://127.0.0.1:$PA/repo.git /tmp/c && cat /tmp/c/file"
expect_eq "$RC:$OUT" "0:from git" "PROXY-1 only-listed: git clone over http passes through the proxy (http_proxy)"

# --- PROXY-2 resolved-once: the proxy resolves (curl inside resolves nothing) ---
run_nsbsh --in "$P" -c "$C --socks5-hostname 127.0.0.1:3128 http://localhost:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "PROXY-2 resolved-once: a name sent to the proxy (SOCKS5 with the name) is resolved there, to a listed address"

# --- PROXY-3 no-loopback-by-name -----------------------------------------------
run_nsbsh --in "$P" -c "$C -o /dev/null -w '%{http_code}' http://localhost:$PB/page.txt; echo; $C http://localhost:$PB/page.txt"
expect_match "$OUT" "^403" "PROXY-3 no-loopback-by-name: a listed name that resolves to 127.0.0.1 is refused (403)"
expect_contains "$OUT" "name resolves to a loopback address that is not listed" "PROXY-3 no-loopback-by-name: the reason says so"
run_nsbsh --in "$P" -c "$C http://localhost:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "PROXY-3 no-loopback-by-name: control: the same name passes where its address is listed too"

# --- PROXY-4 refusal-logged ---------------------------------------------------
run -- "$NSB" log "$P"
diag "nsb log: $OUT"
expect_match "$OUT" "net http +127\.0\.0\.1:$PB refused: port not listed in allow_hosts" "PROXY-4 refusal-logged: an HTTP refusal is a line of nsb log (host, port, why)"
expect_match "$OUT" "net connect +127\.0\.0\.1:$PB refused" "PROXY-4 refusal-logged: a CONNECT refusal is a line"
expect_match "$OUT" "net socks5 +127\.0\.0\.1:$PB refused" "PROXY-4 refusal-logged: a SOCKS5 refusal is a line"
expect_match "$OUT" "net http +localhost:$PB refused: name resolves to a loopback address" "PROXY-4 refusal-logged: a name refused for its address is a line"
expect_match "$OUT" "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}  net " "PROXY-4 refusal-logged: each line starts with its time"
expect_no_match "$OUT" "net [a-z0-9]+ +127\.0\.0\.1:$PA " "PROXY-4 refusal-logged: what passed is not logged"

# --- PROXY-5 bounded ------------------------------------------------------------
run_nsbsh --in "$P" -c 'exec 3<>/dev/tcp/127.0.0.1/3128 || exit 1
	{ printf "GET http://127.0.0.1/ HTTP/1.1\r\nX: "; head -c 40000 /dev/zero | tr "\0" a; printf "\r\n\r\n"; } >&3 2>/dev/null
	read -r line <&3; echo "$line"'
expect_match "$OUT" "^HTTP/1.1 431" "PROXY-5 bounded: a request head past the limit is answered 431"
run_nsbsh --in "$P" -c "$C http://127.0.0.1:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "PROXY-5 bounded: control: the proxy serves on after it"
# 256 connections at once (each waiting for its request): one more is
# closed at once, unanswered; one of the 256 is still served.
run_nsbsh --in "$P" -c 'fds=()
	for i in $(seq 256); do exec {fd}<>/dev/tcp/127.0.0.1/3128 || exit 1; fds+=($fd); done
	sleep 1
	exec {extra}<>/dev/tcp/127.0.0.1/3128 || exit 1
	printf "GET http://127.0.0.1:'"$PA"'/page.txt HTTP/1.1\r\n\r\n" >&$extra 2>/dev/null
	if read -r -t 10 line <&$extra; then echo "extra: $line"; else echo "extra: $?"; fi
	printf "GET http://127.0.0.1:'"$PA"'/page.txt HTTP/1.1\r\n\r\n" >&${fds[0]}
	read -r -t 10 line <&${fds[0]}; echo "first: $line"'
expect_eq "$RC:$OUT" $'0:extra: 1\nfirst: HTTP/1.0 200 OK\r' "PROXY-5 bounded: past 256 connections at once, one more is closed unanswered; the first is still served"

# --- no way around it -----------------------------------------------------------
run_nsbsh --in "$P" -c "exec 3<>/dev/tcp/127.0.0.1/$PA && echo reached || echo refused"
expect_eq "$OUT" "refused" "network allow: a direct connection to the host's listener fails (the same through the proxy passes, above)"
run_nsbsh --in "$P" -c "curl -sS --max-time 10 --noproxy '*' http://127.0.0.1:$PA/page.txt"
expect_ne "$RC" 0 "network allow: curl told not to use the proxy reaches nothing"

# --- ssh through the proxy (issue 18): /etc/ssh/ssh_config's ProxyCommand ------
# A real sshd of the test's own, as the test user, on a loopback port, its
# key in the work tree (a test's key: the sandbox must see it to use it).
mkdir -p "$W/ssh" && ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host" && ssh-keygen -q -t ed25519 -N '' -f "$P/.id" &&
	cp "$P/.id.pub" "$W/ssh/authorized_keys"
PS=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '%s\n' "Port $PS" "ListenAddress 127.0.0.1" "HostKey $W/ssh/host" "AuthorizedKeysFile $W/ssh/authorized_keys" \
	"PidFile none" "StrictModes no" "UsePAM no" "PasswordAuthentication no" "KbdInteractiveAuthentication no" >"$W/ssh/sshd_config"
/usr/sbin/sshd -D -e -f "$W/ssh/sshd_config" 2>"$W/ssh/log" &
SERVERS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PS") 2>/dev/null && break; sleep 0.1; done
SSH="ssh -i .id -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p $PS"
run -- $SSH -i "$P/.id" 127.0.0.1 echo over-ssh
expect_eq "$RC:$OUT" "0:over-ssh" "control: the test's sshd takes the key on the host"
run_nsbsh --in "$P" -c "$SSH 127.0.0.1 echo over-ssh"
expect_contains "$RC:$ERR" "nsbsh-connect: 127.0.0.1:$PS: refused by the proxy: port not listed in allow_hosts" \
	"PROXY-1 only-listed: ssh to a port that allow_hosts does not list is refused, with the proxy's reason"
userconf "network = allow" "host_system = ro" "linger = 0" "allow_hosts = { \"127.0.0.1:$PS\" }"
run_nsbsh --in "$P" -c "$SSH 127.0.0.1 echo over-ssh"
expect_eq "$RC:$OUT" "0:over-ssh" "network allow: ssh to an allowed host:port works through the proxy (the sandbox's ssh_config)"
run_nsbsh --in "$P" -c "exec 3<>/dev/tcp/127.0.0.1/$PS && echo reached || echo refused; readlink /proc/self/ns/net"
diag "net namespace inside: ${OUT#*$'\n'}, outside: $(readlink /proc/self/ns/net)"
expect_eq "${OUT%%$'\n'*}" "refused" "network allow: control: the sshd is not reachable without the proxy"

# --- the proxy lives with its sandbox ----------------------------------------
ps_proxy() { ps -u "$(id -u)" -o pid=,comm= | awk '$2 == "nsbsh-proxy" { print $1 }'; }
userconf "network = allow" "host_system = ro" "linger = 600" "allow_hosts = { \"127.0.0.1:$PA\" }"
run_nsbsh --in "$P" -c "$C http://127.0.0.1:$PA/page.txt"
first=$(ps_proxy)
run_nsbsh --in "$P" -c "$C http://127.0.0.1:$PA/page.txt"
expect_eq "$RC:$OUT" "0:page of a" "network allow: a shell that joins the live sandbox uses its proxy"
expect_eq "$(ps_proxy | wc -l):$(ps_proxy)" "1:$first" "network allow: one proxy for the live sandbox, the same for the shell that joined"
run -- "$NSB" stop "$P"
for _ in $(seq 50); do [ -z "$(ps_proxy)" ] && break; sleep 0.1; done
expect_eq "$(ps_proxy)" "" "network allow: nsb stop ends the proxy with its sandbox"
userconf "network = allow" "host_system = ro" "linger = 0" "allow_hosts = { \"127.0.0.1:$PA\" }"
run_nsbsh --in "$P" -c 'echo alive'
for _ in $(seq 50); do [ -z "$(ps_proxy)" ] && break; sleep 0.1; done
expect_eq "$(ps_proxy)" "" "network allow: the proxy ends with its sandbox (linger = 0)"
