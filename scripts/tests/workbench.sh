#!/usr/bin/env bash
# workbench.sh: the workbench's own tests. Bad input must give a clear
# error and touch nothing: wrong sha256, missing tarball, an unknown base,
# a wrong .deb or tarball sha256 of a base, a base without its own series,
# wrong base version, a dirty KSRC tree, an unknown arm or variant, a
# series that does not apply; scripts/run.sh's options, -k, -- CMD and its
# dry runs. The verdict must fail on kernel warnings, panics, timeouts and
# failed tests in canned guest logs. Runs in seconds: small fake trees.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tlib.sh
. scripts/tests/tlib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BUILD=$tmp/build NO_INSTALL=1
# None of the variables scripts/run.sh refuses (the tests give options).
for kv in $(bash -c '. scripts/lib.sh; echo "$RUN_OLD_ENV"'); do unset "${kv%%:*}"; done

# A tiny git tree that looks like a kernel tree of version $1.
fake_tree() {
	local dir=$1 ver=$2
	mkdir -p "$dir/mm"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\n' \
		"${ver%%.*}" "$(echo "$ver" | cut -d. -f2)" "$(echo "$ver" | cut -d. -f3)" >"$dir/Makefile"
	printf 'int a(void)\n{\n\treturn 1;\n}\n' >"$dir/mm/rmap.c"
	git -C "$dir" init -q -b master
	git -C "$dir" add -A
	git -C "$dir" -c user.name=t -c user.email=t@t.invalid commit -q -m "fake $ver"
}
# Fingerprint of a tree: HEAD, refs, status, worktrees, file contents.
fingerprint() {
	{
		git -C "$1" rev-parse HEAD
		git -C "$1" for-each-ref
		git -C "$1" status --porcelain --ignored
		git -C "$1" worktree list --porcelain
		find "$1" -path "$1/.git" -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
	} | sha256sum | cut -d' ' -f1
}

# --- unknown arm / variant -------------------------------------------------
expect_error "unknown arm" "unknown arm 'nosuch'.*known arms: base mayfail pin-aware" scripts/arm.sh nosuch
expect_error "unknown arm (build)" "unknown arm 'x'" scripts/build.sh x
expect_error "unknown variant" "unknown config variant 'fast'" scripts/build.sh base fast
# --- a disk too full for the job: said before anything starts -------------
expect_error "disk too full" "make check needs about 999999 GiB free in $tmp/build, its file system has [0-9]+ GiB" \
	bash -c '. scripts/lib.sh; need_disk 999999 999999 "make check"'
expect_error "unknown arm (make ab)" "unknown arm 'nosuch'" scripts/ab.sh base,nosuch
expect_error "unknown overlay" "unknown overlay 'foo' in arm 'base\\+foo' \\(known overlays: i915-mock skip-policy test_hmm-fix\\)" scripts/arm.sh base+foo
expect_error "unknown arm (make i915-mock)" "unknown arm 'nosuch'" scripts/i915-mock.sh base,nosuch
expect_error "i915-mock.sh: unknown option" "i915-mock.sh: unknown option -x \\(usage: i915-mock.sh" scripts/i915-mock.sh -x base
expect_error "i915-mock.sh: bad -T" "i915-mock.sh: -T '10m': a number >= 1" scripts/i915-mock.sh -T 10m base
expect_error "i915-mock.sh: unknown -e arm" "unknown arm 'nosuch'" scripts/i915-mock.sh -e nosuch base
expect_error "make i915-mock takes plain arms" "takes plain arms .*not 'base\\+i915-mock'" scripts/i915-mock.sh base+i915-mock
expect_error "unknown arm (make kvm)" "unknown arm 'nosuch'" scripts/kvm.sh base,nosuch
expect_error "make kvm takes plain arms" "kvm.sh takes plain arms .*not 'pin-aware\\+skip-policy'" scripts/kvm.sh pin-aware+skip-policy
expect_error "make kvm: unknown EXPECT_ARM" "unknown arm 'nosuch'" scripts/kvm.sh -e nosuch base
expect_error "make kvm: bad TIMEOUT" "kvm.sh: -T '0': a number >= 1" scripts/kvm.sh -T 0 base
expect_error "kvm.sh: unknown option" "kvm.sh: unknown option -x \\(usage: kvm.sh" scripts/kvm.sh -x base
expect_error "kvm.sh: -o without its value" "kvm.sh: option -o needs a value \\(usage: kvm.sh" scripts/kvm.sh -o
expect_error "abuse-report.sh: unknown option" "abuse-report.sh: unknown option -x" scripts/abuse-report.sh -x
expect_error "abuse-report.sh: unknown variant" "unknown config variant 'fast'" scripts/abuse-report.sh -v fast
t_if "kvm.sh -h prints its usage" bash -c 'scripts/kvm.sh -h | grep -q "^usage: kvm.sh \[-o OUT\]"'
expect_error "skip-policy.sh: unknown option" "usage: skip-policy.sh \[--publish\]" scripts/skip-policy.sh --nosuch
expect_error "skip-policy.sh: --publish of a quick run" "error: --publish copies the full run's report to docs/: not with -q or -o" \
	scripts/skip-policy.sh -q --publish
expect_error "skip-policy.sh: bad -T" "skip-policy.sh: -T 'x': a number >= 1" scripts/skip-policy.sh -T x
expect_error "make ab: unknown option" "ab.sh: unknown option -x \\(usage: ab.sh" scripts/ab.sh -x base
expect_error "make ab: REPEAT=0" "ab.sh: -r '0': a number >= 1" scripts/ab.sh -r 0 base
expect_error "make ab: bad MEM" "memory '1T': use <N>M or <N>G" scripts/ab.sh -m 1T base
expect_error "make ab: bad SWAP" "swap 'nfs': use virtio, zram or none" scripts/ab.sh -S nfs base
expect_error "reliability.sh: unknown option" "usage: reliability.sh \[--publish\] \[ARMS\]" scripts/reliability.sh --nosuch
expect_error "reliability.sh: an overlay arm" "reliability.sh takes plain arms .*not 'base\+i915-mock'" scripts/reliability.sh base+i915-mock
expect_error "reliability.sh: unknown arm" "unknown arm 'nosuch'" scripts/reliability.sh base,nosuch
expect_error "run.sh -K: one kernel argument" "run.sh: -K 'a b': one kernel argument, without spaces" scripts/run.sh -K 'a b' base debug
expect_error "make stress: unknown arm" "unknown arm 'nosuch'" scripts/stress.sh base,nosuch
expect_error "make stress takes plain arms" "stress.sh takes plain arms .*not 'pin-aware\\+skip-policy'" scripts/stress.sh pin-aware+skip-policy
expect_error "make stress: unknown option" "usage: stress.sh \\[--publish\\]" scripts/stress.sh --nosuch
expect_error "make stress: -t 0" "stress.sh: -t '0': a number >= 1" scripts/stress.sh -t 0 pin-aware
expect_error "make stress: -t 10m" "stress.sh: -t '10m': a number >= 1" scripts/stress.sh -t 10m pin-aware
expect_error "make stress: -T 0" "stress.sh: -T '0': a number >= 1" scripts/stress.sh -T 0 pin-aware
expect_error "make stress: -s -3" "stress.sh: -s '-3': a number" scripts/stress.sh -s -3 pin-aware
expect_error "make stress: a seed pin_stress cannot take" "stress.sh: -s 4294967296: pin_stress takes a seed of 0..4294967295" \
	scripts/stress.sh -s 4294967296 pin-aware
expect_error "make stress: --publish with OUT=" "copies the job's report to docs/: not with -o" \
	scripts/stress.sh -o /tmp/x.md --publish pin-aware
# The scripts take options: none reads a setting from the environment (the
# Makefile turns make variables into options; run.sh refuses the old ones).
env_reads() { grep -nE '\$\{(QUICK|OUT|TIMEOUT|ACCEL|EXPECT_ARM|MEM|SMP|SWAP|REPEAT|SEED|I915_MOCK)[:}-]' scripts/*.sh; }
t_if "no script reads QUICK, OUT, TIMEOUT, ACCEL, ... from the environment" test -z "$(env_reads)"
t_if "unknown arm/variant created nothing" test ! -e "$BUILD"

# --- scripts/run.sh: options (bad ones change nothing), -k, --, dry runs ---
help=$(scripts/run.sh -h 2>&1) || true
letters=$(sed -n "s/^while getopts ':\([^']*\)'.*/\1/p" scripts/run.sh | tr -d :)
undoc=
for ((j = 0; j < ${#letters}; j++)); do
	grep -q -E "^  -${letters:j:1} " <<<"$help" || undoc+=" -${letters:j:1}"
done
t_if "run.sh -h: a usage text that documents every option (${letters:-none parsed}):${undoc:- all}" \
	test -n "$letters" -a -z "$undoc" -a "$(head -n1 <<<"$help")" = "usage: scripts/run.sh [OPTIONS] ARM [VARIANT] [-- CMD [ARG...]]"
t_if "make help shows run.sh -h" bash -c "make -s --no-print-directory help | grep -qF 'usage: scripts/run.sh [OPTIONS] ARM'"
expect_error "run.sh: unknown option" "run.sh: unknown option -Q \(usage: scripts/run.sh \[OPTIONS\] ARM" scripts/run.sh -Q base
expect_error "run.sh: an option without its value" "option -m needs a value" scripts/run.sh -m
expect_error "run.sh: an option after ARM" "option -m after ARM: options go before ARM" scripts/run.sh base test -m 2G
expect_error "run.sh: no arm" "usage: scripts/run.sh \[OPTIONS\] ARM" scripts/run.sh -m 2G
expect_error "run.sh: three positional arguments" "usage: scripts/run.sh" scripts/run.sh base test extra
expect_error "run.sh: unknown arm" "unknown arm 'nosuch'" scripts/run.sh -n nosuch
expect_error "run.sh: unknown -e arm" "unknown arm 'nosuch'" scripts/run.sh -e nosuch base
expect_error "unknown guest command" "-g nosuch: use suite, bench" scripts/run.sh -g nosuch base
expect_error "-g of guest-init's own: exec" "-g exec: use suite, bench" scripts/run.sh -g exec base
expect_error "bad -L" "-L on: use y or n" scripts/run.sh -L on base mglru
expect_error "bad -m" "memory '2X': use <N>M or <N>G" scripts/run.sh -m 2X base
expect_error "bad -p" "vCPUs '0': a number >= 1" scripts/run.sh -p 0 base
expect_error "bad -T" "timeout '1h': seconds" scripts/run.sh -T 1h base
expect_error "bad -S" "swap 'nvme': use virtio, zram or none" scripts/run.sh -S nvme base
expect_error "bad -A" "accelerator 'xen': use tcg, kvm or auto" scripts/run.sh -A xen base
expect_error "bad -N" "NUMA 'three': use none or tiers" scripts/run.sh -N three base
expect_error "bad -P" "-P '0': seconds, a number >= 1" scripts/run.sh -P 0 base
expect_error "bad -t" "-t 'a/b': letters, digits" scripts/run.sh -t a/b base
expect_error "bad -a" "-a 'a b': comma-separated, no spaces" scripts/run.sh -a 'a b' base
expect_error "-g and -- together" "-g suite and -- CMD: give one of them" scripts/run.sh -g suite base -- ./pin_reclaim
expect_error "-a and -- together" "-a x and -- CMD: CMD takes its own arguments" scripts/run.sh -a x base -- ./pin_reclaim
expect_error "-- without a command" "-- without a command" scripts/run.sh base --
expect_error "-- CMD too long for the kernel command line" "too long for the kernel command line" \
	scripts/run.sh base -- "$(printf 'x%.0s' {1..1200})"
expect_error "an old variable in the environment is refused" \
	"run.sh takes options, not the environment: GUEST_ARGS=pin_reclaim is set; use -a pin_reclaim" \
	env GUEST_ARGS=pin_reclaim scripts/run.sh base
expect_error "an old variable, -n too" "TIMEOUT=60 is set; use -T 60" env TIMEOUT=60 scripts/run.sh -n base
t_if "an old variable with its option given is no error (make run passes both)" \
	env MEM=2G scripts/run.sh -n -m 2G base
t_if "run_sh (lib.sh) clears the old variables for run.sh" \
	env GUEST_ARGS=x TIMEOUT=5 bash -c '. scripts/lib.sh; run_sh -n base'
expect_error "-k: a missing file" "-k $tmp/nosuch: no such file or directory \(give a bzImage or a kernel O= build directory\)" \
	scripts/run.sh -k "$tmp/nosuch" base
mkdir -p "$tmp/notko"
expect_error "-k: a directory that is no O= dir" "-k $tmp/notko: not a kernel O= build directory \(no arch/x86/boot/bzImage" \
	scripts/run.sh -k "$tmp/notko" base
echo text >"$tmp/notbz"
expect_error "-k: a file that is no bzImage" "-k $tmp/notbz: not an x86 bzImage" scripts/run.sh -k "$tmp/notbz" base
# A file that file(1) takes for an x86 bzImage: the boot sector's 0xAA55,
# "HdrS" at 514 and the bzImage flag at 529; and an O= dir holding it.
fakebz() {
	mkdir -p "$(dirname "$1")"
	{
		head -c 510 /dev/zero
		printf '\x55\xaa\x00\x00HdrS\x0f\x02'
		head -c 9 /dev/zero
		printf '\x01'
		head -c 494 /dev/zero
	} >"$1"
}
fakebz "$tmp/bz"
fakebz "$tmp/ko/arch/x86/boot/bzImage"
expect_error "-k bzImage with -g i915-mock" "-g i915-mock installs the kernel's modules: give -k its O= build directory" \
	scripts/run.sh -k "$tmp/bz" -g i915-mock base
t_if "bad options, the environment and -k checks created nothing" test ! -e "$BUILD"
# Dry runs (-n): the QEMU command on stdout, nothing written.
dry() { scripts/run.sh -n "$@" 2>"$T_LOG.err"; }
has() { # NAME WORD... : the last dry run's command has each WORD
	local w miss=
	for w in "${@:2}"; do grep -qF -- "$w" <<<"$q" || miss+=" $w"; done
	t_if "$1${miss:+ (missing:$miss)}" test -z "$miss"
}
q=$(dry base) || true
has "-n base: the default suite boot under TCG" "qemu-system-x86_64 -accel tcg\\,thread=multi -smp 2 -m 1G " \
	"-serial file:$BUILD/deb-7.3.4/runs/base-test/console.log" "-kernel $BUILD/deb-7.3.4/arms/base/.out-test/arch/x86/boot/bzImage" \
	"workbench.arm=base\\ workbench.cmd=suite" "workbench.swap=virtio"
t_if "-n: one line on stdout" test "$(wc -l <<<"$q")" = 1
q=$(dry -m 2G -p 3 -S zram -C max -L y -P 77 -e pin-aware -a a,b -t x base mglru) || true
has "-n: each option reaches QEMU or the guest's command line" "-cpu max -smp 3 -m 2G" "workbench.swap=zram" \
	"workbench.lru_gen=y" "workbench.per_test_timeout=77" "workbench.arm=pin-aware" "workbench.args=a\\,b" \
	"runs/base-mglru-x/results.tap"
q=$(dry base numa) || true
has "-n base numa: two tiered nodes by default" "-machine hmat=on" "node\\,nodeid=1\\,memdev=m1"
q=$(dry -N none base numa) || true
t_if "-n -N none base numa: one node" test -n "$q" -a -z "$(grep -F hmat <<<"$q")"
q=$(dry base kvm) || true
has "-n base kvm: -cpu max and kvm_amd.vls=0" "-cpu max" "kvm_amd.vls=0"
q=$(dry -s base) || true
has "-n -s: the console on the terminal (and in console.log), the guest's shell" \
	"-chardev stdio\\,id=con\\,mux=on\\,signal=off\\,logfile=$BUILD/deb-7.3.4/runs/base-test/console.log" \
	"-serial chardev:con -mon chardev=con\\,mode=readline" "workbench.cmd=shell"
q=$(dry -s base -- ./pin_reclaim -l) || true
has "-n -s -- CMD: the command, then a shell" "workbench.cmd=exec" "workbench.shell=1"
# -- CMD: its words survive the trip through base64 and the guest's sh.
# shellcheck disable=SC2016 # a literal $HOME, for the guest's sh not to expand
q=$(dry base -- ./pin_reclaim -r pin_reclaim.shmem_pin.pageout "it's two words" '$HOME') || true
b64=$(grep -o -E 'workbench\.exec=[A-Za-z0-9+/=]+' <<<"$q" | cut -d= -f2-) || true
got=$(busybox sh -c 'eval "set -- $(echo "$1" | base64 -d)"; printf "[%s]" "$@"' sh "$b64" 2>&1) || true
t_if "-- CMD: its words reach the guest's sh as given ($got)" \
	test "$got" = "[./pin_reclaim][-r][pin_reclaim.shmem_pin.pageout][it's two words][\$HOME]"
has "-- CMD: workbench.cmd=exec" "workbench.cmd=exec"
q=$(dry -k "$tmp/bz" base) || true
has "-n -k BZIMAGE: that kernel, its own run directory and initramfs" "-kernel $tmp/bz " \
	"runs/base-test-own/console.log" "-initrd $BUILD/deb-7.3.4/runs/base-test-own/initramfs.cpio.gz"
q=$(dry -k "$tmp/ko" base) || true
has "-n -k O_DIR: its bzImage" "-kernel $tmp/ko/arch/x86/boot/bzImage "
q=$(make -s --no-print-directory run ARM=base MEM=2G SMP=1 SWAP=zram TIMEOUT=99 RUN_OPTS='-n -a pin_reclaim' 2>/dev/null) || true
has "make run: MEM, SMP, SWAP and RUN_OPTS become run.sh options" "-smp 1 -m 2G" "workbench.swap=zram" "workbench.args=pin_reclaim"
# -A auto: the canary boot (a boot sector that exits QEMU at once) must
# finish under TCG; a KVM whose guests never run (a stand-in QEMU that
# hangs on -accel kvm: this host's real one is never tried) falls back to
# tcg, and a KVM that runs them is used.
t_if "the KVM canary's boot sector exits QEMU under TCG (kvm_canary tcg)" bash -c '. scripts/lib.sh; kvm_canary tcg'
mkdir -p "$tmp/fakeq"
real_qemu=$(command -v qemu-system-x86_64)
cat >"$tmp/fakeq/qemu-system-x86_64" <<EOF
#!/bin/bash
case " \$* " in
*" -accel kvm "*) [ "\${FAKE_KVM:-}" = works ] || exec sleep 60
	exec "$real_qemu" "\${@/#kvm/tcg}" ;;
esac
exec "$real_qemu" "\$@"
EOF
chmod +x "$tmp/fakeq/qemu-system-x86_64"
t0=$SECONDS
q=$(PATH=$tmp/fakeq:$PATH dry -A auto base) || true
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then why='no exit within 10 s'; else why='no usable /dev/kvm'; fi
t_if "-A auto, KVM guests never run: tcg after the canary ($((SECONDS - t0)) s; $why)" \
	bash -c "grep -qF -- '-accel tcg\\,thread=multi' <<<'$q' && grep -qF 'the KVM canary did not boot ($why): tcg' '$T_LOG.err'"
q=$(FAKE_KVM=works PATH=$tmp/fakeq:$PATH dry -A auto base) || true
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	t_if "-A auto, KVM guests run: kvm" bash -c "grep -qF -- '-accel kvm ' <<<'$q' && grep -qF 'the KVM canary booted: kvm' '$T_LOG.err'"
else
	t_if "-A auto without /dev/kvm: tcg" grep -qF -- '-accel tcg' <<<"$q"
fi
t_if "dry runs wrote nothing" test ! -e "$BUILD"

# --- make publish: the only writer of docs/, and only of a complete full job ---
docs_fp=$(find docs -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum)
expect_error "publish without a job" "no full make ab job of base 7.3 to publish" scripts/publish.sh
mkdir -p "$tmp/job"
echo '# fake' >"$tmp/job/ab-results.md"
expect_error "publish of an incomplete job" "job $tmp/job is not complete" scripts/publish.sh "$tmp/job"
touch "$tmp/job/complete"
echo mode=quick >"$tmp/job/meta.txt"
expect_error "publish of a quick job" "job $tmp/job is a QUICK=1 job: not published" scripts/publish.sh "$tmp/job"
expect_same "publish refused: docs/ untouched" "$docs_fp" \
	"$(find docs -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum)"
rm -rf "$tmp/job" "$BUILD"

# --- the pinned tarball ------------------------------------------------------
export BASE=6.12 # the LTS base; the bases section below sets BASE itself
. patches/bases/6.12.pin
sed "s|^BASE_TARBALL=.*|BASE_TARBALL=$tmp/none.tar.xz|" patches/bases/6.12.pin >"$tmp/missing.pin"
expect_error "missing tarball" "no $tmp/none.tar.xz, no .*/linux-source-6.12_6.12.117-1~deb12u1_all.deb, and NO_INSTALL=1 forbids downloading linux-source-6.12=6.12.117-1~deb12u1" \
	env BASE_PIN="$tmp/missing.pin" scripts/base-tree.sh
mkdir -p "$tmp/tb/linux-source-6.12"
cp "$tmp/missing.pin" "$tmp/bad.pin"
printf 'VERSION = 6\n' >"$tmp/tb/linux-source-6.12/Makefile"
tar -cJf "$tmp/fake.tar.xz" -C "$tmp/tb" linux-source-6.12
sed -i "s|^BASE_TARBALL=.*|BASE_TARBALL=$tmp/fake.tar.xz|" "$tmp/bad.pin"
expect_error "wrong sha256" "has sha256 [0-9a-f]{64}, the pin \([^)]*bad.pin\) says $BASE_SHA256" \
	env BASE_PIN="$tmp/bad.pin" scripts/base-tree.sh
t_if "bad tarball: no tree was made" test -z "$(find "$BUILD" -name src -o -name 'src.tmp' 2>/dev/null)"

# --- bases: BASE=, the pinned .deb, per-base series ----------------------------
# Fingerprint of a directory: names, types, sizes and file contents.
dir_fp() {
	[ -e "$1" ] || {
		echo none
		return
	}
	(cd "$1" && find . -printf '%p %y %s\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}
known=$(for f in patches/bases/*.pin; do f=${f##*/}; printf '%s ' "${f%.pin}"; done)
known=${known% }
t_if "make help shows BASE=${known// /|} (default 7.3)" \
	bash -c "make -s --no-print-directory help | grep -qF 'BASE=${known// /|} (default 7.3)'"
fp=$(dir_fp "$BUILD")
expect_error "unknown base" "unknown base 'nosuch' \(known bases: $known; one pin file each in patches/bases/\)" \
	env BASE=nosuch scripts/base-tree.sh
expect_error "unknown base (arm)" "unknown base 'nosuch'" env BASE=nosuch scripts/arm.sh base
expect_error "unknown base (fetch)" "unknown base 'nosuch'" env BASE=nosuch scripts/fetch-base.sh
expect_error "unknown base (build)" "unknown base 'nosuch'" env BASE=nosuch scripts/build.sh base
expect_error "unknown base (make base)" "unknown base 'nosuch'" make -s --no-print-directory base BASE=nosuch
expect_same "unknown base: build/ untouched" "$fp" "$(dir_fp "$BUILD")"

# A fake linux-source .deb for base 7.3, where fetch-base.sh keeps a
# downloaded one: it is used as it is (nothing is downloaded).
mkdir -p "$tmp/deb/DEBIAN" "$tmp/deb/usr/src" "$tmp/tb73/linux-source-7.3"
printf 'VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\n' >"$tmp/tb73/linux-source-7.3/Makefile"
tar -cJf "$tmp/deb/usr/src/linux-source-fake.tar.xz" -C "$tmp/tb73" linux-source-7.3
printf 'Package: linux-source-fake\nVersion: 7.3.4-1~test\nArchitecture: all\nMaintainer: t <t@t.invalid>\nDescription: fake\n' >"$tmp/deb/DEBIAN/control"
dpkg-deb --root-owner-group -b "$tmp/deb" "$tmp/fake.deb" >/dev/null
tsum=$(sha256sum "$tmp/deb/usr/src/linux-source-fake.tar.xz" | cut -d' ' -f1)
dsum=$(sha256sum "$tmp/fake.deb" | cut -d' ' -f1)
zero=$(printf '0%.0s' {1..64})
fake73() { # PIN DEB_SHA256 TARBALL_SHA256: the 7.3 pin, for the fake package
	sed -e 's|^BASE_PACKAGE=.*|BASE_PACKAGE=linux-source-fake|' \
		-e 's|^BASE_PACKAGE_VERSION=.*|BASE_PACKAGE_VERSION=7.3.4-1~test|' \
		-e 's|^BASE_TARBALL=.*|BASE_TARBALL=/usr/src/linux-source-fake.tar.xz|' \
		-e "s|^BASE_DEB_SHA256=.*|BASE_DEB_SHA256=$2|" -e "s|^BASE_SHA256=.*|BASE_SHA256=$3|" \
		patches/bases/7.3.pin >"$1"
}
mkdir -p "$BUILD/apt/7.3/debs"
cp "$tmp/fake.deb" "$BUILD/apt/7.3/debs/linux-source-fake_7.3.4-1~test_all.deb"
fake73 "$tmp/baddeb.pin" "$zero" "$tsum"
fake73 "$tmp/badtar.pin" "$dsum" "$zero"
fake73 "$tmp/good73.pin" "$dsum" "$tsum"
fp=$(dir_fp "$BUILD")
expect_error "wrong .deb sha256" "package .*/linux-source-fake_7.3.4-1~test_all.deb has sha256 $dsum, the pin \([^)]*baddeb.pin\) says $zero" \
	env BASE=7.3 BASE_PIN="$tmp/baddeb.pin" scripts/base-tree.sh
expect_same "wrong .deb sha256: build/ untouched" "$fp" "$(dir_fp "$BUILD")"
expect_error "wrong tarball sha256 in the .deb" "tarball /usr/src/linux-source-fake.tar.xz in linux-source-fake_7.3.4-1~test_all.deb has sha256 $tsum, the pin \([^)]*badtar.pin\) says $zero" \
	env BASE=7.3 BASE_PIN="$tmp/badtar.pin" scripts/base-tree.sh
expect_same "wrong tarball sha256: build/ untouched" "$fp" "$(dir_fp "$BUILD")"
# A series without patches for a base: test_hmm-fix on 6.12 (every arm has
# them; arm.sh checks arms and overlays in the same loop).
expect_error "base without its own overlay series" "no test_hmm-fix series for base 6.12 yet \(no patches in patches/test_hmm-fix/6.12/\)" \
	env BASE=6.12 scripts/arm.sh base+test_hmm-fix
expect_same "missing series: build/ untouched" "$fp" "$(dir_fp "$BUILD")"
wt=$(BASE=7.3 BASE_PIN="$tmp/good73.pin" scripts/arm.sh base 2>"$tmp/err") || true
if [ "$wt" = "$BUILD/deb-7.3.4/arms/base" ] &&
	[ "$(git -C "$wt" log -1 --format=%s refs/tags/base)" = "Linux 7.3.4 (linux-source-fake 7.3.4-1~test)" ]; then
	t_ok "base 7.3 from the .deb: build/deb-7.3.4, tag base, arm base"
else
	t_fail "base 7.3 from the .deb: no tree or arm ($wt): $(cat "$tmp/err")"
fi

# --- KSRC: a user's tree is never modified -----------------------------------
fake_tree "$tmp/old" 5.10.0
fp=$(fingerprint "$tmp/old")
expect_error "wrong base version" "wrong base version: .* is Linux 5.10.0, expected 6.12" env KSRC="$tmp/old" scripts/arm.sh base
expect_same "wrong base version: KSRC untouched" "$fp" "$(fingerprint "$tmp/old")"

fake_tree "$tmp/dirty" 6.12.1
echo "/* local change */" >>"$tmp/dirty/mm/rmap.c"
fp=$(fingerprint "$tmp/dirty")
expect_error "dirty KSRC" "has local changes; commit or stash them first" env KSRC="$tmp/dirty" scripts/arm.sh base
expect_same "dirty KSRC: untouched" "$fp" "$(fingerprint "$tmp/dirty")"
expect_error "KSRC not a git tree" "is not a git tree" env KSRC="$tmp" scripts/arm.sh base

# --- series: applies with authorship kept; a broken one stops clearly -----------
fake_tree "$tmp/k" 6.12.9
git -C "$tmp/k" tag base # a user's own tag named like ours must not matter
fp=$(fingerprint "$tmp/k")
git clone -q "$tmp/k" "$tmp/kdev"
printf 'int a(void)\n{\n\treturn 2;\n}\n' >"$tmp/kdev/mm/rmap.c"
git -C "$tmp/kdev" -c user.name="Some Author" -c user.email=a@x.invalid commit -q -am "mm: return 2"
mkdir -p "$tmp/good" "$tmp/bad"
git -C "$tmp/kdev" format-patch -q -1 -o "$tmp/good"
wt=$(KSRC="$tmp/k" SERIES_DIR="$tmp/good" scripts/arm.sh pin-aware 2>"$tmp/err") || true
if [ -n "$wt" ] && [ "$(git -C "$wt" log -1 --format='%an <%ae> %s')" = "Some Author <a@x.invalid> mm: return 2" ]; then
	t_ok "series applies with authorship kept"
else
	t_fail "series did not apply or lost its author: $(cat "$tmp/err")"
fi
again=$(KSRC="$tmp/k" SERIES_DIR="$tmp/good" scripts/arm.sh pin-aware 2>&1 >/dev/null)
t_if "unchanged arm: no-op ($again)" test -z "$again"
sed 's/return 1;/return 7;/' "$tmp/good"/0001-*.patch >"$tmp/bad/0001-mm-return-2.patch"
expect_error "series that does not apply" "patch 1 of 1 does not apply: 0001-mm-return-2.patch" \
	env KSRC="$tmp/k" SERIES_DIR="$tmp/bad" scripts/arm.sh pin-aware
t_if "rejected hunk is shown" grep -q -E '^-.*return 7;' "$T_LOG.err"
if [ -n "$wt" ] && [ "$(git -C "$wt" rev-parse HEAD)" = "$(git -C "$tmp/k" rev-parse HEAD)" ] &&
	[ -z "$(git -C "$wt" status --porcelain)" ]; then
	t_ok "failed series leaves a clean worktree at the base"
else
	t_fail "failed series left the worktree dirty or off base"
fi
expect_same "KSRC untouched by arms" "$fp" "$(fingerprint "$tmp/k")"

# --- verdicts on canned guest logs -------------------------------------------
canned() { # DIR RC CONSOLE-LINE TAP-LINES...
	local d=$tmp/runs/$1 rc=$2 line=$3
	shift 3
	mkdir -p "$d"
	printf '[    0.000000] Linux version 6.12.117\n%s\n' "$line" >"$d/console.log"
	printf '%s\n' "$@" >"$d/results.tap"
	echo "$rc" >"$d/qemu.rc"
	echo "$d"
}
good_tap=("TAP version 13" "# arm=pin-aware kernel=6.12.117" "1..2" "ok 1 pin-aware:a" "ok 2 pin-aware:b # SKIP no swap" "WORKBENCH-END rc=0")
d=$(canned clean 0 "[    2.0] workbench: arm=pin-aware" "${good_tap[@]}")
if out=$(scripts/verdict.sh "$d" 2>"$tmp/v"); then t_ok "clean run passes"; else t_fail "clean run failed: $(cat "$tmp/v")"; fi
t_if "clean run: 1 passed, 1 skipped; the console is not a test ($(echo "$out" | tail -n1))" \
	test "$(echo "$out" | tail -n1)" = "1 passed, 0 failed, 1 skipped"
t_if "clean run: the skip is named with its reason" grep -qx 'SKIP b # no swap' <<<"$out"
d=$(canned warn 0 "[    3.1] WARNING: CPU: 1 PID: 77 at mm/rmap.c:1234 try_to_unmap_one+0x1/0x2" "${good_tap[@]}")
expect_error "kernel WARNING fails the run" "kernel reported problems" scripts/verdict.sh "$d"
t_if "WARNING: console excerpt shown" grep -q 'mm/rmap.c:1234' "$T_LOG.err"
d=$(canned lockdep 0 "[    3.1] WARNING: possible circular locking dependency detected" "${good_tap[@]}")
expect_error "lockdep report fails the run" "kernel reported problems" scripts/verdict.sh "$d"
d=$(canned kasan 0 "[    3.1] BUG: KASAN: slab-use-after-free in foo+0x1/0x2" "${good_tap[@]}")
expect_error "KASAN report fails the run" "kernel reported problems" scripts/verdict.sh "$d"
d=$(canned panic 0 "[    3.1] Kernel panic - not syncing: sysrq triggered crash" "TAP version 13")
expect_error "panic fails the run" "kernel reported problems" scripts/verdict.sh "$d"
oom=$'[   42.7] pin_pressure invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[   42.7] CPU: 0 UID: 0 PID: 131 Comm: pin_pressure\n[   42.7] Call Trace:\n[   42.7]  <TASK>\n[   42.7]  ? oom_kill_process+0x7c/0x23f\n[   42.7]  ? out_of_memory+0x27b/0x28b'
d=$(canned oom-memcg 0 "$oom"$'\n[   42.7]  ? mem_cgroup_out_of_memory+0x73/0x8c\n[   42.7]  </TASK>' "${good_tap[@]}")
if scripts/verdict.sh "$d" >/dev/null 2>"$tmp/v"; then t_ok "a memcg OOM report's stack dump passes"; else t_fail "a memcg OOM report failed the run: $(cat "$tmp/v")"; fi
d=$(canned oom-global 0 "$oom"$'\n[   42.7]  ? __alloc_pages_slowpath+0x1/0x2\n[   42.7]  </TASK>' "${good_tap[@]}")
expect_error "a global OOM report's stack dump fails the run" "kernel reported problems" scripts/verdict.sh "$d"
d=$(canned oom-warn 0 "$oom"$'\n[   42.7]  ? mem_cgroup_out_of_memory+0x73/0x8c\n[   42.8] WARNING: CPU: 0 PID: 131 at mm/oom_kill.c:1 x+0x1/0x2' "${good_tap[@]}")
expect_error "a WARNING inside a memcg OOM report fails the run" "kernel reported problems" scripts/verdict.sh "$d"
d=$(canned hang 124 "[    3.1] workbench: arm=base" "TAP version 13")
expect_error "timeout fails the run" "timeout: the guest did not finish" scripts/verdict.sh "$d"
d=$(canned failed 0 "[    2.0] ok" "TAP version 13" "1..1" "not ok 1 base:pin_reclaim" "WORKBENCH-END rc=1")
expect_error "failed test fails the run" "1 test\(s\) failed" scripts/verdict.sh "$d"
d=$(canned rc2 0 "[    2.0] ok" "TAP version 13" "1..1" "ok 1 base:a" "WORKBENCH-END rc=2")
expect_error "WORKBENCH-END rc=2 fails the run" "run ended with rc=2" scripts/verdict.sh "$d"
d=$(canned noresults 0 "[    2.0] ok" "TAP version 13" "WORKBENCH-END rc=1")
expect_error "no results, rc=1 fails the run" "ended with rc=1" scripts/verdict.sh "$d"
t_if "no results, rc=1: 0 passed ($(tail -n1 "$T_LOG.out"))" grep -qx '0 passed, 2 failed, 0 skipped' "$T_LOG.out"
d=$(canned noend 0 "[    2.0] ok" "TAP version 13" "1..1" "ok 1 base:a")
expect_error "no WORKBENCH-END fails the run" "did not reach the end of its run" scripts/verdict.sh "$d"
d=$(canned shortplan 0 "[    2.0] ok" "TAP version 13" "1..3" "ok 1 base:a" "ok 2 base:b" "WORKBENCH-END rc=0")
expect_error "a short run (plan 1..3, 2 results) fails" "plan is 1..3 but the guest printed 2 results" scripts/verdict.sh "$d"
d=$(canned noplan 0 "[    2.0] ok" "TAP version 13" "ok 1 base:a" "WORKBENCH-END rc=0")
expect_error "a run without a plan fails" "no TAP plan" scripts/verdict.sh "$d"
# A kselftest binary's own results: "# " lines before its top-level result.
harness=("TAP version 13" "# arm=pin-aware kernel=6.12.117" "1..2" "# TAP version 13" "# 1..3"
	"# ok 1 pin-aware:pin_reclaim.shmem" "# ok 2 pin-aware:pin_reclaim.memfd # SKIP built without liburing"
	"# ok 3 # SKIP no hugetlb" "# # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:2 error:0"
	"ok 1 pin-aware:pin_reclaim" "ok 2 pin-aware:gup_test" "WORKBENCH-END rc=0")
d=$(canned harness 0 "[    2.0] ok" "${harness[@]}")
out=$(scripts/verdict.sh "$d" 2>/dev/null) || true
t_if "subtest SKIPs count as skips although the binary passed ($(echo "$out" | tail -n1))" \
	test "$(echo "$out" | tail -n1)" = "2 passed, 0 failed, 2 skipped"
t_if "subtest SKIPs are named BINARY/SUBTEST with their reason" \
	grep -qx 'SKIP pin_reclaim/pin_reclaim.memfd # built without liburing' <<<"$out"
t_if "a nameless subtest SKIP is named by its number" grep -qx 'SKIP pin_reclaim/#3 # no hugetlb' <<<"$out"
d=$(canned subshort 0 "[    2.0] ok" "TAP version 13" "1..1" "# 1..5" "# ok 1 base:x" "# ok 2 base:y" "ok 1 base:bin" "WORKBENCH-END rc=0")
expect_error "a binary whose own plan is short fails" "bin: its plan is 1..5 but it printed 2 results" scripts/verdict.sh "$d"
d=$(canned subnoplan 0 "[    2.0] ok" "TAP version 13" "1..1" "# ok 1 base:x" "ok 1 base:bin" "WORKBENCH-END rc=0")
expect_error "a binary's results without a plan fail" "bin: 1 results of its own but no plan" scripts/verdict.sh "$d"
d=$(canned subfail 0 "[    2.0] ok" "TAP version 13" "1..1" "# 1..2" "# ok 1 base:x" "# ok 2 base:y" "not ok 1 base:bin # exit=139" "WORKBENCH-END rc=1")
expect_error "a binary that crashed after its results fails" "1 test\\(s\\) failed" scripts/verdict.sh "$d"
t_if "a binary that crashed after its results: the failure is its own" \
	grep -q '^FAIL bin # the binary failed (exit=139) although none of its 2 results did' "$T_LOG.out"

# --- the regression oracle: a test that passes on base and fails elsewhere ---
# Canned run dirs: in the lru-y setting pin-aware fails what base passes (a
# finding: exit 1); in lru-n base fails it too (not one).
rr=$tmp/rel
mkrun() { # DIR ARM STATUS
	mkdir -p "$rr/$1"
	printf '# arm=%s\n' "$2" >"$rr/$1/results.tap"
	printf '%s\tcow/case_a\t\n' "$3" >"$rr/$1/results.tsv"
	echo "pass=1 fail=0 skip=0 problems=0" >"$rr/$1/summary"
}
mkrun base-ab-oracle-lru-n base fail
mkrun pin-aware-ab-oracle-lru-n pin-aware fail
mkrun base-ab-oracle-lru-y base pass
mkrun pin-aware-ab-oracle-lru-y pin-aware fail
t_if "reliability-report --list names the oracle's guest tests" \
	grep -qE '(^|,)cow,.*(^|,)transhuge-stress($|,)' <(scripts/reliability-report.py --list)
if scripts/reliability-report.py -o "$rr/out.md" "$rr"/*-lru-n >/dev/null 2>&1; then
	t_ok "reliability-report: a failure base shares is no finding (exit 0)"
else
	t_fail "reliability-report: a failure base shares is no finding (exit 0)"
fi
if scripts/reliability-report.py -o "$rr/out.md" "$rr"/*-lru-n "$rr"/*-lru-y 2>"$rr/err" >/dev/null; then
	t_fail "reliability-report: pin-aware failing what base passes (lru-y) must exit 1"
else
	t_if "reliability-report: pin-aware failing what base passes in the same setting exits 1, naming it" \
		grep -q 'cow/case_a passes on base and fails on pin-aware-ab-oracle-lru-y' "$rr/err"
fi
if grep -q 'lru-n' "$rr/err"; then
	t_fail "reliability-report: the lru-n run is no finding (base fails there too)"
else
	t_ok "reliability-report: the lru-n run is no finding (base fails there too)"
fi

# --- the skip-policy report from a canned v2 run ----------------------------
# Two policies, two runs each, two passes: the tables, the keep/activate
# ratio with its range over the runs, marked significant (the two runs of
# each policy agree, the policies differ), the JSON summary next to the
# Markdown, and the report only where asked.
mkdir -p "$tmp/sp/deb-7.3.4/runs/sp"
{
	echo "# AB bench=policy stage=params region_mib=8 hot_mib=2 passes=2 seed=1 series=v2 skips_from=nr_pinned scan_from=proactive stat_refresh=yes"
	for p in 0 1 1r 0r; do
		case $p in 0*) sk=1024 ;; *) sk=2048 ;; esac
		for pass in 1 2; do
			echo "# AB bench=policy type=shmem policy=${p%r} ask=exact pass=$pass skips=$sk scanned=3000 reclaimed=1000 pgactivate=0 pgdeactivate=0 invalidations=0 hot_lost=0 eagain=0 reclaim_ns=100"
		done
		case $p in 0*) n=activate ;; *) n=keep ;; esac
		echo "# AB bench=policy stage=total type=shmem policy=$p name=$n ask=exact passes=2 skips=$((2 * sk)) scanned=6000 reclaimed=2000 pgactivate=0 pgdeactivate=0 invalidations=0 hot_lost=0 eagain=0 reclaim_ns=200"
	done
} >"$tmp/sp/deb-7.3.4/runs/sp/results.tap"
docs_fp=$(dir_fp docs)
if bash -c '. scripts/lib.sh; report skip-policy "$@"' _ "$tmp/sp/deb-7.3.4/runs/sp" "$tmp/sp/out.md" >/dev/null 2>"$T_LOG.err" &&
	grep -q '^# Where skipped pinned folios go: measured on 7.3.4$' "$tmp/sp/out.md" &&
	grep -q '^| shmem | 1 keep (again) | 4096 | 2.00 | 6000 |' "$tmp/sp/out.md" &&
	grep -q '^| shmem | exact | 1.00..1.00 | 2.00..2.00 | 2.00 \[2.00..2.00\] \* |' "$tmp/sp/out.md" &&
	grep -q '"kind": "skip-policy"' "$tmp/sp/out.json"; then
	t_ok "skip-policy report: v2 tables and keep/activate ratios from a canned run"
else
	t_fail "skip-policy report from a canned run: $(head -c 300 "$T_LOG.err")"
	grep '^| shmem' "$tmp/sp/out.md" 2>/dev/null | head -n 8
fi
expect_same "skip-policy report: docs/ untouched" "$docs_fp" "$(dir_fp docs)"

# --- the upstream-oracle report (scripts/reliability-report.py) -------------
# Two canned runs judged by verdict.sh: base passes cow's two subtests, the
# other arm fails one, which the report must name as a finding; a skip
# keeps its reason; the guest times come from run-guest.sh's "# time" lines.
rb=$(canned rel-base 0 "[    2.0] ok" "TAP version 13" "# arm=base kernel=7.3.4" "1..2" "# 1..2" \
	"# ok 1 base:a" "# ok 2 base:b" "# time cow=5" "ok 1 base:cow" "# time migration=1" \
	"ok 2 base:migration # SKIP NUMA not available" "WORKBENCH-END rc=0")
rp=$(canned rel-pa 0 "[    2.0] ok" "TAP version 13" "# arm=pin-aware kernel=7.3.4" "1..2" "# 1..2" \
	"# ok 1 pin-aware:a" "# not ok 2 pin-aware:b" "# time cow=7" "not ok 1 pin-aware:cow # exit=1" \
	"# time migration=1" "ok 2 pin-aware:migration # SKIP NUMA not available" "WORKBENCH-END rc=1")
scripts/verdict.sh "$rb" >/dev/null 2>&1 || true
scripts/verdict.sh "$rp" >/dev/null 2>&1 || true
docs_fp=$(dir_fp docs)
# shellcheck disable=SC2016 # backquotes are Markdown here, not expansions
if ! python3 scripts/reliability-report.py -o "$tmp/rel.md" "$rb" "$rp" 2>"$T_LOG.err" &&
	grep -q "cow/b passes on base and fails on rel-pa" "$T_LOG.err" &&
	grep -qF '| cow | `cow` | pass 2 of 2, 5 s | **FAIL** 1 of 2 (pass 1, skip 0), 7 s |' "$tmp/rel.md" &&
	grep -qF '| migration | `migration` | skip: NUMA not available, 1 s | skip: NUMA not available, 1 s |' "$tmp/rel.md" &&
	grep -qF -- '- rel-pa: `cow/b`' "$tmp/rel.md" &&
	grep -qF 'Totals over these tests: rel-base 2 passed, 0 failed, 1 skipped; rel-pa 1 passed, 1 failed, 1 skipped.' "$tmp/rel.md"; then
	t_ok "reliability report: cells, the base-pass/arm-fail finding (exit 1), skip reasons, totals from canned runs"
else
	t_fail "reliability report from canned runs: $(head -c 300 "$T_LOG.err")"
	grep -E '^\| (cow|migration) |^- ' "$tmp/rel.md" 2>/dev/null | head -n 8
fi
expect_same "reliability report: docs/ untouched" "$docs_fp" "$(dir_fp docs)"

# --- make check's own judgement of a check (scripts/check-one.sh) -----------
expect_error "an unexpected skip fails make check" "unexpected skip foo \\(missing liburing-dev\\)" \
	scripts/check-one.sh check-test bash -c 'echo "SKIP foo # missing liburing-dev"; echo "1 passed, 0 failed, 1 skipped"'
t_if "an unexpected skip: named with the list to add it to" grep -q 'not in scripts/tests/expected-skips' "$T_LOG.out"
t_if "an unexpected skip counts as a failure" grep -qx 'check-test: 1 passed, 1 failed, 1 skipped' "$T_LOG.out"
if scripts/check-one.sh check-test bash -c 'echo "SKIP pin_demote # no tiers"; echo "1 passed, 0 failed, 1 skipped"' >"$T_LOG.out" 2>&1 &&
	grep -q '^skip: expected   check-test: pin_demote # no tiers (listed: ' "$T_LOG.out"; then
	t_ok "an expected skip passes and shows its documented reason"
else
	t_fail "an expected skip: $(tail -n 3 "$T_LOG.out")"
fi
expect_error "a check that counts a skip it does not name fails" "counted 1 skip\(s\) but named 0" \
	scripts/check-one.sh check-test echo "1 passed, 0 failed, 1 skipped"
expect_error "a check without a closing line fails" "no closing 'N passed, N failed' line" \
	scripts/check-one.sh check-test true
expect_error "a check that fails without counting it fails" "exited with status 1 without counting a failure" \
	scripts/check-one.sh check-test bash -c 'echo "3 passed, 0 failed"; exit 1'

# --- packages: each one DEPS names, and a missing one named -----------------
deps=$(bash -c '. scripts/lib.sh; printf "%s\n" "${DEPS[@]}"')
while IFS= read -r spec; do
	pkg=${spec%%:*} probe=${spec#*:}
	case "$probe" in /*) ;; *) probe=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$probe" || echo "$probe") ;; esac
	# dpkg knows a file by the path its package ships (/bin or /usr/bin).
	owner=$(dpkg -S "$probe" 2>/dev/null || dpkg -S "${probe#/usr}" 2>/dev/null || true)
	if grep -q -E "^$pkg(:[a-z0-9]+)?: " <<<"$owner"; then
		t_ok "DEPS: $probe belongs to $pkg"
	else
		t_fail "DEPS: $probe is not a file of package $pkg (dpkg -S: ${owner:-none: not installed? make deps})"
	fi
done <<<"$deps"
ess=$(while IFS= read -r spec; do
	[ "$(dpkg-query -W -f='${Essential}' "${spec%%:*}" 2>/dev/null)" != yes ] || echo "${spec%%:*}"
done <<<"$deps")
t_if "DEPS lists no Essential package (every Debian has those): ${ess:-none}" test -z "$ess"
expect_error "a missing package is named, not installed" "missing packages: nosuch-pkg \(run as root: apt-get install nosuch-pkg\)" \
	bash -c '. scripts/lib.sh; need_cmds nosuch-pkg:/nonexistent/file'
expect_error "need: a package outside DEPS is an error" "need nosuch: not in DEPS" bash -c '. scripts/lib.sh; need nosuch'
# Every probe of a package outside DEPS is a hole: a `command -v` in a
# script, or a need_cmds outside lib.sh and deps.sh.
probes=$(git grep -h -o -E 'command -v "?[A-Za-z0-9_.$-]+' -- scripts selftests cocci Makefile .ci |
	sed -E 's/command -v "?//' | sort -u | tr '\n' ' ')
for c in $probes; do
	case "$c" in
	\$*) t_ok "probe of a variable command ($c): its script names the package" ;;
	*) if grep -q -x -E "[a-z0-9.+-]+:$c" <<<"$deps"; then
		t_ok "command -v $c: in DEPS"
	else
		t_fail "command -v $c: no package in DEPS provides it (scripts/lib.sh)"
	fi ;;
	esac
done
t_if "need_cmds is called only by lib.sh and deps.sh (others: need PACKAGE)" \
	test -z "$(git grep -l -E '^\s*need_cmds ' -- scripts selftests | grep -v -E '^scripts/(lib|deps)\.sh$')"
expect_error "the selftests fail to build without a static liburing" "install liburing-dev .*or build with URING=no" \
	make -s -C selftests OUT="$tmp/st" KSRC="$tmp" CC=false
expect_error "URING takes yes or no" "URING=maybe: use yes or no" make -s -C selftests OUT="$tmp/st" KSRC="$tmp" URING=maybe
expect_error "the selftests name a KSRC without the mm selftest helpers" \
	"has neither hugepage_settings.c nor thp_settings.c: is KSRC=$tmp a kernel tree" \
	make -s -C selftests OUT="$tmp/st" KSRC="$tmp" URING=no

# --- config fragments: common ones and per-base ones ------------------------
bad=
for f in scripts/configs/*/*.config; do
	b=${f#scripts/configs/}
	b=${b%%/*}
	[ -e "patches/bases/$b.pin" ] && [ -e "scripts/configs/${f##*/}" ] || bad+=" $f"
done
t_if "per-base fragments are scripts/configs/BASE/NAME.config of a known base and fragment:${bad:- all}" \
	test -z "$bad"
got=$(BASE=7.3 bash -c '. scripts/lib.sh; config_fragments numa' | sed "s|^$PWD/scripts/configs/||" | tr '\n' ' ')
t_if "BASE=7.3 numa: each fragment followed by its per-base one ($got)" \
	test "$got" = "boot.config 7.3/boot.config test.config 7.3/test.config numa.config 7.3/numa.config "
got=$(BASE=7.3 bash -c '. scripts/lib.sh; config_fragments "$AB_VARIANT"' | sed "s|^$PWD/scripts/configs/||" | tr '\n' ' ')
t_if "BASE=7.3 ab: the variants its '# with:' line names, in order, then its own ($got)" \
	test "$got" = "boot.config 7.3/boot.config test.config 7.3/test.config kvm.config numa.config 7.3/numa.config mglru.config ab.config "
got=$(BASE=6.12 bash -c '. scripts/lib.sh; config_fragments test' | sed "s|^$PWD/scripts/configs/||" | tr '\n' ' ')
t_if "BASE=6.12 test: $got" test "$got" = "boot.config 6.12/boot.config test.config "

t_summary
