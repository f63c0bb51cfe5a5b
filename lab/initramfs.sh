#!/usr/bin/env bash
# Pack the initramfs: static busybox, the lab's init and demo, the benchmark, the differential test
# and the installed test suites. Written with the kernel's own usr/gen_init_cpio from a file list,
# so it needs neither root (for device nodes) nor a host cpio. Also $LAB_HOME/initramfs-bench.cpio
# for `make bench`: the same without the suites and the differential test, so that rebuilding
# them leaves the benchmark's guest unchanged.
# Reproducible: the same inputs give the same bytes (fixed mtimes, entries in a fixed order, inode
# numbers by position), as `make bench`'s instruction counts depend on the archive's metadata too.
. "$(dirname "$0")/common.sh"
lab_lock
"$LAB_REPO/lab/headers.sh"
gen=$LAB_TOOLS/bin/gen_init_cpio
if [ ! -x "$gen" ] || [ "$gen" -ot "$LAB_PRISTINE/usr/gen_init_cpio.c" ]; then
	mkdir -p "$LAB_TOOLS/bin"
	gcc -O2 -o "$gen" "$LAB_PRISTINE/usr/gen_init_cpio.c"
fi
# mtime of every entry (gen_init_cpio -t; without it, directories get the current time and files
# their own): KBUILD_BUILD_TIMESTAMP's date, 2026-01-01 00:00:00 UTC.
mtime=1767225600
root=$LAB_HOME/initramfs
rm -rf "$root"
mkdir -p "$root/bin"
inc=(-isystem "$LAB_TREE/_headers/usr/include")
gcc -static -O2 -Wall -Werror "${inc[@]}" -o "$root/bin/rvfs-demo" "$LAB_REPO/lab/rvfs-demo.c"
gcc -static -O2 -Wall -Werror "${inc[@]}" -o "$root/bin/rvfs-bench" "$LAB_REPO/lab/bench/rvfs-bench.c"
gcc -static -O2 -Wall -Werror "${inc[@]}" -o "$root/bin/rvfs-difftest" \
	"$LAB_REPO/lab/difftest/rvfs-difftest.c"
printf "alias poweroff='reboot -f'\n" >"$root/profile"

# The file list of gen_init_cpio; with "tests", the differential test and the installed suites too.
file_list() {
	for d in bin dev proc sys tmp run root etc mnt tests; do echo "dir /$d 755 0 0"; done
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox /bin/busybox 755 0 0"
	echo "file /init $LAB_REPO/lab/init 755 0 0"
	echo "file /demo.sh $LAB_REPO/lab/demo.sh 755 0 0"
	echo "file /bin/rvfs-demo $root/bin/rvfs-demo 755 0 0"
	echo "file /bin/rvfs-bench $root/bin/rvfs-bench 755 0 0"
	echo "file /etc/profile $root/profile 644 0 0"
	[ "${1:-}" != tests ] || echo "file /bin/rvfs-difftest $root/bin/rvfs-difftest 755 0 0"
	# The installed suites, if built (make run does without them).
	if [ "${1:-}" = tests ] && [ -d "$LAB_HOME/tests" ]; then
		(cd "$LAB_HOME/tests" && find . -mindepth 1 | LC_ALL=C sort) | while read -r p; do
			p=${p#./}
			if [ -L "$LAB_HOME/tests/$p" ]; then
				echo "slink /tests/$p $(readlink "$LAB_HOME/tests/$p") 777 0 0"
			elif [ -d "$LAB_HOME/tests/$p" ]; then
				echo "dir /tests/$p 755 0 0"
			else
				echo "file /tests/$p $LAB_HOME/tests/$p $(stat -c %a "$LAB_HOME/tests/$p") 0 0"
			fi
		done
	fi
}

for name in initramfs initramfs-bench; do
	if [ "$name" = initramfs ]; then file_list tests; else file_list; fi >"$LAB_HOME/$name.list"
	"$gen" -t "$mtime" "$LAB_HOME/$name.list" >"$LAB_HOME/$name.cpio.new"
	mv "$LAB_HOME/$name.cpio.new" "$LAB_HOME/$name.cpio"
done
log "initramfs: $(du -h "$LAB_HOME/initramfs.cpio" | cut -f1), for make bench: $(du -h "$LAB_HOME/initramfs-bench.cpio" | cut -f1)"
