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
BB=$P/busybox
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
settle
probe p4
check_screen "p4:\[hello from other\] \[$Q\] \[$Q\] private" "cd ../../other from the sandbox: the other project's sandbox"

type_line "cd /nonexistent/dir"
settle
check_screen "nsbsh: cd: /nonexistent/dir: No such file or directory" "cd to a missing directory: said"
probe p5
check_screen "p5:\[hello from other\] \[$Q\] \[$Q\] private" "cd to a missing directory: the same project's sandbox again, where it was"

type_line "cd $(printf '%q' "$W/plain")"
settle
probe p6
check_screen "p6:\[none\] \[plain\] \[$W/plain\] home" "cd out of the sandbox to a plain directory: plain bash there"
check_screen "nsbsh: left the sandbox of '$Q': plain bash in '$W/plain'" "leaving the sandbox for plain bash is said on the terminal"

type_line "cd $(printf '%q' "$P/sub dir")"
probe p7
check_screen "p7:\[hello from flake\] \[$P\] \[$P/sub dir\] private" "and back into a project's subdirectory: its sandbox, there"

# A cd means the host's path (inside, the same names are the sandbox's own).
marker=$(mktemp /tmp/nsbsh-cd-marker.XXXXXX)
type_line 'cd ~'
settle
probe h1
check_screen "h1:\[none\] \[plain\] \[$HOME\] home" "cd ~ from the sandbox: plain bash in the real home"
type_line "cd $(printf '%q' "$P")"
type_line 'cd /'
settle
probe h2
check_screen "h2:\[none\] \[plain\] \[/\] home" "cd / from the sandbox: plain bash at the host's root"
type_line "cd $(printf '%q' "$P")"
type_line "cd /tmp"
settle
type_line "test -e $(printf '%q' "$marker") && echo host-tmp-$(basename "$marker")"
probe h3
check_screen "host-tmp-$(basename "$marker")"$'\n'".*h3:\[none\] \[plain\] \[/tmp\] home" "cd /tmp from the sandbox: the host's /tmp (a file made there is seen)"
rm -f "$marker"
type_line "cd $(printf '%q' "$P")"
probe h4
check_screen "h4:\[hello from flake\] \[$P\] \[$P\] private" "control: back in the project's sandbox"
# CTL-3: the host path of a place the sandbox writes gets the sandbox again
homes=$XDG_DATA_HOME/nsbsh/home
type_line "cd $(printf '%q' "$homes")"
settle
probe h5
check_screen "nsbsh: cd: '$homes' is a directory the sandbox can write: the sandbox again, not a shell outside it" \
	"CTL-3 target-checked: a cd to the host's copy of the private home is refused, and said"
check_screen "h5:\[hello from flake\] \[$P\] \[$P\] private" "CTL-3 target-checked: the shell is the sandbox again, never plain bash there"
tm kill-server 2>/dev/null

# --- the control channel: a request counts only at nsbsh's own prompt -------
# fresh DIR - a new terminal: nsbsh -i in DIR, its end said as nsbsh-ended-N
# (a new window of the one tmux server, the others closed: a server killed
# and started again at once can race with itself)
fresh() {
	local cmd="env PS1='\$ ' $(printf '%q' "$NSBSH") -i; echo nsbsh-ended-\$?; sleep 30"
	if tm has-session 2>/dev/null; then
		tm new-window -c "$1" "$cmd" \; kill-window -a
	else
		tm -f /dev/null new-session -d -x 200 -y 50 -c "$1" "$cmd"
	fi
}
req="printf 'cd\\n%s\\n%s\\n' $(printf '%q' "$W/plain") \"\$PWD\""
fresh "$P"
probe k0
check_screen "k0:\[hello from flake\] \[$P\]" "control: a new terminal in the sandbox"
# Code in the sandbox that leaves a request and kills the shell gets no
# plain bash: only a shell that ended by itself is followed.
type_line "$req >\"\$NSBSH_CTL\"; kill -9 \$\$"
check_screen "nsbsh-ended-137" "CTL-1 at-that-prompt: a request left by a killed shell is not followed: nsbsh ends with its status (137)"
fresh "$P"
type_line "( $BB sleep 0.3; $req >\"\$NSBSH_CTL\" ) & wait; exit 0"
check_screen "nsbsh-ended-0" "CTL-1 at-that-prompt: a request another process left is not followed at an ordinary exit"
fresh "$P"
type_line "$req >$(printf '%q' "$P/other-req"); exit 113"
check_screen "nsbsh-ended-113" "control: a request written elsewhere, exit 113: nothing to follow, nsbsh ends with 113"
fresh "$P"
type_line "$req >\"\$NSBSH_CTL\"; exit 113"
check_screen "nsbsh: left the sandbox of '$P': plain bash in '$W/plain'" "control: a request in the control directory and exit 113: followed (what nsbsh's cd does)"
fresh "$P"
type_line "$req >$(printf '%q' "$P/req"); ln -s $(printf '%q' "$P/req") \"\$NSBSH_CTL\"; exit 113"
check_screen "nsbsh-ended-113" "CTL-2 bounded: a request that is a link is not read"
fresh "$P"
type_line "$BB mkfifo \"\$NSBSH_CTL\"; exit 113"
check_screen "nsbsh-ended-113" "CTL-2 bounded: a request that is a FIFO is not waited for"
fresh "$P"
type_line "{ $req; printf '%5000s' ''; } >\"\$NSBSH_CTL\"; exit 113"
check_screen "nsbsh-ended-113" "CTL-2 bounded: a request over 4096 bytes is not followed"
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
