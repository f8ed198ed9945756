# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-cred: ssh keys a sandbox can use but never read (policy ssh_keys,
# src/sandbox/agent.c, invariants AGENT-1 to AGENT-6).  A real ssh-agent of
# the test's (the user's agent: keys A and B), a key file C in the real
# home (~/.ssh, which the private home hides), and a real sshd run by the
# test user itself on a loopback port, with its own config and host key,
# serving a bare git repository.  The policy lists A by fingerprint and C by
# its file; B is the control: authorized at the sshd, held by the user's
# agent, not listed.
. "$(dirname "$0")/../lib.sh"
linger_zero # the sandbox ends with its shell, and its agent with it

CONF=$HOME/.config/nsbsh/nsbsh.conf
NSB=$(dirname "$NSBSH")/nsb
K=$W/keys
mkdir -p "$K" "$HOME/.ssh" && chmod 700 "$K" "$HOME/.ssh"
for k in A B; do ssh-keygen -q -t ed25519 -N '' -C "t-cred-$k" -f "$K/$k"; done
ssh-keygen -q -t ed25519 -N '' -C t-cred-C -f "$HOME/.ssh/id_t_cred_deploy"
C=$HOME/.ssh/id_t_cred_deploy
fp() { ssh-keygen -lf "$1" | cut -d' ' -f2; }
FP_A=$(fp "$K/A.pub") FP_B=$(fp "$K/B.pub") FP_C=$(fp "$C.pub")
blob() { cut -d' ' -f2 "$1"; }

# --- the user's agent, stopped by its pid at the end -----------------------------------
UA=$W/user-agent.sock
ssh-agent -D -a "$UA" >/dev/null 2>&1 &
UA_PID=$!
SSHD_PID=
cleanup() {
	kill "$UA_PID" 2>/dev/null
	[ -z "$SSHD_PID" ] || kill "$SSHD_PID" 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 50); do [ -S "$UA" ] && break; sleep 0.1; done
SSH_AUTH_SOCK=$UA ssh-add -q "$K/A" "$K/B"
run --env SSH_AUTH_SOCK="$UA" -- ssh-add -l
expect_eq "$(grep -c SHA256 <<<"$OUT")" 2 "the user's agent holds A and B (control)"

# --- an sshd of the test user's own, serving a bare repository ------------------------
S=$W/sshd
mkdir -p "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host"
AK=$S/authorized_keys
git init -q --bare "$W/remote.git"
PORT=
for try in 1 2 3 4 5 6 7 8; do
	p=$((20000 + (RANDOM % 30000)))
	cat >"$S/config" <<-EOF
		Port $p
		ListenAddress 127.0.0.1
		HostKey $S/host
		AuthorizedKeysFile $AK
		PidFile $S/pid
		StrictModes no
		UsePAM no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
	EOF
	: >"$S/log"
	/usr/sbin/sshd -D -f "$S/config" -E "$S/log" &
	SSHD_PID=$!
	for _ in $(seq 30); do grep -q "Server listening" "$S/log" && break; kill -0 "$SSHD_PID" 2>/dev/null || break; sleep 0.1; done
	if grep -q "Server listening" "$S/log"; then PORT=$p; break; fi
	kill "$SSHD_PID" 2>/dev/null
	SSHD_PID=
	diag "sshd on port $p: $(cat "$S/log") (try $try)"
done
[ -n "$PORT" ] || { t_fail "an sshd of the test's on a loopback port" "$(cat "$S/log")"; exit 1; }
REMOTE=ssh://$USER@127.0.0.1:$PORT$W/remote.git
GSSH="ssh -F /dev/null -p $PORT -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
authorize() { cat "$@" >"$AK"; }

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
printf '%s\n' "host_system = ro" "linger = 0" "ssh_keys = { \"$FP_A\", \"~/.ssh/id_t_cred_deploy\" }" >"$CONF"

# in_box SCRIPT - SCRIPT in the project's sandbox, started with the user's
# agent; GIT_SSH_COMMAND set inside (the sandbox's environment is an
# allowlist: SV-1)
in_box() { run_nsbsh --in "$P" --env SSH_AUTH_SOCK="$UA" -c "export GIT_SSH_COMMAND='$GSSH'; $1"; }

# --- AGENT-1: only the listed identities ------------------------------------------------
in_box 'echo "sock=$SSH_AUTH_SOCK"; ssh-add -L'
expect_eq "$RC" 0 "AGENT-1: ssh-add -L inside works"
expect_contains "$OUT" "sock=/run/nsbsh/agent/socket" "AGENT-1: SSH_AUTH_SOCK inside is the sandbox's agent, not the user's"
expect_contains "$OUT" "$(blob "$K/A.pub")" "AGENT-1: the key listed by fingerprint (A) is offered"
expect_contains "$OUT" "$(blob "$C.pub")" "AGENT-1: the key file listed (C) is offered"
expect_eq "$(grep -c '^ssh-' <<<"$OUT")" 2 "AGENT-1: ssh-add -L lists exactly the two listed keys"
expect_no_match "$OUT" "$(blob "$K/B.pub")" "AGENT-1: the user's other key (B) is not offered"

# --- AGENT-2: push works with a listed key, not with the other ------------------------
authorize "$K/A.pub"
in_box "git push -q '$REMOTE' HEAD:refs/heads/by-a 2>&1 && echo pushed"
expect_eq "$RC:$OUT" "0:pushed" "AGENT-2: git push over ssh from inside works with the listed key A"
expect_eq "$(git -C "$W/remote.git" rev-parse by-a 2>&1)" "$(git -C "$P" rev-parse HEAD)" "AGENT-2: the remote has the pushed commit"
authorize "$C.pub"
in_box "git push -q '$REMOTE' HEAD:refs/heads/by-c 2>&1 && echo pushed"
expect_eq "$RC:$OUT" "0:pushed" "AGENT-2: git push from inside works with the listed key file C (the private agent)"
authorize "$K/B.pub"
run --in "$P" --env SSH_AUTH_SOCK="$UA" --env GIT_SSH_COMMAND="$GSSH" -- git push -q "$REMOTE" HEAD:refs/heads/by-b-outside
expect_eq "$RC" 0 "AGENT-2: control: outside, the same push with the user's agent works with B"
in_box "git push -q '$REMOTE' HEAD:refs/heads/by-b 2>&1 && echo pushed"
expect_ne "$RC" 0 "AGENT-2: inside, the push fails when only the unlisted key B is authorized"
expect_contains "$OUT" "Permission denied (publickey)" "AGENT-2: sshd says why: no key of the sandbox's is authorized"
expect_eq "$(git -C "$W/remote.git" rev-parse -q --verify by-b)" "" "AGENT-2: nothing was pushed with B"

# --- AGENT-4: mutations refused ---------------------------------------------------------
in_box 'ssh-keygen -q -t ed25519 -N "" -f /tmp/new >/dev/null && ssh-add /tmp/new; echo "add=$?"
ssh-add -D; echo "removeall=$?"
ssh-add -d /dev/null 2>/dev/null; ssh-add -x </dev/null 2>/dev/null; echo "lock=$?"
ssh-add -L | grep -c "^ssh-"'
expect_contains "$OUT" "add=1" "AGENT-4: ssh-add of a new key inside is refused"
expect_contains "$OUT" "removeall=1" "AGENT-4: ssh-add -D inside is refused"
expect_match "$OUT" $'\n2$' "AGENT-4: control: the listed keys are still both there afterwards"

# --- AGENT-3: the key material is nowhere the sandbox can read ------------------------
# The private key files' base64 (their second line), the unlisted key's
# public blob; a marker written into the work tree is the control that the
# search reads what the sandbox sees.  /proc and /sys are not files; /usr is
# the host's own system, shown read-only, which holds nothing of the test's.
marker=t-cred-marker-$$-$RANDOM
echo "$marker" >"$P/marker.txt"
needles=$W/needles
{ sed -n 2p "$K/A"; sed -n 2p "$C"; sed -n 2p "$K/B"; blob "$K/B.pub"; echo "$marker"; } >"$needles"
cp "$needles" "$P/.needles" 2>/dev/null
in_box 'n=$(cat .needles); rm -f .needles; printf "%s\n" "$n" >/tmp/needles
timeout 50 /usr/bin/grep -r -l -F -f /tmp/needles --exclude-dir=proc --exclude-dir=sys --exclude-dir=usr \
	--exclude=needles / 2>/dev/null | grep -v "^/tmp/needles$"; echo "grep=$?"'
expect_contains "$OUT" "$P/marker.txt" "AGENT-3: control: the search finds the marker in the work tree"
expect_eq "$(grep -v -e "marker.txt" -e '^grep=' <<<"$OUT")" "" "AGENT-3: no private key and not the unlisted key's blob anywhere inside"
in_box 'ls -A /run/nsbsh/agent; ls "$HOME/.ssh" 2>&1; touch /run/nsbsh/agent/x 2>&1; echo "$SSH_AUTH_SOCK"; env | grep -c "user-agent"'
expect_match "$OUT" $'^socket\n' "AGENT-3: the agent's directory inside holds its socket only"
expect_contains "$OUT" "Read-only file system" "AGENT-3: nothing can be made in the agent's directory"
expect_no_match "$OUT" "id_t_cred_deploy" "AGENT-3: the key file's directory is not shown"
expect_match "$OUT" $'\n0$' "AGENT-3: the user's SSH_AUTH_SOCK is nowhere in the environment"

# --- AGENT-6: each signature is a line in nsb log --------------------------------------
run --in "$P" -- "$NSB" log -n 100
expect_match "$OUT" "ssh-sign +$FP_A" "AGENT-6: nsb log has the signature made with A"
expect_match "$OUT" "ssh-sign +$FP_C" "AGENT-6: nsb log has the signature made with C"
expect_match "$OUT" "ssh < sh < git +ssh-sign" "AGENT-6: the line names the requesting command (ssh, run by git)"
expect_match "$OUT" "ssh-refused +ADD_IDENTITY" "AGENT-6: a refused mutation is a line too"
expect_no_match "$OUT" "ssh-sign +$FP_B" "AGENT-6: no signature with B"

# --- the agent ends with its sandbox -------------------------------------------------------
run -- bash -c 'ls "$XDG_RUNTIME_DIR/nsbsh" 2>/dev/null | grep -c "\.agent$"'
expect_eq "$OUT" 0 "the sandbox's agent is gone with the sandbox (linger 0)"
