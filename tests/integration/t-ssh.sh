# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-ssh: an agent account behind sshd's `ForceCommand nsbsh` (src/sshforced.c,
# invariants SSH-1 to SSH-4), with a real sshd (the root action sshd-start:
# Debian's openssh-server on a loopback port, its own config, a Match User
# block for two agent accounts, whose login shells are nsbsh and bash) and a
# real ssh client, under a strict system policy (sysconf-ssh: allowed_roots
# ~/projects, ssh_project ~/projects/main, ssh_project_env AGENT_PROJECT).
# Also `su -` and `login` into that account (the root action agent-su).
. "$(dirname "$0")/../lib.sh"

ssh-keygen -q -t ed25519 -N '' -C t-ssh -f "$W/agent_key" && chmod 644 "$W/agent_key.pub"
root_step sshd-start "ssh: an sshd with ForceCommand nsbsh for the agent account" || exit 0
root_step sysconf-ssh "ssh: the strict system policy" || { root_do sshd-stop; exit 0; }
PORT=$(cat "$T/sshd/port")
AGENT=$(cat "$T/sshd/agent")
AHOME=$(getent passwd "$AGENT" | cut -d: -f6)
HOST=$AGENT@127.0.0.1
SSH=(ssh -F /dev/null -i "$W/agent_key" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)

run_ssh() { # [--stdin STR] SSH-ARGS...
	local opts=()
	[ "$1" != --stdin ] || { opts=(--stdin "$2"); shift 2; }
	run "${opts[@]}" -- "${SSH[@]}" "$@"
}

# --- a command ---------------------------------------------------------------------

run_ssh "$HOST" 'echo "$DEMO_VAR|${NSBSH_PROJECT-none}|$PWD"; cat ~/secret.txt 2>/dev/null || echo secret-hidden; exit 7'
expect_eq "$OUT" "hello from flake|$AHOME/projects/main|$AHOME/projects/main"$'\nsecret-hidden' \
	"ssh host CMD: runs in the sandbox of ssh_project, the home secret invisible"
expect_eq "$RC" 7 "ssh host CMD: the command's exit status"
run_ssh "$HOST" 'n=0; while read -r l; do n=$((n + 1)); done </proc/net/dev; echo "$n $(id -un)"'
expect_eq "$OUT" "3 $AGENT" "ssh host CMD: the system policy holds (network off: only lo)"
run_ssh "$HOST" -- -c id
expect_eq "$RC" 127 "SSH-1: 'ssh host -- -c id' is a command named -c, not an option (127)"
expect_contains "$ERR" "-c: command not found" "SSH-1: bash says so"
run_ssh "$HOST" $'echo one\necho "two $0"'
expect_eq "$OUT" $'one\ntwo nsbsh' "SSH-1: a command with a newline runs whole, as bash -c"

# --- an interactive login ------------------------------------------------------------

session='echo "[$DEMO_VAR]"
shopt -q login_shell && echo "login-$((40 + 2))"
cd /
cat ~/secret.txt '"$AHOME"'/secret.txt 2>/dev/null || echo "secret-hidden-$((40 + 2))"
echo "home: $(ls /home) pwd: $PWD"
exit 5'
run_ssh --stdin "$session" -tt "$HOST"
OUT=${OUT//$'\r'/}
expect_eq "$RC" 5 "ssh -tt host: the interactive shell's status"
expect_match "$OUT" "\[nsb:main\] " "ssh -tt host: lands in the project's sandboxed shell (prompt marker)"
expect_match "$OUT" $'(^|\n)\\[hello from flake\\]\n' "ssh -tt host: the project's environment"
expect_match "$OUT" $'(^|\n)login-42\n' "ssh -tt host: a login shell"
expect_match "$OUT" $'(^|\n)secret-hidden-42\n' "ssh -tt host: after cd /, the home secret is still invisible"
expect_match "$OUT" $'(^|\n)home: '"$AGENT"$' pwd: /\n' "ssh -tt host: cd / does not escape: / is the sandbox's"

# --- an account whose login shell is bash: sshd runs `bash -c nsbsh` --------------

run_ssh "${AGENT}b@127.0.0.1" 'echo "$DEMO_VAR|$PWD"; cat ~/secret.txt 2>/dev/null || echo secret-hidden'
expect_eq "$OUT" "hello from flake|/home/${AGENT}b/projects/main"$'\nsecret-hidden' \
	"login shell bash: ssh host CMD runs in ssh_project's sandbox"
run_ssh --stdin "$session" -tt "${AGENT}b@127.0.0.1"
OUT=${OUT//$'\r'/}
expect_eq "$RC" 5 "login shell bash: ssh -tt host: the interactive shell's status"
expect_match "$OUT" $'(^|\n)login-42\n' "login shell bash: ssh -tt host: a sandboxed login shell"
expect_match "$OUT" $'(^|\n)secret-hidden-42\n' "login shell bash: ssh -tt host: the home secret invisible"

# --- the project a client names ----------------------------------------------------------

run_ssh -o "SetEnv=AGENT_PROJECT=$AHOME/projects/other" "$HOST" 'echo "$DEMO_VAR|$PWD"'
expect_eq "$OUT" "hello from flake|$AHOME/projects/other" "SetEnv AGENT_PROJECT: the named project under allowed_roots"
for bad in /tmp "$AHOME/projects/out" projects/main "$AHOME/projects/main/flake.nix"; do
	run_ssh -o "SetEnv=AGENT_PROJECT=$bad" "$HOST" 'echo ran'
	expect_eq "$RC:$OUT" "77:" "SSH-2: AGENT_PROJECT=$bad refused with status 77, nothing ran"
done
expect_contains "$ERR" "refusing the ssh session: AGENT_PROJECT='$AHOME/projects/main/flake.nix' is not a directory" \
	"SSH-2: the refusal names the variable, its value and why"
run_ssh -o "SetEnv=AGENT_PROJECT=$AHOME/projects/out" "$HOST" 'echo ran'
expect_contains "$ERR" "is not under this account's allowed_roots" "SSH-2: a link out of the roots is out"
expect_eq "$(nsbsh_lines "$ERR")" 1 "SSH-2: said in one line"

# --- what a client sends does not steer nsbsh ------------------------------------------

mkdir -p "$W/xdg/nsbsh"
echo 'netwrok = on' >"$W/xdg/nsbsh/nsbsh.conf"
printf 'echo EVIL-RAN\n' >"$W/evil.sh"
chmod -R a+rX "$W/xdg" "$W/evil.sh"
run_ssh -o "SetEnv=XDG_CONFIG_HOME=$W/xdg BASH_ENV=$W/evil.sh" "$HOST" 'echo "ran ${XDG_CONFIG_HOME-unset}"'
expect_eq "$RC:$OUT" "0:ran unset" "SSH-3: a client's XDG_CONFIG_HOME and BASH_ENV change nothing (the broken file is not read, no BASH_ENV runs)"

# --- file transfer --------------------------------------------------------------------------

echo data >"$W/file.txt"
scp_to() { # [-O] - copy file.txt to the agent
	run -- scp -F /dev/null -i "$W/agent_key" -P "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@" "$W/file.txt" "$HOST:copied.txt"
}
scp_to -O
expect_ne "$RC" 0 "SSH-4: scp -O (scp's own protocol) to the agent fails"
expect_contains "$ERR" "refusing scp over ssh: this account's policy says file_transfer = off" \
	"SSH-4: scp -O: the client shows why, in one line"
# sshd throws away a subsystem's stderr: the sftp client only sees the end
scp_to
expect_eq "$RC:$ERR" "255:scp: Connection closed"$'\r' "SSH-4: scp (sftp protocol) to the agent is refused"
run_ssh "$HOST" 'rsync --server -vlogDtpre.iLsfxC . copied'
expect_eq "$RC" 77 "SSH-4: rsync --server refused with status 77"
expect_contains "$ERR" "refusing rsync over ssh" "SSH-4: rsync: said"
run_ssh "$HOST" 'ls copied.txt copied ~/copied.txt ~/copied 2>/dev/null | wc -l'
expect_eq "$OUT" "0" "SSH-4: nothing was copied"
if root_step sysconf-ssh-transfer "SSH-4: file_transfer = sandbox"; then
	scp_to -O
	expect_contains "$ERR" "scp: command not found" \
		"SSH-4: file_transfer = sandbox: scp -t runs in the sandbox (whose environment has no scp)"
	expect_no_match "$ERR" "refusing" "SSH-4: file_transfer = sandbox: not refused"
	root_do sysconf-ssh
fi

# --- the account's shell is bash: sshd runs `bash -c nsbsh` ----------------------------

mkproject "$HOME/projects/main" || t_fail "mkproject ~/projects/main" "fixture not created"
run --in "$HOME" --env SSH_CONNECTION='127.0.0.1 50000 127.0.0.1 22' \
	--env SSH_ORIGINAL_COMMAND='echo "$DEMO_VAR|$PWD|${SSH_ORIGINAL_COMMAND-unset}"' -- bash -c "$NSBSH"
expect_eq "$RC:$OUT" "0:hello from flake|$HOME/projects/main|unset" \
	"bash -c nsbsh with SSH_ORIGINAL_COMMAND: the command in ssh_project's sandbox, the variable gone"
mkdir -p "$W/fakehome/projects/main"
run --in "$HOME" --env HOME="$W/fakehome" --env SSH_CONNECTION='127.0.0.1 50000 127.0.0.1 22' \
	--env SSH_ORIGINAL_COMMAND='echo "$DEMO_VAR|$PWD|$HOME"' -- bash -c "$NSBSH"
expect_eq "$RC:$OUT" "0:hello from flake|$HOME/projects/main|$HOME" \
	"SSH-3: a forced session's HOME is the password database's, not the environment's"
rm -rf "$HOME/projects/main"
run --in "$HOME" --env SSH_CONNECTION='127.0.0.1 50000 127.0.0.1 22' --env SSH_ORIGINAL_COMMAND='echo ran' -- bash -c "$NSBSH"
expect_eq "$RC:$OUT" "77:" "strict: a missing ssh_project refuses the session"
expect_contains "$ERR" "cannot enter ssh_project '$HOME/projects/main'" "strict: a missing ssh_project: said"
# typed in an ssh session (its parent a shell, no forced command): an ordinary start
run --in "$HOME" --stdin 'shopt -q login_shell && echo login || echo not-login' \
	--env SSH_CONNECTION='127.0.0.1 50000 127.0.0.1 22' -- bash -c "$NSBSH; :"
expect_eq "$RC:$OUT" "0:not-login" "nsbsh typed in an ssh session is not taken for a forced session"

# --- su - and login, with nsbsh as the login shell -------------------------------------

echo 'echo "project=${NSBSH_PROJECT-none} $(cat ~/secret.txt 2>/dev/null || echo secret-hidden) login=$(shopt -q login_shell && echo yes)"' \
	>"$W/agent-login.sh"
chmod 644 "$W/agent-login.sh"
if root_step agent-su "su - and login into the agent account"; then
	su_out=$(cat "$T/sshd/su.out")
	expect_match "$su_out" $'(^|\n)project=none secret-hidden login=yes\nstatus 0$' \
		"su - AGENT: a login shell in the sandbox with no project (strict, the home)"
	login_out=$(tr -d '\r' <"$T/sshd/login.out")
	expect_match "$login_out" $'(^|\n)project=none secret-hidden login=yes\n' \
		"login -f AGENT: a login shell in the sandbox with no project"
	expect_match "$login_out" '\[nsb:no project\] ' "login -f AGENT: the sandbox's prompt marker"
fi

root_do sysconf-restore
root_do sshd-stop
