#!/usr/bin/env bash
# deps.sh: make sure every package the workbench uses is there (installs
# them as root with apt-get; otherwise prints the exact apt-get line).
# python3-ply, python3-git: checkpatch's SPDX check of new files (spdxcheck.py).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_cmds make:make gcc:gcc git:git flex:flex bison:bison bc:bc \
	libelf-dev:/usr/include/gelf.h libssl-dev:/usr/include/openssl/ssl.h \
	ccache:ccache cpio:cpio xz-utils:xz file:file kmod:depmod \
	busybox-static:/bin/busybox qemu-system-x86:qemu-system-x86_64 \
	python3:python3 python3-ply:/usr/lib/python3/dist-packages/ply python3-git:/usr/lib/python3/dist-packages/git shellcheck:shellcheck coccinelle:spatch sparse:sparse \
	libc6-dev:/usr/lib/x86_64-linux-gnu/libc.a
