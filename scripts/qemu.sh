#!/usr/bin/env bash
# qemu.sh BZIMAGE INITRAMFS RUNDIR [KERNEL-ARGS...]: boot once under a hard
# timeout. ttyS0 (kernel console) -> RUNDIR/console.log, ttyS1 (the suite's
# TAP) -> RUNDIR/results.tap. Exit status: QEMU's, or 124 on timeout.
# Environment: MEM (1G), SMP (2), TIMEOUT (seconds, 1800), SWAP
# (virtio|zram|none, default virtio), SWAP_SIZE (1G), ACCEL (tcg|kvm),
# NUMA (none|tiers, default none; tiers: MEM split in two ACPI NUMA nodes,
# node 1 CPU-less and, per HMAT, 4x the latency and 1/5 the bandwidth of
# node 0, which a kernel with CONFIG_ACPI_HMAT puts in a lower memory tier;
# scripts/run.sh sets it for the "numa" config variant), CPU (QEMU's -cpu
# model; default QEMU's own; run.sh sets max for the "kvm" variant: under
# TCG it offers SVM with nested paging).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: qemu.sh BZIMAGE INITRAMFS RUNDIR [KERNEL-ARGS...]"
kernel=$1 initrd=$2 run=$3
shift 3
[ -r "$kernel" ] || die "no kernel at $kernel"
[ -r "$initrd" ] || die "no initramfs at $initrd"
need qemu-system-x86

mem=${MEM:-1G} smp=${SMP:-2} timeout=${TIMEOUT:-1800} swap=${SWAP:-virtio}
accel=${ACCEL:-tcg} numa=${NUMA:-none}
case "$numa" in none | tiers) ;; *) die "NUMA=$numa: use none or tiers" ;; esac
case "$swap" in virtio | zram | none) ;; *) die "SWAP=$swap: use virtio, zram or none" ;; esac
case "$accel" in tcg) accel=tcg,thread=multi ;; kvm) ;; *) die "ACCEL=$accel: use tcg or kvm" ;; esac

mkdir -p "$run"
rm -f "$run/console.log" "$run/results.tap" "$run/qemu.rc"
cpu=()
[ -z "${CPU:-}" ] || cpu=(-cpu "$CPU")
args=(-accel "$accel" "${cpu[@]}" -smp "$smp" -m "$mem" -nodefaults -display none -no-reboot
	-serial "file:$run/console.log" -serial "file:$run/results.tap"
	-kernel "$kernel" -initrd "$initrd")
if [ "$numa" = tiers ]; then
	case "$mem" in
	*[0-9]G) mib=$((${mem%G} * 1024)) ;;
	*[0-9]M) mib=${mem%M} ;;
	*) die "NUMA=tiers needs MEM as <N>M or <N>G, not '$mem'" ;;
	esac
	if [ "$mib" -lt 256 ] || [ $((mib % 2)) != 0 ]; then
		die "NUMA=tiers: MEM=$mem must be an even number of MiB, at least 256M"
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
if [ "$swap" = virtio ]; then
	rm -f "$run/swap.img"
	truncate -s "${SWAP_SIZE:-1G}" "$run/swap.img"
	args+=(-drive "file=$run/swap.img,if=virtio,format=raw,cache=unsafe")
fi
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
printf '%q ' qemu-system-x86_64 "${args[@]}" >"$run/qemu.cmd"
echo >>"$run/qemu.cmd"

rc=0
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null >"$run/qemu.out" 2>&1 || rc=$?
rm -f "$run/swap.img"
echo "$rc" >"$run/qemu.rc"
exit "$rc"
