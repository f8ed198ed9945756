# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-environ: the environment inside is an allowlist (src/layout.c) plus the
# project's Nix variables plus nsbsh's own: an agent socket, tokens and cloud
# credentials of the outer environment do not reach the sandbox; TERM, LANG,
# LC_* and TZ do; outside a project everything passes (plain bash).
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }

secrets=(SSH_AUTH_SOCK=/tmp/ssh-agent.sock GITHUB_TOKEN=ghp_secret AWS_ACCESS_KEY_ID=AKIAEXAMPLE
	AWS_SECRET_ACCESS_KEY=secret GOOGLE_APPLICATION_CREDENTIALS=/home/x/key.json
	OPENAI_API_KEY=sk-secret ANTHROPIC_API_KEY=sk-ant NPM_TOKEN=npm DOCKER_AUTH_CONFIG=x
	GPG_AGENT_INFO=/tmp/gpg DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus DISPLAY=:0
	XAUTHORITY=/home/x/.Xauthority BASH_ENV=/tmp/evil LD_PRELOAD=/tmp/evil.so)
passed=(TERM=xterm-test LANG=C.UTF-8 LC_TIME=C TZ=UTC0 COLORTERM=truecolor NO_COLOR=1)
envs=()
for kv in "${secrets[@]}" "${passed[@]}"; do envs+=(--env "$kv"); done

run_nsbsh --in "$P" "${envs[@]}" -c 'env'
inside=$OUT
expect_contains "$inside" "DEMO_VAR=hello from flake" "the environment was read inside the sandbox"
for kv in "${secrets[@]}"; do
	name=${kv%%=*}
	case $inside in
	*"$name=${kv#*=}"*) t_fail "$name does not reach the sandbox" "env inside has: $(grep "^$name=" <<<"$inside")" ;;
	*) t_ok "$name does not reach the sandbox" ;;
	esac
done
for kv in "${passed[@]}"; do
	expect_contains "$inside" "$kv" "${kv%%=*} reaches the sandbox"
done
expect_contains "$inside" "SHELL=/bin/bash" "SHELL inside is the sandbox's bash"
expect_contains "$inside" "HOME=$HOME" "HOME inside is the user's home path"

# Outside a project nsbsh is plain bash: the environment is the caller's.
run_nsbsh --in "$W" --env GITHUB_TOKEN=ghp_secret -c 'echo "$GITHUB_TOKEN"'
expect_eq "$OUT" ghp_secret "outside a project the environment passes unchanged"
