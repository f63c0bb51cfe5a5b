// SPDX-License-Identifier: GPL-2.0

#include <linux/dcache.h>

__rust_helper struct dentry *rust_helper_dget(struct dentry *dentry)
{
	return dget(dentry);
}

__rust_helper bool rust_helper_d_is_dir(const struct dentry *dentry)
{
	return d_is_dir(dentry);
}

__rust_helper bool rust_helper_d_can_lookup(const struct dentry *dentry)
{
	return d_can_lookup(dentry);
}
