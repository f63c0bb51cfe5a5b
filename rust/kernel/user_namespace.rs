// SPDX-License-Identifier: GPL-2.0

//! User namespaces.
//!
//! C header: [`include/linux/user_namespace.h`](srctree/include/linux/user_namespace.h)

use crate::{
    bindings,
    sync::aref::AlwaysRefCounted,
    task::CurrentTask,
    types::Opaque, //
};
use core::ptr::{
    self,
    NonNull, //
};

/// Wraps the kernel's `struct user_namespace`.
///
/// Two [`UserNamespace`]s are equal if they are the same namespace.
///
/// # Invariants
///
/// Instances of this type are always reference-counted (`ns_ref` of the embedded `ns_common`,
/// `get_user_ns()`/`put_user_ns()`): a `&UserNamespace` is only created while a reference is held
/// for its lifetime, and `ARef<UserNamespace>` owns one.
#[repr(transparent)]
pub struct UserNamespace {
    inner: Opaque<bindings::user_namespace>,
}

// SAFETY: A user namespace is not tied to a thread, and its references may be dropped on any
// thread (`put_user_ns()` defers the freeing to a work item).
unsafe impl Send for UserNamespace {}

// SAFETY: `UserNamespace` has no methods that read or write its fields; it is only compared by
// address and passed to C, which synchronises what it does with it.
unsafe impl Sync for UserNamespace {}

// SAFETY: The type invariants guarantee that `UserNamespace` is always reference-counted.
unsafe impl AlwaysRefCounted for UserNamespace {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the reference count is positive.
        unsafe { bindings::get_user_ns(self.as_raw()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller passes us ownership of a reference. The cast is okay since
        // `UserNamespace` has the same representation as `struct user_namespace`.
        unsafe { bindings::put_user_ns(obj.cast().as_ptr()) }
    }
}

impl UserNamespace {
    /// Creates a reference to a [`UserNamespace`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct user_namespace` on which a reference is held for the
    /// duration of `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::user_namespace) -> &'a Self {
        // SAFETY: The caller guarantees that the pointer is valid and the namespace referenced for
        // `'a`. The cast is okay because `UserNamespace` is `repr(transparent)` over
        // `struct user_namespace`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::user_namespace {
        self.inner.get()
    }

    /// Returns the user namespace of the current task's credentials (`current_user_ns()`).
    #[inline]
    pub fn current(_task: &CurrentTask) -> &Self {
        // SAFETY: The subjective credentials of the current task hold a reference on their user
        // namespace, and only the task itself replaces them (`commit_creds()`, or
        // `override_creds()` and `revert_creds()`), which the kernel crate offers no way to do;
        // `&CurrentTask` does not leave the current task's scope, so the namespace stays
        // referenced for the returned lifetime.
        unsafe { Self::from_raw(bindings::current_user_ns()) }
    }
}

impl PartialEq for UserNamespace {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        ptr::eq(self, other)
    }
}

impl Eq for UserNamespace {}
