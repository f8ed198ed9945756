# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-live: one live sandbox per work tree, shared by every start there and
# living like a machine (src/sandbox/live.c LIVE-1 to LIVE-5, spawner.c).
# What a user sees: a server that one `nsbsh -c '... &'` leaves running
# answers the next start (also with network = off: the same network
# namespace); two terminals share /tmp and each other's processes; the
# sandbox ends `linger` seconds after its last process; `nsb stop` ends it
# all; a changed flake.nix gives a new sandbox beside the old one's server.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$P/www" && echo "served from the sandbox" >"$P/www/page"
BB=$P/busybox
LIVE=$XDG_RUNTIME_DIR/nsbsh
CONF=$HOME/.config/nsbsh/nsbsh.conf
# records - how many live sandboxes the runtime directory records
records() { local f n=0; for f in "$LIVE"/*.info; do [ -e "$f" ] && n=$((n + 1)); done; echo $n; }
# gone PID [SECONDS] - wait until process PID has ended (default 10 s)
gone() {
	local i
	for i in $(seq $((${2:-10} * 20))); do
		[ -d "/proc/$1" ] || return 0
		sleep 0.05
	done
	return 1
}
# host_pid ERE - the pid (host's view) of the test user's process whose
# command line matches ERE, waiting up to 5 s for it
host_pid() {
	local i p
	for i in $(seq 100); do
		p=$(pgrep -u "$(id -u)" -f "$1" | head -n1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}
# fetch - what a start in the sandbox gets from the server on $PORT
fetch() { run_nsbsh --in "$P" -c "$BB wget -q -O - http://127.0.0.1:$PORT/page"; }
PORT=$((20000 + RANDOM % 20000))
userconf "linger = 600"
run_nsbsh --in "$P" -c true # the environment built once

# --- a server left running (the issue's first example) ------------------------
fetch
expect_ne "$RC" 0 "control: before the server starts, nothing answers on port $PORT"
run_nsbsh --in "$P" -c "$BB httpd -f -p 127.0.0.1:$PORT -h $P/www >/dev/null 2>&1 &"
expect_eq "$RC" 0 "nsbsh -c 'server &' exits 0 at once"
srv=$(host_pid "httpd -f -p 127.0.0.1:$PORT")
fetch
expect_eq "$RC:$OUT" "0:served from the sandbox" "the server outlives the start that left it: a later start gets its page"
sup=$(supervisor_of "$P")
expect_eq "$(records)" 1 "LIVE-1 one-per-identity: the two starts made one sandbox (one record)"

run_nsbsh --in "$P" -c 'echo shared >/tmp/live-note; for n in pid mnt ipc uts; do readlink /proc/self/ns/$n; done'
first=$OUT
run_nsbsh --in "$P" -c 'cat /tmp/live-note; for n in pid mnt ipc uts; do readlink /proc/self/ns/$n; done'
expect_eq "$OUT" "shared"$'\n'"$first" "LIVE-1 one-per-identity: a later start has the same /tmp and pid, mount, ipc and uts namespaces"
expect_path_absent /tmp/live-note "control: the sandbox's /tmp is not the host's"
run_nsbsh --in "$P" -c 'ps -o pid,args'
expect_match "$OUT" "httpd -f -p 127.0.0.1:$PORT" "a later start's ps shows the server another start left"

run_nsbsh --in "$P" -c 'exit 7'
expect_eq "$RC" 7 "a joining start ends with its shell's exit status"
run_nsbsh --in "$P" -c 'kill -TERM $$'
expect_eq "$RC" 143 "a joining start whose shell is killed by a signal ends with 128+signal"
run_nsbsh --in "$P" -c 'echo "$0 $1 $2"; pwd' zero one "two words"
expect_eq "$OUT" "zero one two words"$'\n'"$P" "a joining start has its own arguments and working directory"
run_nsbsh --in "$P" --env LIVE_VAR=mine -c 'echo "${LIVE_VAR-unset}"'
expect_eq "$OUT" "unset" "a joining start's environment is its own: a variable nsbsh does not pass stays out"

# LIVE-5: the supervisor holds nothing of the start that made it
if [ -n "$sup" ]; then
	expect_eq "$(readlink "/proc/$sup/fd/0"):$(readlink "/proc/$sup/fd/1"):$(readlink "/proc/$sup/fd/2")" \
		"/dev/null:/dev/null:/dev/null" "LIVE-5 detached: the supervisor's standard fds are /dev/null"
	held=$(ls -l "/proc/$sup/fd" 2>/dev/null | grep -c -- "$W/")
	expect_eq "$held" 0 "LIVE-5 detached: the supervisor holds no file of the start's ($W/.run.out was its stdout)"
	read -r -a st <"/proc/$sup/stat"
	expect_eq "${st[6]}:$([ "${st[5]}" != "$(ps -o sid= $$ | tr -d ' ')" ] && echo own)" "0:own" \
		"LIVE-5 detached: the supervisor has no terminal and a session of its own"
else
	t_fail "LIVE-5 detached" "no supervisor found for $P"
fi
timeout 10 bash -c 'x=$("$1" -c "echo out"); echo "$x"' _ "$NSBSH" >"$W/subst.out" 2>/dev/null </dev/null
expect_eq "$?:$(cat "$W/subst.out")" "0:out" "LIVE-5 detached: \$(nsbsh -c ...) ends when the shell does (nothing keeps its pipe)"

# LIVE-2: the socket is where no sandbox sees it, and takes only this user's
# processes in this user namespace
sock=$(ls "$LIVE"/*.sock 2>/dev/null | head -n1)
expect_match "$sock" "^$LIVE/[0-9a-f]+\.sock$" "control: the host sees the join socket in \$XDG_RUNTIME_DIR/nsbsh"
run_nsbsh --in "$P" -c "test -e $(printf '%q' "$sock") && echo seen || echo hidden; ls $(printf '%q' "$LIVE") 2>&1 | wc -l"
expect_eq "${OUT%%$'\n'*}" "hidden" "LIVE-2 join-checked: inside the sandbox the join socket is not there"
run -- "${NSBSH%nsbsh}nsb" ps "$P"
expect_match "$OUT" "current +1 " "control: nsb ps, run by the user, gets the sandbox's answer"
if unshare --user --map-current-user true 2>/dev/null; then
	run -- unshare --user --map-current-user "${NSBSH%nsbsh}nsb" ps "$P"
	expect_eq "$RC:$ERR" "1:nsb: cannot ask the sandbox of '$P': Operation not permitted" \
		"LIVE-2 join-checked: the same uid in another user namespace is refused, and told so"
	run -- unshare --user --map-current-user "${NSBSH%nsbsh}nsb" stop "$P"
	expect_eq "$RC:$ERR" "1:nsb: cannot stop the sandbox of '$P': Operation not permitted" \
		"LIVE-2 join-checked: nsb stop from another user namespace is refused"
	fetch
	expect_eq "$RC:$OUT" "0:served from the sandbox" "LIVE-2 join-checked: nsb stop from another user namespace stops nothing"
else
	t_skip "LIVE-2 join-checked: another user namespace" "unshare --user does not work here"
fi

# --- nsb stop ---------------------------------------------------------------------
run -- "${NSBSH%nsbsh}nsb" stop "$P"
expect_eq "$RC:$OUT" "0:stopped the sandbox of '$P' and the 1 process in it" "nsb stop says what it stopped"
gone "$srv" 5
expect_path_absent "/proc/$srv" "nsb stop ends the server in the sandbox"
expect_eq "$(records):$( [ -n "$sup" ] && gone "$sup" 5 && echo ended)" "0:ended" \
	"LIVE-3 lifetime: with the sandbox, its supervisor and record end"
run -- "${NSBSH%nsbsh}nsb" stop "$P"
expect_eq "$RC:$OUT" "0:no sandbox runs in '$P'" "nsb stop with none running says so"
fetch
expect_ne "$RC" 0 "after nsb stop nothing answers on port $PORT"

# --- network = off: the same network namespace ----------------------------------
userconf "linger = 600" "network = off"
run_nsbsh --in "$P" -c "$BB setsid $BB httpd -f -p 127.0.0.1:$PORT -h $P/www >/dev/null 2>&1 &"
fetch
expect_eq "$RC:$OUT" "0:served from the sandbox" "network = off: a later start reaches the server on the sandbox's own loopback"
run -- "$BB" wget -q -O - "http://127.0.0.1:$PORT/page"
expect_ne "$RC" 0 "network = off: the host's loopback does not have it (its own network namespace)"
run -- "${NSBSH%nsbsh}nsb" stop "$P"
expect_eq "$RC" 0 "nsb stop (network = off)"

# --- lifetime: linger ------------------------------------------------------------
userconf "linger = 2"
run_nsbsh --in "$P" -c 'sleep 3 >/dev/null 2>&1 &'
job=$(host_pid '^sleep 3$')
sup=$(supervisor_of "$P")
expect_match "$job:$sup" '^[0-9]+:[0-9]+$' "control: the job and the supervisor are found"
if [ -n "$job" ] && [ -n "$sup" ]; then
	gone "$job" 10
	kill -0 "$sup" 2>/dev/null && t_ok "LIVE-3 lifetime: the sandbox outlives its last process (linger = 2)" ||
		t_fail "LIVE-3 lifetime: the sandbox outlives its last process (linger = 2)" "it ended with the job"
	gone "$sup" 10 && t_ok "LIVE-3 lifetime: and ends within its linger after it" ||
		t_fail "LIVE-3 lifetime: and ends within its linger after it" "still running 10 s after"
fi
userconf "linger = 0"
run_nsbsh --in "$P" -c 'sleep 1 >/dev/null 2>&1 &'
sup=$(supervisor_of "$P")
job=$(host_pid '^sleep 1$')
if [ -n "$sup" ] && [ -n "$job" ]; then
	t_ok "control: linger = 0: the sandbox runs while its job does"
	gone "$job" 5
	gone "$sup" 3 && t_ok "LIVE-3 lifetime: linger = 0 ends the sandbox with its last process" ||
		t_fail "LIVE-3 lifetime: linger = 0 ends the sandbox with its last process" "still running 3 s after"
else
	t_fail "control: linger = 0: the sandbox runs while its job does" "supervisor '$sup', job '$job'"
fi

# --- a changed flake.nix: a new sandbox beside the old one's server ---------------
# (network = host: the new sandbox reaches the old one's server on the
# shared loopback; with network = on each has a loopback of its own)
userconf "linger = 600" "network = host"
run_nsbsh --in "$P" -c "$BB setsid $BB httpd -f -p 127.0.0.1:$PORT -h $P/www >/dev/null 2>&1 &"
old=$(supervisor_of "$P")
sed -i 's/hello from flake/hello again/' "$P/flake.nix"
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"; ps -o args | grep -c "[h]ttpd"'
expect_eq "$OUT" "hello again"$'\n'0 "LIVE-4 current-only: after flake.nix changed, a start gets the new environment in a new sandbox"
fetch
expect_eq "$RC:$OUT" "0:served from the sandbox" "LIVE-4 current-only: the old sandbox's server keeps running"
run -- "${NSBSH%nsbsh}nsb" ps "$P"
expect_match "$OUT" $'\n[0-9a-f]{16} +old +1 ' "nsb ps shows the old sandbox with its process"
expect_match "$OUT" $'\n[0-9a-f]{16} +current +0 ' "nsb ps shows the current one"
run -- "${NSBSH%nsbsh}nsb" stop "$P"
expect_eq "$(grep -c '^stopped the sandbox' <<<"$OUT"):$(records)" "2:0" "nsb stop ends both sandboxes of the work tree"
[ -n "$old" ] && gone "$old" 5
# an old sandbox with nothing in it does not linger: the start that built
# the current one retires it
run_nsbsh --in "$P" -c true
old=$(supervisor_of "$P")
sed -i 's/hello again/hello once more/' "$P/flake.nix"
run_nsbsh --in "$P" -c true
gone "$old" 5 && t_ok "LIVE-4 current-only: an idle old sandbox ends when the current one is built (linger = 600)" ||
	t_fail "LIVE-4 current-only: an idle old sandbox ends when the current one is built (linger = 600)" "still running"
expect_eq "$(records)" 1 "one sandbox is left"

# --- crashes ----------------------------------------------------------------------
sup=$(supervisor_of "$P")
kill -KILL "$sup"
gone "$sup" 5
sock=$(ls "$LIVE"/*.sock 2>/dev/null | head -n1)
expect_match "$sock" '\.sock$' "control: a killed supervisor leaves its socket behind"
run_nsbsh --in "$P" -c 'echo joined'
new=$(supervisor_of "$P")
expect_eq "$RC:$OUT:$([ -n "$new" ] && [ "$new" != "$sup" ] && echo new)" "0:joined:new" \
	"LIVE-1 one-per-identity: a dead sandbox's socket is found out and replaced by a new sandbox"
# an idle sandbox gives back the file pages it mapped (src/base/trim.h):
# the supervisor and pid 1, a second and more after the last event.  (This
# sandbox's first start found the project through the memo: a start that
# has to load libgit2 leaves libcrypto mapped in both, which cannot be
# unloaded: about 2 MiB then.)
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
pid1=$(cat "/proc/$new/task/$new/children" 2>/dev/null | tr -d ' ')
run_nsbsh --in "$P" -c true
busy=$(( $(rss "$new") + $(rss "$pid1") ))
sleep 2.5
idle=$(( $(rss "$new") + $(rss "$pid1") ))
[ "$idle" -lt 2048 ] && [ "$idle" -lt "$busy" ] &&
	t_ok "an idle sandbox's supervisor and pid 1 hold under 2 MiB together ($idle kB; $busy kB just after a start)" ||
	t_fail "an idle sandbox's supervisor and pid 1 hold under 2 MiB together" "$idle kB after 2.5 s idle, $busy kB just after a start"
run_nsbsh --in "$P" -c 'echo joined'
expect_eq "$RC:$OUT" "0:joined" "and a start after that joins it as before"
run -- "${NSBSH%nsbsh}nsb" stop "$P"
for i in 1 2 3 4; do
	(cd "$P" && "$NSBSH" -c 'readlink /proc/self/ns/pid' >"$W/race.$i" 2>/dev/null </dev/null; echo "rc=$?" >>"$W/race.$i") &
done
wait
sort -u "$W"/race.* >"$W/race.all"
expect_eq "$(grep -c '^pid:' "$W/race.all"):$(grep -c '^rc=0$' "$W/race.all"):$(records)" "1:1:1" \
	"LIVE-1 one-per-identity: four first starts at once build one sandbox and all run in it"
run -- "${NSBSH%nsbsh}nsb" stop --all

# --- two terminals (tmux panes) in one sandbox -------------------------------------
if ! command -v tmux >/dev/null; then
	t_skip "two terminals in one sandbox" "tmux is not installed"
	exit 0
fi
userconf "linger = 600"
start="env PS1='\$ ' $(printf '%q' "$NSBSH") -i; echo nsbsh-ended-\$?; sleep 30"
tm -f /dev/null new-session -d -x 200 -y 50 -c "$P" "$start"
tm split-window -d -c "$P" "$start"
pane() { tm select-pane -t "$1"; }
pane 0
type_line 'sleep 4747 & echo "job-pid:$!"; echo from-one >/tmp/pane-note; '"$BB"' tty; echo "tty-rc:$?"'
check_screen 'job-pid:[0-9]+' "pane one: a background job"
jobpid=$(grep -oE 'job-pid:[0-9]+' <<<"$SCREEN" | head -n1 | cut -d: -f2)
check_screen $'\n/dev/pts/[0-9]+\ntty-rc:0' "tty prints the terminal's name inside the sandbox"
pane 1
type_line 'cat /tmp/pane-note; ps -o pid,args | grep "[s]leep 4747"'
check_screen "from-one"$'\n'" *$jobpid +sleep 4747" "pane two sees pane one's /tmp and its job (same pid $jobpid)"
type_line "kill $jobpid; echo killed-\$?"
check_screen 'killed-0' "pane two kills pane one's job"
pane 0
type_line 'echo next-prompt'
check_screen 'Terminated +sleep 4747' "pane one's shell reports its job ended by pane two's kill"
type_line '{ read -r answer </dev/tty; echo "read:$answer"; }'
sleep 0.3
tm send-keys -l 'typed-answer' && tm send-keys Enter
check_screen 'read:typed-answer' "a read from /dev/tty gets what is typed (ssh's passphrase prompt reads so)"
type_line "GPG_TTY=\$($BB tty); echo \"gpg:\$GPG_TTY\"; $BB stty size"
check_screen $'gpg:/dev/pts/[0-9]+\n[0-9]+ 200' "GPG_TTY=\$(tty) works; the pane's width is the shell's"
tm resize-window -x 150 -y 40 2>/dev/null || tm resize-pane -x 150
sleep 0.3
type_line "$BB stty size"
check_screen $'\n[0-9]+ 150' "a window size change reaches the shell in the sandbox"
type_line 'exit 5'
check_screen 'nsbsh-ended-5' "pane one's shell ends with its status"
pane 1
type_line 'echo still-here'
check_screen 'still-here' "pane two's shell is untouched by pane one's end"
tm kill-server 2>/dev/null

# --- pid 1's spare (spawner.c SP-1) ---------------------------------------------
# spare - inside, the pid of pid 1's spare: its child that is no shell (comm
# nsbsh-supervise, as pid 1's), waited for up to 2 s (it is forked after
# the join that took the last one: this shell's own)
spare='for ((i = 0; i < 40; i++)); do for p in /proc/[0-9]*; do [ "${p#/proc/}" = 1 ] || { read -r c <"$p/comm"; [ "$c" = nsbsh-supervise ] && echo "${p#/proc/}" && break 2; }; done; sleep 0.05; done'
run_nsbsh --in "$P" -c true
run_nsbsh --in "$P" -c "sp=\$($spare); echo \$sp \$\$"
expect_match "$OUT" '^[0-9]+ [0-9]+$' "control: while a shell runs, pid 1 has a spare for the next join, which a process inside can see"
run_nsbsh --in "$P" -c "sp=\$($spare); kill -STOP \$sp; echo \$sp"
sp=$OUT
run_nsbsh --in "$P" -c 'echo after-stop $$'
expect_eq "$RC:${OUT%% *}" "0:after-stop" "SP-1 spare-not-waited: a spare stopped from inside costs the next join nothing but a fork"
expect_ne "${OUT#* }" "$sp" "SP-1 spare-not-waited: that shell is not the stopped spare"
run_nsbsh --in "$P" -c "sp=\$($spare); kill -KILL \$sp; echo \$sp"
run_nsbsh --in "$P" -c 'echo after-kill'
expect_eq "$RC:$OUT" "0:after-kill" "SP-1 spare-not-waited: and so does a spare killed from inside"
big=$(head -c 100000 /dev/zero | tr '\0' x)
run_nsbsh --in "$P" -c 'n=0; for a; do n=$((n + ${#a})); done; echo "$n"' n "$big" "$big" "$big" "$big" "$big" \
	"$big" "$big" "$big" "$big" "$big"
expect_eq "$RC:$OUT" "0:1000000" "SP-1 spare-not-waited: a request larger than the spare's socket holds at once (1 MB of arguments) runs all the same"
run "${NSBSH%nsbsh}nsb" ps "$P"
expect_match "$OUT" "current +0 " "SP-1 spare-not-waited: the spare is not one of the sandbox's processes (nsb ps)"

# --- a start as the last sandbox ends (LIVE-1) -------------------------------------
# With linger = 0 each start's sandbox ends with its shell, and the next
# start comes while it ends: its supervisor still takes the connection and
# drops it.  The start waits for it to go and builds the next one; never
# plain bash (which 5 to 18% of such starts got before, as here: 57 of 60).
userconf "linger = 0"
run "${NSBSH%nsbsh}nsb" stop --all
# (one loop, so that each start comes as soon as the last shell ends)
run --in "$P" -- bash -c 'ran=0; for i in $(seq 100); do
	[ "$("$1" -c "echo in:\$NSBSH_PROJECT" 2>/dev/null)" = "in:$PWD" ] && ran=$((ran + 1)); done; echo "$ran"' \
	loop "$NSBSH"
expect_eq "$OUT" 100 "LIVE-1 one-per-identity: 100 starts, each as the last one's sandbox ends, each run in a sandbox"
run -- "${NSBSH%nsbsh}nsb" stop --all
exit 0
