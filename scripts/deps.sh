#!/usr/bin/env bash
# deps.sh: make sure every package the workbench uses (DEPS in lib.sh) is
# there: installs the missing ones as root with apt-get; otherwise (or with
# NO_INSTALL=1) fails naming them, with the exact apt-get line.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_cmds "${DEPS[@]}"
