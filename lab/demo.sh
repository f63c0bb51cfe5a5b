#!/bin/sh
# The demo shown by `make run`: the mount-namespace features of the kernel at work.
echo
echo "=== rvfs demo on $(uname -r) ==="
echo "--- /proc/self/mountinfo: rootfs sits on mount 1, the nullfs root"
cat /proc/self/mountinfo
echo "--- listmount/statmount of this namespace"
rvfs-demo mounts
echo "--- an empty mount namespace by unshare(2)"
rvfs-demo empty
echo "--- an empty mount namespace by clone3(2)"
rvfs-demo clone3
echo "--- fsmount(2) with FSMOUNT_NAMESPACE: a tmpfs in a new namespace, entered with setns(2)"
rvfs-demo fsmount-ns
echo "--- a root switch without pivot_root(2): MOVE_MOUNT_BENEATH on /"
rvfs-demo root-switch
echo "=== end of demo ==="
