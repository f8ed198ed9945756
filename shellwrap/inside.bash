# nsbsh: loaded by every bash that starts in a project's sandbox, whichever
# way bash starts: BASH_ENV (non-interactive), --rcfile (interactive), or
# /etc/profile (login).  It runs once per shell.
#
# bash reads a sourced file one command at a time: what follows a return is
# never even parsed.  So a shell without a prompt (every -c of an agent or
# an editor) stops after nsb(), before the prompt's part (about 0.2 ms of
# each such start).
[ -z "${__nsbsh_loaded-}" ] || return 0
__nsbsh_loaded=1
# Not for the shells this one starts: they inherit the exported
# environment and must not rerun the shellHook.
unset BASH_ENV
. /run/nsbsh/env.bash
# the policy's setenv, where the environment's rc did not source it
[ -n "${__nsbsh_setenv-}" ] || [ ! -r /run/nsbsh/setenv.bash ] || . /run/nsbsh/setenv.bash

# nsb inside the sandbox: the one command that needs the start outside.
# reload leaves a request for it in this shell's own control file
# (NSBSH_CTL), then ends this shell with the status that says so (113:
# src/shell/ctl.h, CTL_EXIT_STATUS); the start evaluates the environment
# again and starts a new shell in the same directory.
nsb() {
	case ${1-} in
	reload)
		if [ "$BASH_SUBSHELL" != 0 ]; then
			echo "nsb reload: run it in the shell itself, not in a subshell" >&2
			return 2
		fi
		if [ -z "${NSBSH_CTL-}" ] || ! printf 'reload\n%s\n' "$PWD" >"$NSBSH_CTL" 2>/dev/null; then
			echo "nsb reload: this shell cannot reach the nsbsh that started it (${NSBSH_CTL:-no control file})" >&2
			return 1
		fi
		exit 113
		;;
	*)
		echo "nsb: inside the sandbox only 'nsb reload' works; the other commands run outside it" >&2
		return 2
		;;
	esac
}

# The rest is for a shell with a prompt; one without stops here.
case $- in
*i*) ;;
*) return 0 ;;
esac

# The watched files, for the prompt hook.
[ ! -r /run/nsbsh/watch.bash ] || . /run/nsbsh/watch.bash

# The prompt hook: says once that a watched file changed since this
# shell started.  Only builtins ([[ -nt ]], [[ -e ]]): no fork.
__nsbsh_hook() {
	[ -z "${__nsbsh_noticed-}" ] || return 0
	local i f
	for i in "${!__nsbsh_watch[@]}"; do
		f=${__nsbsh_watch[i]}
		if [[ $f -nt /run/nsbsh/watch.bash ]] ||
			{ [[ -e $f ]] && [ "${__nsbsh_existed[i]}" = 0 ]; } ||
			{ [[ ! -e $f ]] && [ "${__nsbsh_existed[i]}" = 1 ]; }; then
			__nsbsh_noticed=1
			printf 'nsbsh: %s changed: run nsb reload to rebuild the environment and restart this shell\n' \
				"${f##*/}" >&2
			return 0
		fi
	done
}

# cd to a directory outside the work tree means that directory as
# the host sees it (NSBSH_CD_LEAVES; in strict mode only one this
# sandbox does not show): the start outside starts the shell that
# belongs there (plain bash, or that project's sandbox, as the
# policy allows, never a plain bash where a sandbox could write);
# this one ends, with the status that says so.  Within the work
# tree, it is the builtin.
cd() {
	local t=${!#} rest c out=()
	[ $# -ge 1 ] || t=$HOME # a bare cd: the home, as the host has it
	if [ -n "$t" ] && [[ $t != -* ]] && [ "$BASH_SUBSHELL" = 0 ]; then
		[[ $t == /* ]] || t=$PWD/$t
		# . and .. resolved as written (builtins only)
		rest=$t
		while [ -n "$rest" ]; do
			c=${rest%%/*}
			if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=; fi
			case $c in
			'' | .) ;;
			..) [ ${#out[@]} -eq 0 ] || unset 'out[${#out[@]}-1]' ;;
			*) out+=("$c") ;;
			esac
		done
		local IFS=/
		t=/${out[*]}
		if [[ -n ${NSBSH_CTL-} && ( -z ${NSBSH_PROJECT-} || ( $t != "$NSBSH_PROJECT" && $t != "$NSBSH_PROJECT"/* ) ) ]] &&
			[[ -n ${NSBSH_CD_LEAVES-} || ! -e $t ]] &&
			printf 'cd\n%s\n%s\n' "$t" "$PWD" 2>/dev/null >"$NSBSH_CTL"; then
			exit 113
		fi
	fi
	builtin cd "$@"
}
# ~/.bashrc is yours from ~/.config/nsbsh/home/ (else empty),
# read-only here: never a file the sandbox wrote (HOMERC-1,
# src/sandbox/homerc.c); a login shell reads ~/.bash_profile and
# the rest the same way, as bash does.
if ! shopt -q login_shell && [ -r ~/.bashrc ]; then
	. ~/.bashrc
fi
# PROJECT@SESSION, expanded by the prompt (a branch may hold $(...))
if [ -n "${NSBSH_PROJECT-}" ]; then
	__nsbsh_where=${NSBSH_PROJECT_NAME:-${NSBSH_PROJECT##*/}}${NSBSH_SESSION:+@$NSBSH_SESSION}
else
	__nsbsh_where="no project"
fi
[ -z "${NSBSH_STALE-}" ] || __nsbsh_where+=" stale"
[ -z "${NSBSH_NO_ENV-}" ] || __nsbsh_where+=" no env"
PS1='[nsb:${__nsbsh_where}] '"${PS1-\\s-\\v\\\$ }"
[ -z "${__nsbsh_watch+x}" ] ||
	PROMPT_COMMAND="__nsbsh_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
# Once per session, at a prompt (never over a running program's
# output): the supervisor makes this flag file at the first call
# the seccomp filter refused.  A test, no fork.
__nsbsh_refused() {
	if [ -z "${NSBSH_REFUSAL_SAID-}" ] && [ -n "${NSBSH_DENIALS_FLAG-}" ] &&
		[ -e "$NSBSH_DENIALS_FLAG$$" ]; then
		export NSBSH_REFUSAL_SAID=1
		printf 'nsbsh: the sandbox refused a system call; see what and who with: nsb log %q (outside the sandbox)\n' \
			"$NSBSH_PROJECT" >&2
	fi
}
PROMPT_COMMAND="__nsbsh_refused${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
