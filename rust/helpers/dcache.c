// SPDX-License-Identifier: GPL-2.0

#include <linux/dcache.h>

__rust_helper struct dentry *rust_helper_dget(struct dentry *dentry)
{
	return dget(dentry);
}
