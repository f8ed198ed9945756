# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-escape: the escape battery (SECURITY.md, the threat model).  Code inside the
# sandbox, running as the same user, reaches for what is outside: a process
# of that user, a secret in the real home, the mounts and namespaces, the
# store, a file handle of the real home, an abstract unix socket.  Each
# attack must be refused with the errno of the layer meant to stop it (an
# EINVAL or EFAULT would only say the arguments were wrong, so it does not
# count); where it makes sense the same attack is tried outside as a
# control, to show that it works there (or, for the mount group, in a user
# and mount namespace of our own, where the caller has the privilege): the
# arguments are right, and only the sandbox refuses them.
#
# The attacks run tests/try-syscall (built static by `make tests/try-syscall`),
# whose answers are `NAME ok`, `NAME errno=E...` or `NAME signal=SIG...`.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
try_project "$P" "ESCAPE helper" || exit 1

# --- the targets outside --------------------------------------------------------
# An outer process of the same user, a secret in the real home, an abstract
# unix socket listening; all removed at exit.
sleep 1000 &
outer=$!
secret=$HOME/nsbsh-t-secret-$$
echo "the user's secret" >"$secret"
sock=nsbsh-t-$$
"$TRY" "listen-abstract=$sock" >"$W/listen.out" 2>&1 &
listener=$!
cleanup_() {
	kill "$outer" "$listener" 2>/dev/null
	wait "$outer" "$listener" 2>/dev/null
	rm -f "$secret"
}
trap 'cleanup_; t_exit_' EXIT
for _ in $(seq 100); do
	grep -qx listening "$W/listen.out" 2>/dev/null && break
	sleep 0.05
done
expect_eq "$(cat "$W/listen.out")" listening "ESCAPE setup: an abstract socket listens outside (@$sock)"
[ "$outer" -gt 50 ] || diag "the outer sleep's pid $outer is small: it could exist inside too"

ptrace_scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)

# --- outside (controls) ---------------------------------------------------------
out_names=("kill=$outer" "ptrace-attach=$outer" "proc-read=/proc/$outer/environ"
	"proc-read=$secret" "proc-read=/proc/$$/root$secret"
	"abstract-connect=$sock" "name_to_handle=$secret" landlock-abi unshare-user)
run -- "$TRY" "${out_names[@]}"
outside=$OUT
diag "outside: $(tr '\n' ';' <<<"$outside")"
handle=$(answer "$outside" "name_to_handle=$secret")
handle=${handle#ok }
[[ $handle =~ ^[0-9a-f]+$ ]] || handle=00000000000000000000 # the inside check then reports bad-argument
abi=$(answer "$outside" landlock-abi)
abi=${abi#ok }
[[ $abi =~ ^[0-9]+$ ]] || abi=0

# --- inside ---------------------------------------------------------------------
in_names=("kill=$outer" "ptrace-attach=$outer" "proc-read=/proc/$outer/environ"
	"proc-read=$secret" "proc-read=/proc/1/root$secret" ptrace-attach=1
	"umount=/nix/store" "mount-bind=$P_real/bind-src:$P_real/bind-dst"
	"pivot_root=$P_real:$P_real" "chroot=$P_real" "setns-real=/proc/self/ns/net"
	"write=/nix/store/nsbsh-t-escape-$$" "write=$P_real/nsbsh-t-written"
	"open_by_handle=$handle" "open_by_handle=$handle:$P_real"
	"abstract-connect=$sock" landlock-abi unshare-user)
mkdir -p "$P/bind-src" "$P/bind-dst"
# After the battery, a process of the sandbox's own: it can be signalled and
# traced (the pid namespace keeps outer processes out, not inner ones).
run_nsbsh --in "$P" -c 'try=$1; shift; "$try" "$@"
	sleep 1001 & s=$!; echo "own $s"; "$try" kill=$s ptrace-attach=$s; kill $s; wait $s 2>/dev/null; :' \
	n "$TRY" "${in_names[@]}"
inside=$OUT
diag "inside: $(tr '\n' ';' <<<"$inside")"
expect_eq "$(grep -c '' <<<"$inside")" $((${#in_names[@]} + 3)) "ESCAPE helper: try-syscall answers every attack inside"

# --- outer processes: the pid namespace ----------------------------------------
expect_eq "$(answer "$outside" "kill=$outer")" ok "ESCAPE outer-process: kill -0 of an outer sleep of the same user works outside (control)"
expect_eq "$(answer "$inside" "kill=$outer")" errno=ESRCH "ESCAPE outer-process: kill -0 of the outer sleep gives ESRCH inside"
if [ "$ptrace_scope" = none ] || [ "$ptrace_scope" = 0 ]; then
	expect_eq "$(answer "$outside" "ptrace-attach=$outer")" ok "ESCAPE outer-process: PTRACE_ATTACH to the outer sleep works outside (control)"
else
	t_skip "ESCAPE outer-process: PTRACE_ATTACH to the outer sleep works outside (control)" \
		"yama ptrace_scope=$ptrace_scope refuses it outside too ($(answer "$outside" "ptrace-attach=$outer"))"
fi
expect_eq "$(answer "$inside" "ptrace-attach=$outer")" errno=ESRCH "ESCAPE outer-process: PTRACE_ATTACH to the outer sleep gives ESRCH inside"
expect_eq "$(answer "$outside" "proc-read=/proc/$outer/environ")" ok "ESCAPE outer-process: /proc/PID/environ of the outer sleep is readable outside (control)"
expect_eq "$(answer "$inside" "proc-read=/proc/$outer/environ")" errno=ENOENT "ESCAPE outer-process: /proc/PID/environ of the outer sleep gives ENOENT inside"
expect_eq "$(ps -o stat= -p "$outer" 2>&1 | cut -c1)" S "ESCAPE outer-process: the outer sleep still runs, not stopped, after the attempts"

# --- the real home: the private home and the fresh root ------------------------
expect_eq "$(answer "$outside" "proc-read=$secret")" ok "ESCAPE home-secret: the secret in the real home is readable outside (control)"
expect_eq "$(answer "$inside" "proc-read=$secret")" errno=ENOENT "ESCAPE home-secret: reading it by its path inside gives ENOENT (the home is private)"
expect_eq "$(answer "$outside" "proc-read=/proc/$$/root$secret")" ok "ESCAPE home-secret: /proc/PID/root/... reaches it outside (control)"
# The sandbox's pid 1 keeps its capabilities (in the sandbox's user
# namespace) and is not dumpable (MUST-8), so the kernel's ptrace access
# check keeps the program away from it: /proc/1/root is EACCES and
# PTRACE_ATTACH to pid 1 (which would hand the program those capabilities)
# is EPERM.  Behind that, the sandbox's root is the fresh root with the
# private home: seen from outside through the shell's /proc/PID/root (as the
# same user), the secret is not there.
expect_eq "$(answer "$inside" "proc-read=/proc/1/root$secret")" errno=EACCES "ESCAPE home-secret: /proc/1/root/... (the sandbox's pid 1) gives EACCES inside (pid 1 is not dumpable)"
expect_eq "$(answer "$inside" ptrace-attach=1)" errno=EPERM "ESCAPE pid1: PTRACE_ATTACH to the sandbox's pid 1 (capabilities, not dumpable) gives EPERM inside"
(cd "$P" && exec "$NSBSH" -c "sleep 1002; :" </dev/null >/dev/null 2>&1) &
sup=$!
# The shell inside (pid 1's child; pid 1 itself is not dumpable, MUST-8): its
# root is the sandbox's, seen from outside by the same user.
prog=
for _ in $(seq 100); do
	prog=$(pgrep -u "$(id -u)" -x -f "sleep 1002" | head -1)
	[ -n "$prog" ] && [ "$(stat -L -c %d:%i "/proc/$prog/root/" 2>/dev/null)" != "$(stat -c %d:%i /)" ] &&
		[ -e "/proc/$prog/root/etc/passwd" ] && break
	sleep 0.05
done
[ -n "$prog" ] || prog=no-shell-found
run -- "$TRY" "proc-read=/proc/$prog/root/etc/passwd" "proc-read=/proc/$prog/root$secret"
diag "the shell of the sandbox: $prog: $(tr "\n" ";" <<<"$OUT")"
expect_eq "$(answer "$OUT" "proc-read=/proc/$prog/root/etc/passwd")" ok "ESCAPE home-secret: outside, the root of the sandbox's shell is readable (control: /proc/PID/root/etc/passwd)"
expect_eq "$(answer "$OUT" "proc-read=/proc/$prog/root$secret")" errno=ENOENT "ESCAPE home-secret: the sandbox's root does not hold the secret (ENOENT: fresh root, private home)"
[[ $prog =~ ^[0-9]+$ ]] && kill -9 "$prog" 2>/dev/null # the shell (its start ends with it)
wait "$sup" 2>/dev/null

# --- mounts and namespaces: seccomp (and no capabilities) ----------------------
# The control: the same calls with the same arguments in a user, mount and
# net namespace of our own (unshare -Urmn), where the caller has
# CAP_SYS_ADMIN, work; /nix/store and the work tree are made mount points
# there first, as they are in the sandbox.  pivot_root goes last: it changes
# the namespace's mount tree.
mount_names=("setns-real=/proc/self/ns/net" "chroot=$P_real"
	"mount-bind=$P_real/bind-src:$P_real/bind-dst" "umount=/nix/store" "pivot_root=$P_real:$P_real")
run -- unshare -Urmn --propagation private /bin/sh -c \
	'mount --bind /nix/store /nix/store && mount --bind "$1" "$1" && shift && exec "$@"' \
	sh "$P_real" "$TRY" "${mount_names[@]}"
control=$OUT
if [ "$RC" = 0 ] || [ -n "$control" ]; then
	diag "in unshare -Urmn: $(tr '\n' ';' <<<"$control")"
	for n in "${mount_names[@]}"; do
		expect_eq "$(answer "$control" "$n")" ok "ESCAPE mounts: ${n%%=*} works in a user+mount namespace of our own (control: the arguments are right)"
	done
else
	t_skip "ESCAPE mounts: the calls work in a user+mount namespace of our own (control)" \
		"unshare -Urmn failed here (status $RC): $(show "$ERR")"
fi
for n in "${mount_names[@]}"; do
	expect_eq "$(answer "$inside" "$n")" errno=EPERM "ESCAPE mounts: ${n%%=*} ($n) gives EPERM inside"
done

# --- the store: read-only ------------------------------------------------------
expect_eq "$(answer "$inside" "write=$P_real/nsbsh-t-written")" ok "ESCAPE store: the helper's write works in the work tree inside (control)"
expect_eq "$(answer "$inside" "write=/nix/store/nsbsh-t-escape-$$")" errno=EROFS "ESCAPE store: a write creating a file in /nix/store gives EROFS inside"
expect_path_absent "/nix/store/nsbsh-t-escape-$$" "ESCAPE store: nothing of it appears in the store"

# --- file handles: seccomp -----------------------------------------------------
# Outside, the user lacks CAP_DAC_READ_SEARCH, so open_by_handle_at is EPERM
# there too: the control only shows that the handle is real.  Inside, the
# mount fd is "/" (a tmpfs) and then the work tree (the same filesystem as
# the real home here, the shocker escape).
expect_match "$(answer "$outside" "name_to_handle=$secret")" '^ok [0-9a-f]{16,}$' "ESCAPE handles: name_to_handle_at of the secret works outside (control: a real handle)"
expect_eq "$(answer "$inside" "open_by_handle=$handle")" errno=EPERM "ESCAPE handles: open_by_handle_at of it (mount fd /) gives EPERM inside"
expect_eq "$(answer "$inside" "open_by_handle=$handle:$P_real")" errno=EPERM "ESCAPE handles: open_by_handle_at of it (mount fd: the work tree) gives EPERM inside"

# --- abstract unix sockets: Landlock's scope (MUST-L2 of src/landlock.c) ---------
# TARGET CHECK: the network namespace is usually the host's, so only
# Landlock (ABI 6, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) keeps the host's
# abstract sockets (X11, D-Bus, ...) out: EPERM; ECONNREFUSED where the
# network is off (a net namespace of its own).  It is not weakened when the
# sandbox does not refuse yet: then it fails, and that is the finding.
diag "Landlock ABI outside: $abi; inside: $(answer "$inside" landlock-abi)"
expect_eq "$(answer "$outside" "abstract-connect=$sock")" ok "ESCAPE abstract-socket: connect to @$sock works outside (control)"
if [ "$abi" -ge 6 ]; then
	expect_match "$(answer "$inside" "abstract-connect=$sock")" '^errno=(EPERM|ECONNREFUSED)$' \
		"ESCAPE abstract-socket [target: Landlock scope, MUST-L2]: connect to @$sock from inside is refused (EPERM or ECONNREFUSED)"
else
	t_skip "ESCAPE abstract-socket [target: Landlock scope, MUST-L2]: connect to @$sock from inside is refused" \
		"this kernel's Landlock ABI is $abi (<6); inside: $(answer "$inside" "abstract-connect=$sock")"
fi

# --- nested user namespaces: not refused yet (policy), reported only ------------
diag "unshare(CLONE_NEWUSER): outside $(answer "$outside" unshare-user), inside $(answer "$inside" unshare-user) (not asserted: nested user namespaces are not refused yet)"

# --- the other side: the sandbox's own processes --------------------------------
own=$(sed -n 's/^own //p' <<<"$inside")
expect_eq "$(answer "$inside" "kill=$own")" ok "ESCAPE own-process: kill -0 of a process of the sandbox works inside"
if [ "$ptrace_scope" = none ] || [ "$ptrace_scope" = 0 ]; then
	expect_eq "$(answer "$inside" "ptrace-attach=$own")" ok "ESCAPE own-process: PTRACE_ATTACH to a process of the sandbox works inside"
else
	t_skip "ESCAPE own-process: PTRACE_ATTACH to a process of the sandbox works inside" \
		"yama ptrace_scope=$ptrace_scope (a sibling cannot be attached): $(answer "$inside" "ptrace-attach=$own")"
fi

# --- the other side: git and strace work inside (fixture variant hostbin) --------
# The host's git and strace, with their libraries and loader, reach the store
# with the flake's source (tests/fixtures/mkproject hostbin); no network.
H=$W/hostbin
if ! mkproject "$H" hostbin; then
	t_fail "HOSTBIN fixture" "mkproject hostbin failed: $(cat "$W/.mkproject.log")"
else
	run_nsbsh --in "$H" -c '
		export GIT_AUTHOR_NAME=inside GIT_AUTHOR_EMAIL=in@side GIT_COMMITTER_NAME=inside GIT_COMMITTER_EMAIL=in@side
		echo "made inside" >inside.txt &&
		git add inside.txt && git commit -q -m "commit made inside" && echo committed'
	expect_eq "$OUT" committed "ESCAPE own-work: git add and git commit work inside the sandbox"
	run -- git -C "$H" log -1 --format='%s|%an|%ae'
	expect_eq "$OUT" "commit made inside|inside|in@side" "ESCAPE own-work: git outside sees the commit made inside"
	run -- git -C "$H" status --porcelain
	expect_eq "$RC:$OUT" "0:" "ESCAPE own-work: git outside finds the work tree clean after it (the index written inside is good)"
	run -- find "$H/.git" "$H/inside.txt" ! -user "$(id -u)"
	expect_eq "$OUT" "" "ESCAPE own-work: every file of .git and the work tree is the user's after the commit"
	# strace -f of a shell that forks a child (ls is no shell builtin): the
	# trace follows both, so ptrace of the sandbox's own processes works.
	run_nsbsh --in "$H" -c 'strace -f -o /tmp/st true; echo "true $?"
		strace -f -o /tmp/st2 sh -c "ls / >/dev/null; echo done"; echo "sh $?"
		pids=$(cut -d" " -f1 /tmp/st2 | sort -u | wc -l); echo "pids $pids"
		grep -c "^[0-9]* *+++ exited with 0 +++" /tmp/st2'
	expect_eq "$(sed -n 1p <<<"$OUT")" "true 0" "ESCAPE own-work: strace -f true works inside"
	expect_eq "$(sed -n '2,5p' <<<"$OUT" | paste -sd' ')" "done sh 0 pids 2 2" "ESCAPE own-work: strace -f follows a forked child inside (two processes traced, both exit 0)"
fi

# --- EV-1 no-home: a flake that names a directory of the home as its input ----
# (src/sandbox/eval-view.c).  Plain nix would copy it into the world-readable
# store while it locks the flake's inputs; the evaluation sandbox shows an
# empty home, so there is nothing to copy.  The control, after: plain nix
# outside does copy it, so the search below would have found it.
E=$W/evil
if mkproject "$E"; then
	token="nsbsh-ev1-$$-$RANDOM$RANDOM"
	mkdir -p "$HOME/ev1-secret" && echo "$token" >"$HOME/ev1-secret/key"
	sed -i "s|  outputs = { self }: let|  inputs.s = { url = \"path:$HOME/ev1-secret\"; flake = false; };\n  outputs = { self, s }: let|; s|      DEMO_VAR = \"hello from flake\";|      DEMO_VAR = \"hello from flake\";\n      SECRET = builtins.readFile \"\${s}/key\";|" "$E/flake.nix"
	git -C "$E" commit -qam "an input from the home"
	marker=$W/ev1.marker
	touch "$marker"
	in_store() { # the store paths made since the marker that hold the token
		find /nix/store -maxdepth 1 -newer "$marker" -print0 2>/dev/null |
			xargs -0 -r grep -rlF "$token" 2>/dev/null | head -3
	}
	run_nsbsh --in "$E" -c 'echo "secret:[${SECRET-}]"'
	expect_no_match "$OUT" "$token" "EV-1 no-home: the flake's input from the home does not reach the shell"
	expect_contains "$ERR" "ev1-secret" "EV-1 no-home: the evaluation says the home's directory is not there"
	expect_eq "$(in_store)" "" "EV-1 no-home: nothing of the home's directory is in the store after the start"
	run -- nix --extra-experimental-features 'nix-command flakes' print-dev-env --no-write-lock-file "$E"
	expect_contains "$OUT" "$token" "EV-1 no-home: plain nix outside reads the input from the home (control)"
	expect_ne "$(in_store)" "" "EV-1 no-home: and plain nix outside copies it into the store (control: the search finds it)"
	rm -rf "$HOME/ev1-secret"
else
	t_fail "EV-1 no-home: fixture" "mkproject failed"
fi

# --- MUST-12 no-link-out: a link planted in the private home ----------------
# Code inside points ~/.ssh (its private home's) at a directory of the host
# through /oldroot, where the host's root hangs while a view is built; the
# next start, which unshadows ~/.ssh/known_hosts, must not create or mount
# anything there.  The control: the same start, with no link planted, shows
# the user's file.
mkdir -p "$HOME/.ssh" "$HOME/victim"
echo "known host" >"$HOME/.ssh/known_hosts"
mkdir -p "$HOME/.config/nsbsh"
cp "$HOME/.config/nsbsh/nsbsh.conf" "$W/conf.saved" 2>/dev/null
printf 'unshadow = { "~/.ssh/known_hosts" }\nlinger = 0\n' >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$P" -c 'cat ~/.ssh/known_hosts'
expect_eq "$OUT" "known host" "MUST-12 no-link-out: the unshadowed known_hosts is shown (control)"
# planted by a start whose policy unshadows nothing (else ~/.ssh/known_hosts
# is a mount point there, and ~/.ssh cannot be replaced)
printf 'linger = 0\n' >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$P" -c 'rm -rf ~/.ssh && ln -s "/oldroot$HOME/victim" ~/.ssh && echo planted'
expect_eq "$OUT" planted "MUST-12 no-link-out: a link to the host's directory is made in the private home"
printf 'unshadow = { "~/.ssh/known_hosts" }\nlinger = 0\n' >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$P" -c 'echo ran'
expect_path_absent "$HOME/victim/known_hosts" "MUST-12 no-link-out: the next start creates nothing in the host's directory the link names"
expect_eq "$(find "$HOME/victim" -mindepth 1 | wc -l)" 0 "MUST-12 no-link-out: that directory stays empty"
expect_contains "$ERR" "a link in a bound directory is not followed" "MUST-12 no-link-out: the start says why it could not make the sandbox"
printf 'linger = 0\n' >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$P" -c 'rm -f ~/.ssh' # the private home repaired, for the rest
rm -rf "$HOME/victim" "$HOME/.ssh"
if [ -f "$W/conf.saved" ]; then mv "$W/conf.saved" "$HOME/.config/nsbsh/nsbsh.conf"; else rm -f "$HOME/.config/nsbsh/nsbsh.conf"; fi
