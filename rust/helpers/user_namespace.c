// SPDX-License-Identifier: GPL-2.0

#include <linux/cred.h>
#include <linux/user_namespace.h>

__rust_helper struct user_namespace *
rust_helper_get_user_ns(struct user_namespace *ns)
{
	return get_user_ns(ns);
}

__rust_helper void rust_helper_put_user_ns(struct user_namespace *ns)
{
	put_user_ns(ns);
}
