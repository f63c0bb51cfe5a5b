#!/usr/bin/env bash
# Install the toolchain and fetch the pinned base. Idempotent: skips what is already there.
. "$(dirname "$0")/common.sh"

install_apt_packages() {
	local missing=() p
	for p in $APT_PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	log "installing Debian packages: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_rust() {
	command -v rustup >/dev/null || die "rustup is required (the machine's Rust toolchain manager)"
	if ! rustup toolchain list | grep -q "^$RUST_TOOLCHAIN"; then
		log "installing Rust $RUST_TOOLCHAIN"
		rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal
	fi
	local c
	for c in rust-src rustfmt clippy; do
		rustup component list --toolchain "$RUST_TOOLCHAIN" --installed | grep -q "^$c" ||
			rustup component add --toolchain "$RUST_TOOLCHAIN" "$c"
	done
	if [ "$(bindgen --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
		log "installing bindgen-cli $BINDGEN_VERSION"
		cargo +"$RUST_TOOLCHAIN" install --locked --quiet --root "$LAB_TOOLS" \
			bindgen-cli --version "$BINDGEN_VERSION"
	fi
}

# Print a deb822 entry for Debian's sid suite, derived from the machine's own Debian entry,
# so that no mirror is named anywhere but in the machine's configuration.
sid_source_entry() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     /(^|\n)Suites:[^\n]*bookworm([ \n]|$)/ && /(^|\n)URIs:[^\n]*debian\/?([ \n]|$)/ { print; exit }' "$f" |
			sed -E 's/^Suites:.*/Suites: sid/; s/^Components:.*/Components: main/; /^#/d'
		return 0
	done
	# One-line format (/etc/apt/sources.list).
	local uri
	uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null)
	[ -n "$uri" ] || die "no Debian bookworm source entry found on this machine"
	printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri"
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
	sid_source_entry >"$apt/etc/sid.sources"
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

mkdir -p "$LAB_HOME" "$LAB_TOOLS" "$CCACHE_DIR"
install_apt_packages
install_rust
fetch_base
unpack_base
ccache -M 5G >/dev/null
