# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-doctor: nsb doctor passes on this machine, and names the problem and its
# fix when one thing at a time is broken: the /etc/shells entry, a
# configuration file, a cache entry's GC root, nix on PATH, user namespaces
# and the nix daemon (stopped for one run of nsb doctor: the root hook).
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
EXE=$(realpath "$NSBSH")
CHECKS='user namespaces|nix|nix daemon|nix daemon trust|flakes|landlock|network|/etc/shells|configuration|cache'
# The machine's own nix.conf, read here by grep: a daemon that does not
# sandbox builds is a problem nsb doctor must name (issue 17 item 5;
# Debian's nix-bin ships sandbox = false).
nosandbox=$(grep -Ec '^[[:space:]]*sandbox[[:space:]]*=[[:space:]]*(false|relaxed)' /etc/nix/nix.conf 2>/dev/null)
[ "$nosandbox" -le 1 ] || nosandbox=1

# check_line NAME - the line of $OUT for the check NAME.
check_line() { grep -E "^(ok|PROBLEM) +$1: " <<<"$OUT"; }
# fixes NAME - the fix lines under the line of the check NAME, without "fix: ".
fixes() {
	awk -v name="$1" '
		/^(ok|PROBLEM) / { inside = substr($0, 10, length(name) + 2) == name ": "; next }
		inside && /^         fix: / { print substr($0, 15) }' <<<"$OUT"
}
problems() { grep -c '^PROBLEM  ' <<<"$OUT"; }
doctor() { run "$@" -- "$NSB" doctor; } # [run options]

# --- the format, and the one problem a test install has: /etc/shells ---------------
doctor --in "$W"
expect_eq "$(grep -vE '^(ok     |PROBLEM)  |^         (fix|note): ' <<<"$OUT")" "" \
	"nsb doctor: every line is 'ok', 'PROBLEM' or an indented fix or note"
expect_eq "$(grep -oE '^(ok|PROBLEM) +[^:]+' <<<"$OUT" | sed -E 's/^(ok|PROBLEM) +//' | paste -sd'|')" "$CHECKS" \
	"nsb doctor: one line per check, in order"
expect_no_match "$OUT" $'\e' "nsb doctor: no colour when stdout is not a terminal"
expect_eq "$ERR" "" "nsb doctor: nothing on stderr"
if grep -qxF "$EXE" /etc/shells; then
	t_skip "/etc/shells: a missing entry is named" "$EXE is listed already"
else
	expect_eq "$RC" 1 "/etc/shells without nsbsh: status 1"
	expect_eq "$(check_line /etc/shells)" "PROBLEM  /etc/shells: does not list $EXE (chsh refuses to set a shell it does not list)" \
		"/etc/shells without nsbsh: the line names the binary"
	expect_eq "$(fixes /etc/shells)" "echo $EXE | sudo tee -a /etc/shells" "/etc/shells without nsbsh: the fix is the command"
fi

# --- a good machine: every line ok, status 0 ----------------------------------------
if root_step shells-add "nsb doctor passes"; then
	abi=$(perl -e 'my $v = syscall(444, 0, 0, 1); print $v < 0 ? 0 : $v')
	doctor --in "$W"
	if [ "$abi" -ge 2 ]; then
		expect_eq "$RC:$(problems)" "$nosandbox:$nosandbox" "nsb doctor passes on this machine: status 0, no PROBLEM line (but the daemon's sandbox = false, where nix.conf says so)"
	else
		expect_eq "$RC:$(check_line landlock | cut -c1-7)" "1:PROBLEM" "nsb doctor on a kernel without Landlock: that is its one problem"
	fi
	expect_eq "$(check_line 'nix daemon')" "ok       nix daemon: /nix/var/nix/daemon-socket/socket accepts connections" \
		"nsb doctor: the daemon socket answers"
	if [ "$nosandbox" = 1 ]; then
		expect_match "$(check_line 'nix daemon trust')" "^PROBLEM  nix daemon trust: /etc/nix/nix.conf: the daemon does not sandbox builds \\(sandbox = (false|relaxed)\\); sandboxes do not see its socket" \
			"nsb doctor: a daemon with sandbox = false is a problem (issue 17 item 5)"
		expect_eq "$(fixes 'nix daemon trust')" "set 'sandbox = true' in /etc/nix/nix.conf, then restart nix-daemon" \
			"nsb doctor: its fix names the setting"
	else
		expect_match "$(check_line 'nix daemon trust')" '^ok       nix daemon trust: ' "nsb doctor: the daemon trusts no user but root and sandboxes builds"
	fi
	expect_match "$(check_line network)" '^ok       network: /[^ ]*/pasta and /dev/net/tun' "nsb doctor: pasta found for network = on"
	expect_match "$(check_line nix)" '^ok       nix: /[^ ]+/nix, version [0-9]+\.[0-9]+' "nsb doctor: nix and its version"
	expect_match "$(check_line flakes)" '^ok       flakes: enabled \(experimental-features = .*flakes' "nsb doctor: flakes enabled"
	expect_eq "$(check_line /etc/shells)" "ok       /etc/shells: lists $EXE" "nsb doctor: nsbsh found in /etc/shells"
	expect_eq "$(check_line cache)" "ok       cache: $XDG_CACHE_HOME/nsbsh: none yet (the first start in a project makes it)" \
		"nsb doctor: a cache that does not exist yet is fine"
	expect_path_absent "$XDG_CACHE_HOME/nsbsh" "nsb doctor creates no cache directory"
fi

# --- the cache: entries, size, and an entry whose GC root is gone ------------------
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
expect_eq "$OUT" "hello from flake" "the fixture's environment is built"
doctor --in "$W"
expect_match "$(check_line cache)" "^ok       cache: $XDG_CACHE_HOME/nsbsh: 1 environment, [0-9.]+ (KiB|MiB), every GC root alive$" \
	"cache: one entry, its size, its GC root alive"
entry=$(ls -d "$XDG_CACHE_HOME"/nsbsh/env/*/)
entry=${entry%/}
# As after a copy of the cache from another machine, or a store path
# deleted despite its root: the profile link leads nowhere.
ln -sfn /nix/store/00000000000000000000000000000000-gone "$entry/profile"
doctor --in "$W"
expect_eq "$RC" 1 "a lost GC root: status 1"
expect_match "$(check_line cache)" "^PROBLEM  cache: $XDG_CACHE_HOME/nsbsh: 1 environment, .*; 1 lost its GC root" \
	"a lost GC root: the cache line says so"
fix=$(fixes cache)
expect_eq "$fix" "rm -r $entry (the next start in $P builds it again)" "a lost GC root: the fix names the entry and its project"
run /bin/bash -c "${fix%% (*}"
doctor --in "$W"
expect_match "$(check_line cache)" '^ok       cache: .*: 0 environments' "a lost GC root: the fix, run as printed, removes the entry"
run_nsbsh --in "$P" -c 'echo "$DEMO_VAR"'
expect_eq "$OUT" "hello from flake" "a lost GC root: the next start builds the environment again, as the fix says"

# --- a broken configuration file -------------------------------------------------------
# tests/run sets no XDG_CONFIG_HOME: the user file is $HOME/.config/nsbsh/nsbsh.conf
# unless the test sets it.
mkdir -p "$W/config/nsbsh"
printf '# mine\nnetwork = maybe\n' >"$W/config/nsbsh/nsbsh.conf"
doctor --in "$W" --env XDG_CONFIG_HOME="$W/config"
expect_eq "$RC" 1 "a broken user configuration: status 1"
expect_eq "$(check_line configuration)" "PROBLEM  configuration: $W/config/nsbsh/nsbsh.conf:2: key 'network': 'maybe' is not on, host, off or allow" \
	"a broken user configuration: the error names the file, the line and the key"
expect_eq "$(fixes configuration)" "edit $W/config/nsbsh/nsbsh.conf, line 2: nsbsh.conf(5) lists the keys and their values" \
	"a broken user configuration: the fix names the file and the line"
expect_eq "$(check_line cache | cut -c1-2)" "ok" "a broken user configuration: the other checks still run"
mkdir -p "$HOME/.config/nsbsh"
printf 'no_such_key = 1\n' >"$HOME/.config/nsbsh/nsbsh.conf"
doctor --in "$W"
expect_eq "$RC:$(check_line configuration)" "1:PROBLEM  configuration: $HOME/.config/nsbsh/nsbsh.conf:1: unknown key 'no_such_key'" \
	"a broken ~/.config/nsbsh/nsbsh.conf (no XDG_CONFIG_HOME): named"
printf 'network = off\n' >"$HOME/.config/nsbsh/nsbsh.conf"
doctor --in "$W"
# The system's file is the one this nsbsh was built to read (tests/run's own,
# or /etc/nsbsh/nsbsh.conf for NSBSH=...): named, absent or valid.
expect_match "$(check_line configuration)" "^ok       configuration: /[^ ]*/nsbsh/nsbsh\.conf (valid|absent), $HOME/\.config/nsbsh/nsbsh\.conf valid\$" \
	"a valid user configuration: ok"
rm -rf "$HOME/.config/nsbsh"

# --- nix missing ------------------------------------------------------------------------
mkdir -p "$W/nobin"
doctor --in "$W" --env PATH="$W/nobin"
expect_eq "$RC:$(check_line nix)" "1:PROBLEM  nix: not found on PATH (a project's environment cannot be built)" \
	"nix not on PATH: named"
expect_match "$(fixes nix)" '^sudo apt-get install nix-bin' "nix not on PATH: the fix installs it"

# --- no user namespaces -------------------------------------------------------------------
# Without root: a user namespace whose user.max_user_namespaces is 0.
run --in "$W" -- "$FIXTURES/without-userns" "$NSB" doctor
expect_eq "$RC:$(check_line 'user namespaces')" "1:PROBLEM  user namespaces: refused (clone: No space left on device): user.max_user_namespaces is 0" \
	"no user namespaces (nested limit 0): the line names the sysctl"
expect_eq "$(fixes 'user namespaces')" "sudo sysctl -w user.max_user_namespaces=15000
to keep it after a reboot: echo 'user.max_user_namespaces = 15000' | sudo tee /etc/sysctl.d/60-nsbsh.conf" \
	"no user namespaces (nested limit 0): the fix sets it"
# With root: the real sysctl.
if root_step userns-off "no user namespaces (sysctl): named"; then
	doctor --in "$W"
	root_do userns-on
	expect_match "$RC:$(check_line 'user namespaces')" "^1:PROBLEM  user namespaces: refused \(clone: .*\): user.max_user_namespaces is 0$" \
		"no user namespaces (sysctl): the line names the sysctl"
fi

# --- the nix daemon stopped ----------------------------------------------------------------
# Down for one run of nsb doctor only: other suites on this machine share it.
t0=$(date +%s%N)
if root_step daemon-stop "the nix daemon stopped: named"; then
	doctor --in "$W"
	root_do daemon-start
	rc=$?
	diag "the daemon was down for $((($(date +%s%N) - t0) / 1000000)) ms"
	expect_eq "$rc" 0 "the nix daemon started again (root hook)"
	expect_eq "$RC:$(check_line 'nix daemon')" "1:PROBLEM  nix daemon: cannot connect to /nix/var/nix/daemon-socket/socket: Connection refused" \
		"the nix daemon stopped: the line says the socket refuses"
	expect_match "$(fixes 'nix daemon')" '^sudo .*nix-daemon' "the nix daemon stopped: the fix starts it"
	expect_eq "$(problems)" "$(($(grep -qxF "$EXE" /etc/shells && echo 0 || echo 1) + 1 + nosandbox))" \
		"the nix daemon stopped: the other checks are not affected"
	doctor --in "$W"
	expect_match "$(check_line 'nix daemon')" '^ok ' "the nix daemon started again: ok"
fi

# --- usage ---------------------------------------------------------------------------------
run -- "$NSB" doctor extra
expect_eq "$RC:$OUT:$ERR" "2::nsb: usage: nsb doctor (it takes no arguments)" "nsb doctor with an argument: status 2, one line"
