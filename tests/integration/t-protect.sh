# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-protect: the work tree's protected paths (src/git/protect.c PROT-1 to
# PROT-6, bound by src/sandbox/gitprotect.c gitprotect_paths): what git's
# config makes git outside run or read (core.hooksPath, include.path and
# includeIf targets, a command's program, config.worktree), the configs of
# the hook managers installed in .git/hooks (husky, pre-commit, lefthook, a
# hook linked into .githooks/), and the policy's `protect` (default .vscode,
# .idea, .claude, .mcp.json). Each attack is what code in the sandbox would
# do (the environment's busybox); each must fail with EROFS, and git outside,
# run afterwards as the user runs it, must not run what the attack wrote and
# must still work on the project.
. "$(dirname "$0")/../lib.sh"

CANARY=$W/pwned
ROFS="Read-only file system"
gitc=(git -c user.name=t -c user.email=t@t -c commit.gpgsign=false -c protocol.file.allow=always)

# attack NAME DIR SCRIPT [ERROR] - SCRIPT run in DIR's sandbox must be
# refused, with ERROR (EROFS: a read-only bind), inside the sandbox (the
# environment is there).
attack() {
	run_nsbsh --in "$2" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; if $3; then echo wrote; else echo refused; fi"
	expect_eq "$OUT" refused "$1"
	expect_contains "$ERR" "${4:-$ROFS}" "$1: ${4:-$ROFS}"
}
# control NAME DIR SCRIPT - SCRIPT works in the sandbox (what the attack
# left out of reach is the only thing out of reach).
control() {
	run_nsbsh --in "$2" -c "[ -n \"\$DEMO_VAR\" ] || echo not-sandboxed; if $3; then echo wrote; else echo refused; fi"
	expect_eq "$OUT" wrote "$1"
}
payload="printf '#!/bin/sh\ntouch $CANARY\n'"

# --- PROT-1: core.hooksPath into the work tree (husky 9: .husky/_) --------
H=$W/husky
mkproject "$H" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$H/.husky/_"
printf '#!/bin/sh\nexec sh .husky/pre-commit "$@"\n' >"$H/.husky/_/pre-commit"
printf 'echo lint ran\n' >"$H/.husky/pre-commit"
chmod +x "$H/.husky/_/pre-commit"
git -C "$H" add .husky && "${gitc[@]}" -C "$H" commit -qm husky
git -C "$H" config core.hooksPath .husky/_
attack "PROT-1 from-config: a hook of core.hooksPath (.husky/_) cannot be changed" "$H" "$payload >.husky/_/pre-commit"
attack "PROT-2 managers: husky's own hooks (.husky/pre-commit) cannot be changed" "$H" "echo 'touch $CANARY' >>.husky/pre-commit"
attack "PROT-1 from-config: no new hook can be added to core.hooksPath" "$H" "$payload >.husky/_/pre-push"
control "PROT-1 from-config: the rest of the work tree stays writable (control)" "$H" "echo x >notes.txt"
run --in "$H" -- "${gitc[@]}" commit -q --allow-empty -m after
expect_eq "$RC:$ERR" "0:lint ran" "PROT-1 from-config: git commit outside runs the hook as it was"
expect_path_absent "$CANARY" "PROT-1 from-config: nothing the sandbox wrote ran outside"

# A hooks directory the config names but that is missing is made, empty,
# and is read-only: nothing can be planted there before git looks.
G=$W/githooks
mkproject "$G" || { t_fail "mkproject" "fixture not created"; exit 1; }
git -C "$G" config core.hooksPath .githooks
attack "PROT-1 from-config: a missing core.hooksPath directory cannot be filled" "$G" "mkdir -p .githooks && $payload >.githooks/pre-commit"
if [ -d "$G/.githooks" ] && [ -z "$(ls -A "$G/.githooks")" ]; then t_ok "PROT-1 from-config: the hooks directory was made empty"
else t_fail "PROT-1 from-config: the hooks directory was made empty" "$(ls -la "$G/.githooks" 2>&1)"; fi
run --in "$G" -- "${gitc[@]}" commit -q --allow-empty -m after
expect_eq "$RC" 0 "PROT-1 from-config: git commit outside works"
expect_path_absent "$CANARY" "PROT-1 from-config: no hook ran outside"

# --- PROT-1: include.path and includeIf targets in the work tree ------------
I=$W/include
mkproject "$I" || { t_fail "mkproject" "fixture not created"; exit 1; }
printf '[alias]\n\thi = !echo hi\n' >"$I/.gitconfig.project"
printf '[user]\n\tname = on main\n' >"$I/.branch.inc"
git -C "$I" config include.path ../.gitconfig.project
git -C "$I" config includeIf.onbranch:nowhere.path ../.branch.inc
attack "PROT-1 from-config: an include.path target cannot be changed" "$I" "printf '[core]\n\tfsmonitor = touch $CANARY\n' >>.gitconfig.project"
attack "PROT-1 from-config: an includeIf target cannot be changed, whatever its condition" "$I" "printf '[core]\n\tfsmonitor = touch $CANARY\n' >>.branch.inc"
run --in "$I" -- git status --short
expect_eq "$RC" 0 "PROT-1 from-config: git status outside works"
run --in "$I" -- git hi
expect_eq "$RC:$OUT" "0:hi" "PROT-1 from-config: the included alias works outside"
expect_path_absent "$CANARY" "PROT-1 from-config: no fsmonitor ran outside"

# A command that git's config runs from the work tree.
mkdir -p "$I/tools" && printf '#!/bin/sh\necho lint ok\n' >"$I/tools/lint.sh" && chmod +x "$I/tools/lint.sh"
git -C "$I" config alias.lint '!./tools/lint.sh'
attack "PROT-1 from-config: the program of a command in git's config (alias.lint) cannot be changed" "$I" "echo 'touch $CANARY' >>tools/lint.sh"
run --in "$I" -- git lint
expect_eq "$RC:$OUT" "0:lint ok" "PROT-1 from-config: git lint outside runs it as it was"
expect_path_absent "$CANARY" "PROT-1 from-config: the alias ran nothing planted"

# --- PROT-4: the main work tree's config.worktree ----------------------------
C=$W/cw
mkproject "$C" || { t_fail "mkproject" "fixture not created"; exit 1; }
expect_path_absent "$C/.git/config.worktree" "PROT-4 worktree-config: no config.worktree before the start (control)"
attack "PROT-4 worktree-config: config.worktree cannot be planted" "$C" "printf '[core]\n\tfsmonitor = touch $CANARY\n' >>.git/config.worktree"
expect_eq "$(stat -c %s "$C/.git/config.worktree" 2>&1)" 0 "PROT-4 worktree-config: it was made empty outside"
attack "PROT-4 worktree-config: nor replaced by a rename (a mount point)" "$C" "echo '[core]' >.git/cw.lock && mv -f .git/cw.lock .git/config.worktree" "Device or resource busy"
git -C "$C" config extensions.worktreeConfig true
run --in "$C" -- git status --short
expect_eq "$RC" 0 "PROT-4 worktree-config: git status outside, with extensions.worktreeConfig, works"
expect_path_absent "$CANARY" "PROT-4 worktree-config: nothing planted ran"

# --- PROT-2: hook managers whose stub is in .git/hooks -------------------------
M=$W/managers
mkproject "$M" || { t_fail "mkproject" "fixture not created"; exit 1; }
cat >"$M/.git/hooks/pre-commit" <<'EOF'
#!/usr/bin/env bash
# File generated by pre-commit: https://pre-commit.com
ARGS=(hook-impl --config=.pre-commit-config.yaml --hook-type=pre-commit)
# a stand-in for pre-commit itself: runs the config's entry
sh -c "$(sed -n 's/^ *entry: //p' .pre-commit-config.yaml)"
EOF
printf '#!/bin/sh\n# lefthook stand-in\nsh -c "$(sed -n "s/^ *run: //p" lefthook.yml)"\n' >"$M/.git/hooks/pre-push"
mkdir -p "$M/.githooks" && printf '#!/bin/sh\necho post-commit ran\n' >"$M/.githooks/post-commit"
ln -s ../../.githooks/post-commit "$M/.git/hooks/post-commit"
# a stub that runs whatever .githooks/ holds for its name
printf '#!/bin/sh\n[ ! -x .githooks/pre-rebase ] || exec .githooks/pre-rebase "$@"\n' >"$M/.git/hooks/pre-rebase"
chmod +x "$M/.git/hooks/pre-commit" "$M/.git/hooks/pre-push" "$M/.git/hooks/pre-rebase" "$M/.githooks/post-commit"
printf 'repos:\n- repo: local\n  hooks:\n  - id: t\n    entry: echo pre-commit ran\n' >"$M/.pre-commit-config.yaml"
printf 'pre-push:\n  commands:\n    t:\n      run: echo lefthook ran\n' >"$M/lefthook.yml"
attack "PROT-2 managers: pre-commit's config cannot be changed" "$M" "sed -i 's/entry: .*/entry: touch $CANARY/' .pre-commit-config.yaml || echo x >>.pre-commit-config.yaml"
attack "PROT-2 managers: lefthook's config cannot be changed" "$M" "echo '      run: touch $CANARY' >>lefthook.yml"
attack "PROT-2 managers: a hook linked into .githooks/ cannot be changed" "$M" "echo 'touch $CANARY' >>.githooks/post-commit"
attack "PROT-2 managers: nor .githooks/ itself, which a stub runs" "$M" "$payload >.githooks/pre-rebase"
run --in "$M" -- "${gitc[@]}" commit -q --allow-empty -m after
expect_eq "$RC:$ERR" "0:pre-commit ran
post-commit ran" "PROT-2 managers: git commit outside runs the managers' hooks as they were"
expect_path_absent "$CANARY" "PROT-2 managers: nothing planted ran"

# --- PROT-3: the policy's protect, its default and its merge -------------------
D=$W/editors
mkproject "$D" || { t_fail "mkproject" "fixture not created"; exit 1; }
mkdir -p "$D/.vscode" "$D/.claude" "$D/ci"
echo '{}' >"$D/.vscode/tasks.json"
echo '{}' >"$D/.claude/settings.json"
echo 'echo deploy' >"$D/ci/deploy.sh"
attack "PROT-3 policy: the default protects .vscode/ (tasks run outside)" "$D" "echo '{\"tasks\":[{\"command\":\"touch $CANARY\"}]}' >.vscode/tasks.json"
attack "PROT-3 policy: the default protects .claude/ (its hooks run outside)" "$D" "echo '{\"hooks\":{}}' >.claude/settings.json"
attack "PROT-3 policy: nothing new in .vscode/ either" "$D" "echo '{}' >.vscode/launch.json"
control "PROT-3 policy: ci/deploy.sh is writable while no policy names it (control)" "$D" "echo '# ok' >>ci/deploy.sh"
# made outside while the project's sandbox lingers (live sandboxes): the
# next start does not join a sandbox built before it existed
run_nsbsh --in "$D" -c true
echo '{"mcpServers":{}}' >"$D/.mcp.json"
attack "PROT-3 policy: a protected file made outside after the sandbox was built is read-only at the next start" "$D" "echo '{\"mcpServers\":{\"x\":{\"command\":\"touch $CANARY\"}}}' >.mcp.json"
# a trusted .nsbsh.conf sets it (its own list: it counts as the user's words)
printf 'protect = { ".vscode", "ci/deploy.sh" }\n' >"$D/.nsbsh.conf"
run -- "$(dirname "$NSBSH")/nsb" trust "$D"
expect_eq "$RC" 0 "PROT-3 policy: nsb trust pins the project's file"
attack "PROT-3 policy: a trusted project's protect names ci/deploy.sh" "$D" "echo 'touch $CANARY' >>ci/deploy.sh"
attack "PROT-3 policy: ... and .vscode/" "$D" "echo '{}' >.vscode/tasks.json"
# the user's own file may replace the list
mkdir -p "$HOME/.config/nsbsh"
echo 'protect = {}' >"$HOME/.config/nsbsh/nsbsh.conf"
rm "$D/.nsbsh.conf"
control "PROT-3 policy: protect = {} in the user's file leaves .vscode/ writable" "$D" "echo '{}' >.vscode/tasks.json"
rm "$HOME/.config/nsbsh/nsbsh.conf"

# --- git outside still works on a project after its sandboxes ----------------
S=$W/sublib
git init -q "$S" && echo lib >"$S/lib.txt" && git -C "$S" add lib.txt && "${gitc[@]}" -C "$S" commit -qm lib
"${gitc[@]}" -C "$H" submodule add -q "$S" vendor/lib >/dev/null 2>&1
"${gitc[@]}" -C "$H" commit -qm "a submodule" 2>/dev/null
run_nsbsh --in "$H" -c 'echo more >>notes.txt; echo "[$DEMO_VAR]"'
expect_eq "$OUT" "[hello from flake]" "after the attacks: the sandbox still starts"
run --in "$H" -- git status --short
expect_eq "$RC:$OUT" "0:?? notes.txt" "git outside afterwards: status shows what the sandbox wrote"
git_still_works "$H" vendor/lib
expect_path_absent "$CANARY" "nothing the sandboxes wrote ran outside, all along"
