# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-homerc: the private home's startup files are not the sandbox's to write
# (src/sandbox/homerc.c HOMERC-1). Code inside once could append to the
# private home's ~/.bash_profile; every later shell, and an editor's
# `$SHELL -ilc env` probe, then carried what it exported (GIT_CONFIG_COUNT,
# KEY_0, VALUE_0 reached git outside through the probe). Now the six files
# bash reads come from ~/.config/nsbsh/home/ (edited outside), read-only
# inside, present or not.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
RCD=$HOME/.config/nsbsh/home
mkdir -p "$RCD"
printf 'export FROM_MY_BASHRC=yes\n' >"$RCD/.bashrc"
printf 'export FROM_MY_PROFILE=yes\n' >"$RCD/.profile"
ROFS="Read-only file system"
payload='export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0="touch '$W'/pwned"'

# --- HOMERC-1: each of the six cannot be written, the user's nor the missing ones
for f in .bashrc .profile .bash_profile .bash_login .bash_logout .inputrc; do
	run_nsbsh --in "$P" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; if echo '$payload' >>~/$f; then echo wrote; else echo refused; fi"
	expect_eq "$OUT" refused "HOMERC-1 rc-from-outside: ~/$f cannot be written inside"
	expect_contains "$ERR" "$ROFS" "HOMERC-1 rc-from-outside: ~/$f: $ROFS"
done
run_nsbsh --in "$P" -c 'rm -f ~/.bash_profile 2>&1; mv ~/.bashrc ~/moved 2>&1; ln -s /tmp/x ~/.bash_login 2>&1; echo x >~/notes && echo home-writable'
expect_eq "$(grep -c 'Device or resource busy\|File exists' <<<"$OUT")" 3 "HOMERC-1 rc-from-outside: nor removed, renamed or replaced by a link"
expect_contains "$OUT" home-writable "HOMERC-1 rc-from-outside: the rest of the private home stays writable (control)"
expect_eq "$(cat "$RCD/.bashrc")" "export FROM_MY_BASHRC=yes" "HOMERC-1 rc-from-outside: your own ~/.config/nsbsh/home/.bashrc is unchanged"

# --- what bash reads: yours, as bash would ------------------------------------
run_nsbsh --in "$P" -i -c 'echo "[$FROM_MY_BASHRC]"'
expect_eq "$OUT" "[yes]" "HOMERC-1 rc-from-outside: an interactive shell reads your .bashrc"
run_nsbsh --in "$P" -l -c 'echo "[$FROM_MY_PROFILE]"'
expect_eq "$OUT" "[yes]" "HOMERC-1 rc-from-outside: a login shell reads your .profile (no .bash_profile: as bash would)"
printf 'export FROM_MY_BASH_PROFILE=yes\n' >"$RCD/.bash_profile"
run_nsbsh --in "$P" -l -c 'echo "[$FROM_MY_BASH_PROFILE][$FROM_MY_PROFILE]"'
expect_eq "$OUT" "[yes][]" "HOMERC-1 rc-from-outside: with a .bash_profile, a login shell reads it and not .profile"

# --- the editor's probe carries nothing the sandbox wrote ----------------------
# An older nsbsh let code inside append to the private home's .bash_profile;
# what a sandbox left there stays hidden under the read-only file.
phome=$(echo "$XDG_DATA_HOME"/nsbsh/home/*)
echo "$payload" >>"$phome/.bash_profile"
run_nsbsh --in "$P" -ilc env
expect_contains "$OUT" "DEMO_VAR=hello from flake" "the probe (\$SHELL -ilc env) prints the project's environment"
expect_no_match "$OUT" "GIT_CONFIG_(COUNT|KEY_0|VALUE_0)" "HOMERC-1 rc-from-outside: the probe carries nothing a sandbox wrote in the private home"
probe_env=()
while IFS= read -r line; do [[ $line == *=* ]] && probe_env+=("$line"); done <<<"$OUT"
run --in "$P" -- env -i "${probe_env[@]}" /usr/bin/git status --short
expect_eq "$RC" 0 "git outside, run with the probe's environment, works"
expect_path_absent "$W/pwned" "git outside, run with the probe's environment, ran nothing planted"

# --- a link left in the private home does not stop the next start ---------------
run_nsbsh --in "$P" -c 'echo "[$DEMO_VAR]"'
ln -sf /nonexistent/x "$phome/.bash_logout"
mkdir -p "$phome/.inputrc.d" && rm -f "$phome/.inputrc" && mkdir "$phome/.inputrc"
run_nsbsh --in "$P" -c 'echo "[$DEMO_VAR]"; cat ~/.bash_logout ~/.inputrc | wc -c'
expect_eq "$RC:$OUT" "0:[hello from flake]
0" "HOMERC-1 rc-from-outside: a link or a directory left at those names is replaced at the next start, which works"

# --- git outside still works on the project ---------------------------------------
git_still_works "$P"
