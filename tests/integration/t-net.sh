# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-net: the sandbox's network as policy (src/sandbox/net.c NET-1 to NET-5).
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

kill "$srv" "$srv2" 2>/dev/null
wait "$srv" "$srv2" 2>/dev/null
root_do testnet-down >/dev/null 2>&1
