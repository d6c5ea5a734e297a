#!/usr/bin/env bash
# run.sh [OPTIONS] ARM [VARIANT] [-- CMD [ARG...]]: build the arm (or take
# your own kernel, -k), its test modules and the shared test binaries, pack
# the initramfs, boot it in QEMU and judge the run. Prints the run
# directory on stdout, nothing else; progress and the verdict go to stderr.
# The options are described once, in usage() below (run.sh -h, make help).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
usage: scripts/run.sh [OPTIONS] ARM [VARIANT] [-- CMD [ARG...]]

Build ARM in VARIANT (default test), its test modules and the test
binaries, boot it in QEMU and judge the run (scripts/verdict.sh).
  arms:     $ARMS_ALL, or ARM+OVERLAY ($OVERLAYS_ALL)
  variants: $VARIANTS_ALL
Prints the run directory on stdout, build/<base>/runs/ARM-VARIANT[-own][-TAG]
(-own: -k); progress and the verdict go to stderr. Exit status: 0 if the
run passed, 1 if not; with -- CMD, CMD's exit code when it is not 0 (4 is
kselftest's skip).

What the guest runs:
  -g WHAT      suite (default), bench, i915-mock, or the runner's own
               tests: warn, panic, hang, true
  -a A,B,...   arguments of the suite (test names, e.g. -a pin_reclaim) or
               of bench (seed=N, quick, only=NAME); i915-mock: parameters
  -- CMD ...   one command in the guest's /tests instead of -g, judged as
               one test binary, e.g. -- ./pin_reclaim -r pin_reclaim.shmem_pin.pageout
               (kselftest harness: -l lists its cases)
  -s           an interactive shell on the guest's console (this terminal,
               input from stdin) after CMD or -g WHAT, or instead of the
               suite if neither is given; exit ends the run, Ctrl-C goes
               to the guest, Ctrl-A x quits QEMU; no time limit unless -T
  -P SECONDS   per-test timeout of the guest suite (default: each binary's
               own; with --: none)
  -e ARM       judge by ARM's expectations (default: ARM itself; another
               arm makes a negative control)
  -L y|n       switch the multi-gen LRU on or off before the tests (the
               kernel must have it: variants mglru, ab)
  -K ARG       append ARG to the guest's kernel command line (repeatable),
               e.g. -K workbench.stress_seconds=600 -K workbench.stress_seed=7
               (pin_stress's time and seed; scripts/guest-init.sh lists
               the workbench.* keys)

The kernel:
  -k PATH      boot your own kernel instead of building ARM: a bzImage, or
               a kernel O= build directory (its arch/x86/boot/bzImage; the
               test modules are built against it if its .config has
               CONFIG_MODULES=y). A bare bzImage has no
               module build directory: the test modules are left out and
               the tests that need them (emu_ioctl_test, userptr_selfinval,
               the benchmarks) fail or skip. ARM names the expectations,
               VARIANT the QEMU settings of that config; the run directory
               gets "-own".

The machine (scripts/qemu.sh):
  -m MEM       guest memory, <N>M or <N>G (1G)
  -p N         vCPUs (2)
  -T SECONDS   hard time limit of the boot (1800; 0: none; with -s: none)
  -S SWAP      virtio (a fresh virtio-blk disk: swap-in keeps the swap
               cache; default), zram (synchronous: swap-in skips it), none
  -z SIZE      size of the virtio swap disk (1G)
  -A ACCEL     tcg (default), kvm, or auto: kvm if a canary boot under KVM
               finishes within 10 s, else tcg (where /dev/kvm opens but its
               guests never run, the canary times out)
  -N NUMA      none, or tiers: two NUMA nodes, node 1 CPU-less and slower
               per HMAT, a lower memory tier (default: tiers for the numa
               variant, none otherwise)
  -C CPU       QEMU's -cpu model (default QEMU's own; max for the variants
               with KVM: kvm, ab)

The run:
  -t TAG       suffix of the run directory, to keep several runs of an arm
  -n           dry run: print the QEMU command (with the guest's kernel
               command line) on stdout; build, write and boot nothing
  -h           this text

Examples:
  scripts/run.sh pin-aware                      the guest suite
  scripts/run.sh -a pin_demote pin-aware numa   one suite test, tiered NUMA
  scripts/run.sh -e pin-aware -a pin_reclaim base          negative control
  scripts/run.sh pin-aware -- ./pin_reclaim -r pin_reclaim.shmem_pin.pageout
  scripts/run.sh -k ~/linux/out -s pin-aware    a shell on your own kernel
Make: make run ARM=.. VARIANT=.. MEM=.. SMP=.. TIMEOUT=.. SWAP=.. ACCEL=..
      RUN_OPTS='-a pin_reclaim -P 300' passes these options.
EOF
}
short="usage: scripts/run.sh [OPTIONS] ARM [VARIANT] [-- CMD [ARG...]] (run.sh -h: the options)"

gcmd='' gargs='' tag='' expect='' mem=1G smp=2 timeout='' swap=virtio swap_size=1G
accel=tcg numa='' cpu='' lru='' ptt='' kernel='' shell='' dry='' given=' ' kextra=()
OPTIND=1
while getopts ':g:a:t:e:m:p:T:S:z:A:N:C:L:P:K:k:snh' o; do
	given+="$o "
	case "$o" in
	g) gcmd=$OPTARG ;;
	a) gargs=$OPTARG ;;
	t) tag=$OPTARG ;;
	e) expect=$OPTARG ;;
	m) mem=$OPTARG ;;
	p) smp=$OPTARG ;;
	T) timeout=$OPTARG ;;
	S) swap=$OPTARG ;;
	z) swap_size=$OPTARG ;;
	A) accel=$OPTARG ;;
	N) numa=$OPTARG ;;
	C) cpu=$OPTARG ;;
	L) lru=$OPTARG ;;
	P) ptt=$OPTARG ;;
	K)
		case "$OPTARG" in '' | *[[:space:]]*) die "run.sh: -K '$OPTARG': one kernel argument, without spaces" ;; esac
		kextra+=("$OPTARG")
		;;
	k) kernel=$OPTARG ;;
	s) shell=1 ;;
	n) dry=1 ;;
	h)
		usage
		exit 0
		;;
	*) getopts_other run.sh "$short" "$o" ;;
	esac
done
shift $((OPTIND - 1))
pos=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	case "$1" in -?*) die "run.sh: option $1 after ARM: options go before ARM ($short)" ;; esac
	pos+=("$1")
	shift
done
xcmd=()
if [ $# -gt 0 ]; then
	shift
	[ $# -gt 0 ] || die "run.sh: -- without a command ($short)"
	xcmd=("$@")
fi
if [ "${#pos[@]}" = 0 ] || [ "${#pos[@]}" -gt 2 ]; then die "$short"; fi
arm_variant_args run.sh "${pos[@]}"

# The environment is no longer read (RUN_OLD_ENV in lib.sh): a variable
# that would have set something is an error unless its option is given.
for kv in $RUN_OLD_ENV; do
	name=${kv%%:*} opt=${kv#*:}
	[ -z "${!name:-}" ] || [[ $given == *" ${opt#-} "* ]] ||
		die "run.sh takes options, not the environment: $name=${!name} is set; use $opt ${!name} (or unset $name; run.sh -h)"
done

# Everything checked before anything is built or written.
[ -z "$expect" ] || check_arm "$expect"
[ "${#xcmd[@]}" = 0 ] || [ -z "$gcmd" ] || die "run.sh: -g $gcmd and -- CMD: give one of them"
[ "${#xcmd[@]}" = 0 ] || [ -z "$gargs" ] || die "run.sh: -a $gargs and -- CMD: CMD takes its own arguments"
case "$gcmd" in
'' | suite | bench | i915-mock | warn | panic | hang | true) ;;
*) die "run.sh: -g $gcmd: use suite, bench, i915-mock, warn, panic, hang or true" ;;
esac
# What guest-init.sh runs: -g WHAT, -- CMD (exec), -s alone (shell).
if [ "${#xcmd[@]}" -gt 0 ]; then
	gcmd="exec"
elif [ -z "$gcmd" ] && [ -n "$shell" ]; then
	gcmd=shell shell=''
fi
gcmd=${gcmd:-suite}
case "$gargs" in *[[:space:]]*) die "run.sh: -a '$gargs': comma-separated, no spaces" ;; esac
case "$tag" in *[!A-Za-z0-9._+-]*) die "run.sh: -t '$tag': letters, digits and ._+- only" ;; esac
case "$lru" in '' | y | n) ;; *) die "run.sh: -L $lru: use y or n" ;; esac
case "$ptt" in *[!0-9]* | 0*) die "run.sh: -P '$ptt': seconds, a number >= 1" ;; esac
[ "$variant" != numa ] || numa=${numa:-tiers}
numa=${numa:-none}
if [ -z "$timeout" ]; then
	timeout=1800
	[ -z "$shell" ] && [ "$gcmd" != shell ] || timeout=0
fi
check_qemu_opts "$mem" "$smp" "$timeout" "$swap" "$accel" "$numa"
case "$swap_size" in [1-9]*[MG] | [1-9]*[0-9]) ;; *) die "run.sh: -z '$swap_size': a size such as 1G or 512M" ;; esac

# Variants with KVM (kvm.config among their fragments: kvm, ab): a CPU with
# SVM and nested paging, and kvm_amd without virtual VMLOAD/VMSAVE, with
# which KVM_RUN never returns under QEMU 7.2's TCG (docs/workbench.md).
kargs=()
if config_fragments "$variant" | grep -qxF "$ROOT/scripts/configs/kvm.config"; then
	cpu=${cpu:-max}
	kargs+=(kvm_amd.vls=0)
fi
# -- CMD: its words quoted for sh, base64 on the kernel command line (at
# most 2048 bytes on x86, the rest of it included).
if [ "$gcmd" = exec ]; then
	words=''
	for w in "${xcmd[@]}"; do words+="'${w//\'/\'\\\'\'}' "; done
	b64=$(printf '%s' "$words" | base64 -w0)
	[ "${#b64}" -le 1500 ] ||
		die "run.sh: -- ${xcmd[*]}: too long for the kernel command line (${#b64} bytes in base64, at most 1500)"
	kargs+=("workbench.exec=$b64")
fi
[ -z "$shell" ] || kargs+=(workbench.shell=1)
[ -z "$ptt" ] || kargs+=("workbench.per_test_timeout=$ptt")
kargs=("workbench.arm=${expect:-$arm}" "workbench.cmd=$gcmd" ${gargs:+"workbench.args=$gargs"}
	${lru:+"workbench.lru_gen=$lru"} "${kargs[@]}" "${kextra[@]}")

# -k: a bzImage, or an O= directory (kdir) that the test modules can be
# built against.
kdir='' bz=''
if [ -n "$kernel" ]; then
	if [ -d "$kernel" ]; then
		kdir=$(cd "$kernel" && pwd)
		bz=$kdir/arch/x86/boot/bzImage
		[ -r "$bz" ] || die "run.sh: -k $kernel: not a kernel O= build directory (no arch/x86/boot/bzImage in it)"
	elif [ -e "$kernel" ]; then
		bz=$(readlink -f "$kernel")
		need file
		file -b "$bz" | grep -q 'Linux kernel x86 boot executable' ||
			die "run.sh: -k $kernel: not an x86 bzImage (file: $(file -b "$bz" | cut -c1-60))"
		[ "$gcmd" != i915-mock ] ||
			die "run.sh: -g i915-mock installs the kernel's modules: give -k its O= build directory, not a bzImage"
	else
		die "run.sh: -k $kernel: no such file or directory (give a bzImage or a kernel O= build directory)"
	fi
fi

qopts=(-m "$mem" -p "$smp" -T "$timeout" -S "$swap" -z "$swap_size" -A "$accel" -N "$numa" ${cpu:+-C "$cpu"})
[ -z "$shell" ] && [ "$gcmd" != shell ] || qopts+=(-i)
name=$arm-$variant${kernel:+-own}${tag:+-$tag}
if [ -n "$dry" ]; then
	work=$(work_dir)
	run=$work/runs/$name
	[ -n "$kernel" ] || bz=$(out_dir "$arm" "$variant")/arch/x86/boot/bzImage
	initrd=$work/initramfs/$arm-$variant.cpio.gz
	[ -z "$kernel" ] || initrd=$run/initramfs.cpio.gz
	exec "$ROOT/scripts/qemu.sh" -n "${qopts[@]}" "$bz" "$initrd" "$run" "${kargs[@]}"
fi

work=$("$ROOT/scripts/base-tree.sh")
run=$work/runs/$name
mkdir -p "$run" "$work/logs" "$work/locks"
exec 8>"$work/locks/run-$name.lock"
flock -n 8 || die "another run is using $run (give -t TAG to run this arm twice at once)"
# A run that stops before its verdict leaves no results of an earlier one.
rm -f "$run"/{results.tap,results.tsv,binaries.tsv,summary,console.bad}
if [ -n "$kernel" ]; then
	step "$arm/$variant: your kernel ${kdir:-$bz} (-k; nothing built)"
else
	out=$("$ROOT/scripts/build.sh" "$arm" "$variant")
	kdir=$out bz=$out/arch/x86/boot/bzImage
fi

tests=''
case "$gcmd" in suite | bench | exec | shell) tests=1 ;; esac
if [ -n "$tests" ] && [ -r "$ROOT/selftests/Makefile" ]; then
	step "$arm/$variant: test binaries"
	run_logged "$work/logs/selftests.log" make -C "$ROOT/selftests" OUT="$work/selftests" KSRC="$work/src"
fi
mods=$work/modules/$arm-$variant iopts=()
if [ -n "$kernel" ]; then
	mods=$run/modules
	iopts=(-o "$run/initramfs.cpio.gz")
	rm -rf "$mods"
fi
if [ -n "$tests" ] && [ -r "$ROOT/selftests/userptr_emu/Makefile" ]; then
	if [ -z "$kdir" ]; then
		step "$arm/$variant: note: -k $kernel is a bare bzImage, with no module build directory: the test modules (selftests/userptr_emu) cannot be built; emu_ioctl_test, userptr_selfinval and the benchmarks need them and fail or skip (give -k the O= directory)"
	elif ! grep -qx 'CONFIG_MODULES=y' "$kdir/.config" 2>/dev/null; then
		step "$arm/$variant: note: $kdir has no CONFIG_MODULES=y in its .config: the test modules (selftests/userptr_emu) cannot be built; emu_ioctl_test, userptr_selfinval and the benchmarks need them and fail or skip"
	else
		step "$arm/$variant: test modules${kernel:+ against $kdir}"
		run_logged "$work/logs/modules-$arm-$variant${kernel:+-own}.log" \
			make -C "$ROOT/selftests/userptr_emu" KOUT="$kdir" OUT="$mods"
	fi
fi
if [ "$gcmd" = i915-mock ]; then
	step "$arm/$variant: installing the kernel's modules for modprobe"
	tree=$work/modules/$name-tree
	rm -rf "$tree"
	src=(-C "$kdir")
	[ -n "$kernel" ] || src=(-C "$(arm_dir "$arm")" O="$kdir")
	run_logged "$work/logs/modules_install-$name.log" \
		make "${src[@]}" ARCH=x86_64 INSTALL_MOD_PATH="$tree" INSTALL_MOD_STRIP=1 modules_install
	iopts+=(-I "$tree")
fi
initrd=$("$ROOT/scripts/initramfs.sh" -M "$mods" "${iopts[@]}" "$arm" "$variant")

what=$gcmd
[ "$gcmd" != exec ] || what="-- ${xcmd[*]}"
step "$arm/$variant: booting ($what${shell:+, then a shell}, mem=$mem, swap=$swap, numa=$numa${lru:+, lru_gen=$lru}, accel=$accel, timeout=${timeout}s)"
"$ROOT/scripts/qemu.sh" "${qopts[@]}" "$bz" "$initrd" "$run" "${kargs[@]}" || true
step "$arm/$variant: guest finished; judging $run"
rc=0
"$ROOT/scripts/verdict.sh" "$run" >&2 || rc=$?
echo "$run"
if [ "$gcmd" = exec ]; then
	# CMD's own exit code, from run-guest.sh's "# exit NAME=RC" line.
	crc=$(tr -d '\r' <"$run/results.tap" | sed -n 's/^# exit [^=]*=\([0-9]*\)$/\1/p' | tail -n1)
	if [ -n "$crc" ] && [ "$crc" != 0 ]; then
		step "$arm/$variant: -- ${xcmd[*]}: exit code $crc"
		exit "$crc"
	fi
fi
exit "$rc"
