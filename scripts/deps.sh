#!/usr/bin/env bash
# Installs the Debian packages flightwatch needs to build and test, only
# those that are missing. Safe to run again: it does nothing when all are
# there.
set -euo pipefail

packages=(
	# build
	make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
	libjson-c-dev pkg-config libsystemd-dev libyaml-dev libmaxminddb-dev
	libcap-ng-dev scdoc
	# the collector's seccomp allowlist
	libseccomp-dev
	# tests
	libcmocka-dev iproute2 socat jq util-linux procps graphviz
	libclang-rt-14-dev liburing-dev dnsmasq-base systemd python3 mmdb-bin
	bash-completion man-db
	# a real database writing a carrier in place (dataflow.sh)
	sqlite3
	# a real debugger reading another process's memory (peek.sh)
	gdb
	# a file system that clones files (tests/e2e/reflink.sh): mkfs.xfs,
	# xfs_io
	xfsprogs
	# btrfs, whose stat device is not its super block's (tests/e2e/btrfs.sh)
	btrfs-progs
	# terminals as carriers (tests/e2e/tty.sh): script(1) and tmux
	bsdutils tmux
	# a real remote shell (remote.sh runs its own sshd on loopback)
	openssh-server openssh-client
	# a FUSE mount of an SSH server as the way out, written by cp, rsync
	# and io_uring (tests/e2e/fuse.sh)
	sshfs rsync
	# setcap for service.sh's file-capability programs
	libcap2-bin
	# the Debian package (make deb, tests/e2e/package.sh) and fleet
	# collection (tests/e2e/fleet.sh)
	debhelper dpkg-dev lintian adduser systemd-journal-remote openssl
	# the kernel matrix (make vmtest): QEMU, virtiofsd, busybox for the
	# guests' initramfs, and Debian's kernels: 12's 6.1 and the 6.12 one
	qemu-system-x86 busybox-static cpio xz-utils
	linux-image-cloud-amd64 linux-image-6.12-cloud-amd64
)
# `deps.sh --bench` (make bench, make deps-bench): only the peers the
# benchmark compares against; CI and `make deps` never need them
if [[ ${1:-} == --bench ]]; then
	packages=(libbpf-tools bpftrace auditd coreutils jq socat iproute2 util-linux procps)
fi

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing ${missing[*]}; run as root (sudo make deps)" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
