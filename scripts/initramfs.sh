#!/usr/bin/env bash
# initramfs.sh ARM [VARIANT]: pack the guest's initramfs for one arm:
# busybox-static, scripts/guest-init.sh as /init, the test binaries
# (WORK/selftests, WORK being the base's work dir: built against that base
# tree, shared by its arms) in /tests and the arm's test modules in
# /modules (loaded at boot), and MODULES_TREE/lib/modules (a
# modules_install tree, for modprobe) if set. Prints the path of the .cpio.gz.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

arm_variant_args initramfs.sh "$@"
need busybox-static cpio file
file -b /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
	ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' ||
	die "/bin/busybox is not statically linked (run: apt-get install busybox-static)"

work=$(work_dir)
out=$(out_dir "$arm" "$variant")
modules=${MODULES_DIR:-$work/modules/$arm-$variant}
tests=${TESTS_DIR:-$work/selftests}
root=$work/initramfs/$arm-$variant
img=$work/initramfs/$arm-$variant.cpio.gz

# Runs of one arm may pack at the same time (different RUN_TAGs): one at a
# time; the image is replaced by rename, so a guest booting it is unharmed.
mkdir -p "$work/locks"
exec 7>"$work/locks/initramfs-$arm-$variant.lock"
flock 7
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,tests,modules,root,etc}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$ROOT/scripts/guest-init.sh" "$root/init"
if [ -d "$tests" ]; then
	cp -a "$tests"/. "$root/tests/"
fi
if [ -d "$modules" ]; then
	find "$modules" -maxdepth 1 -name '*.ko' -exec cp {} "$root/modules/" \;
fi
if [ -n "${MODULES_TREE:-}" ]; then
	[ -d "$MODULES_TREE/lib/modules" ] || die "MODULES_TREE=$MODULES_TREE has no lib/modules"
	mkdir -p "$root/lib"
	cp -a "$MODULES_TREE/lib/modules" "$root/lib/"
fi
# Built-in modules need nothing; record what went in for the logs.
(cd "$root" && find . -type f | LC_ALL=C sort) >"$img.list"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -1 >"$img.tmp"
mv "$img.tmp" "$img"
[ -e "$out/arch/x86/boot/bzImage" ] || step "$arm/$variant: note: no kernel built yet at $out"
echo "$img"
