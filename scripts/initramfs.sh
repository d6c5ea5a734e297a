#!/usr/bin/env bash
# initramfs.sh [-M DIR] [-I TREE] [-o IMAGE] ARM [VARIANT]: pack the guest's
# initramfs for one arm: busybox-static, scripts/guest-init.sh as /init, the
# test binaries (WORK/selftests, WORK being the base's work dir: built
# against that base tree, shared by its arms) in /tests and the arm's test
# modules (DIR/*.ko, default WORK/modules/ARM-VARIANT; -M '' none) in
# /modules (loaded at boot), and TREE/lib/modules (a modules_install tree,
# for modprobe) if given. IMAGE: default WORK/initramfs/ARM-VARIANT.cpio.gz.
# Prints the path of the image.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: initramfs.sh [-M MODULES_DIR] [-I MODULES_TREE] [-o IMAGE.cpio.gz] ARM [VARIANT]"
modules=- modtree='' img=''
OPTIND=1
while getopts ':M:I:o:' o; do
	case "$o" in
	M) modules=$OPTARG ;;
	I) modtree=$OPTARG ;;
	o) img=$OPTARG ;;
	*) getopts_other initramfs.sh "$usage" "$o" ;;
	esac
done
shift $((OPTIND - 1))
arm_variant_args initramfs.sh "$@"
case "$img" in '' | *.cpio.gz) ;; *) die "initramfs.sh: -o $img: the image's name ends in .cpio.gz" ;; esac
[ -z "$modtree" ] || [ -d "$modtree/lib/modules" ] || die "initramfs.sh: -I $modtree has no lib/modules"
need busybox-static cpio file
file -b /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
	ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' ||
	die "/bin/busybox is not statically linked (run: apt-get install busybox-static)"

work=$(work_dir)
out=$(out_dir "$arm" "$variant")
[ "$modules" != - ] || modules=$work/modules/$arm-$variant
tests=$work/selftests
own_img=$img
img=${img:-$work/initramfs/$arm-$variant.cpio.gz}
root=${img%.cpio.gz}

# Runs of one arm may pack at the same time (different run tags): one at a
# time; the image is replaced by rename, so a guest booting it is unharmed.
mkdir -p "$work/locks" "$(dirname "$img")"
exec 7>"$work/locks/initramfs-$(echo "$img" | sha256sum | cut -c1-16).lock"
flock 7
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,tests,modules,root,etc}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$ROOT/scripts/guest-init.sh" "$root/init"
if [ -d "$tests" ]; then
	cp -a "$tests"/. "$root/tests/"
fi
if [ -n "$modules" ] && [ -d "$modules" ]; then
	find "$modules" -maxdepth 1 -name '*.ko' -exec cp {} "$root/modules/" \;
fi
if [ -n "$modtree" ]; then
	mkdir -p "$root/lib"
	cp -a "$modtree/lib/modules" "$root/lib/"
fi
# Built-in modules need nothing; record what went in for the logs.
(cd "$root" && find . -type f | LC_ALL=C sort) >"$img.list"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -1 >"$img.tmp"
mv "$img.tmp" "$img"
[ -n "$own_img" ] || [ -e "$out/arch/x86/boot/bzImage" ] || step "$arm/$variant: note: no kernel built yet at $out"
echo "$img"
