#!/usr/bin/env bash
# fetch-base.sh: print the path of the pinned tarball of BASE (default
# 6.12; patches/bases/BASE.pin), checked against the pin's sha256.
#
# Where it comes from, the first that is there:
#   1. build/apt/BASE/root/<BASE_TARBALL>: unpacked here before;
#   2. <BASE_TARBALL> itself (/usr/src/...): the package installed on this
#      machine (used only if its sha256 is the pinned one);
#   3. build/apt/BASE/debs/<package>_<version>_all.deb: downloaded before;
#   4. a download of exactly BASE_PACKAGE=BASE_PACKAGE_VERSION by apt-get
#      with a private configuration in build/apt/BASE/: its own sources
#      list, package lists, cache, state and status. The system's apt
#      configuration is only read (for the archive's URI and the network
#      settings); nothing in /etc/apt or /var/lib/apt changes.
# A .deb is checked against BASE_DEB_SHA256 and unpacked with dpkg-deb -x
# into build/ (nothing is installed); the tarball in it is then checked
# against BASE_SHA256. A file with another sha256 is an error and is left
# as it is. NO_INSTALL=1 forbids the download (step 4).
# Log of the apt-get commands: build/logs/fetch-base-BASE.log.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

load_pin
pin=${BASE_PIN_FILE#"$ROOT"/}
dir=$BUILD/apt/$BASE
deb=$dir/debs/${BASE_PACKAGE}_${BASE_PACKAGE_VERSION}_all.deb
unpacked=$dir/root$BASE_TARBALL
log=$BUILD/logs/fetch-base-$BASE.log

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# check FILE WANT WHAT [TMP]: die unless FILE has sha256 WANT; WHAT names
# FILE in the message. With TMP (a download or an unpacked package), TMP is
# removed first; without, the file stays for the user to look at.
check() {
	local sum
	sum=$(sha256 "$1")
	[ "$sum" != "$2" ] || return 0
	if [ -n "${4:-}" ]; then
		rm -rf "$4"
		die "$3 has sha256 $sum, the pin ($pin) says $2"
	fi
	die "$3 has sha256 $sum, the pin ($pin) says $2 (remove the file to fetch it again)"
}

# The URI of the archive that serves this machine's suite $1 (read-only:
# apt-get indextargets lists the configured sources).
archive_uri() {
	# shellcheck disable=SC2016 # $(SITE) is apt's field, not the shell's
	apt-get indextargets --no-release-info --format '$(SITE) $(RELEASE)' 2>/dev/null |
		awk -v s="$1" '$2 == s { print $1; exit }'
}

# The private apt configuration: everything apt writes goes to $dir.
# The system's apt.conf.d is still read (proxies, ...), but its update and
# dpkg hooks are cleared: they would refresh system caches.
apt_conf() {
	local uri=$1
	mkdir -p "$dir"/{lists/partial,cache/archives/partial,state,log,sources.list.d,preferences.d,trusted.gpg.d}
	: >"$dir/status"
	echo "deb [signed-by=$BASE_APT_KEYRING] $uri $BASE_APT_SUITE $BASE_APT_COMPONENT" >"$dir/sources.list"
	cat >"$dir/apt.conf" <<EOF
Dir::Etc::sourcelist "$dir/sources.list";
Dir::Etc::sourceparts "$dir/sources.list.d";
Dir::Etc::preferences "$dir/preferences";
Dir::Etc::preferencesparts "$dir/preferences.d";
Dir::Etc::trusted "$dir/trusted.gpg";
Dir::Etc::trustedparts "$dir/trusted.gpg.d";
Dir::State "$dir/state";
Dir::State::Lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache";
Dir::Log "$dir/log";
Acquire::Languages "none";
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
EOF
	# As root apt-get would hand the download to user _apt, which cannot
	# write into build/.
	[ "$(id -u)" != 0 ] || echo 'APT::Sandbox::User "root";' >>"$dir/apt.conf"
}

download() {
	local uri tmp
	uri=${BASE_APT_URI:-$(archive_uri "$BASE_APT_SITE_OF")}
	[ -n "$uri" ] || die "this machine's apt sources have no suite $BASE_APT_SITE_OF, whose archive also serves $BASE_APT_SUITE (set BASE_APT_URI=<the Debian archive's URI>)"
	[ -r "$BASE_APT_KEYRING" ] ||
		die "keyring $BASE_APT_KEYRING is missing (run: apt-get install debian-archive-keyring)"
	apt_conf "$uri"
	mkdir -p "$(dirname "$log")"
	step "base $BASE: apt-get update of $BASE_APT_SUITE (private configuration in ${dir#"$ROOT"/})"
	run_logged "$log" apt-get -c "$dir/apt.conf" update
	step "base $BASE: downloading $BASE_PACKAGE=$BASE_PACKAGE_VERSION"
	tmp=$dir/debs/.download
	rm -rf "$tmp"
	mkdir -p "$tmp"
	(cd "$tmp" && apt-get -c "$dir/apt.conf" download "$BASE_PACKAGE=$BASE_PACKAGE_VERSION") >>"$log" 2>&1 ||
		die "apt-get download $BASE_PACKAGE=$BASE_PACKAGE_VERSION failed (log: $log)"
	local got=("$tmp"/*.deb)
	if [ "${#got[@]}" != 1 ] || [ ! -f "${got[0]}" ]; then
		die "apt-get download left no single .deb in $tmp (log: $log)"
	fi
	check "${got[0]}" "$BASE_DEB_SHA256" "downloaded ${got[0]##*/}" "$tmp"
	mv "${got[0]}" "$deb"
	rmdir "$tmp"
}

# unpack: dpkg-deb -x of the checked .deb into a temporary directory; it
# becomes $dir/root only once the tarball in it has the pinned sha256.
unpack() {
	local tmp=$dir/root.tmp
	step "base $BASE: checking sha256 of ${deb#"$ROOT"/}"
	check "$deb" "$BASE_DEB_SHA256" "package $deb"
	step "base $BASE: unpacking ${deb##*/} (dpkg-deb -x, nothing installed)"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if ! dpkg-deb -x "$deb" "$tmp"; then
		rm -rf "$tmp"
		die "dpkg-deb -x $deb failed"
	fi
	if [ ! -f "$tmp$BASE_TARBALL" ]; then
		rm -rf "$tmp"
		die "package ${deb##*/} has no $BASE_TARBALL"
	fi
	check "$tmp$BASE_TARBALL" "$BASE_SHA256" "tarball $BASE_TARBALL in ${deb##*/}" "$tmp"
	rm -rf "$dir/root"
	mv "$tmp" "$dir/root"
}

main() {
	if [ -e "$unpacked" ]; then
		step "base $BASE: checking sha256 of ${unpacked#"$ROOT"/}"
		check "$unpacked" "$BASE_SHA256" "base tarball $unpacked"
		echo "$unpacked"
		return 0
	fi
	local why="no $BASE_TARBALL"
	if [ -r "$BASE_TARBALL" ]; then
		step "base $BASE: checking sha256 of $BASE_TARBALL"
		local sum
		sum=$(sha256 "$BASE_TARBALL")
		if [ "$sum" = "$BASE_SHA256" ]; then
			echo "$BASE_TARBALL"
			return 0
		fi
		why="base tarball $BASE_TARBALL has sha256 $sum, the pin ($pin) says $BASE_SHA256 (installed package: $(dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null || echo none); pinned: $BASE_PACKAGE_VERSION)"
	fi
	if [ ! -e "$deb" ]; then
		[ -z "${NO_INSTALL:-}" ] ||
			die "$why, no ${deb#"$ROOT"/}, and NO_INSTALL=1 forbids downloading $BASE_PACKAGE=$BASE_PACKAGE_VERSION (run: BASE=$BASE scripts/fetch-base.sh)"
		[ "$why" = "no $BASE_TARBALL" ] || step "base $BASE: $why; not using it"
		download
	fi
	unpack
	echo "$unpacked"
}

main "$@"
