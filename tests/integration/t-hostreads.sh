# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-hostreads: what nsbsh itself reads or runs on the host, where code in a
# sandbox may have left something: the sandbox's bash only from /nix/store
# (HOST-1, src/main.c shell_bash), env and watched files read without
# following a link (HOST-2, src/env/cache.c), the cache entry's lock never a
# link or FIFO (HOST-3, src/env/choice.c), the evaluation with stdin
# /dev/null, no flake nixConfig, a time limit and git settings that keep the
# repository's config from running code (EV-5, src/env/nix.c,
# src/sandbox/eval-view.c), `nsb sessions rm` refusing a session a shell runs
# in (HOST-5, src/nsb/sessions.c), and `nsb trust` showing what it pins and
# pinning only what the person read (HOST-6, src/nsb/trust.c).
. "$(dirname "$0")/../lib.sh"

NSB=$(dirname "$NSBSH")/nsb
SECRET=$HOME/secret.txt
echo "SECRET-TOKEN-$$" >"$SECRET"

# --- HOST-1: /bin/bash only from the store ----------------------------------------
B=$W/badpath
mkproject "$B" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$W/evil"
cp "$SECRET" "$W/secret-x" && chmod +x "$W/secret-x"
ln -s "$W/secret-x" "$W/evil/bash"
# the environment's PATH names a host directory first, whose bash is a link
sed -i "s|PATH = \"\${tools}/bin\";|PATH = \"$W/evil:\${tools}/bin\";|" "$B/flake.nix"
git -C "$B" commit -qam "a PATH with a host directory" --author 't <t@t>' -c user.name=t -c user.email=t@t 2>/dev/null ||
	git -C "$B" -c user.name=t -c user.email=t@t commit -qam "a PATH with a host directory"
run_nsbsh --in "$B" -c 'echo "[$DEMO_VAR]"; grep -c SECRET-TOKEN /bin/bash; echo "${PATH%%:*}"'
expect_eq "$(sed -n 1p <<<"$OUT")" "[hello from flake]" "HOST-1 bash-from-store: the project still starts"
expect_eq "$(sed -n 2p <<<"$OUT")" 0 "HOST-1 bash-from-store: a bash on the environment's PATH outside /nix/store is not bound at /bin/bash"
expect_eq "$(sed -n 3p <<<"$OUT")" "$W/evil" "HOST-1 bash-from-store: (the environment's PATH does name that directory first)"

# --- HOST-2: env and watched files are read without following links -----------------
L=$W/links
mkproject "$L" || { t_fail "mkproject" "fixture not created"; exit 1; }
run_nsbsh --in "$L" -c true
run_nsbsh --in "$L" -c "ln -sf '$SECRET' flake.lock && echo planted"
expect_eq "$OUT" planted "HOST-2 env-files-no-follow: code inside can make flake.lock a link to a file of the home"
run_nsbsh --in "$L" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "HOST-2 env-files-no-follow: the next start works"
expect_eq "$(grep -rl "SECRET-TOKEN" "$XDG_CACHE_HOME" 2>/dev/null | head -1)" "" "HOST-2 env-files-no-follow: the file behind the link is not copied into the cache"
saved=$(grep -rl "symbolic link to $SECRET" "$XDG_CACHE_HOME/nsbsh/env" 2>/dev/null | head -1)
expect_ne "$saved" "" "HOST-2 env-files-no-follow: the entry keeps what the link says instead"
mkdir -p "$HOME/.config/nsbsh"
echo 'watch = { "notes/watched.txt" }' >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$L" -c "mkdir -p real && ln -sfn '$HOME' notes && echo planted"
run_nsbsh --in "$L" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC" 0 "HOST-2 env-files-no-follow: a watched file behind a directory link: the start works"
cp "$SECRET" "$HOME/watched.txt"
run_nsbsh --in "$L" -c true
expect_eq "$(grep -rl "SECRET-TOKEN" "$XDG_CACHE_HOME" 2>/dev/null | head -1)" "" "HOST-2 env-files-no-follow: nor a file behind a link on the way"
rm -f "$HOME/.config/nsbsh/nsbsh.conf" "$HOME/watched.txt"

# --- HOST-3: the cache entry's lock is no link and no FIFO --------------------------------
fresh_cache # one entry only: the one the next starts use
run_nsbsh --in "$L" -c true
entry=$(dirname "$(find "$XDG_CACHE_HOME/nsbsh/env" -name meta | head -1)")
expect_eq "$(find "$XDG_CACHE_HOME/nsbsh/env" -name meta | wc -l)" 1 "HOST-3 temp-excl: (one cache entry)"
rm -f "$entry/lock" && ln -s "$W/made-through-lock" "$entry/lock"
rm -f "$entry/meta" # the next start builds this entry again, taking its lock
run_nsbsh --in "$L" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "HOST-3 temp-excl: a link planted at the entry's lock: the build still works"
expect_path_absent "$W/made-through-lock" "HOST-3 temp-excl: the lock is not opened through the link"
rm -f "$entry/lock" "$entry/meta" && mkfifo "$entry/lock"
run_nsbsh --in "$L" -c 'echo "[$DEMO_VAR]"'
expect_eq "$RC:$OUT" "0:[hello from flake]" "HOST-3 temp-excl: a FIFO planted at the entry's lock: the build neither hangs nor fails"

# --- EV-5: the evaluation asks nothing, is bounded, and its git runs no config --------
Q=$W/nixconfig
mkproject "$Q" || { t_fail "mkproject" "fixture not created"; exit 1; }
sed -i 's|^{$|{\n  nixConfig.bash-prompt = "from the flake> ";|' "$Q/flake.nix"
git -C "$Q" -c user.name=t -c user.email=t@t commit -qam "nixConfig"
TM=(tmux -S "$W/tmux.sock")
trap '"${TM[@]}" kill-server 2>/dev/null; t_exit_' EXIT
"${TM[@]}" new-session -d -s t -x 200 -y 30 -c "$Q" "'$NSBSH' -c 'echo \"[\$DEMO_VAR]\"'; echo \"exited \$?\"; sleep 30"
for _ in $(seq 400); do
	PANE=$("${TM[@]}" capture-pane -p -J -t t -S -100 2>/dev/null)
	[[ $PANE =~ exited|allow\ configuration ]] && break
	sleep 0.1
done
expect_no_match "$PANE" "do you want to allow configuration setting" "EV-5 no-questions: on a terminal, a flake's nixConfig asks nothing (stdin /dev/null)"
expect_contains "$PANE" "[hello from flake]" "EV-5 no-questions: and the environment is built"
"${TM[@]}" kill-server 2>/dev/null

S=$W/slow
mkproject "$S" || { t_fail "mkproject" "fixture not created"; exit 1; }
# an input that takes 40 s to build (print-dev-env builds the inputs)
sed -i "s|name = \"tools\";|name = \"tools\"; nonce = \"$$-$RANDOM\";|; s|\"\${self}/busybox mkdir -p|\"\${self}/busybox sleep 40; \${self}/busybox mkdir -p|" "$S/flake.nix"
git -C "$S" -c user.name=t -c user.email=t@t commit -qam "a slow build"
echo 'eval_timeout = 3' >"$HOME/.config/nsbsh/nsbsh.conf"
run_nsbsh --in "$S" -c 'echo "[$DEMO_VAR]"'
expect_ne "$RC" 124 "EV-5 time limit: a build longer than eval_timeout does not hold the start"
expect_contains "$ERR" "nix print-dev-env did not finish within 3 s (policy eval_timeout): stopped" "EV-5 time limit: the start says the evaluation was stopped, and why"
rm -f "$HOME/.config/nsbsh/nsbsh.conf"

G=$W/gitcfg
mkproject "$G" || { t_fail "mkproject" "fixture not created"; exit 1; }
echo "dirty" >"$G/untracked-change" && git -C "$G" add untracked-change # a dirty tree: nix asks git about it
marker='for d in '"$XDG_CACHE_HOME"'/nsbsh/env/*/; do echo ran >"$d/git-config-ran"; done; false'
git -C "$G" config core.fsmonitor "$marker"
git -C "$G" config filter.evil.clean "sh -c '$marker'"
echo '* filter=evil' >"$G/.gitattributes"
run_nsbsh --in "$G" -c 'echo "[$DEMO_VAR]"'
expect_eq "$(find "$XDG_CACHE_HOME/nsbsh/env" -name git-config-ran | head -1)" "" "EV-5 git-config: git in the evaluation runs neither the repository's core.fsmonitor nor its filters"
git -C "$G" config --unset core.fsmonitor; git -C "$G" config --remove-section filter.evil

# --- HOST-5: nsb sessions rm refuses a session a shell runs in ---------------------------
P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
run_nsbsh --in "$P" --env NSBSH_SESSION=busy -c pwd
busy=$OUT
# the flag is written in the session's work tree, which the host sees
(cd "$P" && NSBSH_SESSION=busy exec "$NSBSH" -c 'echo started >started.flag; sleep 60') </dev/null >/dev/null 2>&1 &
bg=$!
for _ in $(seq 300); do [ -e "$busy/started.flag" ] && break; sleep 0.1; done
expect_path_present "$busy/started.flag" "HOST-5 sessions-rm-live: (a shell runs in the session)"
run --in "$P" -- "$NSB" sessions rm busy --force
expect_eq "$RC" 1 "HOST-5 sessions-rm-live: nsb sessions rm of a session a shell runs in is refused, --force or not"
expect_contains "$ERR" "the session 'busy' is in use: its sandbox runs in" "HOST-5 sessions-rm-live: it says why"
expect_eq "$(git -C "$P" worktree list | grep -c busy)" 1 "HOST-5 sessions-rm-live: the work tree is still there"
kill "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
for _ in $(seq 100); do
	run --in "$P" -- "$NSB" sessions rm busy --force
	[ "$RC" = 0 ] && break
	sleep 0.1
done
expect_eq "$RC" 0 "HOST-5 sessions-rm-live: once the shell ended, the session is removed (control)"

# --- HOST-6: nsb trust shows what it pins, and pins only what was read ------------------
printf 'network = off\n' >"$P/.nsbsh.conf"
read_hash=$(sha256sum "$P/.nsbsh.conf" | cut -d' ' -f1)
# code in the sandbox changes the file after the person read it
run_nsbsh --in "$P" -c "printf 'bind = { \"$HOME:/h:rw\" }\n' >.nsbsh.conf; echo changed"
run -- "$NSB" trust --sha256 "$read_hash" "$P"
expect_eq "$RC" 1 "HOST-6 trust-shows: nsb trust --sha256 of what was read, after the file changed: refused"
expect_contains "$ERR" "is not what you read: its sha256 is" "HOST-6 trust-shows: it says the file changed"
run_nsbsh --in "$P" -c 'echo "[$DEMO_VAR]"'
expect_contains "$ERR" "is not trusted, so it is ignored" "HOST-6 trust-shows: the changed file stays untrusted"
printf 'network = off\n' >"$P/.nsbsh.conf"
run -- "$NSB" trust --sha256 "$read_hash" "$P"
expect_eq "$RC" 0 "HOST-6 trust-shows: nsb trust --sha256 of the very content: pinned"
expect_contains "$OUT" "  | network = off" "HOST-6 trust-shows: it prints the content it pinned"
expect_contains "$OUT" "sha256 $read_hash" "HOST-6 trust-shows: and its hash"
printf 'network = off\n# \033]0;title\007\n' >"$P/.nsbsh.conf"
run -- "$NSB" trust "$P"
expect_contains "$OUT" '  | # \x1b]0;title\x07' "HOST-6 trust-shows: control bytes are shown, not sent to the terminal"
run -- "$NSB" trust --sha256 nothex "$P"
expect_eq "$RC" 2 "HOST-6 trust-shows: --sha256 takes 64 hex digits (usage error otherwise)"

# --- git outside still works on the project ---------------------------------------
git_still_works "$L"
