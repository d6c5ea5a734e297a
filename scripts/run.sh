#!/usr/bin/env bash
# run.sh ARM [VARIANT]: build the arm, its test modules and the shared test
# binaries, pack the initramfs, boot it in QEMU and judge the run.
# Environment: GUEST_CMD (suite|bench|i915-mock|warn|panic|hang|true;
# default suite; i915-mock puts the kernel's own modules in /lib/modules),
# GUEST_ARGS (comma-separated arguments for the suite), RUN_TAG (suffix of
# the run directory), EXPECT_ARM (the arm whose expectations the guest
# suite checks; default ARM: a different one is a negative control), and
# everything scripts/qemu.sh reads (MEM, SMP,
# TIMEOUT, SWAP, ACCEL, NUMA, CPU; the "numa" variant defaults to
# NUMA=tiers, the "kvm" variant to CPU=max),
# LRU_GEN (y|n: the guest switches the multi-gen LRU on or off before the
# tests; the kernel must have it, as the "mglru" variant does).
# Logs: build/<base>/runs/ARM-VARIANT[-TAG]/.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arm_variant_args run.sh "$@"
cmd=${GUEST_CMD:-suite}
[ -z "${EXPECT_ARM:-}" ] || check_arm "$EXPECT_ARM"
case "$cmd" in suite | bench | i915-mock | warn | panic | hang | true) ;; *) die "GUEST_CMD=$cmd: use suite, bench, i915-mock, warn, panic, hang or true" ;; esac

[ "$variant" != numa ] || export NUMA=${NUMA:-tiers}
# Variants with KVM (kvm.config among their fragments: kvm, ab): a CPU with
# SVM and nested paging, and kvm_amd without virtual VMLOAD/VMSAVE, with
# which KVM_RUN never returns under QEMU 7.2's TCG (docs/workbench.md).
kargs=()
if config_fragments "$variant" | grep -qxF "$ROOT/scripts/configs/kvm.config"; then
	export CPU=${CPU:-max}
	kargs+=(kvm_amd.vls=0)
fi
case "${LRU_GEN:-}" in '' | y | n) ;; *) die "LRU_GEN=$LRU_GEN: use y or n" ;; esac

work=$("$ROOT/scripts/base-tree.sh")
run=$work/runs/$arm-$variant${RUN_TAG:+-$RUN_TAG}
mkdir -p "$run" "$work/logs" "$work/locks"
exec 8>"$work/locks/run-${run##*/}.lock"
flock -n 8 || die "another run is using $run (set RUN_TAG to run this arm twice at once)"
# A run that stops before its verdict leaves no results of an earlier one.
rm -f "$run"/{results.tap,results.tsv,binaries.tsv,summary,console.bad}
out=$("$ROOT/scripts/build.sh" "$arm" "$variant")

if { [ "$cmd" = suite ] || [ "$cmd" = bench ]; } && [ -r "$ROOT/selftests/Makefile" ]; then
	step "$arm/$variant: test binaries"
	run_logged "$work/logs/selftests.log" make -C "$ROOT/selftests" OUT="$work/selftests" KSRC="$work/src"
fi
mods=$work/modules/$arm-$variant
if { [ "$cmd" = suite ] || [ "$cmd" = bench ]; } && [ -r "$ROOT/selftests/userptr_emu/Makefile" ]; then
	step "$arm/$variant: test modules"
	run_logged "$work/logs/modules-$arm-$variant.log" \
		make -C "$ROOT/selftests/userptr_emu" KOUT="$out" OUT="$mods"
fi
tree=
if [ "$cmd" = i915-mock ]; then
	step "$arm/$variant: installing the kernel's modules for modprobe"
	tree=$work/modules/$arm-$variant-tree
	rm -rf "$tree"
	run_logged "$work/logs/modules_install-$arm-$variant.log" \
		make -C "$(arm_dir "$arm")" O="$out" ARCH=x86_64 INSTALL_MOD_PATH="$tree" INSTALL_MOD_STRIP=1 modules_install
fi
initrd=$(MODULES_DIR="$mods" MODULES_TREE="$tree" "$ROOT/scripts/initramfs.sh" "$arm" "$variant")

step "$arm/$variant: booting (cmd=$cmd, mem=${MEM:-1G}, swap=${SWAP:-virtio}, numa=${NUMA:-none}${LRU_GEN:+, lru_gen=$LRU_GEN}, timeout=${TIMEOUT:-1800}s)"
"$ROOT/scripts/qemu.sh" "$out/arch/x86/boot/bzImage" "$initrd" "$run" \
	"workbench.arm=${EXPECT_ARM:-$arm}" "workbench.cmd=$cmd" ${GUEST_ARGS:+"workbench.args=$GUEST_ARGS"} \
	${LRU_GEN:+"workbench.lru_gen=$LRU_GEN"} "${kargs[@]}" || true
step "$arm/$variant: guest finished; judging $run"
"$ROOT/scripts/verdict.sh" "$run"
