# bash completion for stf-xdp(8)                                   -*- shell-script -*-
#
# Installed as /usr/share/bash-completion/completions/stf-xdp, where bash-completion loads it
# on first use; it also works on its own (`. stf-xdp.bash`), without bash-completion's helpers.
# The lists below follow `stf-xdp --help` and `stf-xdp COMMAND --help`; tests/package checks
# that every command and option there is offered here.

_stf_xdp_commands="attach detach status stats prefix filter check apply run slowpath monitor"
_stf_xdp_global_opts="-j --json -v --verbose -n --netns -h --help -V --version"
_stf_xdp_common_opts="-j --json -h --help"
_stf_xdp_attach_opts="--local --mode --default-relay --relay --ttl --xdp-mode --xdp-dispatcher --permit-private --ingress-filter
	--loop-guard --fast-path --lan --config"
_stf_xdp_filter_kinds="allow deny relay exception"

# The network interfaces of this namespace, or of the named one ($netns, from -n).
_stf_xdp_ifaces() {
	local d
	if [ -n "$netns" ]; then
		ip -n "$netns" -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
		return
	fi
	for d in /sys/class/net/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# The named network namespaces (-n NAME is /run/netns/NAME).
_stf_xdp_netns() {
	local d
	for d in /run/netns/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# Directories and JSON files, for config files.
_stf_xdp_files() {
	compopt -o filenames 2>/dev/null
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.json' -- "$cur"))
}

# _stf_xdp_reply WORDLIST: COMPREPLY = the words of WORDLIST that start with $cur.
_stf_xdp_reply() {
	local IFS=$' \t\n'
	# shellcheck disable=SC2207 # the words never contain blanks or glob characters
	COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# --lan IFACE[,IFACE...]: the interface names, completing the one after the last comma.
_stf_xdp_lan() {
	local head="" i
	if [[ "$cur" == *,* ]]; then
		head="${cur%,*},"
		cur="${cur##*,}"
	fi
	_stf_xdp_reply "$(_stf_xdp_ifaces)"
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]="$head${COMPREPLY[i]}"
	done
}

# Values of the options that take one; returns 1 for an option without a value.
_stf_xdp_option_value() {
	case "$1" in
	-n | --netns) _stf_xdp_reply "$(_stf_xdp_netns)" ;;
	--mode) _stf_xdp_reply "router relay return-relay" ;;
	--xdp-mode) _stf_xdp_reply "native generic" ;;
	--ingress-filter | --loop-guard | --fast-path) _stf_xdp_reply "on off" ;;
	--config) _stf_xdp_files ;;
	--lan) _stf_xdp_lan ;;
	--local | --default-relay | --relay | --ttl | --rate) COMPREPLY=() ;; # an address or a number: nothing to offer
	*) return 1 ;;
	esac
	return 0
}

_stf_xdp() {
	local cur line netns=""
	local -a words
	COMPREPLY=()
	# Split the line ourselves, on blanks only, so "--mode=re" stays one word whatever
	# COMP_WORDBREAKS says.
	line="${COMP_LINE:0:COMP_POINT}"
	read -r -a words <<<"$line"
	if [ -z "$line" ] || [[ "$line" == *[[:space:]] ]]; then
		words+=("")
	fi
	cur="${words[${#words[@]} - 1]}"

	# --option=value: complete the value. Readline treats '=' as a word break unless
	# COMP_WORDBREAKS lost it; then the replies must carry the "--option=" part.
	if [[ "$cur" == --*=* ]]; then
		local opt="${cur%%=*}"
		cur="${cur#*=}"
		_stf_xdp_option_value "$opt" || return 0
		if [[ "$COMP_WORDBREAKS" != *=* ]]; then
			local i
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]="$opt=${COMPREPLY[i]}"
			done
		fi
		return 0
	fi

	# Walk the words before the current one: the command, its subcommand, the positional
	# arguments, and whether the previous word is an option that takes a value.
	local cmd="" sub="" prev_opt="" w i
	local -a args=()
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		w="${words[i]}"
		if [ -n "$prev_opt" ]; then
			case "$prev_opt" in -n | --netns) netns="$w" ;; esac
			prev_opt=""
			continue
		fi
		case "$w" in
		-n | --netns | --local | --mode | --default-relay | --relay | --ttl | --xdp-mode | --ingress-filter | \
			--loop-guard | --fast-path | --lan | --config | --rate)
			prev_opt="$w"
			;;
		--netns=*) netns="${w#*=}" ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd="$w"
			elif [ -z "$sub" ] && { [ "$cmd" = prefix ] || [ "$cmd" = filter ]; }; then
				sub="$w"
			else
				args+=("$w")
			fi
			;;
		esac
	done

	if [ -n "$prev_opt" ]; then
		_stf_xdp_option_value "$prev_opt"
		return 0
	fi

	if [[ "$cur" == -* ]]; then
		case "$cmd" in
		"") _stf_xdp_reply "$_stf_xdp_global_opts" ;;
		attach) _stf_xdp_reply "$_stf_xdp_common_opts $_stf_xdp_attach_opts --dry-run" ;;
		detach) _stf_xdp_reply "$_stf_xdp_common_opts --dry-run" ;;
		stats) _stf_xdp_reply "$_stf_xdp_common_opts --prometheus" ;;
		apply) _stf_xdp_reply "$_stf_xdp_common_opts --dry-run" ;;
		run) _stf_xdp_reply "$_stf_xdp_common_opts --config --keep" ;;
		monitor) _stf_xdp_reply "$_stf_xdp_common_opts --rate" ;;
		*) _stf_xdp_reply "$_stf_xdp_common_opts" ;;
		esac
		return 0
	fi

	local n=${#args[@]}
	case "$cmd" in
	"") _stf_xdp_reply "$_stf_xdp_commands" ;;
	attach | detach | status | stats | run | monitor)
		[ "$n" -eq 0 ] && _stf_xdp_reply "$(_stf_xdp_ifaces)"
		;;
	check) [ "$n" -eq 0 ] && _stf_xdp_files ;;
	apply)
		case "$n" in
		0) _stf_xdp_reply "$(_stf_xdp_ifaces)" ;;
		1) _stf_xdp_files ;;
		esac
		;;
	prefix)
		case "$sub" in
		"") _stf_xdp_reply "add del list" ;;
		add | del | list) [ "$n" -eq 0 ] && _stf_xdp_reply "$(_stf_xdp_ifaces)" ;;
		esac
		;;
	filter)
		case "$sub" in
		"") _stf_xdp_reply "add del list" ;;
		add | del)
			case "$n" in
			0) _stf_xdp_reply "$(_stf_xdp_ifaces)" ;;
			1) _stf_xdp_reply "$_stf_xdp_filter_kinds" ;;
			esac
			;;
		list) [ "$n" -eq 0 ] && _stf_xdp_reply "$(_stf_xdp_ifaces)" ;;
		esac
		;;
	esac
	return 0
}

complete -F _stf_xdp stf-xdp
