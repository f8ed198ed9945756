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
# A: an RSA key, whose signatures ssh asks as rsa-sha2-512 (a flag of the
# sign request; sshd refuses ssh-rsa SHA-1 ones): the flags pass unchanged
ssh-keygen -q -t rsa -b 2048 -N '' -C t-cred-A -f "$K/A"
ssh-keygen -q -t ed25519 -N '' -C t-cred-B -f "$K/B"
ssh-keygen -q -t ed25519 -N '' -C t-cred-C -f "$HOME/.ssh/id_t_cred_deploy"
C=$HOME/.ssh/id_t_cred_deploy
re() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; } # a fixed string as an ERE
fp() { ssh-keygen -lf "$1" | cut -d' ' -f2; }
FP_A=$(fp "$K/A.pub") FP_B=$(fp "$K/B.pub") FP_C=$(fp "$C.pub")
RE_A=$(re "$FP_A") RE_B=$(re "$FP_B") RE_C=$(re "$FP_C")
blob() { cut -d' ' -f2 "$1"; }
expect_match "$FP_A $FP_B $FP_C" '^SHA256:[^ ]{43} SHA256:[^ ]{43} SHA256:[^ ]{43}$' "the keys' fingerprints (the checks below match them)"

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
printf '%s\n' "host_system = ro" "linger = 0" "forward_ports = { $PORT }" "ssh_keys = { \"$FP_A\", \"~/.ssh/id_t_cred_deploy\" }" >"$CONF"

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
expect_no_match "$OUT" "$(re "$(blob "$K/B.pub")")" "AGENT-1: the user's other key (B) is not offered"

run --in "$P" -- "$NSB" status --view
expect_match "$OUT" "/run/nsbsh/agent" "nsb status --view shows the agent's directory, as a start builds it"

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

# the protocol itself: a listed key's blob (A, RSA) signs with the flags
# asked (the signature's algorithm says which), a key nobody listed gets
# SSH_AGENT_FAILURE
in_box 'python3 - <<"PY"
import socket, struct, os
S = os.environ["SSH_AUTH_SOCK"]
def s(b): return struct.pack(">I", len(b)) + b
def ask(body):
    c = socket.socket(socket.AF_UNIX); c.settimeout(10); c.connect(S)
    c.sendall(struct.pack(">I", len(body)) + body)
    n = struct.unpack(">I", c.recv(4))[0]; d = b""
    while len(d) < n: d += c.recv(n - len(d))
    c.close(); return d
d = ask(bytes([11])); n = struct.unpack(">I", d[1:5])[0]; off = 5; rsa = None
for _ in range(n):
    l = struct.unpack(">I", d[off:off+4])[0]; blob = d[off+4:off+4+l]; off += 4 + l
    l = struct.unpack(">I", d[off:off+4])[0]; off += 4 + l
    if blob[4:11] == b"ssh-rsa": rsa = blob
for flags in (2, 4):
    r = ask(bytes([13]) + s(rsa) + s(b"data") + struct.pack(">I", flags))
    sig = r[5:]; alg = sig[4:4+struct.unpack(">I", sig[:4])[0]]
    print("flags", flags, r[0], alg.decode())
other = s(b"ssh-ed25519") + s(b"\x07" * 32)
print("unlisted", ask(bytes([13]) + s(other) + s(b"data") + struct.pack(">I", 0))[0])
PY'
expect_contains "$OUT" "flags 2 14 rsa-sha2-256" "AGENT-2: a listed key signs, the request's flags unchanged (rsa-sha2-256)"
expect_contains "$OUT" "flags 4 14 rsa-sha2-512" "AGENT-2: and rsa-sha2-512"
expect_contains "$OUT" "unlisted 5" "AGENT-2: a sign request for a key nobody listed gets SSH_AGENT_FAILURE"

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
expect_match "$OUT" "ssh-sign +$RE_A" "AGENT-6: nsb log has the signature made with A"
expect_match "$OUT" "ssh-sign +$RE_C" "AGENT-6: nsb log has the signature made with C"
expect_match "$OUT" "ssh < sh < git +ssh-sign" "AGENT-6: the line names the requesting command (ssh, run by git)"
expect_match "$OUT" "ssh-add < bash +ssh-refused +ADD_IDENTITY" "AGENT-6: a refused mutation is a line too"
expect_no_match "$OUT" "ssh-sign +$RE_B" "AGENT-6: no signature with B"

# --- AGENT-5: bounded and strict -------------------------------------------------------
# raw messages from python3 (the host's, host_system = ro): a framed
# REQUEST_IDENTITIES is answered (the control), a length above 256 KiB, a
# sign request with a byte too many, end the connection unanswered; the
# 65th connection at once is closed
in_box 'python3 - <<"PY"
import socket, struct, os
S = os.environ["SSH_AUTH_SOCK"]
def conn():
    c = socket.socket(socket.AF_UNIX); c.settimeout(10); c.connect(S); return c
def ask(payload):
    c = conn()
    try:
        c.sendall(payload)
        d = c.recv(5) or b"closed"
    except (ConnectionResetError, BrokenPipeError):
        d = b"closed"
    c.close(); return d
r = ask(struct.pack(">IB", 1, 11))
print("identities", r[4] if len(r) == 5 else r)
print("huge", ask(struct.pack(">IB", 256 * 1024 + 1, 11)))
blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + b"k" * 32
body = bytes([13]) + struct.pack(">I", len(blob)) + blob + struct.pack(">I", 1) + b"d" + struct.pack(">I", 0) + b"x"
print("trailing", ask(struct.pack(">I", len(body)) + body))
held = [conn() for _ in range(64)]
import time; time.sleep(0.5)
last = conn()
try:
    last.sendall(struct.pack(">IB", 1, 11))
    print("65th", last.recv(5) or "closed")
except (ConnectionResetError, BrokenPipeError):
    print("65th closed")
for c in held: c.close()
time.sleep(1.5)
r = ask(struct.pack(">IB", 1, 11))
print("after", r[4] if len(r) == 5 else r)
PY'
expect_contains "$OUT" "identities 12" "AGENT-5: control: a framed REQUEST_IDENTITIES is answered"
expect_contains "$OUT" "huge b'closed'" "AGENT-5: a message above 256 KiB ends the connection, unanswered"
expect_contains "$OUT" "trailing b'closed'" "AGENT-5: a sign request with a byte after its fields ends the connection"
expect_contains "$OUT" "65th closed" "AGENT-5: the 65th connection at once is closed"
expect_contains "$OUT" "after 12" "AGENT-5: once those end, a new connection is served"

# --- commit signing: the user's settings, read-only, through the agent -----------------
git config --global gpg.format ssh
# shellcheck disable=SC2088 # git expands the ~ itself, as a person writes it
git config --global user.signingkey "~/.ssh/id_t_cred_deploy.pub"
git config --global commit.gpgsign true
in_box 'git config --system --get user.signingkey; git config --get commit.gpgsign; { echo x >>/run/nsbsh/gitconfig; } 2>&1
git -c user.name=t -c user.email=t@t commit -q --allow-empty -m "signed inside" && git log -1 --format=%H'
expect_eq "$RC" 0 "GITSIGN: git commit inside (commit.gpgsign = true) works"
expect_eq "$(sed -n 1p <<<"$OUT")" "key::$(cut -d' ' -f1,2 "$C.pub")" "GITSIGN: the sandbox's git has the signing key as key:: (no path of the home)"
expect_eq "$(sed -n 2p <<<"$OUT")" true "GITSIGN: and commit.gpgsign"
expect_contains "$OUT" "Read-only file system" "GITSIGN: the sandbox cannot change those settings"
signed=$(tail -n 1 <<<"$OUT")
printf 't@t namespaces="git" %s\n' "$(cut -d' ' -f1,2 "$C.pub")" >"$W/allowed_signers"
run --in "$P" -- git -c gpg.ssh.allowedSignersFile="$W/allowed_signers" verify-commit "$signed"
expect_eq "$RC" 0 "GITSIGN: the commit signed inside verifies outside (git verify-commit)"
expect_contains "$ERR" 'Good "git" signature' "GITSIGN: with the listed key"
run --in "$P" -- git -c gpg.ssh.allowedSignersFile="$W/allowed_signers" verify-commit "$signed~1"
expect_ne "$RC" 0 "GITSIGN: control: verify-commit refuses the unsigned commit before it"
run --in "$P" -- "$NSB" log -n 100
expect_match "$OUT" "ssh-keygen < git .*ssh-sign +$RE_C" "GITSIGN: the signature is a line in nsb log (AGENT-6)"
# a signing key that ssh_keys does not list reaches no sandbox
git config --global user.signingkey "$K/B.pub"
in_box 'git config --system --get user.signingkey; echo "rc=$?"'
expect_eq "$OUT" "rc=1" "GITSIGN: a signing key not listed is not carried into the sandbox"
git config --global --unset commit.gpgsign

# --- a key file that a bind shows is said --------------------------------------------
printf '%s\n' "host_system = ro" "linger = 0" "forward_ports = { $PORT }" "unshadow = { \"~/.ssh:ro\" }" "ssh_keys = { \"~/.ssh/id_t_cred_deploy\" }" >"$CONF"
in_box 'cat ~/.ssh/id_t_cred_deploy.pub >/dev/null && echo readable'
expect_eq "$OUT" readable "AGENT-3: control: unshadowing ~/.ssh shows the key file's directory"
expect_contains "$ERR" "ssh_keys '$C' is shown in the sandbox by unshadow '$HOME/.ssh': code inside can read that key" \
	"AGENT-3: a listed key file that the policy shows inside is said at the start"

# --- a key file with a passphrase: asked once, at the first start ---------------------
# ssh-add asks through SSH_ASKPASS (forced: the test has no terminal), which
# counts its calls; a shell that joins the live sandbox asks nothing.
E=$HOME/.ssh/id_t_cred_pass
ssh-keygen -q -t ed25519 -N 'pass phrase' -C t-cred-E -f "$E"
printf '#!/bin/sh\necho x >>%s\necho "pass phrase"\n' "$W/askpass.count" >"$W/askpass" && chmod 755 "$W/askpass"
printf '%s\n' "host_system = ro" "linger = 0" "forward_ports = { $PORT }" "ssh_keys = { \"~/.ssh/id_t_cred_pass\" }" >"$CONF"
ASK=(--env SSH_AUTH_SOCK="$UA" --env SSH_ASKPASS="$W/askpass" --env SSH_ASKPASS_REQUIRE=force --env DISPLAY=:0)
(cd "$P" && env SSH_AUTH_SOCK="$UA" SSH_ASKPASS="$W/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
	timeout 30 "$NSBSH" -c 'sleep 4' >/dev/null 2>&1) &
holder=$!
sock=
for _ in $(seq 50); do
	sock=$(ls "$XDG_RUNTIME_DIR"/nsbsh/*.agent/socket 2>/dev/null | head -n1)
	[ -n "$sock" ] && [ -s "$W/askpass.count" ] && break
	sleep 0.1
done
sup=$(supervisor_of "$P")
agent_pid=
for c in $(cat "/proc/$sup/task/$sup/children" 2>/dev/null); do
	[ "$(cat "/proc/$c/comm" 2>/dev/null)" = nsbsh-agent ] && agent_pid=$c
done
expect_ne "$agent_pid" "" "the agent: a process of the live sandbox's supervisor (nsbsh-agent)"
expect_ne "$sock" "" "the agent: its socket in the runtime directory while the sandbox lives"
run_nsbsh --in "$P" "${ASK[@]}" -c 'ssh-add -L'
expect_contains "$OUT" "$(blob "$E.pub")" "a key file with a passphrase: offered inside once ssh-add had it"
wait "$holder"
expect_eq "$(wc -l <"$W/askpass.count" 2>/dev/null)" 1 "a key file with a passphrase: asked once, at the first start (not at the join)"

# --- the agent ends with its sandbox ---------------------------------------------------
gone=no
for _ in $(seq 50); do
	if ! ls "$XDG_RUNTIME_DIR"/nsbsh/*.agent >/dev/null 2>&1 && { [ -z "$agent_pid" ] || ! [ -d "/proc/$agent_pid" ]; }; then
		gone=yes
		break
	fi
	sleep 0.1
done
expect_eq "$gone" yes "the agent ends with its sandbox: its process and its socket are gone (linger 0)"
