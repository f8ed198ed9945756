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
		;;
	esac
fi
