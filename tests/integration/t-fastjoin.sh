# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-fastjoin: a start that joins the live sandbox from the record of the
# last full start there, without deciding again (src/shell/fastjoin.c
# FJ-1..4, src/base/inputs.c IN-1..3).  What a user sees: the same shell,
# environment, arguments and exit status as a full start gives; any change
# to what the start decided from (the policy here) is a full start again,
# which sees it.  Which way a start went is what NSBSH_DEBUG says.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME=$W/config # other files write the test user's config
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
CONF=$XDG_CONFIG_HOME/nsbsh/nsbsh.conf
userconf "network = host"
RECORDS=$XDG_CACHE_HOME/nsbsh/fastjoin
# way - how the last start went, as its debug lines say
way() {
	case $ERR in
	*"fast join of sandbox"*) echo fast ;;
	*"record for a fast join: written"*) echo recorded ;;
	*) echo full ;;
	esac
}
# settled - a start once the files the last ones wrote are older than the
# two seconds of IN-3 (three: the check counts whole seconds)
settled() { sleep 3.1; run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true; }

run_nsbsh --in "$P" -c true # the environment built, the sandbox started
sleep 1.1                   # past the nested memo's second (git/nested.c)
run_nsbsh --in "$P" -c true
settled
expect_eq "$(way)" recorded "FJ-1 same-decision: a full start that joined and said nothing leaves a record"
rec=$(find "$RECORDS" -type f | head -n1)
expect_eq "$(stat -c %a "$rec")" 600 "FJ-2 record-own: the record is the user's alone (0600)"

# --- the same shell as a full start ------------------------------------------
cmd='echo "$DEMO_VAR|$0|$1|$PWD|$TERM"; exit 7'
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env NSBSH_FASTJOIN=0 --env TERM=xterm-a -c "$cmd" name arg
full_out=$OUT full_rc=$RC
expect_eq "$(way)" full "control: NSBSH_FASTJOIN=0 is a full start"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env TERM=xterm-a -c "$cmd" name arg
expect_eq "$(way)" fast "FJ-1 same-decision: the next start, nothing changed, is a fast join"
expect_eq "$RC:$OUT" "$full_rc:$full_out" "FJ-3 per-start: its shell's environment, \$0, \$1, directory and exit status are a full start's"
expect_eq "$RC:$OUT" "7:hello from flake|name|arg|$P|xterm-a" "control: that is the project's environment, the arguments and status given"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env TERM=xterm-b -c 'echo "$TERM $((6 * 7))"'
expect_eq "$(way):$OUT" "fast:xterm-b 42" "FJ-3 per-start: another command and another TERM, the same record: this start's own"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env SECRET_TOKEN=s3cret -c 'echo "[${SECRET_TOKEN-unset}]"'
expect_eq "$(way):$OUT" "fast:[unset]" "SV-1 env-allowlist: a fast join passes no variable the policy does not"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c 'echo $$ > /tmp/fj-pid; echo $NSBSH_CTL'
expect_match "$OUT" "^/run/nsbsh/ctl/[0-9]+\.request$" "FJ-3 per-start: the shell's control file is its own start's"

run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c '[ -e /tmp/fj-once ] || { : >/tmp/fj-once; nsb reload; }; echo "after reload $?"'
expect_eq "$RC:$OUT" "0:after reload 0" "FJ-3 per-start: nsb reload from a fast join's shell: the full start follows, a new shell"
expect_match "$ERR" "fast join of sandbox" "control: that shell was a fast join's"
settled # the reload evaluated again: its files are new

# --- a changed input is a full start, which sees the change --------------------
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env FJ_EXTRA=seen -c 'echo "[${FJ_EXTRA-unset}]"'
expect_eq "$(way):$OUT" "fast:[unset]" "control: FJ_EXTRA is not passed by the policy"
userconf "network = host" 'passthrough = { "FJ_*" }'
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env FJ_EXTRA=seen -c 'echo "[${FJ_EXTRA-unset}]"'
expect_eq "$(way):$OUT" "full:[seen]" "IN-2 replay-exact: the policy file changed: a full start, with the new policy"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true # a join of the new policy's sandbox
expect_contains "$ERR" "nsbsh.conf changed in the last two seconds" "IN-3 not-racy: a start right after a change leaves no record"
settled
expect_eq "$(way)" recorded "IN-3 not-racy: two seconds on, a start records again"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env FJ_EXTRA=seen -c 'echo "[${FJ_EXTRA-unset}]"'
expect_eq "$(way):$OUT" "fast:[seen]" "FJ-3 per-start: the new record passes what the new policy passes"

# --- the password database: the entry read from /etc/passwd, which is kept ---------
# (base/inputs.c: with nsswitch.conf's passwd files first and no nscd, the
# file's identity stands for the entry; otherwise the entry is asked again)
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true
expect_eq "$(way)" fast "control: nothing changed, a fast join"
if root_step passwd-gecos "IN-2 replay-exact: /etc/passwd rewritten (usermod -c), a full start"; then
	run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c 'echo "$HOME"'
	expect_eq "$(way)" full "IN-2 replay-exact: /etc/passwd rewritten (usermod -c), a full start"
	expect_eq "$RC" 0 "control: which runs its shell"
	root_do passwd-restore
	settled
	run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true
	expect_eq "$(way)" fast "control: /etc/passwd settled, a fast join again"
fi

# --- the record is nsbsh's own ---------------------------------------------------
rec=$(find "$RECORDS" -type f -newer "$CONF" | head -n1)
chmod 0644 "$rec"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true
expect_ne "$(way)" fast "FJ-2 record-own: a record others could have written is not used"
expect_contains "$ERR" "no fast join: Operation not permitted" "FJ-2 record-own: for that reason alone"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true
expect_eq "$(way)" fast "control: the record written again is used"
expect_eq "$(stat -c %a "$rec")" 600 "control: and is the user's alone again"

mkdir "$P/sub"
run_nsbsh --in "$P/sub" --env NSBSH_DEBUG=1 -c 'pwd'
expect_eq "$(way):$OUT" "full:$P/sub" "FJ-1 same-decision: another directory has a record of its own"

# --- what the view protects, made since: a full start, a new sandbox -----------------
# (issue 15: a sandbox built before a protected path existed is not joined)
sid() { sed -n 's/.*\(fast \)\{0,1\}join\(ing\)\{0,1\} \{0,1\}\(of \)\{0,1\}sandbox \([0-9a-f]*\).*/\4/p' <<<"$ERR" | head -n1; }
settled # the new sub/ read again: the nested memo written
settled
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c true
expect_eq "$(way)" fast "control: nothing changed, a fast join"
before=$(sid)
mkdir "$P/.vscode"
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c 'touch .vscode/tasks.json 2>/dev/null && echo writable || echo read-only'
expect_eq "$(way)" full "FJ-1 same-decision: a protected path made since the record (.vscode) is a full start"
expect_ne "$(sid)" "$before" "FJ-1 same-decision: which builds the view's new sandbox, not the one before"
expect_eq "$OUT" read-only "control: where .vscode is read-only (PROT)"

# --- no sandbox, no fast join; the shell runs once -------------------------------------
run "$NSB" stop --all
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 -c 'echo x >> /tmp/fj-count; wc -l < /tmp/fj-count'
expect_eq "$RC:$OUT" "0:1" "FJ-4 not-twice: its sandbox gone, the record's start is a full start that runs the command once"
expect_no_match "$ERR" "fast join of sandbox" "FJ-4 not-twice: no fast join of a sandbox that is not there"

# --- an ssh session always decides ----------------------------------------------
run_nsbsh --in "$P" --env NSBSH_DEBUG=1 --env "SSH_CONNECTION=127.0.0.1 1 127.0.0.1 22" -c 'echo ssh'
expect_eq "$OUT" ssh "control: the ssh start runs its command"
expect_eq "$(way)" full "FJ-1 same-decision: a start in an ssh session is never a fast join"
