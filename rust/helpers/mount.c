// SPDX-License-Identifier: GPL-2.0

/*
 * The inlines of the VFS-private fs/mount.h, for the Rust implementation of
 * the mount-namespace paths (fs/mntns/) only.
 */
#ifdef CONFIG_MNT_NAMESPACE_RUST
#include <linux/fs.h>
#include <linux/nsproxy.h>
#include "../../fs/mount.h"

/* The current task's mount namespace, NULL once it left its namespaces. */
__rust_helper struct mnt_namespace *rust_helper_current_mnt_ns(void)
{
	struct nsproxy *nsproxy = current->nsproxy;

	return nsproxy ? nsproxy->mnt_ns : NULL;
}

__rust_helper void rust_helper_get_mnt_ns(struct mnt_namespace *ns)
{
	get_mnt_ns(ns);
}

__rust_helper struct mount *rust_helper_next_mnt(struct mount *p,
						 struct mount *root)
{
	return next_mnt(p, root);
}

__rust_helper int rust_helper_mnt_has_parent(const struct mount *mnt)
{
	return mnt_has_parent(mnt);
}

__rust_helper int rust_helper_is_mounted(struct vfsmount *mnt)
{
	return is_mounted(mnt);
}

__rust_helper bool rust_helper_is_anon_ns(struct mnt_namespace *ns)
{
	return is_anon_ns(ns);
}

__rust_helper bool rust_helper_anon_ns_root(const struct mount *m)
{
	return anon_ns_root(m);
}
#endif /* CONFIG_MNT_NAMESPACE_RUST */
