# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-cd: `cd` across projects in an interactive shell, on a real terminal
# (tmux): from plain bash into a project (shellwrap/outside.bash, the hook
# nsbsh puts in plain bash's environment), from a project's sandbox out to a
# plain directory and into another project (the cd function of
# shellwrap/inside.bash asks the supervisor, src/main.c switch_dir); a cd
# within the sandbox stays in the same shell.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
Q=$W/other
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkproject "$Q" || { t_fail "mkproject other" "fixture not created"; exit 1; }
sed -i 's/hello from flake/hello from other/' "$Q/flake.nix"
mkdir -p "$W/plain" "$P/sub dir"
echo "the home secret" >"$HOME/secret.txt"
if ! command -v tmux >/dev/null; then
	t_skip "cd across projects" "tmux is not installed"
	exit 0
fi

probe() { # TAG - a line that says where this shell is
	type_line "echo \"$1:[\${DEMO_VAR-none}] [\${NSBSH_PROJECT-plain}] [\$PWD] \$( [ -r ~/secret.txt ] && echo home || echo private)\""
}

tm -f /dev/null new-session -d -x 200 -y 50 -c "$W/plain" "env PS1='\$ ' $(printf '%q' "$NSBSH") -i; echo nsbsh-ended-\$?; sleep 30"
probe p0
check_screen "p0:\[none\] \[plain\] \[$W/plain\] home" "a start outside a project: plain bash"

type_line "cd $(printf '%q' "$P")"
probe p1
check_screen "p1:\[hello from flake\] \[$P\] \[$P\] private" "cd from plain bash into a project: its sandbox, there"

type_line 'kept=yes; cd "sub dir"'
probe p2
type_line 'echo "p3:${kept-lost}"'
check_screen "p2:\[hello from flake\] \[$P\] \[$P/sub dir\] private" "cd within the project: still the sandbox"
check_screen "p3:yes" "cd within the project: the same shell (its variables kept)"

type_line "cd ../../other"
probe p4
check_screen "p4:\[hello from other\] \[$Q\] \[$Q\] private" "cd ../../other from the sandbox: the other project's sandbox"

type_line "cd /nonexistent/dir"
check_screen "nsbsh: cd: /nonexistent/dir: No such file or directory" "cd to a missing directory: said"
probe p5
check_screen "p5:\[hello from other\] \[$Q\] \[$Q\] private" "cd to a missing directory: the same project's sandbox again, where it was"

type_line "cd $(printf '%q' "$W/plain")"
probe p6
check_screen "p6:\[none\] \[plain\] \[$W/plain\] home" "cd out of the sandbox to a plain directory: plain bash there"
check_screen "nsbsh: left the sandbox of '$Q': plain bash in '$W/plain'" "leaving the sandbox for plain bash is said on the terminal"

type_line "cd $(printf '%q' "$P/sub dir")"
probe p7
check_screen "p7:\[hello from flake\] \[$P\] \[$P/sub dir\] private" "and back into a project's subdirectory: its sandbox, there"
# Code in the sandbox that leaves a request and kills the shell gets no
# plain bash: only a shell that ended by itself is followed.
type_line "printf 'cd\\n%s\\n%s\\n' $(printf '%q' "$W/plain") \"\$PWD\" >/run/nsbsh/ctl/request; kill -9 \$\$"
check_screen "nsbsh-ended-137" "a request left by a killed shell is not followed: nsbsh ends with the shell's status (137)"
tm kill-server 2>/dev/null

# The hook forks nothing at a prompt where the directory did not change:
# count the processes a plain interactive bash started by nsbsh makes for ten
# prompts (strace -f, clone/fork/vfork), each running /bin/true (one fork
# each, so that the count shows strace saw them), against a bare bash.
if command -v strace >/dev/null; then
	prompts=$(printf '/bin/true\n%.0s' {1..10})
	count_forks() { # CMD... - fork-like calls of an interactive shell over ten prompts
		run --in "$W/plain" --stdin "$prompts" -- script -qfec "strace -f -qq -e trace=clone,clone3,fork,vfork -o $W/forks.trace $*" /dev/null
		grep -cE '^[0-9]+ +(clone|clone3|fork|vfork)\(' "$W/forks.trace"
	}
	bare=$(count_forks "bash --norc -i")
	ours=$(count_forks "$(printf '%q' "$NSBSH") --norc -i")
	expect_match "$bare" '^1[0-9]$' "strace counts the forks of ten prompts of bare bash (10 or a few more)"
	expect_eq "$ours" "$bare" "the outside hook forks nothing at a prompt (as many forks as bare bash: $bare)"
else
	t_skip "the outside hook forks nothing at a prompt" "strace is not installed"
fi
