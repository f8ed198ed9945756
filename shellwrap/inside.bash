# nsbsh: loaded by every bash that starts in a project's sandbox, whichever
# way bash starts: BASH_ENV (non-interactive), --rcfile (interactive), or
# /etc/profile (login).  It runs once per shell.
if [ -z "${__nsbsh_loaded-}" ]; then
	__nsbsh_loaded=1
	# Not for the shells this one starts: they inherit the exported
	# environment and must not rerun the shellHook.
	unset BASH_ENV
	. /run/nsbsh/env.bash
	case $- in
	*i*)
		if ! shopt -q login_shell && [ -r ~/.bashrc ]; then
			. ~/.bashrc
		fi
		PS1="[nsb:${NSBSH_PROJECT##*/}] ${PS1-\\s-\\v\\\$ }"
		# Once per session, at a prompt (never over a running program's
		# output): the supervisor makes this flag file at the first call
		# the seccomp filter refused.  A test, no fork.
		__nsbsh_refused() {
			if [ -z "${NSBSH_REFUSAL_SAID-}" ] && [ -n "${NSBSH_DENIALS_FLAG-}" ] &&
				[ -e "$NSBSH_DENIALS_FLAG" ]; then
				export NSBSH_REFUSAL_SAID=1
				printf 'nsbsh: the sandbox refused a system call; see what and who with: nsb log %q (outside the sandbox)\n' \
					"$NSBSH_PROJECT" >&2
			fi
		}
		PROMPT_COMMAND="__nsbsh_refused${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
		;;
	esac
fi
