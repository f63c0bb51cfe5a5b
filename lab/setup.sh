#!/usr/bin/env bash
# Install the toolchain and fetch the pinned base. Idempotent: skips what is already there.
. "$(dirname "$0")/common.sh"

install_apt_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	log "installing Debian packages: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_rust() {
	# Debian's Rust (rustc-web and its companions, APT_PACKAGES) is the toolchain; bindgen-cli is
	# built with its cargo. toolchain_id checks the versions and that rustc and clang share LLVM.
	local tc
	tc=$(toolchain_id)
	log "toolchain: $tc"
	if [ "$(bindgen --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
		log "installing bindgen-cli $BINDGEN_VERSION"
		CARGO_HOME=$LAB_TOOLS/cargo /usr/bin/cargo install --locked --quiet --root "$LAB_TOOLS" \
			bindgen-cli --version "$BINDGEN_VERSION"
	fi
}

# Print a deb822 entry for Debian's sid suite, derived from the machine's own Debian entry (the
# first one, in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list, for a release suite of
# Debian: the machine's codename, stable, testing, ...), so that no mirror is named anywhere but in
# the machine's configuration. Fails with the file and field it could not use.
sid_source_entry() {
	python3 - <<'PY'
import glob, re, sys
codename = ''
try:
    for line in open('/etc/os-release'):
        if line.startswith('VERSION_CODENAME='):
            codename = line.split('=', 1)[1].strip().strip('"')
except OSError:
    pass
release = {codename, 'stable', 'testing', 'unstable', 'sid', 'oldstable', 'oldoldstable'} - {''}
seen = []
def entry(uri, signed_by):
    print('Types: deb')
    print(f'URIs: {uri}')
    print('Suites: sid')
    print('Components: main')
    print(f'Signed-By: {signed_by or "/usr/share/keyrings/debian-archive-keyring.gpg"}')
    sys.exit(0)
for f in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
    for stanza in re.split(r'\n\s*\n', open(f).read()):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith('#') or ':' not in line or line[0].isspace():
                continue
            k, v = line.split(':', 1)
            fields[k.strip().lower()] = v.strip()
        if not fields:
            continue
        if fields.get('enabled', 'yes').lower() == 'no' or 'deb' not in fields.get('types', '').split():
            continue
        suites = fields.get('suites', '').split()
        if not release & set(suites):
            seen.append(f'{f}: Suites: {" ".join(suites) or "(none)"}')
            continue
        uris = fields.get('uris', '').split()
        if not uris:
            print(f'{f}: the entry for suite(s) {" ".join(suites)} has no usable URIs: field', file=sys.stderr)
            sys.exit(1)
        entry(uris[0], fields.get('signed-by', ''))
try:
    lines = open('/etc/apt/sources.list').read().splitlines()
except OSError:
    lines = []
for line in lines:
    words = re.sub(r'\[[^]]*\]', '', line.split('#', 1)[0]).split()
    if len(words) >= 3 and words[0] == 'deb':
        if words[2] in release:
            entry(words[1], '')
        seen.append(f'/etc/apt/sources.list: suite {words[2]}')
print('no Debian release entry (Suites: one of ' + ', '.join(sorted(release)) + ') found in '
      '/etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; seen: ' + ('; '.join(seen) or 'nothing'),
      file=sys.stderr)
sys.exit(1)
PY
}

# The pinned base, in this order: already in $LAB_HOME/dl; the copy kept beside the clone in
# ../shared/base (Debian's sid keeps only the current version of a package); a download from sid.
# Each candidate is checked against BASE_DEB_SHA256 before it is used.
base_ok() { [ -f "$1" ] && echo "$BASE_DEB_SHA256  $1" | sha256sum -c --quiet - >/dev/null 2>&1; }

fetch_base() {
	local name=${BASE_PKG}_${BASE_VERSION}_all.deb
	local deb=$LAB_HOME/dl/$name shared=${LAB_SHARED_BASE:-$LAB_REPO/../shared/base}
	mkdir -p "$LAB_HOME/dl"
	base_ok "$deb" && return
	rm -f "$deb"
	if [ -f "$shared/$name" ]; then
		if base_ok "$shared/$name"; then
			log "base: $name from $shared (sha256 checked)"
			cp "$shared/$name" "$deb.tmp" && mv "$deb.tmp" "$deb"
			return
		fi
		log "warning: $shared/$name does not match BASE_DEB_SHA256: ignored, downloading"
	fi
	log "downloading $BASE_PKG $BASE_VERSION from Debian sid (nothing is installed from sid)"
	local apt=$LAB_HOME/apt-sid
	rm -rf "$apt"
	mkdir -p "$apt/etc" "$apt/lists/partial" "$apt/cache/archives/partial"
	if [ -n "${LAB_SID_SOURCES:-}" ]; then
		# A deb822 file of one's own instead of the derived entry (tests: /dev/null, no entry).
		cp "$LAB_SID_SOURCES" "$apt/etc/sid.sources"
	else
		sid_source_entry >"$apt/etc/sid.sources" ||
			die "cannot derive a Debian sid entry from this machine's apt sources (above)"
	fi
	local opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/etc"
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User=root)
	apt-get "${opts[@]}" -qq update || log "warning: apt-get update of the sid entry failed"
	if ! (cd "$LAB_HOME/dl" && apt-get "${opts[@]}" -qq download "$BASE_PKG=$BASE_VERSION"); then
		die "the pinned base $BASE_PKG $BASE_VERSION ($name) was found neither in $shared (a matching copy) nor in Debian's sid suite (entry derived from this machine's sources, $apt/etc/sid.sources); sid keeps only a package's current version: put the .deb with sha256 $BASE_DEB_SHA256 in $shared"
	fi
	base_ok "$deb" || die "checksum mismatch for $deb (want $BASE_DEB_SHA256)"
}

unpack_base() {
	[ -f "$LAB_PRISTINE/.rvfs-unpacked" ] && return
	local deb=$LAB_HOME/dl/${BASE_PKG}_${BASE_VERSION}_all.deb tmp=$LAB_HOME/src/.unpack
	log "unpacking $BASE_PKG $BASE_VERSION"
	rm -rf "$tmp" "$LAB_PRISTINE"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/src/$BASE_PKG.tar.xz"
	tar -x -C "$tmp" -f "$tmp/usr/src/$BASE_PKG.tar.xz"
	mv "$tmp/$BASE_TREE" "$LAB_PRISTINE"
	rm -rf "$tmp"
	touch "$LAB_PRISTINE/.rvfs-unpacked"
}

lab_lock
mkdir -p "$LAB_HOME" "$LAB_TOOLS" "$CCACHE_DIR"
# shellcheck disable=SC2086
install_apt_packages $APT_PACKAGES
# shellcheck disable=SC2086
[ "${1:-}" != --bench ] || install_apt_packages $BENCH_APT_PACKAGES
# shellcheck disable=SC2086
[ "${1:-}" != --series ] || install_apt_packages $SERIES_APT_PACKAGES
install_rust
fetch_base
unpack_base
ccache -M 5G >/dev/null
