# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-limits: the limits issue as a user sees it.  A fork bomb inside meets the
# process limit; nested user namespaces and
# the new mount API are refused; a refused call shows up in `nsb log` with
# its process, and an interactive shell says so once; the paths of nsbsh
# itself and git's that do not exist yet stay out of the sandbox's reach.
# The invariants behind them (MUST-9, MUST-10, MUST-S5, MUST-S6) have their
# named checks in t-invariants.sh.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
try_project "$P" "LIMITS setup" || exit 1

# both - what the last run printed, stdout then stderr (a failed redirection
# of bash is said on the shell's stderr, not the command's).
both() { printf '%s\n%s\n' "$OUT" "$ERR"; }

run -- "$(dirname "$NSBSH")/nsb" log "$P"
expect_eq "$RC:$OUT" "0:nothing refused in '$P_real' yet" "DENIALS nsb log: before anything is refused, it says so"

# --- the process limit --------------------------------------------------------
# The default is 4096 (sandbox.h); the sandbox's bash, its pid 1 and the
# helper take a few of them.  Outside, the same count is not limited (control).
run_nsbsh --in "$P" -c 'echo "nproc $(ulimit -Su) $(ulimit -Hu)"; echo "core $(ulimit -Sc) $(ulimit -Hc)"'
expect_eq "$OUT" "nproc 4096 4096
core 0 0" "LIMITS defaults: inside, ulimit -u is 4096 (soft and hard) and core dumps are off"
run -- "$(dirname "$NSBSH")/nsb" status "$P"
expect_contains "$OUT" "limits:    4096 processes: RLIMIT_NPROC (no cgroup delegated to you here)" "LIMITS defaults: nsb status says RLIMIT_NPROC holds the limit (the test's cgroup is root's)"
run_nsbsh --in "$P" -c 'ulimit -u 100000 2>&1; ulimit -c unlimited 2>&1; echo "nproc $(ulimit -u) core $(ulimit -c)"'
expect_contains "$OUT" "nproc 4096 core 0" "LIMITS defaults: the shell inside cannot raise them"
run -- "$TRY" fork-count=4200
expect_eq "$(answer "$OUT" fork-count=4200)" "ok 4200" "LIMITS fork-count: outside, 4200 processes can be made (control)"
run_nsbsh --in "$P" -c '"$@"; :' n "$TRY" fork-count=5000
got=$(answer "$OUT" fork-count=5000)
diag "inside: fork-count=5000 $got"
if [[ $got =~ ^ok\ ([0-9]+)\ errno=EAGAIN$ ]] && [ "${BASH_REMATCH[1]}" -le 4096 ] && [ "${BASH_REMATCH[1]}" -ge 4080 ]; then
	t_ok "LIMITS fork-count: inside, fork fails with EAGAIN after at most 4096 processes ($got)"
else
	t_fail "LIMITS fork-count: inside, fork fails with EAGAIN after at most 4096 processes" "got $(show "$got")"
fi

# A real fork bomb: every process forks for ever, children too, for 5 s
# (try-syscall fork-bomb, a small static program: lighter on a shared
# machine than bash processes).  It counts the sandbox's processes in its
# /proc as it goes, and returns only when all of them are gone.  Guards of
# its own, should the limit fail: an outer ulimit -u a little above the
# default (the host counts every process of this user) and a time limit;
# MUST-6 takes the rest down with the sandbox.
(
	ulimit -u 4600
	cd "$P" && exec timeout -k 2 30 "$NSBSH" -c '"$1" fork-bomb=5' n "$TRY"
) >"$W/bomb.out" 2>"$W/bomb.err" &
bomb=$!
slowest=0
for _ in $(seq 8); do
	sleep 0.5
	t0=$(date +%s%N)
	timeout 10 /bin/true
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -gt "$slowest" ] && slowest=$ms
done
wait "$bomb"
bomb_rc=$?
bomb_out=$(cat "$W/bomb.out")
diag "fork bomb: $bomb_out; slowest start of a program outside meanwhile: ${slowest} ms; status $bomb_rc"
expect_match "$bomb_out" '^fork-bomb=5 ok [1-9][0-9]* [0-9]+$' "LIMITS fork-bomb: the bomb's processes meet EAGAIN (the limit is hit)"
peak=$(sed -n 's/^fork-bomb=5 ok [0-9]* //p' <<<"$bomb_out")
# (that the limit is reached is the EAGAIN check above: how many are alive
# at the moment the bomb counts depends on the machine's load)
if [[ $peak =~ ^[0-9]+$ ]] && [ "$peak" -le 4096 ] && [ "$peak" -ge 1 ]; then
	t_ok "LIMITS fork-bomb: at most 4096 processes in the sandbox at once (peak $peak)"
else
	t_fail "LIMITS fork-bomb: at most 4096 processes in the sandbox at once" "peak $(show "$peak")"
fi
# How many met EAGAIN: the limit stops them at 4096 (without it, the outer
# ulimit -u 4600 guard would, above 4096).  Not timed: on 2 cores the host's
# responsiveness during the bomb is scheduling luck with or without the limit
# (the slowest start outside is only a diagnostic, above).
met=$(sed -n 's/^fork-bomb=5 ok \([0-9]*\) [0-9]*$/\1/p' <<<"$bomb_out")
if [[ $met =~ ^[0-9]+$ ]] && [ "$met" -le 4096 ] && [ "$met" -ge 1 ]; then
	t_ok "LIMITS fork-bomb: the processes that met EAGAIN are at most the limit, 4096 ($met)"
else
	t_fail "LIMITS fork-bomb: the processes that met EAGAIN are at most the limit, 4096" "got $(show "$met")"
fi
expect_eq "$bomb_rc" 0 "LIMITS fork-bomb: the bomb ends by itself within its 5 s, all its processes gone, and the shell with status 0"

# --- nested user namespaces and the new mount API ------------------------------
names=(unshare-user clone-newuser clone3 thread fsopen fsmount fspick open_tree move_mount mount_setattr)
run -- "$TRY" "${names[@]}"
outside=$OUT
run_nsbsh --in "$P" -c '"$@"; :' n "$TRY" "${names[@]}"
inside=$OUT
diag "outside: $(tr '\n' ';' <<<"$outside")"
diag "inside: $(tr '\n' ';' <<<"$inside")"
expect_eq "$(answer "$outside" unshare-user)/$(answer "$outside" clone-newuser)" ok/ok "NESTED userns: unshare and clone with CLONE_NEWUSER work outside (control)"
expect_eq "$(answer "$inside" unshare-user)" errno=EPERM "NESTED userns: unshare(CLONE_NEWUSER) inside gives EPERM"
expect_eq "$(answer "$inside" clone-newuser)" errno=EPERM "NESTED userns: clone(CLONE_NEWUSER) inside gives EPERM"
expect_eq "$(answer "$outside" clone3)" errno=EINVAL "NESTED clone3: outside, clone3 with a bad size gives EINVAL (control)"
expect_eq "$(answer "$inside" clone3)" errno=ENOSYS "NESTED clone3: inside, clone3 gives ENOSYS"
expect_eq "$(answer "$inside" thread)" ok "NESTED clone3: a thread starts inside (glibc falls back to clone)"
for n in fsopen fsmount fspick open_tree move_mount mount_setattr; do
	expect_eq "$(answer "$inside" $n)" errno=ENOSYS "NESTED mount-api: $n inside gives ENOSYS"
done
# unshare(1) as a user runs it: busybox's applet, from the environment's busybox.
run -- /bin/busybox unshare -U true
expect_eq "$RC" 0 "NESTED unshare -U: busybox unshare -U true works outside (control)"
run_nsbsh --in "$P" -c 'bb=$(readlink -f "$(command -v ls)"); "$bb" unshare -U true; echo "status $?"'
expect_contains "$ERR" "Operation not permitted" "NESTED unshare -U: inside, busybox unshare -U says 'Operation not permitted'"
expect_match "$OUT" "status [1-9]" "NESTED unshare -U: inside, busybox unshare -U fails"
# The policy's keys reach the sandbox (the user's own file may widen).
mkdir -p "$HOME/.config/nsbsh"
echo "nested_userns = on" >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$P" -c 'bb=$(readlink -f "$(command -v ls)"); "$bb" unshare -U true; echo "status $?"'
expect_eq "$OUT" "status 0" "NESTED policy: nested_userns = on lets unshare -U work"
printf 'max_procs = 64\nmax_cpu_seconds = 5\n' >"$HOME/.config/nsbsh/nsbsh.conf"
# (the creation guard's helper, three nsbsh-guard threads of pid 1, is
# among the 64, and so is pasta with network = on: it runs as the user in
# the sandbox's namespace, and pid 1's spare for the next join, spawner.c)
run_nsbsh --in "$P" -c '"$@"; :' n "$TRY" fork-count=200
expect_match "$(answer "$OUT" fork-count=200)" '^ok (5[5-9]|6[0-4]) errno=EAGAIN$' "LIMITS policy: max_procs = 64 stops 200 forks with EAGAIN near 64"
run_nsbsh --in "$P" -c 'while :; do :; done'
# soft = hard: SIGXCPU at the limit, then SIGKILL, whichever the kernel
# delivers first (T_TIMEOUT would give 124 or 143)
expect_match "$RC" '^(152|137)$' "LIMITS policy: max_cpu_seconds = 5 ends a busy loop (SIGXCPU or SIGKILL at the limit)"
rm -f "$HOME/.config/nsbsh/nsbsh.conf"

# --- the denial log ---------------------------------------------------------------
run_nsbsh --in "$P" -c '"$1" keyctl; echo "inner pid $$"' n "$TRY"
expect_contains "$OUT" "keyctl errno=EPERM" "DENIALS keyctl: refused inside with EPERM (answered by the supervisor)"
run -- "$(dirname "$NSBSH")/nsb" log "$P"
diag "nsb log: $OUT"
expect_eq "$RC" 0 "DENIALS nsb log: exit status 0"
expect_match "$(grep ' keyctl ' <<<"$OUT")" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}  pid [0-9]+ +try-syscall +keyctl +keyring$' \
	"DENIALS nsb log: one line with the time, pid, command (try-syscall), syscall (keyctl) and group (keyring)"
run --in "$P" -- "$(dirname "$NSBSH")/nsb" log
expect_contains "$OUT" "keyctl" "DENIALS nsb log: without DIR, the project around the current directory"
run --in "$W" -- "$(dirname "$NSBSH")/nsb" log
expect_eq "$RC" 1 "DENIALS nsb log: outside any project, exit status 1"
expect_contains "$ERR" "is in no project" "DENIALS nsb log: outside any project, it says so"
run -- "$(dirname "$NSBSH")/nsb" log -n x "$P"
expect_eq "$RC" 2 "DENIALS nsb log: a bad -n is a usage error (status 2)"
expect_contains "$ERR" "nsb: 'x' is not a number of lines" "DENIALS nsb log: a bad -n is named"

# The process name is the process's own choice: made printable.
run_nsbsh --in "$P" -c 'exec -a x "$1" keyctl' n "$TRY"
printf -v esc 'k\033]0;pwn\007' # a terminal title escape as the name
run_nsbsh --in "$P" -c 'cp "$1" "$2"; "$2" keyctl' n "$TRY" "$P/$esc"
run -- "$(dirname "$NSBSH")/nsb" log -n 1 "$P"
expect_no_match "$OUT" $'[\001-\037]' "DENIALS nsb log: a command name with control bytes is shown without them"

# Bounded: thousands of refusals keep at most two files of about 64 KiB.
run_nsbsh --in "$P" -c 'a=(); for ((i = 0; i < 2500; i++)); do a+=(keyctl); done; "$1" "${a[@]}" | grep -c EPERM' n "$TRY"
expect_eq "$OUT" 2500 "DENIALS rotation: 2500 refusals inside, each answered EPERM"
logdir=$(find "$XDG_CACHE_HOME/nsbsh/log" -mindepth 1 -maxdepth 1 -type d | head -1)
size=$(cat "$logdir"/denials* | wc -c)
diag "log: $(ls -l "$logdir" | tr '\n' ';')"
expect_lt "$size" $((2 * 65536 + 512)) "DENIALS rotation: the log and its one rotated file stay under 128 KiB"
expect_path_present "$logdir/denials.1" "DENIALS rotation: the older half is kept as denials.1"
run -- "$(dirname "$NSBSH")/nsb" log -n 3 "$P"
expect_eq "$(grep -c ' keyctl ' <<<"$OUT")" 3 "DENIALS rotation: nsb log -n 3 shows the 3 latest"

# The log is outside the sandbox's reach: read-only inside, and nothing of
# it is reachable by its own path.
# (A shell with a prompt sees it: -i; one without has no flag to test, and
# its start does not show the directory.)
run_nsbsh --in "$P" -i -c 'ls /run/nsbsh/log >/dev/null && echo visible; touch /run/nsbsh/log/denials 2>&1; echo x >>/run/nsbsh/log/x 2>&1; ls "$1" 2>&1' n "$logdir"
expect_contains "$OUT" visible "DENIALS read-only: an interactive shell sees the project's log directory at /run/nsbsh/log"
expect_eq "$(both | grep -c 'Read-only file system')" 2 "DENIALS read-only: touching or appending to it inside gives EROFS"
expect_contains "$OUT" "No such file or directory" "DENIALS read-only: its real path does not exist inside"
run_nsbsh --in "$P" -c 'ls /run/nsbsh/log 2>&1; echo "${NSBSH_DENIALS_FLAG-unset}"'
expect_eq "$(tail -1 <<<"$OUT")" unset "DENIALS read-only: a shell without a prompt gets no flag to test"

# An interactive shell says it once, at a prompt, after the first refusal.
in_pty() { # DIR INPUT - nsbsh -i in a pty, typing INPUT after a pause
	run --in "$1" -- bash -c '{ sleep 0.5; printf "%s" "$1"; } |
		script -qfec "$2 -i" /dev/null' _ "$2" "$(printf '%q' "$NSBSH")"
	OUT=${OUT//$'\r'/}
}
in_pty "$P" 'PS1="$ "
echo one
"$NSBSH_PROJECT/try-syscall" keyctl
echo two
"$NSBSH_PROJECT/try-syscall" keyctl
echo three
exit
'
said=$(grep -c "nsbsh: the sandbox refused a system call" <<<"$OUT")
expect_eq "$said" 1 "DENIALS prompt: an interactive shell says once that a call was refused"
expect_match "$OUT" "keyctl errno=EPERM"$'\n'"nsbsh: the sandbox refused a system call; see what and who with: nsb log " \
	"DENIALS prompt: it says so at the next prompt, naming nsb log"
expect_no_match "$(sed -n '/^one$/,/keyctl errno/p' <<<"$OUT")" "refused a system call" "DENIALS prompt: nothing is said before the first refusal"
left=$(find "$logdir" -name 'refused-*' | wc -l)
expect_eq "$left" 0 "DENIALS prompt: the session's flag file is gone once the shell ended"

# --- paths that must stay out of reach -------------------------------------------------
# .git/hooks/pre-commit when hooks/ is empty: hooks/ is a read-only bind.
find "$P/.git/hooks" -mindepth 1 -delete
run_nsbsh --in "$P" -c 'echo "#!/bin/sh" >.git/hooks/pre-commit 2>&1; echo "status $?"'
expect_match "$(both)" "status [1-9]"$'\n'".*pre-commit: Read-only file system" "PROTECT hooks: creating .git/hooks/pre-commit in an empty hooks/ gives EROFS"
expect_path_absent "$P/.git/hooks/pre-commit" "PROTECT hooks: no pre-commit outside"

# A linked work tree: its .git file names a directory G in the main
# repository (gitdir:).  The sandbox shows G and the common git dir as a
# session's (MUST-C1, C2 in src/layout.c): G's HEAD and index are git's to
# write (a checkout in the work tree), its config.worktree and the main
# repository's hooks/ and config are not.
git -C "$P" worktree add -q -b side "$W/linked" >/dev/null 2>&1
gitdir=$(sed -n 's/^gitdir: //p' "$W/linked/.git")
diag "linked work tree's gitdir: $gitdir"
run_nsbsh --in "$W/linked" -c 'for f in "$1/config.worktree" "$1/commondir" "$1/gitdir" "$2/hooks/post-checkout" "$2/config"; do echo x >>"$f" 2>/dev/null && echo "wrote $f"; done; echo >>.git 2>&1; echo done' n "$gitdir" "$P/.git"
expect_eq "$(grep '^wrote' <<<"$OUT")" "" "PROTECT gitdir: the gitdir: target's config.worktree, commondir and gitdir, and the main repository's hooks/ and config cannot be written from a linked work tree"
expect_contains "$(both)" ".git: Read-only file system" "PROTECT gitdir: the linked work tree's .git file is read-only"
expect_path_absent "$P/.git/hooks/post-checkout" "PROTECT gitdir: no hook appeared in the main repository"

# Repositories nested in the work tree (src/nested.c NEST-1 to NEST-4): a
# vendored clone with an empty hooks/, one deeper with none, and a directory
# whose .git file points into the first, all there before the project's
# first start, which walks the tree before it builds the sandbox.
N=$W/nest
mkproject "$N" || t_fail "mkproject nest" "fixture not created"
N_real=$(cd "$N" && pwd -P)
memo=$XDG_CACHE_HOME/nsbsh/nested/$(printf %s "$N_real" | sha256sum | cut -d' ' -f1)
git init -q "$N/vendor/x" && find "$N/vendor/x/.git/hooks" -mindepth 1 -delete
git init -q "$N/third_party/deep/y" && rm -rf "$N/third_party/deep/y/.git/hooks"
mkdir -p "$N/sub" && echo "gitdir: ../vendor/x/.git" >"$N/sub/.git"
ln -s "$HOME" "$N/home-link"
mkdir -p "$HOME/r" && git init -q "$HOME/r/in-home" # reachable only through the link
cp "$N/vendor/x/.git/config" "$W/x.config"
run -- "$(dirname "$NSBSH")/nsb" status "$N"
expect_contains "$OUT" "nested:    not looked for yet: the next start walks the work tree" "NEST-1 found: nsb status before the first start: not looked for yet (it walks nothing itself)"
cp "$N/sub/.git" "$W/sub.git"
nest_writes='for f in vendor/x/.git/hooks/pre-commit third_party/deep/y/.git/hooks/post-checkout vendor/x/.git/config third_party/deep/y/.git/config sub/.git; do echo x >>"$f" 2>/dev/null && echo "wrote $f"; done'
run_nsbsh --in "$N" -c "$nest_writes"'; mv vendor/x/.git vendor/x/moved 2>&1; echo ok >vendor/x/.git/refs/heads/t && echo "refs writable"; echo x >>"$1" 2>&1; :' n "$memo"
expect_eq "$(grep '^wrote' <<<"$OUT")" "" "NEST-1 found: at the project's first start, nested repositories' hooks/ (empty, or missing) and config and a .git file cannot be written"
expect_contains "$OUT" "Device or resource busy" "NEST-1 found: a nested .git cannot be renamed away (a mount point)"
expect_contains "$OUT" "refs writable" "NEST-1 found: the rest of a nested .git stays writable (git works in it)"
expect_path_absent "$N/vendor/x/.git/hooks/pre-commit" "NEST-1 found: no pre-commit appeared in the nested repository outside"
expect_eq "$(cmp "$W/x.config" "$N/vendor/x/.git/config" && cmp "$W/sub.git" "$N/sub/.git" && echo same)" same "NEST-1 found: its config and the .git file are unchanged outside"
memo_repos() { tr '\0' '\n' <"$memo" | sed -n 's/^r //p' | sort | tr '\n' ' '; }
expect_eq "$(memo_repos)" "sub third_party/deep/y vendor/x " "NEST-2 no-follow: the walk's memo lists the three, and nothing behind the link to the home"
expect_match "$(both)" "No such file or directory" "NEST-4 memo-out-of-reach: the memo's path does not exist inside (the cache is not shown)"
run -- "$(dirname "$NSBSH")/nsb" status "$N"
expect_match "$OUT" "nested:    3 git repositories in the work tree, protected like its own \(the list is [0-9]+ s old; each start checks it against the tree\): " "NEST-1 found: nsb status counts the three"

# A repository cloned later, just before a start (the memo is seconds old),
# is protected at that very start: each start checks the memo's directories
# against the tree (NEST-5).
git init -q "$N/late"
cp "$N/late/.git/config" "$W/late.config"
run_nsbsh --in "$N" -c 'echo x >>late/.git/config 2>&1; echo x >>late/.git/hooks/pre-push 2>&1; :'
expect_eq "$(both | grep -c 'Read-only file system')" 2 "NEST-5 fresh: a repository cloned just before a start: its config and hooks/ are read-only at that start"
expect_eq "$(cmp "$W/late.config" "$N/late/.git/config" && echo same)" same "NEST-5 fresh: its config is unchanged outside"
expect_eq "$(memo_repos)" "late sub third_party/deep/y vendor/x " "NEST-5 fresh: the memo lists the new one"
# Code in a sandbox can make a repository (with hooks) before any walk sees
# it: the next shell with a prompt says once which appeared (a -c start
# above did not take the news).
run_nsbsh --in "$N" -i -c true
expect_contains "$ERR" "nsbsh: git repositories appeared in '$N_real' since nsbsh last looked: late; their hooks/ and config are read-only in the sandbox from now on. If you did not make them, check those before running git there outside nsbsh" \
	"NEST-1 found: an interactive start says which repositories appeared since the last walk"
run_nsbsh --in "$N" -i -c true
expect_no_match "$ERR" "repositories appeared" "NEST-1 found: ... once"

# A link swapped in on the way to a remembered repository (from inside, say)
# is not followed: the memo says third_party/deep/y, third_party is now a
# link to a copy in the home with a repository of the user at deep/y.
mv "$N/third_party" "$HOME/tp"
ln -s "$HOME/tp" "$N/third_party"
run_nsbsh --in "$N" -c 'test -e third_party/deep/y/.git && echo "shown"; echo "status $?"'
expect_eq "$RC:$(grep -c '^shown' <<<"$OUT")" "0:0" "NEST-2 no-follow: a link on the way is skipped: the start works and the home's repository is not mounted inside"
rm "$N/third_party" && mv "$HOME/tp" "$N/third_party"

# nsbsh's own files: the user's configuration, the cache's env script, the
# cache and data directories (also when they lie inside the work tree).
mkdir -p "$HOME/.config/nsbsh"
echo "network = on" >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$P" -c 'echo "bind = /:/x:rw" >>"$1" 2>/dev/null; echo x >>/run/nsbsh/env.bash 2>&1; echo x >>/run/nsbsh/rc 2>&1; for d in "$2" "$3"; do ls "$d" >/dev/null 2>&1 && echo "visible $d"; done; :' \
	n "$HOME/.config/nsbsh/nsbsh.conf" "$XDG_CACHE_HOME" "$XDG_DATA_HOME"
expect_eq "$(cat "$HOME/.config/nsbsh/nsbsh.conf")" "network = on" "PROTECT own: the user's nsbsh.conf is unchanged by a write inside (the home inside is private)"
expect_eq "$(both | grep -cE '/run/nsbsh/(env.bash|rc): (Read-only file system|Permission denied)')" 2 "PROTECT own: the env script and the rc inside cannot be written (EROFS, or EACCES from Landlock)"
expect_eq "$(grep -c '^visible' <<<"$OUT")" 0 "PROTECT own: the cache and data directories are not visible inside"
entry=$(find "$XDG_CACHE_HOME/nsbsh/env" -name rc.bash | head -1)
expect_no_match "$(cat "$entry")" '^x$' "PROTECT own: the cache entry's rc.bash is unchanged"
# The cache inside the work tree: shown read-only.
Q=$W/q
mkproject "$Q" || t_fail "mkproject q" "fixture not created"
run_nsbsh --in "$Q" --env XDG_CACHE_HOME="$Q/.cache" -c 'e=$(echo "$1"/nsbsh/env/*/rc.bash); echo x >>"$e" 2>&1; mkdir "$1/nsbsh/env/new" 2>&1; touch "$1/nsbsh/denials-x" 2>&1; :' n "$Q/.cache"
expect_eq "$(both | grep -c 'Read-only file system')" 3 "PROTECT own: a cache inside the work tree is read-only inside (an entry, a new entry, a new file in its root)"

# --- kernels that restrict user namespaces ------------------------------------------
# user.max_user_namespaces = 0, without root: a user namespace of the test's
# own whose limit is 0 (tests/fixtures/without-userns); the line names the
# knob and the command that lifts it.
run --in "$P" -- "$FIXTURES/without-userns" "$NSBSH" -c 'echo ran'
expect_eq "$RC:$OUT" "0:ran" "RESTRICTED max_user_namespaces: the command still runs (plain bash)"
expect_contains "$ERR" "nsbsh: cannot create the sandbox: user namespaces are not allowed: user.max_user_namespaces is 0: enable them with: sysctl -w user.max_user_namespaces=15000" \
	"RESTRICTED max_user_namespaces: the line names the knob and the sysctl that lifts it"
# The other two knobs exist only on kernels patched for them (the unit test
# test_userns checks their messages from sysctl files laid out the same way).
for knob in kernel/unprivileged_userns_clone kernel/apparmor_restrict_unprivileged_userns; do
	if [ -e "/proc/sys/$knob" ]; then
		t_skip "RESTRICTED ${knob#kernel/}" "this kernel has it, but tests/run has no root action to set it yet (test_userns covers the message)"
	else
		t_skip "RESTRICTED ${knob#kernel/}" "this kernel has no /proc/sys/$knob (test_userns covers the message)"
	fi
done

# --- a delegated cgroup (cgroup.c CG-1 to CG-4) -------------------------------------
# Where the user's own cgroup is theirs (systemd's Delegate=yes, an
# administrator's chown), the sandbox gets a child cgroup, nsbsh.PID, whose
# pids.max holds the process limit for every task in it, and RLIMIT_NPROC is
# not set.  The root hook delegates one and moves this file's shell into it:
# everything it starts from here on starts there.
if root_step cgroup-delegate "CG-1 delegated cgroup" && root_step "cgroup-enter-$$" "CG-1 delegated cgroup"; then
	CG=$(cat "$T/cgroup.path")
	diag "delegated cgroup: $CG"
	children() { find "$CG" -mindepth 1 -maxdepth 1 -type d -name 'nsbsh.*' -printf '%f\n' | sort; }
	# the child of a sandbox that ended: its supervisor removes it as it
	# ends, a moment after the shell's start returned (bounded wait)
	children_gone() { local i; for i in $(seq 40); do [ -z "$(children)" ] && break; sleep 0.05; done; children; }
	# Each start here builds a sandbox of its own (LIVE: one started
	# before the delegation runs outside it), which ends with its shell.
	"$(dirname "$NSBSH")/nsb" stop --all >/dev/null
	linger_zero
	outside_nproc=$(ulimit -u)
	run -- "$(dirname "$NSBSH")/nsb" status "$P"
	expect_contains "$OUT" "limits:    4096 processes: pids.max of a cgroup of its own in $CG (delegated to you)" "CG-1 own-only: nsb status says a cgroup of its own holds the limit"
	run_nsbsh --in "$P" -c 'cat /proc/self/cgroup; echo "nproc $(ulimit -u)"'
	# the line of /proc/self/cgroup for the hierarchy with pids (v1: N:pids:PATH, v2: 0::PATH)
	in_child() { grep -cE "^[0-9]+:[^:]*:/${CG##*/}/nsbsh\.[0-9]+$" <<<"$1"; }
	expect_eq "$(in_child "$OUT")" 1 "CG-1 own-only: the sandbox runs in a child nsbsh.PID of the delegated cgroup"
	expect_contains "$OUT" "nproc $outside_nproc" "CG-2 before-start: with the cgroup holding the limit, RLIMIT_NPROC is left as it was ($outside_nproc)"
	expect_eq "$(children_gone)" "" "CG-4 cleanup: the child is gone once the sandbox has ended (linger 0: with its shell)"

	# The limit counts, and pids.max is the policy's.
	mkdir -p "$HOME/.config/nsbsh"
	printf 'max_procs = 300\nlinger = 0\n' >"$HOME/.config/nsbsh/nsbsh.conf"
	run_nsbsh --in "$P" -c '"$@"; ulimit -u' n "$TRY" fork-count=400
	got=$(answer "$OUT" fork-count=400)
	if [[ $got =~ ^ok\ ([0-9]+)\ errno=EAGAIN$ ]] && [ "${BASH_REMATCH[1]}" -le 300 ] && [ "${BASH_REMATCH[1]}" -ge 290 ]; then
		t_ok "CG-2 before-start: max_procs = 300 stops 400 forks with EAGAIN near 300 ($got), ulimit -u $(tail -1 <<<"$OUT")"
	else
		t_fail "CG-2 before-start: max_procs = 300 stops 400 forks with EAGAIN near 300" "got $(show "$OUT")"
	fi
	(cd "$P" && exec timeout 20 "$NSBSH" -c 'sleep 2') >/dev/null 2>&1 &
	sleeper=$!
	for _ in $(seq 100); do
		c=$(children)
		[ -n "$c" ] && [ "$(cat "$CG/$c/pids.current" 2>/dev/null || echo 0)" -ge 2 ] && break
		sleep 0.02
	done
	expect_match "$c" '^nsbsh\.[0-9]+$' "CG-1 own-only: while a shell runs, one child nsbsh.PID exists"
	expect_eq "$(cat "$CG/$c/pids.max" 2>&1)" 300 "CG-2 before-start: its pids.max is the policy's max_procs"
	pids_now=$(cat "$CG/$c/pids.current" 2>&1)
	expect_match "$pids_now" '^[2-9]$' "CG-2 before-start: pid 1 and the program count in it (pids.current $pids_now)"
	wait "$sleeper"
	expect_eq "$(children_gone)" "" "CG-4 cleanup: the child is gone after that sandbox too"

	# A fork bomb meets pids.max.
	start_ms=$(date +%s%3N)
	run_nsbsh --in "$P" -c '"$1" fork-bomb=2' n "$TRY"
	diag "fork bomb in the cgroup: $OUT ($(($(date +%s%3N) - start_ms)) ms)"
	expect_match "$OUT" '^fork-bomb=2 ok [1-9][0-9]* ([0-9]|[1-9][0-9]|[12][0-9][0-9]|300)$' "CG-2 fork-bomb: the bomb meets the limit, at most 300 processes at once"
	rm -f "$HOME/.config/nsbsh/nsbsh.conf"
	linger_zero

	# CG-3: no cgroupfs inside to move out by or to raise pids.max with.
	run_nsbsh --in "$P" -c 'ls /sys 2>&1; ls /sys/fs/cgroup 2>&1; :'
	expect_contains "$OUT" "ls: /sys: No such file or directory" "CG-3 unseen: the sandbox has no /sys (no cgroupfs to write)"

	# CG-4: children of supervisors that are gone go at the next start; a
	# live one's stays.
	true &
	dead=$!
	wait "$dead"
	mkdir "$CG/nsbsh.$dead" "$CG/nsbsh.$$" "$CG/other"
	run_nsbsh --in "$P" -c true
	expect_eq "$(find "$CG" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' ')" "nsbsh.$$ other " \
		"CG-4 cleanup: a start removes an empty child of a gone supervisor (nsbsh.$dead), never a live one's or another name"
	rmdir "$CG/nsbsh.$$" "$CG/other"

	# CG-1: a cgroup the user cannot write is left alone: RLIMIT_NPROC again.
	chmod u-w "$CG/cgroup.procs"
	run -- "$(dirname "$NSBSH")/nsb" status "$P"
	expect_contains "$OUT" "limits:    4096 processes: RLIMIT_NPROC (no cgroup delegated to you here)" "CG-1 own-only: ... nsb status says RLIMIT_NPROC then"
	run_nsbsh --in "$P" -c 'echo "nproc $(ulimit -u)"; cat /proc/self/cgroup'
	expect_contains "$OUT" "nproc 4096" "CG-1 own-only: with cgroup.procs not writable, no child is made and RLIMIT_NPROC holds the limit (4096)"
	expect_eq "$(in_child "$OUT")/$(grep -cE "^[0-9]+:[^:]*:/${CG##*/}$" <<<"$OUT")" 0/1 "CG-1 own-only: ... and the sandbox stays in the cgroup it was started in"
	chmod u+w "$CG/cgroup.procs"
	root_do cgroup-remove || diag "cgroup-remove failed"
fi
