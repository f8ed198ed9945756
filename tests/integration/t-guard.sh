# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-guard: the creation guard (src/sandbox/guard.c GUARD-1..7): code in the
# sandbox cannot make a name a tool outside acts on: a new .git in the work
# tree (policy nested_git), a name git does not write at the top of a git
# dir (commondir, config.worktree, hooks, info/...), a missing protected path;
# by mkdir, open, rename, link or symlink.  Each refusal is EPERM with a line
# in `nsb log` naming the path; the same in the private /tmp works; git
# inside and outside keep working.
. "$(dirname "$0")/../lib.sh"

EPERM="Operation not permitted"
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
NSB=$(dirname "$NSBSH")/nsb
CONF=$HOME/.config/nsbsh/nsbsh.conf

# in SCRIPT - SCRIPT in the project's sandbox
in_sandbox() { run_nsbsh --in "$P" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; $1"; }

# --- GUARD-5: mkdir .git refused, with the log line; control in /tmp ----------
in_sandbox 'mkdir sub && mkdir sub/.git; echo "rc=$?"; mkdir -p /tmp/r/.git && echo tmp-ok; ls -d /tmp/r/.git'
expect_contains "$OUT" "rc=1" "GUARD-5 refusal-logged: mkdir sub/.git in the work tree fails"
expect_contains "$ERR" "$EPERM" "GUARD-5 refusal-logged: with EPERM"
expect_contains "$OUT" "tmp-ok" "GUARD-5 refusal-logged: control: mkdir /tmp/r/.git works in the private /tmp"
expect_path_absent "$P/sub/.git" "GUARD-5 refusal-logged: no sub/.git outside"
expect_path_present "$P/sub" "GUARD-5 refusal-logged: control: sub itself was made"
run -- "$NSB" log -n 20 "$P"
expect_match "$OUT" "nested_git '$P/sub/.git'" "GUARD-5 refusal-logged: nsb log names the path and the key"

# --- GUARD-3/4: the other ways to put a .git or a git-dir name in place ------
# attack NAME SCRIPT - SCRIPT must fail with EPERM; CHECKPATH must not exist
attack() {
	in_sandbox "if $2; then echo made; else echo refused; fi"
	expect_eq "$OUT" refused "$1"
	expect_contains "$ERR" "$EPERM" "$1: EPERM"
}
in_sandbox 'mkdir x y && echo data >f && echo ok'
expect_contains "$OUT" ok "GUARD-3 created-as-checked: control: directories and a file made in the work tree"
attack "GUARD-3 created-as-checked: mv x .git (rename) refused" 'mv x sub/.git'
attack "GUARD-3 created-as-checked: ln -s y .git (symlink) refused" 'ln -s ../y sub/.git'
attack "GUARD-3 created-as-checked: ln f .git (hard link) refused" 'ln f sub/.git'
attack "GUARD-3 created-as-checked: echo >.git (a .git file) refused" 'echo "gitdir: /tmp/r" >sub/.git'
attack "GUARD-3 created-as-checked: touch .git/commondir refused" 'touch .git/commondir'
attack "GUARD-3 created-as-checked: mkdir .git/unknown (not a name git writes) refused" 'mkdir .git/unknown'
attack "GUARD-3 created-as-checked: a file in .git/info refused" 'echo "* diff=x" >.git/info/attributes'
attack "GUARD-3 created-as-checked: objects/info/alternates refused" 'mkdir -p .git/objects/info && echo /tmp >.git/objects/info/alternates'
attack "GUARD-3 created-as-checked: mv into .git/gitdir refused" 'mv f .git/gitdir'
for f in sub/.git .git/commondir .git/unknown .git/info/attributes .git/objects/info/alternates .git/gitdir; do
	expect_path_absent "$P/$f" "GUARD-3 created-as-checked: no $f outside"
done
in_sandbox 'echo x >.git/MERGE_MSG && mkdir -p .git/rebase-merge && echo y >.git/index.stash.1 && echo z >.git/HEAD.lock && rm -r .git/MERGE_MSG .git/rebase-merge .git/index.stash.1 .git/HEAD.lock && mkdir -p .git/hooks && echo git-names-ok'
expect_contains "$OUT" git-names-ok "GUARD-3 created-as-checked: control: names git writes at the top of .git are made (and mkdir -p of one there is no error)"
in_sandbox 'mkdir -p .vscode; echo "rc=$?"'
expect_contains "$OUT" "rc=1" "GUARD-3 created-as-checked: a missing protected path (.vscode, policy protect) cannot be made"
run -- "$NSB" log -n 50 "$P"
expect_match "$OUT" "protect '$P/.vscode'" "GUARD-5 refusal-logged: the protected path's refusal is logged with its key"
expect_match "$OUT" "gitdir '$P/.git/commondir'" "GUARD-5 refusal-logged: the git dir's refusal is logged"

# --- protect: a protected path that is a link is refused as it is named ------
userconf 'protect = { "hookdir/" }'
mkdir -p "$P/tools/vs" && ln -s tools/vs "$P/hookdir"
in_sandbox 'echo "x" >hookdir/pre-commit; echo "rc=$?"; echo x >tools/other && echo control-ok'
expect_contains "$OUT" "rc=1" "GUARD-3 created-as-checked: a file through the protected link hookdir -> tools/vs is refused"
expect_contains "$OUT" control-ok "GUARD-3 created-as-checked: control: a file beside it in tools/ is made"
expect_path_absent "$P/tools/vs/pre-commit" "GUARD-3 created-as-checked: nothing landed behind the link"
rm -rf "$P/hookdir" "$P/tools" "$CONF"

# --- GUARD-4: a link in the parent path does not get past ----------------------
in_sandbox 'ln -s .git gl && ln -s ../.git y/up; echo a >gl/commondir; echo "rc1=$?"; mkdir y/up/unknown; echo "rc2=$?"; ln -s .git/gitdir dangling; echo b >dangling; echo "rc3=$?"; ln -s /proc/self/cwd/.git/gitdir magic; echo c >magic; echo "rc4=$?"; rm -f gl y/up dangling magic'
expect_contains "$OUT" "rc1=1" "GUARD-4 no-link-out: a link to .git in the parent path: still refused"
expect_contains "$OUT" "rc2=1" "GUARD-4 no-link-out: a link two levels up: still refused"
expect_contains "$OUT" "rc3=1" "GUARD-4 no-link-out: a dangling link at the final name into .git: still refused"
expect_contains "$OUT" "rc4=1" "GUARD-4 no-link-out: a dangling link through /proc/self/cwd (a magic link): refused"
expect_path_absent "$P/.git/commondir" "GUARD-4 no-link-out: no commondir outside"
expect_path_absent "$P/.git/gitdir" "GUARD-4 no-link-out: no gitdir outside"

# --- GUARD-4: the race: a component flipped between a link and a directory ---
# One loop flips d between a directory and a link to .git; the other makes
# d/commondir as fast as it can.  Bounded: 400 rounds each, 60 s at most.
in_sandbox 'i=0; (while [ $i -lt 400 ]; do rm -rf d; ln -s .git d; rm -f d; mkdir d; i=$((i + 1)); done) & f=$!; j=0; made=0; while [ $j -lt 400 ]; do echo x >d/commondir 2>/dev/null && made=$((made + 1)); mkdir d/unknown 2>/dev/null; j=$((j + 1)); done; wait $f; echo "made=$made"; rm -rf d'
expect_match "$OUT" "made=[0-9]+" "GUARD-4 no-link-out: the race ran"
expect_path_absent "$P/.git/commondir" "GUARD-4 no-link-out: the race never put commondir in .git"
expect_path_absent "$P/.git/unknown" "GUARD-4 no-link-out: the race never put another name in .git"

# --- GUARD-2: the path changed in memory after the check ----------------------
# try-syscall path-race: one thread makes race/okok while another flips its
# last four bytes to ".git" and back; a path read twice (once to check, once
# to make) would sometimes make race/.git.
if [ -x "$TESTS/try-syscall" ]; then
	cp "$TESTS/try-syscall" "$P/try-syscall"
	mkdir -p "$P/race"
	in_sandbox "./try-syscall path-race=$P/race; ls -a race"
	expect_match "$OUT" "path-race=$P/race ok [1-9][0-9]*" "GUARD-2 checked-once: control: the names checked as okok were made"
	expect_path_absent "$P/race/.git" "GUARD-2 checked-once: no race/.git ever made from a path that changed after its check"
	run -- "$NSB" log -n 200 "$P"
	expect_match "$OUT" "nested_git '$P/race/.git'" "GUARD-2 checked-once: the flips that read .git were refused and logged"
	# an undumpable caller, whose memory the helper may not read: the
	# supervisor copies the path, the helper still checks and makes it
	mkdir -p "$P/nd"
	in_sandbox "./try-syscall write-nodump=nd/made.txt write-nodump=$P/nd/.git"
	expect_contains "$OUT" "write-nodump=nd/made.txt ok" "GUARD-2 checked-once: an undumpable caller's create (relative) is made through the supervisor"
	expect_path_present "$P/nd/made.txt" "GUARD-2 checked-once: control: nd/made.txt made"
	expect_contains "$OUT" "write-nodump=$P/nd/.git errno=EPERM" "GUARD-2 checked-once: an undumpable caller's .git is refused"
	expect_path_absent "$P/nd/.git" "GUARD-2 checked-once: no nd/.git made for an undumpable caller"
	run -- "$NSB" log -n 200 "$P"
	expect_match "$OUT" "nested_git '$P/nd/.git'" "GUARD-5 refusal-logged: an undumpable caller's refusal is logged"
	rm -rf "$P/race" "$P/nd" "$P/try-syscall"
else
	t_fail "GUARD-2 helper" "tests/try-syscall is not built (make tests/try-syscall)"
fi

# --- nested_git = allow --------------------------------------------------------
userconf 'nested_git = allow'
in_sandbox 'mkdir -p allowed/.git && echo made'
expect_contains "$OUT" made "nested_git = allow: mkdir sub/.git works"
expect_path_present "$P/allowed/.git" "nested_git = allow: the .git is there outside"
in_sandbox 'touch .git/commondir; echo "rc=$?"'
expect_contains "$OUT" "rc=1" "nested_git = allow: the top of .git is still guarded"
rm -rf "$P/allowed"

# --- git inside (the host's, host_system = ro) still works; git init refused -
userconf 'host_system = ro'
G='git -c user.name=t -c user.email=t@t -c commit.gpgsign=false -c gc.auto=0'
in_sandbox "command -v git >/dev/null || echo no-git; git init -q gsub; echo \"rc=\$?\"; git init -q /tmp/gtmp && echo tmp-init-ok"
if [[ $OUT == *no-git* ]]; then
	t_skip "GUARD-5 refusal-logged: git init inside" "no git on the host"
else
	expect_contains "$OUT" "rc=1" "GUARD-5 refusal-logged: git init gsub in the work tree fails"
	expect_contains "$ERR" "$EPERM" "GUARD-5 refusal-logged: git says why (EPERM) in one line"
	expect_contains "$OUT" tmp-init-ok "GUARD-5 refusal-logged: control: git init in the private /tmp works"
	expect_path_absent "$P/gsub/.git" "GUARD-5 refusal-logged: no gsub/.git outside"
	run -- "$NSB" log -n 50 "$P"
	expect_match "$OUT" "nested_git '$P/gsub/.git'" "GUARD-5 refusal-logged: nsb log names gsub/.git and the key"
	rm -rf "$P/gsub"
	in_sandbox "set -e; echo one >g1.txt; $G add g1.txt; $G commit -qm one; $G branch b1; $G checkout -q b1; echo two >g1.txt; $G commit -qam two; $G checkout -q -; echo three >g2.txt; $G add g2.txt; $G commit -qm three; $G stash -q -u 2>/dev/null || true; echo st >g3.txt; $G stash push -q -u; $G stash pop -q; rm g3.txt; $G rebase -q b1 2>&1 || $G rebase --abort; $G status --short >/dev/null; $G worktree add -q /tmp/gwt -b wtb; $G gc -q; echo git-inside-ok"
	expect_contains "$OUT$ERR" git-inside-ok "GUARD-3 created-as-checked: git inside: commit, branch, checkout, stash, rebase, status, worktree add, gc"
	git_still_works "$P"
fi
rm -f "$CONF"

# --- GUARD-7: the helper's own /proc is not the caller's ------------------------
# An open with O_CREAT is made by the helper, a thread of pid 1, which may
# open its own mem and fds: a caller naming the helper's /proc/TID, or pid
# 1's, gets EACCES, not the helper's memory.
# Each of its threads (GUARD-9: several receive), each open in a subshell
# of its own (a failed exec redirection would end the shell).
in_sandbox 'n=0; for t in /proc/1/task/*; do [ "$(cat $t/comm 2>/dev/null)" = nsbsh-guard ] || continue; g=${t#/proc/1/task/}; n=$((n + 1)); (exec 3<>/proc/$g/mem) && echo opened-mem; (exec 4>>/proc/$g/fd/0) && echo opened-fd; (exec 5<>/proc/1/task/$g/mem) && echo opened-task-mem; done; echo "guards=$n"; (exec 6>>/proc/1/fd/0) && echo opened-pid1-fd; :'
expect_contains "$OUT" "guards=3" "GUARD-7 same-domain: control: the helper's three threads are seen in the sandbox's /proc, threads of pid 1, and each is tried"
expect_no_match "$OUT" "opened-mem|opened-fd|opened-task-mem|opened-pid1-fd" "GUARD-7 same-domain: its mem and fds are not handed to a caller through an open with O_CREAT"
expect_contains "$ERR" "Permission denied" "GUARD-7 same-domain: EACCES"

# --- GUARD-8: nothing the rules did not see is moved or linked into a git dir -------
# Made where the rules allow it (.git/refs/x), then moved where they do not
# (.git/modules/sub: a submodule's git dir, whose config and hooks git
# outside runs when the submodule is set up); or a link made there to a
# directory of the work tree.  Regular files still move in git dirs: git's
# own lock-file renames.
mkdir -p "$P/evil/hooks" && printf '[core]\n\tfsmonitor = touch %s/pwned\n' "$W" >"$P/evil/config"
in_sandbox 'mkdir -p .git/refs/x/hooks && printf "[core]\n" >.git/refs/x/config && mkdir -p .git/modules && echo prep=ok; mv .git/refs/x .git/modules/sub; echo "mv=$?"; ln -s ../../evil .git/modules/s2; echo "ln=$?"; mkdir .git/modules/m && echo mkdir=ok; echo a >.git/refs/x/f && mv .git/refs/x/f .git/modules/m/index && echo file-mv=ok; mv .git/refs/x .git/refs/y; echo "dir-in-gitdir=$?"'
expect_contains "$OUT" "prep=ok" "GUARD-8 nothing-unseen-in-gitdir: control: the directory is made where the rules allow it"
expect_contains "$OUT" "mv=1" "GUARD-8 nothing-unseen-in-gitdir: a directory moved into .git/modules is refused"
expect_path_absent "$P/.git/modules/sub" "GUARD-8 nothing-unseen-in-gitdir: no .git/modules/sub outside"
expect_contains "$OUT" "ln=1" "GUARD-8 nothing-unseen-in-gitdir: a link made in .git/modules is refused"
expect_path_absent "$P/.git/modules/s2" "GUARD-8 nothing-unseen-in-gitdir: no link .git/modules/s2 outside"
expect_contains "$OUT" "dir-in-gitdir=1" "GUARD-8 nothing-unseen-in-gitdir: a directory moved within a git dir is refused too"
expect_contains "$OUT" "mkdir=ok" "GUARD-8 nothing-unseen-in-gitdir: control: mkdir in .git/modules works"
expect_contains "$OUT" "file-mv=ok" "GUARD-8 nothing-unseen-in-gitdir: control: a regular file still moves into a git dir"
run -- "$NSB" log -n 50 "$P"
expect_match "$OUT" "gitdir '$P/.git/modules/sub'" "GUARD-8 nothing-unseen-in-gitdir: nsb log names the move and the key"
rm -rf "$P/.git/modules" "$P/.git/refs/x" "$P/.git/refs/y" "$P/evil"

# --- GUARD-9: notifications served side by side ---------------------------------
# Four processes create 300 files each at once, two with umask 077 and two
# with 022: every file is there, and each has its own process's mode (the
# receiving threads each keep a umask of their own).
in_sandbox 'mkdir -p par && for k in 1 2 3 4; do (if [ $((k % 2)) = 0 ]; then umask 077; else umask 022; fi; for ((i = 1; i <= 300; i++)); do echo $i >par/f$k-$i; done) & done; wait; echo made=$(ls par | wc -l)'
expect_contains "$OUT" "made=1200" "GUARD-9 side-by-side: 1,200 files made by four processes at once"
modes=$(cd "$P/par" && stat -c '%n %a' f* | awk '{ split($1, a, "-"); k = substr(a[1], 2); w = (k % 2 == 0) ? "600" : "644"; n++; if ($2 != w) bad++ } END { print n + 0, bad + 0 }')
expect_eq "$modes" "1200 0" "GUARD-9 side-by-side: each of the 1,200 files has its own process's umask (077: 600, 022: 644)"
rm -rf "$P/par"

# --- GUARD-10: the umask kept is the caller's ------------------------------------
# The helper keeps each caller's umask; a file made after a umask() change
# gets the new one: in one process (bash's builtin and redirections), from
# a process that shares the caller's fs (clone CLONE_FS), and after a
# thread with an fs of its own execs (its process keeps the leader's pid).
in_sandbox 'mkdir -p um && cd um && umask 077 && : >m1 && umask 022 && : >m2 && umask 027 && mkdir m3 && umask 002 && : >m4 && umask 077 && mkdir m5 && echo $(stat -c "%n=%a" m1 m2 m3 m4 m5)'
expect_eq "$OUT" "m1=600 m2=644 m3=750 m4=664 m5=700" "GUARD-10 umask-followed: each umask change in one process reaches the next file it makes"
if [ -x "$TESTS/try-syscall" ]; then
	cp "$TESTS/try-syscall" "$P/try-syscall"
	mkdir -p "$P/um2" "$P/um3"
	in_sandbox "./try-syscall umask-shared=$P/um2 exec-apart=$P/um3"
	expect_contains "$OUT" "umask-shared=$P/um2 ok" "GUARD-10 umask-followed: control: umask-shared ran"
	expect_eq "$(stat -c %a "$P/um2/s8")" 644 "GUARD-10 umask-followed: control: before the shared change, umask 022 (644)"
	expect_eq "$(stat -c %a "$P/um2/after")" 600 "GUARD-10 umask-followed: a umask set by a process sharing the caller's fs is the caller's next file's (600)"
	expect_contains "$OUT" "exec-apart=$P/um3 ok" "GUARD-10 umask-followed: control: exec-apart ran"
	expect_eq "$(stat -c %a "$P/um3/lead8")" 644 "GUARD-10 umask-followed: control: the leader's files have umask 022 (644)"
	expect_eq "$(stat -c %a "$P/um3/exec")" 600 "GUARD-10 umask-followed: after a thread with its own fs execs (the leader's pid), its umask 077 (600)"
	rm -rf "$P/um2" "$P/um3" "$P/try-syscall"
else
	t_fail "GUARD-10 helper" "tests/try-syscall is not built (make tests/try-syscall)"
fi
rm -rf "$P/um"

# --- GUARD-1 and GUARD-6: the helper cannot be gone while the sandbox runs -------
# The helper is a thread of pid 1, which no signal from inside ends (the
# init of a pid namespace): after a kill -9 of it, creating calls are still
# checked (a .git refused) and made, and an open without O_CREAT, which is
# never notified, works.
echo kept >"$P/kept.txt"
in_sandbox 'for t in /proc/1/task/*; do [ "$(cat $t/comm 2>/dev/null)" = nsbsh-guard ] && kill -9 ${t#/proc/1/task/}; done; sleep 0.2; cat kept.txt; mkdir -p k && mkdir k/.git; echo "rc=$?"; echo new >new.txt; echo "rc2=$?"; ls /proc/1/task | wc -l'
expect_contains "$OUT" kept "GUARD-1 only-creating: an open without O_CREAT works (never notified)"
expect_contains "$OUT" "rc=1" "GUARD-6 fail-closed: after a kill -9 of the helper from inside, a .git is still refused"
expect_path_absent "$P/k/.git" "GUARD-6 fail-closed: the refused .git was not made"
expect_contains "$OUT" "rc2=0" "GUARD-6 fail-closed: control: the helper still makes what is allowed"
expect_path_present "$P/new.txt" "GUARD-6 fail-closed: control: new.txt made"
rm -rf "$P/k" "$P/new.txt"
run -- "$NSB" stop "$P"
in_sandbox 'echo new >new.txt && echo made'
expect_contains "$OUT" made "GUARD-6 fail-closed: control: a new sandbox has its helper again"
