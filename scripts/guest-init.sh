#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test initramfs (busybox ash, POSIX sh only).
# Kernel command line keys (set by scripts/run.sh):
#   workbench.arm=ARM        arm name passed to the suite
#   workbench.swap=virtio|zram|none   swap device (default virtio: /dev/vda)
#   workbench.cmd=suite|bench|i915-mock|warn|panic|hang|true|exec|shell
#                            what to run (default suite); i915-mock loads
#                            i915 with its mock selftests and workbench.args
#                            as parameters; exec: workbench.exec's command;
#                            shell: an interactive shell on the console,
#                            its exit status the result
#   workbench.args=A,B       extra arguments for the suite (comma separated)
#   workbench.exec=BASE64    the command of cmd=exec: its words, each quoted
#                            for sh, base64-encoded; run by run-guest.sh in
#                            /tests as one test binary
#   workbench.shell=1        after the command, an interactive shell
#   workbench.per_test_timeout=SECONDS   PER_TEST_TIMEOUT of run-guest.sh
#   workbench.lru_gen=y|n    switch the multi-gen LRU on or off first (a
#                            kernel without it fails the run)
#   workbench.stress_seconds=N, workbench.stress_seed=N   time and seed of
#                            the suite's pin_stress (PIN_STRESS_SECONDS,
#                            PIN_STRESS_SEED; scripts/stress.sh)
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/tests
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /tmp

arm=unknown swap=virtio cmd=suite args='' lru_gen='' exec_b64='' shell='' ptt=''
read -r cmdline </proc/cmdline
for kv in $cmdline; do
	case "$kv" in
	workbench.arm=*) arm=${kv#workbench.arm=} ;;
	workbench.swap=*) swap=${kv#workbench.swap=} ;;
	workbench.cmd=*) cmd=${kv#workbench.cmd=} ;;
	workbench.args=*) args=$(echo "${kv#workbench.args=}" | tr ',' ' ') ;;
	workbench.lru_gen=*) lru_gen=${kv#workbench.lru_gen=} ;;
	workbench.exec=*) exec_b64=${kv#workbench.exec=} ;;
	workbench.shell=*) shell=${kv#workbench.shell=} ;;
	workbench.per_test_timeout=*) ptt=${kv#workbench.per_test_timeout=} ;;
	workbench.stress_seconds=*) export PIN_STRESS_SECONDS="${kv#workbench.stress_seconds=}" ;;
	workbench.stress_seed=*) export PIN_STRESS_SEED="${kv#workbench.stress_seed=}" ;;
	esac
done

out=/dev/ttyS1
say() { echo "$*" >"$out"; echo "workbench: $*" >/dev/console; }

case "$swap" in
virtio)
	if ! { mkswap /dev/vda >/dev/null && swapon /dev/vda; }; then
		say "# swap on /dev/vda failed"
	fi ;;
zram)
	if ! { echo 512M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; }; then
		say "# swap on zram failed"
	fi ;;
esac
for m in /modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || say "# insmod $m failed"
done
lru_state=none
if [ -e /sys/kernel/mm/lru_gen/enabled ]; then
	[ -z "$lru_gen" ] || echo "$lru_gen" >/sys/kernel/mm/lru_gen/enabled
	lru_state=$(cat /sys/kernel/mm/lru_gen/enabled)
fi
echo "workbench: arm=$arm swap=$swap cmd=$cmd lru_gen=$lru_state" >/dev/console
# A requested LRU that the kernel did not switch to fails the run (below).
lru_rc=0
case "$lru_gen:$lru_state" in
: | *:none) [ -z "$lru_gen" ] || lru_rc=3 ;;
n:0x0000) ;;
n:*) lru_rc=3 ;;
y:0x0000) lru_rc=3 ;;
esac
[ "$lru_rc" = 0 ] || echo "workbench: lru_gen=$lru_gen requested, the kernel has $lru_state" >/dev/console

# run_script PATH: the suite or bench script, its output to the host.
run_script() {
	if [ -x "$1" ]; then
		# shellcheck disable=SC2086
		PER_TEST_TIMEOUT=$ptt "$1" "$arm" $args >"$out" 2>&1
		rc=$?
	else
		say "TAP version 13"
		say "1..0 # SKIP no $1 in this initramfs"
	fi
}

# run_shell: an interactive shell on the console (the terminal of
# scripts/run.sh -s), in /tests, with the suite's environment; sets src.
run_shell() {
	echo "workbench: interactive shell in /tests (exit or Ctrl-D ends the run; Ctrl-A x quits QEMU)" >/dev/console
	(cd /tests && PIN_RECLAIM_ARM=$arm PER_TEST_TIMEOUT=$ptt PS1='guest:$PWD# ' setsid cttyhack sh)
	src=$?
}

rc=0
case "$cmd" in
suite) run_script /tests/run-guest.sh ;;
exec)
	# The words back from base64, then run-guest.sh's one-command mode.
	words=$(echo "$exec_b64" | base64 -d)
	eval "set -- $words"
	PER_TEST_TIMEOUT=$ptt /tests/run-guest.sh "$arm" -- "$@" >"$out" 2>&1
	rc=$? ;;
shell)
	say "TAP version 13"
	say "1..1"
	run_shell
	if [ "$src" = 0 ]; then say "ok 1 shell"; else say "not ok 1 shell # exit=$src"; fi
	shell='' ;;
bench) run_script /tests/run-bench.sh ;;
i915-mock)
	# i915 runs the selected mock selftests at load and, when they all
	# pass, stays loaded with mock_selftests=-ENOTTY (-25); a failing
	# selftest leaves its error there instead.
	say "TAP version 13"
	say "1..1"
	# shellcheck disable=SC2086
	modprobe i915 mock_selftests=-1 $args
	mrc=$?
	st=$(cat /sys/module/i915/parameters/mock_selftests 2>/dev/null || echo none)
	if [ "$st" = -25 ]; then
		say "ok 1 i915 mock selftests: $args"
	else
		say "not ok 1 i915 mock selftests: $args (modprobe rc=$mrc, mock_selftests=$st)"
	fi ;;
warn)
	echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT ;;
panic)
	echo PANIC >/sys/kernel/debug/provoke-crash/DIRECT ;;
hang)
	sleep 100000 ;;
true)
	say "TAP version 13"
	say "1..1"
	say "ok 1 true" ;;
*)
	say "# unknown workbench.cmd=$cmd"
	rc=2 ;;
esac
[ -z "$shell" ] || run_shell
[ "$lru_rc" = 0 ] || rc=$lru_rc
say "WORKBENCH-END rc=$rc"
sync
reboot -f
