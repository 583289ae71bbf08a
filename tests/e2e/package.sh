#!/bin/bash
# The Debian package: `make deb` builds it with dpkg-buildpackage, lintian
# finds no error in it, and it installs, upgrades and purges in an
# isolated root: a private mount namespace holding an overlay of / whose
# upper layer is a tmpfs, entered with chroot, so the host's dpkg database
# and /etc never change. Install: the files, the conffile
# /etc/flightwatch/flightwatch.yaml, the unit's enable symlink, the
# service user, and the installed binary loading its programs
# (check-kernel). Upgrade to a second build of a higher version (made
# incrementally on the first one's copy, DEB_FROM): a local
# edit of the conffile kept, the enabled state kept (and a disabled one
# too). Remove keeps the conffile; purge removes it, the symlink, the
# service's directories and its user.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

fw_init

for tool in dpkg-buildpackage dh lintian unshare chroot; do
	if ! command -v "$tool" >/dev/null; then
		skip "package suite" "$tool is not installed (make deps)"
		fw_finish
	fi
done
if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
	skip "package suite" "the kernel has no overlay file system for the isolated root"
	fw_finish
fi

# --- two builds -------------------------------------------------------------------
V1=$(dpkg-parsechangelog -l "$FW_ROOT/debian/changelog" -S Version)
V2=$V1+fwtest1
build() {
	local out=$1
	shift
	DEB_BUILD_OPTIONS="parallel=$(nproc) noautodbgsym" \
		make -s -C "$FW_ROOT" deb DEB_OUT="$out" "$@" \
		>"$FW_TMP/make-deb.out" 2>&1
}
tree_status() { (cd "$FW_ROOT" && git status --porcelain --ignored -- debian 2>/dev/null); }
TREE_BEFORE=$(tree_status)
build "$FW_TMP/deb1"
check "make deb: exit status" -eq 0 "$?" ||
	fw_abort "make deb failed: $(tail -n 20 "$FW_TMP/make-deb.out")"
DEB1=$(ls "$FW_TMP"/deb1/flightwatch_"$V1"_*.deb 2>/dev/null)
check "make deb: flightwatch_${V1}_ARCH.deb" =~ "flightwatch_${V1}_[a-z0-9]+\.deb$" "$DEB1"
check "make deb: nothing written into the tree's debian/" == "$TREE_BEFORE" \
	"$(tree_status)"
# the upgrade: the same tree as another version, built incrementally on
# the first build's copy (nothing compiled again)
build "$FW_TMP/deb2" DEB_VERSION="$V2" DEB_FROM="$FW_TMP/deb1"
check "make deb DEB_VERSION: exit status" -eq 0 "$?" ||
	fw_abort "make deb DEB_VERSION=$V2 failed: $(tail -n 20 "$FW_TMP/make-deb.out")"
DEB2=$(ls "$FW_TMP"/deb2/flightwatch_"$V2"_*.deb 2>/dev/null)
check "make deb DEB_VERSION: the second build" contains "flightwatch_${V2}_" "$DEB2"
[ -f "$DEB1" ] && [ -f "$DEB2" ] || fw_abort "no packages to test"

# --- what the package says and holds ---------------------------------------------
field() { dpkg-deb -f "$DEB1" "$1"; }
check "control: runtime dependencies from the libraries" =~ \
	'libbpf1.*libjson-c5|libjson-c5.*libbpf1' "$(field Depends)"
check "control: adduser for the service user" contains adduser "$(field Depends)"
CONTENTS=$(dpkg-deb -c "$DEB1" | awk '{ print $1, $6 }')
for f in "-rwxr-xr-x ./usr/sbin/flightwatch" \
	"-rw-r--r-- ./lib/systemd/system/flightwatch.service" \
	"-rw-r--r-- ./usr/lib/systemd/catalog/flightwatch.catalog" \
	"-rw-r--r-- ./usr/share/man/man8/flightwatch.8.gz" \
	"-rw-r--r-- ./usr/share/bash-completion/completions/flightwatch" \
	"-rw-r--r-- ./etc/flightwatch/flightwatch.yaml" \
	"-rw-r--r-- ./usr/share/doc/flightwatch/copyright"; do
	check "contents: $f" contains "$f" "$CONTENTS"
done
check "contents: conffiles" == \
	"/etc/flightwatch/flightwatch.yaml /etc/flightwatch/flightwatch.yaml.example" \
	"$(dpkg-deb --ctrl-tarfile "$DEB1" | tar -xO ./conffiles | tr '\n' ' ' | sed 's/ $//')"

# --- lintian ---------------------------------------------------------------------
lintian --fail-on error --pedantic -I "$DEB1" >"$FW_TMP/lintian.out" 2>&1
check "lintian: exit status" -eq 0 "$?"
check "lintian: no errors" -eq 0 "$(grep -c '^E: ' "$FW_TMP/lintian.out")"
check "lintian: no warnings" -eq 0 "$(grep -c '^W: ' "$FW_TMP/lintian.out")"
note "lintian: $(grep -E '^[EWIPX]: ' "$FW_TMP/lintian.out" || echo '(nothing)')"

# --- the isolated root -------------------------------------------------------------
# A process holds the private mount namespace; the overlay and tmpfs go
# with it at the cleanup
ROOT=$FW_TMP/root
mkdir -p "$ROOT" "$FW_TMP/layers"
cat >"$FW_TMP/ns.sh" <<EOF
set -e
mount -t tmpfs -o mode=0755 fwpkg "$FW_TMP/layers"
mkdir "$FW_TMP/layers/upper" "$FW_TMP/layers/work"
mount -t overlay overlay -o \
	lowerdir=/,upperdir=$FW_TMP/layers/upper,workdir=$FW_TMP/layers/work \
	"$ROOT"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount -t tmpfs -o mode=0755 run "$ROOT/run"
mount -t tmpfs -o mode=1777 tmp "$ROOT/tmp"
touch "$FW_TMP/ns.ready"
exec sleep 600
EOF
unshare -m --propagation private bash "$FW_TMP/ns.sh" \
	>"$FW_TMP/ns.out" 2>&1 &
NS_PID=$!
FW_BG_PIDS+=("$NS_PID")
if ! fw_wait_file "$FW_TMP/ns.ready" 10; then
	# a root file system overlayfs cannot take as its lower layer (one
	# already stacked too deep): this environment cannot isolate a root
	if grep -q "overlay" "$FW_TMP/ns.out"; then
		skip "install, upgrade and purge" "no overlay of / here: $(head -n 1 "$FW_TMP/ns.out")"
		fw_finish
	fi
	fw_abort "the isolated root did not come up: $(cat "$FW_TMP/ns.out")"
fi
# in_root CMD...: CMD inside the isolated root
in_root() {
	nsenter -t "$NS_PID" -m -- chroot "$ROOT" env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		"$@"
}
# the overlay is seen only in the namespace
nsenter -t "$NS_PID" -m -- cp "$DEB1" "$DEB2" "$ROOT/tmp/"
check "root: isolated (the host has no flightwatch package)" == "" \
	"$(dpkg-query -W -f='${Status}' flightwatch 2>/dev/null | grep ' installed')"
status() {
	in_root dpkg-query -W -f='${Status} ${Version}' flightwatch 2>/dev/null
}
exists() { in_root test -e "$1" && echo yes || echo no; }
LINK=/etc/systemd/system/multi-user.target.wants/flightwatch.service
CONF=/etc/flightwatch/flightwatch.yaml

# --- install ---------------------------------------------------------------------
in_root dpkg -i "/tmp/${DEB1##*/}" >"$FW_TMP/install.out" 2>&1
check "install: dpkg -i exit status" -eq 0 "$?" ||
	note "$(tail -n 20 "$FW_TMP/install.out")"
check "install: installed" == "install ok installed $V1" "$(status)"
for f in /usr/sbin/flightwatch /lib/systemd/system/flightwatch.service \
	/usr/lib/systemd/catalog/flightwatch.catalog \
	/usr/share/man/man8/flightwatch.8.gz \
	/usr/share/bash-completion/completions/flightwatch "$CONF"; do
	check "install: $f" == yes "$(exists "$f")"
done
# systemd's dpkg trigger on /usr/lib/systemd/catalog rebuilt the catalog
check "install: the catalog explains the egress alert" contains \
	"Flight-log data left the host" \
	"$(in_root journalctl --list-catalog 4eee73de679b47a9be7f6b54d969cd1e 2>&1)"
check "install: the conffile is a conffile" contains "$CONF" \
	"$(in_root dpkg-query -W -f='${Conffiles}' flightwatch)"
check "install: the conffile is valid" starts "$CONF: valid" \
	"$(in_root flightwatch check-config "$CONF" 2>&1 | head -n 1)"
check "install: the unit enabled (its symlink)" == \
	/lib/systemd/system/flightwatch.service "$(in_root readlink "$LINK")"
USER_LINE=$(in_root getent passwd _flightwatch)
check "install: the service user _flightwatch" starts _flightwatch: "$USER_LINE"
if [ "$(exists /usr/lib/sysusers.d/flightwatch.conf)" = yes ]; then
	note "install: the package ships a sysusers.d file: systemd-sysusers made the user"
else
	note "install: no sysusers.d file in the package: adduser made the user"
fi
uid=$(cut -d: -f3 <<<"$USER_LINE")
check "install: a system uid" -lt 1000 "${uid:-1000}"
check "install: the version runs" contains "$V1" \
	"$(in_root flightwatch version 2>&1)"
if in_root test -d /run/systemd/system; then
	skip "install: the service started" "unreachable: /run is a fresh tmpfs"
else
	skip "install: the service started" "no systemd as PID 1 in the isolated root: dh_installsystemd's start is for hosts where systemd runs"
fi
# the installed binary loads and attaches its programs as `run` would
if [ -r /sys/kernel/btf/vmlinux ]; then
	in_root flightwatch check-kernel --json >"$FW_TMP/check-kernel.out" \
		2>"$FW_TMP/check-kernel.err"
	check "install: check-kernel of the installed binary" -eq 0 "$?" ||
		note "$(head -n 5 "$FW_TMP/check-kernel.err")"
	check "install: check-kernel: the tracer runs here" == true \
		"$(jq -r '.runs' "$FW_TMP/check-kernel.out" 2>&1)"
	check "install: check-kernel: the essential hooks attached" -ge 5 \
		"$(jq -r '.hooks_essential | length' "$FW_TMP/check-kernel.out" 2>&1)"
else
	skip "install: check-kernel of the installed binary" "no kernel BTF"
fi

# --- upgrade ---------------------------------------------------------------------
# an administrator's edit, and state the service left
printf '# a local edit\n' | in_root tee -a "$CONF" >/dev/null
in_root mkdir -p /var/lib/flightwatch /var/log/flightwatch
in_root dpkg -i "/tmp/${DEB2##*/}" >"$FW_TMP/upgrade.out" 2>&1
check "upgrade: dpkg -i exit status" -eq 0 "$?" ||
	note "$(tail -n 20 "$FW_TMP/upgrade.out")"
check "upgrade: the new version installed" == "install ok installed $V2" \
	"$(status)"
check "upgrade: the local edit of the conffile kept" == "# a local edit" \
	"$(in_root tail -n 1 "$CONF")"
check "upgrade: still enabled" == /lib/systemd/system/flightwatch.service \
	"$(in_root readlink "$LINK")"
check "upgrade: the service user kept" == "$USER_LINE" \
	"$(in_root getent passwd _flightwatch)"
skip "upgrade: the service restarted" "no systemd as PID 1 in the isolated root"
# what the package does where systemd runs: restart on upgrade (start on
# a first install), stop only on removal
ctl() { dpkg-deb --ctrl-tarfile "$DEB2" | tar -xO "./$1"; }
check "upgrade: the postinst restarts the unit on upgrade where systemd runs" \
	=~ "_dh_action=restart.*deb-systemd-invoke \\\$_dh_action 'flightwatch.service'" \
	"$(ctl postinst | tr '\n' ' ')"
check "upgrade: the prerm stops it on removal only" =~ \
	"\\[ \"\\\$1\" = remove \\].*deb-systemd-invoke stop 'flightwatch.service'" \
	"$(ctl prerm | tr '\n' ' ')"
# an administrator's disable survives the next upgrade (a reinstall runs
# the same maintainer scripts)
in_root systemctl disable flightwatch.service >"$FW_TMP/disable.out" 2>&1
check "upgrade: disabled by the administrator" == no "$(exists "$LINK")"
in_root dpkg -i "/tmp/${DEB2##*/}" >"$FW_TMP/reinstall.out" 2>&1
check "upgrade: reinstall exit status" -eq 0 "$?"
check "upgrade: still disabled" == no "$(exists "$LINK")"
in_root systemctl enable flightwatch.service >"$FW_TMP/enable.out" 2>&1
check "upgrade: enabled again by the administrator" == yes "$(exists "$LINK")"

# --- remove, then purge ------------------------------------------------------------
in_root dpkg --remove flightwatch >"$FW_TMP/remove.out" 2>&1
check "remove: exit status" -eq 0 "$?"
check "remove: the binary gone" == no "$(exists /usr/sbin/flightwatch)"
check "remove: the conffile kept" == yes "$(exists "$CONF")"
check "remove: config-files state" == "deinstall ok config-files $V2" \
	"$(status)"
in_root dpkg --purge flightwatch >"$FW_TMP/purge.out" 2>&1
check "purge: exit status" -eq 0 "$?" || note "$(cat "$FW_TMP/purge.out")"
check "purge: not known to dpkg" == "" "$(status)"
for f in "$CONF" /etc/flightwatch /lib/systemd/system/flightwatch.service \
	"$LINK" /var/lib/flightwatch /var/log/flightwatch; do
	check "purge: $f gone" == no "$(exists "$f")"
done
check "purge: the service user gone" == "" \
	"$(in_root getent passwd _flightwatch)"
check "purge: its group gone" == "" "$(in_root getent group _flightwatch)"
check "purge: the host's dpkg database untouched" == "" \
	"$(dpkg-query -W -f='${Status}' flightwatch 2>/dev/null)"

fw_finish
