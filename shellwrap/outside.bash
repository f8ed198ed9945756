# nsbsh: the prompt hook of a plain bash that nsbsh started for a person,
# outside any project.  The hook itself is a one-line function that nsbsh
# puts in the environment (src/main.c, outside_hook_env): at each prompt it
# compares $PWD with the last directory seen, and only when they differ
# sources this file.  Here: when the new directory is in a Git work tree
# with a flake.nix or devenv.nix between it and the work tree's root, the
# shell becomes nsbsh there (exec), which starts the project's sandbox.
# Builtins only, but for `jobs` when a switch is due.
__nsbsh_pwd=$PWD
__nsbsh_d=$PWD
__nsbsh_env=
while :; do
	if [[ -e $__nsbsh_d/flake.nix || -e $__nsbsh_d/devenv.nix ]]; then
		__nsbsh_env=1
	fi
	if [[ -e $__nsbsh_d/.git ]]; then
		if [[ -n $__nsbsh_env && -x ${__NSBSH_BIN-} ]]; then
			if [[ -n $(jobs -p) ]]; then
				printf 'nsbsh: %s is a project; this shell has jobs, so it stays plain bash (end them, then cd again)\n' \
					"$__nsbsh_d" >&2
			else
				unset __nsbsh_d __nsbsh_env
				exec "$__NSBSH_BIN" -i
			fi
		fi
		break
	fi
	[[ $__nsbsh_d == / || -z $__nsbsh_d ]] && break
	__nsbsh_d=${__nsbsh_d%/*}
	[[ -n $__nsbsh_d ]] || __nsbsh_d=/
done
unset __nsbsh_d __nsbsh_env
