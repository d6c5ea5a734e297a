#!/usr/bin/env bash
# qemu.sh [OPTIONS] BZIMAGE INITRAMFS RUNDIR [KERNEL-ARGS...]: boot once
# under a hard timeout. ttyS0 (kernel console) -> RUNDIR/console.log, ttyS1
# (the suite's TAP) -> RUNDIR/results.tap. Exit status: QEMU's, or 124 on
# timeout. Called by scripts/run.sh, which documents the options it shares
# (run.sh -h):
#   -m MEM      guest memory (1G)
#   -p N        vCPUs (2)
#   -T SECONDS  hard limit (1800; 0: none)
#   -S SWAP     virtio (a fresh SIZE virtio-blk disk, default) | zram | none
#   -z SIZE     size of the virtio swap disk (1G)
#   -A ACCEL    tcg (default) | kvm | auto (kvm if a canary boot under KVM
#               finishes, kvm_canary in lib.sh; tcg otherwise)
#   -N NUMA     none (default) | tiers: MEM split in two ACPI NUMA nodes,
#               node 1 CPU-less and, per HMAT, 4x the latency and 1/5 the
#               bandwidth of node 0, which a kernel with CONFIG_ACPI_HMAT
#               puts in a lower memory tier
#   -C CPU      QEMU's -cpu model (default QEMU's own)
#   -i          interactive: ttyS0 on the terminal (input from stdin, output
#               to stderr) and in RUNDIR/console.log; Ctrl-A x quits QEMU;
#               stdin that is not a terminal is held back until the guest's
#               shell has started
#   -n          dry run: print the QEMU command on stdout; check no file,
#               write nothing, boot nothing
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: qemu.sh [-m MEM] [-p N] [-T SECONDS] [-S virtio|zram|none] [-z SIZE] [-A tcg|kvm|auto] [-N none|tiers] [-C CPU] [-i] [-n] BZIMAGE INITRAMFS RUNDIR [KERNEL-ARGS...]"
mem=1G smp=2 timeout=1800 swap=virtio swap_size=1G accel=tcg numa=none cpu=() interactive='' dry=''
OPTIND=1
while getopts ':m:p:T:S:z:A:N:C:in' o; do
	case "$o" in
	m) mem=$OPTARG ;;
	p) smp=$OPTARG ;;
	T) timeout=$OPTARG ;;
	S) swap=$OPTARG ;;
	z) swap_size=$OPTARG ;;
	A) accel=$OPTARG ;;
	N) numa=$OPTARG ;;
	C) cpu=(-cpu "$OPTARG") ;;
	i) interactive=1 ;;
	n) dry=1 ;;
	*) getopts_other qemu.sh "$usage" "$o" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || die "$usage"
kernel=$1 initrd=$2 run=$3
shift 3
check_qemu_opts "$mem" "$smp" "$timeout" "$swap" "$accel" "$numa"
if [ -z "$dry" ]; then
	[ -r "$kernel" ] || die "no kernel at $kernel"
	[ -r "$initrd" ] || die "no initramfs at $initrd"
fi
need qemu-system-x86

if [ "$accel" = auto ]; then
	if kvm_canary kvm; then
		accel=kvm
		step "qemu: -A auto: the KVM canary booted: kvm"
	else
		accel=tcg
		step "qemu: -A auto: the KVM canary did not boot (${KVM_CANARY_WHY:-?}): tcg"
	fi
fi
[ "$accel" != tcg ] || accel=tcg,thread=multi

# ttyS0: a file, or the terminal (a mux with QEMU's monitor, so that Ctrl-A
# x quits; signal=off: Ctrl-C goes to the guest) with a copy in the file.
if [ -n "$interactive" ]; then
	con=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$run/console.log"
		-serial chardev:con -mon "chardev=con,mode=readline")
else
	con=(-serial "file:$run/console.log")
fi
args=(-accel "$accel" "${cpu[@]}" -smp "$smp" -m "$mem" -nodefaults -display none -no-reboot
	"${con[@]}" -serial "file:$run/results.tap"
	-kernel "$kernel" -initrd "$initrd")
if [ "$numa" = tiers ]; then
	case "$mem" in
	*[0-9]G) mib=$((${mem%G} * 1024)) ;;
	*[0-9]M) mib=${mem%M} ;;
	*) die "NUMA tiers (-N tiers) need MEM as <N>M or <N>G, not '$mem'" ;;
	esac
	if [ "$mib" -lt 256 ] || [ $((mib % 2)) != 0 ]; then
		die "NUMA tiers (-N tiers): MEM=$mem must be an even number of MiB, at least 256M"
	fi
	lb=hmat-lb,initiator=0,hierarchy=memory
	args+=(-machine "hmat=on"
		-object "memory-backend-ram,id=m0,size=$((mib / 2))M"
		-object "memory-backend-ram,id=m1,size=$((mib / 2))M"
		-numa "node,nodeid=0,memdev=m0,cpus=0-$((smp - 1)),initiator=0"
		-numa "node,nodeid=1,memdev=m1,initiator=0"
		-numa "dist,src=0,dst=1,val=20"
		-numa "$lb,target=0,data-type=access-latency,latency=10"
		-numa "$lb,target=0,data-type=access-bandwidth,bandwidth=10G"
		-numa "$lb,target=1,data-type=access-latency,latency=40"
		-numa "$lb,target=1,data-type=access-bandwidth,bandwidth=2G")
fi
[ "$swap" != virtio ] || args+=(-drive "file=$run/swap.img,if=virtio,format=raw,cache=unsafe")
# panic=-1: reboot at once on panic, which -no-reboot turns into an exit.
# tsc=reliable: under TCG the clocksource watchdog (jiffies, whose ticks
# arrive late) marks the TSC unstable after some seconds and the guest
# falls back to a 4 ms jiffies clock; the TSC itself follows QEMU's clock.
# tsc_early_khz: a TCG guest reads the host's TSC, and on a loaded host its
# PIT calibration fails ("Unable to calibrate against PIT"; no HPET without
# ACPI), which also leaves it on jiffies. Given only for a constant TSC.
tsc=tsc=reliable
if [ "$accel" != kvm ] && grep -q -m1 '^flags.* constant_tsc' /proc/cpuinfo; then
	khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
	[ -z "$khz" ] || tsc="$tsc tsc_early_khz=$khz"
fi
cmdline="console=ttyS0 panic=-1 loglevel=7 $tsc workbench.swap=$swap $*"
args+=(-append "$cmdline")
if [ -n "$dry" ]; then
	printf '%q ' qemu-system-x86_64 "${args[@]}"
	echo
	exit 0
fi

mkdir -p "$run"
rm -f "$run/console.log" "$run/results.tap" "$run/qemu.rc"
printf '%q ' qemu-system-x86_64 "${args[@]}" >"$run/qemu.cmd"
echo >>"$run/qemu.cmd"
if [ "$swap" = virtio ]; then
	rm -f "$run/swap.img"
	truncate -s "$swap_size" "$run/swap.img"
fi

boot() { timeout --foreground -k 10 "$timeout" qemu-system-x86_64 "${args[@]}"; }
rc=0
if [ -n "$interactive" ] && [ -t 0 ]; then
	# The console on stderr: stdout is the caller's (run.sh prints only the
	# run directory there).
	boot >&2 2>"$run/qemu.out" || rc=$?
elif [ -n "$interactive" ]; then
	# Input that is not a terminal (a here-doc, a pipe) waits for the
	# guest's shell: what reaches the serial port while its driver starts
	# is lost. guest-init.sh's run_shell prints the line waited for.
	rm -f "$run/qemu.done"
	{
		until grep -q -a 'workbench: interactive shell' "$run/console.log" 2>/dev/null; do
			[ ! -e "$run/qemu.done" ] || exit 0
			sleep 1
		done
		cat
	} | {
		boot >&2 2>"$run/qemu.out" || rc=$?
		echo "$rc" >"$run/qemu.done"
	} || true
	rc=$(cat "$run/qemu.done")
	rm -f "$run/qemu.done"
else
	boot </dev/null >"$run/qemu.out" 2>&1 || rc=$?
fi
rm -f "$run/swap.img"
echo "$rc" >"$run/qemu.rc"
exit "$rc"
