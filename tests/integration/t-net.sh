# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-net: the sandbox's network as policy (src/sandbox/net.c NET-1 to NET-6).
# What a user sees: with network = on (the default) the sandbox reaches a
# host on the network (a test host in a namespace the suite makes) but not
# a server on the host's 127.0.0.1 nor an abstract socket of a program
# outside, which network = host shares; forward_ports opens the one port it
# lists, publish_ports shows a server inside on the host's 127.0.0.1; pasta
# ends with the sandbox; without pasta the start says so once and shares
# the host's network.  Traffic goes only to loopback and to the test host.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
BB=$P/busybox
CONF=$HOME/.config/nsbsh/nsbsh.conf
userconf() { mkdir -p "${CONF%/*}" && printf '%s\n' "linger = 0" "$@" >"$CONF"; }
# get URL - what busybox wget inside the sandbox gets from URL (3 s at most)
get() { run_nsbsh --in "$P" -c "$BB timeout 5 $BB wget -q -O - $1"; }
# outside URL - the same from the host
outside() { run "$BB" timeout 5 "$BB" wget -q -O - "$1"; }
# gone PID - wait (5 s at most) until process PID has ended
gone() {
	local i
	for i in $(seq 100); do
		[ -d "/proc/$1" ] || return 0
		sleep 0.05
	done
	return 1
}
# pasta_of SUPERVISOR - the pid of the pasta that is SUPERVISOR's child
# (passt, which pasta links to, may exec its own passt.avx2: same pid)
pasta_of() {
	local c
	for c in $(pgrep -P "$1"); do
		[[ $(cat "/proc/$c/comm" 2>/dev/null) == pas* ]] && { echo "$c"; return 0; }
	done
	return 1
}

if ! command -v pasta >/dev/null; then
	t_fail "pasta" "pasta is not installed (apt-get install passt; ./setup installs it)"
	exit 1
fi

# A server on the host's loopback, as the user's own programs leave them.
mkdir -p "$W/www" && echo "host loopback" >"$W/www/page" && echo "second" >"$W/www/two"
PORT=$((20000 + RANDOM % 10000))
PORT2=$((PORT + 1))
"$BB" httpd -f -p "127.0.0.1:$PORT" -h "$W/www" &
srv=$!
"$BB" httpd -f -p "127.0.0.1:$PORT2" -h "$W/www" &
srv2=$!
sleep 0.3
outside "http://127.0.0.1:$PORT/page"
expect_eq "$RC:$OUT" "0:host loopback" "control: the host's loopback server answers outside"

# --- network = host: today's shared namespace -----------------------------------
userconf "network = host"
get "http://127.0.0.1:$PORT/page"
expect_eq "$RC:$OUT" "0:host loopback" "control: with network = host the sandbox reaches the host's 127.0.0.1"
run_nsbsh --in "$P" -c 'readlink /proc/self/ns/net'
expect_eq "$OUT" "$(readlink /proc/self/ns/net)" "control: network = host is the host's network namespace"

# --- network = on: a namespace of its own, pasta outside --------------------------
userconf "network = on"
run_nsbsh --in "$P" -c 'readlink /proc/self/ns/net; cat /sys/class/net/*/operstate 2>/dev/null | wc -l'
ns_on=$(head -n1 <<<"$OUT")
expect_ne "$ns_on" "$(readlink /proc/self/ns/net)" "NET-1 own-netns: with network = on the sandbox has a network namespace of its own"
expect_eq "$(nsbsh_lines "$ERR")" 0 "network = on with pasta installed says nothing at the start"
get "http://127.0.0.1:$PORT/page"
expect_ne "$RC:$OUT" "0:host loopback" "NET-2 no-host-loopback: with network = on the host's 127.0.0.1 server is not reached"
gw=$(ip -4 route show default | sed -n 's/^default via \([0-9.]*\).*/\1/p' | head -n1)
if [ -n "$gw" ]; then
	get "http://$gw:$PORT/page"
	expect_ne "$RC:$OUT" "0:host loopback" "NET-2 no-host-loopback: nor through the gateway's address ($gw: --no-map-gw)"
fi

# The test host, in a namespace of the suite's own (root): the control
# that the sandbox's network works at all.
if root_do testnet-up; then
	TPORT=$(cat "$T/testnet/port")
	outside "http://10.253.17.2:$TPORT/x"
	expect_eq "$RC:$OUT" "0:testnet" "control: the test host answers outside"
	get "http://10.253.17.2:$TPORT/x"
	expect_eq "$RC:$OUT" "0:testnet" "NET-1 own-netns: with network = on the sandbox reaches the test host through pasta"
else
	t_skip "NET-1 own-netns: the test host through pasta" "root_do testnet-up failed"
fi

# --- pasta lives and dies with the sandbox ----------------------------------------
userconf "network = on" "linger = 600"
run_nsbsh --in "$P" -c true
sup=$(supervisor_of "$P")
pst=$(pasta_of "$sup")
expect_match "$pst" '^[0-9]+$' "NET-3 pasta-dies-with-sandbox: one pasta runs, the supervisor's child"
if [ -n "$pst" ]; then
	# (pasta makes itself undumpable: its environ and exe are root's to read)
	expect_match "$(tr '\0' ' ' <"/proc/$pst/cmdline")" '--no-map-gw .*-u none -U none -t none -T none' \
		"NET-2 no-host-loopback: pasta maps no gateway and forwards no port it finds bound"
	run_nsbsh --in "$P" -c true
	expect_eq "$(pasta_of "$sup")" "$pst" "NET-3 pasta-dies-with-sandbox: a join starts no other pasta"
	"$(dirname "$NSBSH")/nsb" stop "$P" >/dev/null 2>&1 || kill "$sup"
	gone "$pst"
	expect_eq "$?" 0 "NET-3 pasta-dies-with-sandbox: pasta ends when the sandbox is stopped"
fi
run_nsbsh --in "$P" -c true
sup=$(supervisor_of "$P")
pst=$(pasta_of "$sup")
if [ -n "$sup" ] && [ -n "$pst" ]; then
	kill -KILL "$sup"
	gone "$pst"
	expect_eq "$?" 0 "NET-3 pasta-dies-with-sandbox: pasta ends when its supervisor is killed (parent death signal)"
else
	t_fail "NET-3 pasta-dies-with-sandbox: supervisor killed" "no supervisor ($sup) or pasta ($pst)"
fi

# --- forward_ports, publish_ports -------------------------------------------------
userconf "network = on" "forward_ports = { $PORT }"
get "http://127.0.0.1:$PORT/page"
expect_eq "$RC:$OUT" "0:host loopback" "NET-2 no-host-loopback: forward_ports = { $PORT } opens the host's port $PORT inside"
get "http://127.0.0.1:$PORT2/two"
expect_ne "$RC:$OUT" "0:second" "NET-2 no-host-loopback: forward_ports opens exactly the port it lists ($PORT2 stays closed)"
userconf "network = on" "forward_ports = { \"$PORT2:8081\" }"
get "http://127.0.0.1:8081/two"
expect_eq "$RC:$OUT" "0:second" "forward_ports = { \"$PORT2:8081\" }: the host's port $PORT2 is port 8081 inside"

SPORT=$((PORT + 2))
HPORT=$((PORT + 3))
mkdir -p "$P/www" && echo "from inside" >"$P/www/in"
userconf "network = on" "linger = 600" "publish_ports = { \"$HPORT:$SPORT\" }"
outside "http://127.0.0.1:$HPORT/in"
expect_ne "$RC:$OUT" "0:from inside" "control: before the server inside starts, nothing answers on the host's port $HPORT"
run_nsbsh --in "$P" -c "$BB setsid $BB httpd -f -p $SPORT -h $P/www >/dev/null 2>&1 &"
sleep 0.5
outside "http://127.0.0.1:$HPORT/in"
expect_eq "$RC:$OUT" "0:from inside" "publish_ports = { \"$HPORT:$SPORT\" }: a server inside answers on the host's 127.0.0.1:$HPORT"
sup=$(supervisor_of "$P") && kill "$sup" && gone "$sup"

# --- abstract unix sockets of the host ----------------------------------------------
ABS="nsbsh-t-net-$$"
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind("\0" + sys.argv[1]); s.listen(8); s.settimeout(60)
while True:
    try:
        c, _ = s.accept(); c.sendall(b"outer\n"); c.close()
    except socket.timeout:
        break
' "$ABS" &
absrv=$!
sleep 0.3
client='/usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(chr(0)+sys.argv[1]); print(s.recv(9).decode().strip())" '"$ABS"
run bash -c "$client"
expect_eq "$RC:$OUT" "0:outer" "control: the outer program's abstract socket answers outside"
userconf "network = host" "host_system = ro"
run_nsbsh --in "$P" -c "$client"
if [[ $ERR == *PermissionError* ]]; then
	t_skip "control: with network = host the sandbox reaches the host's abstract socket" \
		"this kernel's Landlock scopes abstract sockets already (6.12 and later): EPERM"
else
	expect_eq "$RC:$OUT" "0:outer" "control: with network = host the sandbox reaches the host's abstract socket"
fi
userconf "network = on" "host_system = ro"
run_nsbsh --in "$P" -c "$client"
expect_ne "$OUT" "outer" "NET-1 own-netns: with network = on the host's abstract socket is not reachable"
expect_match "$ERR" "ConnectionRefusedError" "NET-1 own-netns: no such socket in the sandbox's namespace (ECONNREFUSED, not Landlock's EPERM: python3 ran inside)"
kill "$absrv" 2>/dev/null
wait "$absrv" 2>/dev/null

# --- without pasta: the host's network, said once ------------------------------------
NOP=$W/nopasta
mkdir -p "$NOP"
for f in /usr/bin/*; do
	case ${f##*/} in pasta|pasta.avx2|passt|passt.avx2) continue ;; esac
	ln -s "$f" "$NOP/${f##*/}"
done
userconf "network = on" "linger = 600"
run_nsbsh --in "$P" --env PATH="$NOP" -c 'readlink /proc/self/ns/net'
expect_eq "$OUT" "$(readlink /proc/self/ns/net)" "without pasta on PATH network = on falls back to the host's network"
expect_eq "$(nsbsh_lines "$ERR")" 1 "without pasta the start says so in one line"
expect_match "$ERR" "network = on needs pasta" "without pasta the line names pasta"
run_nsbsh --in "$P" --env PATH="$NOP" -c true
expect_eq "$(nsbsh_lines "$ERR")" 0 "without pasta a join says nothing more (once)"
sup=$(supervisor_of "$P") && kill "$sup" && gone "$sup"

# --- a resolver on the host's loopback (NET-6) ---------------------------------------
# systemd-resolved's 127.0.0.53 or a local dnsmasq: inside, that address
# would be the sandbox's own loopback.  tests/run dns-run gives run.sh a
# machine whose resolv.conf names a DNS server on 127.0.0.N:53 (every name
# is 10.1.2.3); getent is the host's (host_system = ro).
mkdir -p "$W/dns"
mkproject "$W/dns/proj" || t_fail "mkproject" "fixture not created"
cat >"$W/dns/run.sh" <<'RUN'
cd "$W/dns/proj" || exit 1
C=$XDG_CONFIG_HOME/nsbsh/nsbsh.conf
mkdir -p "${C%/*}"
for net in host on; do
	printf 'network = %s\nhost_system = ro\nlinger = 0\n' "$net" >"$C"
	"$NSBSH" -c 'getent hosts probe.nsbsh.test; echo "rc=$?"; cat /etc/resolv.conf' >"$W/dns/$net.out" 2>&1
done
RUN
if root_step dns-run "NET-6 dns-through-pasta: a resolver on the host's loopback"; then
	answered() { grep -cE '^10\.1\.2\.3 +probe\.nsbsh\.test$' "$W/dns/$1.out"; }
	expect_eq "$(answered host)" 1 \
		"NET-6 dns-through-pasta: with network = host the loopback resolver answers (control: it is there, getent works)"
	expect_eq "$(answered on)" 1 \
		"NET-6 dns-through-pasta: with network = on the name resolves, through pasta"
	expect_contains "$(cat "$W/dns/on.out")" "nameserver 169.254.1.1
search nsbsh.test" "NET-6 dns-through-pasta: the sandbox's resolv.conf names pasta's address and keeps the rest"
	expect_no_match "$(cat "$W/dns/on.out")" "nameserver 127\." "NET-6 dns-through-pasta: no loopback nameserver inside"
fi

# --- network = off: the evaluation too (NET-4), and no daemon socket (NET-5) ------
userconf "network = host"
run_nsbsh --in "$P" -c 'echo $DEMO_VAR'
expect_eq "$OUT" "hello from flake" "control: the environment is built with network = host"
userconf "network = off"
run_nsbsh --in "$P" -c 'echo $DEMO_VAR; test -e /nix/var/nix/daemon-socket/socket && echo socket'
expect_eq "$OUT" "hello from flake" "NET-4 off-means-off: a cached environment still enters with network = off"
expect_eq "$(ls /nix/var/nix/daemon-socket/socket 2>/dev/null)" /nix/var/nix/daemon-socket/socket "control: the daemon socket is there outside"
userconf "network = on" "nix_daemon = on"
run_nsbsh --in "$P" -c 'test -S /nix/var/nix/daemon-socket/socket && echo socket'
expect_eq "$OUT" "socket" "control: with network = on and nix_daemon = on the sandbox sees the daemon socket"
# issue 17 item 5, on this machine's own nix.conf (read here by grep): a
# daemon that does not sandbox its builds is hidden from the shells (auto)
nosandbox=$(grep -Ec '^[[:space:]]*sandbox[[:space:]]*=[[:space:]]*(false|relaxed)' /etc/nix/nix.conf 2>/dev/null)
rm -f "$XDG_CACHE_HOME/nsbsh/daemon-hidden"
userconf "network = on"
run_nsbsh --in "$P" -c 'test -S /nix/var/nix/daemon-socket/socket && echo socket; echo done'
if [ "$nosandbox" -ge 1 ]; then
	expect_eq "$OUT" "done" "NET-5 daemon-socket-hidden: a daemon with sandbox = false is hidden from the shell (nix_daemon = auto)"
	expect_eq "$(nsbsh_lines "$ERR")" 0 "NET-5 daemon-socket-hidden: a start without a terminal does not say it (nsb doctor does)"
	# on a terminal (script: a pty), to a person: once
	userconf "network = on" "linger = 0" "picker = off"
	tty_start() { (cd "$P" && script -qec "$NSBSH -c true" /dev/null </dev/null 2>&1 | tr -d '\r'); }
	first=$(tty_start)
	expect_match "$first" "nsbsh: sandboxes do not see the Nix daemon's socket: the daemon does not sandbox builds \\(sandbox = false\\)" \
		"NET-5 daemon-socket-hidden: a start on a terminal says why"
	second=$(tty_start)
	expect_eq "$(nsbsh_lines "$second")" 0 "NET-5 daemon-socket-hidden: and says it once (the next start does not)"
else
	expect_eq "$OUT" "socket"$'\n'"done" "control: a daemon that sandboxes and does not trust the user is shown (nix_daemon = auto)"
fi
userconf "network = off"
run_nsbsh --in "$P" -c 'test -e /nix/var/nix/daemon-socket/socket && echo socket; echo done'
expect_eq "$OUT" "done" "NET-5 daemon-socket-hidden: with network = off there is no daemon socket inside"
userconf "network = off" "nix_daemon = on"
run_nsbsh --in "$P" -c 'test -S /nix/var/nix/daemon-socket/socket && echo socket'
expect_eq "$OUT" "socket" "NET-5 daemon-socket-hidden: nix_daemon = on shows it again with network = off"

# An edited flake.nix that fetches at evaluation, from a listener on the
# host's loopback that writes down what arrives.
FPORT=$((PORT + 4))
listen() { # FILE - the first connection's first line on 127.0.0.1:$FPORT into FILE
	: >"$1"
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); s.settimeout(60)
c, _ = s.accept(); c.settimeout(5)
open(sys.argv[2], "wb").write(c.recv(200))
' "$FPORT" "$1" &
	lsn=$!
	sleep 0.3
}
sed -i "s|DEMO_VAR = \"hello from flake\";|DEMO_VAR = builtins.readFile (builtins.fetchurl { url = \"http://127.0.0.1:$FPORT/x\"; sha256 = \"$(printf '0%.0s' $(seq 52))\"; });|" "$P/flake.nix"
listen "$W/arrived.off"
userconf "network = off" "nix_daemon = on"
run_nsbsh --in "$P" -c true
sleep 0.5
expect_eq "$(wc -c <"$W/arrived.off")" 0 "NET-4 off-means-off: the evaluation's fetchurl never arrives at the host's listener"
kill "$lsn" 2>/dev/null
wait "$lsn" 2>/dev/null
listen "$W/arrived.host"
userconf "network = host"
run_nsbsh --in "$P" -c true
sleep 0.5
expect_match "$(head -n1 "$W/arrived.host")" "^GET /x" "control: with network = host the same evaluation's fetch arrives"
kill "$lsn" 2>/dev/null
wait "$lsn" 2>/dev/null

kill "$srv" "$srv2" 2>/dev/null
wait "$srv" "$srv2" 2>/dev/null
root_do testnet-down >/dev/null 2>&1
