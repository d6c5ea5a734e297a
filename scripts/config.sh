#!/usr/bin/env bash
# config.sh ARM VARIANT: write the arm's .config for a variant: x86_64
# tinyconfig + scripts/configs/{boot,test[,VARIANT]}.config, each followed by
# its optional per-base scripts/configs/BASE/NAME.config (config_fragments in
# lib.sh), merged with the kernel's merge_config.sh, then olddefconfig. Fails
# if olddefconfig dropped or changed any option the fragments asked for (the
# last fragment that names an option has the last word). Prints the O=
# directory.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arm_variant_args config.sh "$@"

mapfile -t frags < <(config_fragments "$variant")
for f in "${frags[@]}"; do [ -r "$f" ] || die "config fragment $f is missing"; done

wt=$("$ROOT/scripts/arm.sh" "$arm")
out=$(out_dir "$arm" "$variant")
mkdir -p "$out"
want=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
if [ -r "$out/.config" ] && [ "$(cat "$out/.config.frags" 2>/dev/null)" = "$want" ]; then
	echo "$out"
	exit 0
fi

step "$arm/$variant: configuring (tinyconfig + ${#frags[@]} fragments: ${frags[*]#"$ROOT"/scripts/configs/})"
log=$out/config.log
run_logged "$log" make -C "$wt" O="$out" ARCH=x86_64 tinyconfig
run_logged "$log.merge" env KCONFIG_CONFIG="$out/.config" \
	"$wt/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
run_logged "$log.olddef" make -C "$wt" O="$out" ARCH=x86_64 olddefconfig

# Every option the fragments name must survive olddefconfig as the last
# fragment naming it asked (a per-base fragment may override a common one).
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		opt=${line%%=*}
		if ! grep -qxF "$line" "$out/.config"; then
			have=$(grep -E "^($opt=|# $opt is not set)" "$out/.config" || echo "absent")
			echo "  $line requested, got: $have" >&2
			bad=1
		fi
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" "$out/.config"; then
			echo "  $line requested, got: $(grep "^$opt=" "$out/.config")" >&2
			bad=1
		fi
		;;
	esac
done < <(cat "${frags[@]}" | awk '
	/^CONFIG_[A-Za-z0-9_]+=/ { opt = $0; sub(/=.*/, "", opt) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { opt = $2 }
	opt != "" { if (!(opt in last)) order[++n] = opt; last[opt] = $0; opt = "" }
	END { for (i = 1; i <= n; i++) print last[order[i]] }')
if [ "$bad" != 0 ]; then
	rm -f "$out/.config.frags"
	die "$arm/$variant: olddefconfig dropped or changed the options above (a dependency is missing from the fragments)"
fi
echo "$want" >"$out/.config.frags"
echo "$out"
