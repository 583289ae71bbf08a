#!/bin/sh
# deb-changelog.sh VERSION CHANGELOG: add an entry for VERSION at the top
# of a copy of debian/changelog (`make deb DEB_VERSION=...`: a build of
# another version, e.g. to test an upgrade), as its first entry says who
# and where.
set -eu
version=$1
file=$2
first=$(head -n 1 "$file")
signer=$(grep -m 1 '^ -- ' "$file" | sed 's/^ -- \(.*>\).*/\1/')
dist=$(printf '%s\n' "$first" | sed 's/^[^)]*) \([^;]*\);.*/\1/')
{
	printf 'flightwatch (%s) %s; urgency=medium\n\n' "$version" "$dist"
	printf '  * Build of version %s.\n\n' "$version"
	printf ' -- %s  %s\n\n' "$signer" "$(date -R)"
	cat "$file"
} >"$file.new"
mv "$file.new" "$file"
