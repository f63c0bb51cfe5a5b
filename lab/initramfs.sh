#!/usr/bin/env bash
# Pack the initramfs: static busybox, the lab's init and demo, the benchmark and the built test
# programs.
. "$(dirname "$0")/common.sh"
root=$LAB_HOME/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,root,etc,tests}
cp /bin/busybox "$root/bin/busybox"
install -m 755 "$LAB_REPO/lab/init" "$root/init"
install -m 755 "$LAB_REPO/lab/demo.sh" "$root/demo.sh"
gcc -static -O2 -Wall -Werror -isystem "$LAB_TREE/_headers/usr/include" \
	-o "$root/bin/rvfs-demo" "$LAB_REPO/lab/rvfs-demo.c"
gcc -static -O2 -Wall -Werror -isystem "$LAB_TREE/_headers/usr/include" \
	-o "$root/bin/rvfs-bench" "$LAB_REPO/lab/bench/rvfs-bench.c"
mknod -m 600 "$root/dev/console" c 5 1
echo "alias poweroff='reboot -f'" >"$root/etc/profile"
if [ -f "$LAB_HOME/tests/list" ]; then
	cp "$LAB_HOME/tests/list" "$root/tests/list"
	while read -r suite prog; do
		mkdir -p "$root/tests/$suite"
		cp "$LAB_HOME/tests/$suite/$prog" "$root/tests/$suite/$prog"
	done <"$LAB_HOME/tests/list"
else
	: >"$root/tests/list"
fi
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio -o -0 -H newc --quiet) >"$LAB_HOME/initramfs.cpio.new"
mv "$LAB_HOME/initramfs.cpio.new" "$LAB_HOME/initramfs.cpio"
log "initramfs: $(du -h "$LAB_HOME/initramfs.cpio" | cut -f1)"
