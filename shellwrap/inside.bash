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
		# PROJECT@SESSION, expanded by the prompt (a branch may hold $(...))
		__nsbsh_where=${NSBSH_PROJECT_NAME:-${NSBSH_PROJECT##*/}}${NSBSH_SESSION:+@$NSBSH_SESSION}
		PS1='[nsb:${__nsbsh_where}] '"${PS1-\\s-\\v\\\$ }"
		;;
	esac
fi
