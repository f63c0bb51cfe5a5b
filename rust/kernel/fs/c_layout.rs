// SPDX-License-Identifier: GPL-2.0

//! Checks of bindgen's layouts of VFS structs against C's.
//!
//! Most VFS structs are `__randomize_layout`. Rust cannot be built with `RANDSTRUCT`, but the
//! offsets that bindgen computes have been wrong before (it once dropped an `-fms-extensions`
//! member of `struct ns_common`, shifting every field after it). So every field of such a struct
//! that the `fs` abstractions read or write is checked at build time against the offset C gives
//! it, exported by `RUST_OFFSETOF()` in `rust/bindings/bindings_helper.h`.

/// Fails the build unless, for each listed field of `struct $s`, bindgen's offset equals C's
/// `offsetof(struct $s, $field)` (the constant `bindings::OFFSETOF_$s__$field`).
///
/// A field that bindgen puts in an anonymous union is written `union_member => field`: its offset
/// is that of the union.
macro_rules! assert_c_offsets {
    ($s:ident { $($fields:tt)* }) => {
        const _: () = {
            $crate::fs::c_layout::assert_c_offsets!(@each $s $($fields)*);
        };
    };
    (@each $s:ident) => {};
    (@each $s:ident $rust:ident => $field:ident $(, $($rest:tt)*)?) => {
        $crate::macros::paste! {
            assert!(
                ::core::mem::offset_of!($crate::bindings::$s, $rust)
                    == $crate::bindings::[<OFFSETOF_ $s __ $field>]
            );
        }
        $crate::fs::c_layout::assert_c_offsets!(@each $s $($($rest)*)?);
    };
    (@each $s:ident $field:ident $(, $($rest:tt)*)?) => {
        $crate::macros::paste! {
            assert!(
                ::core::mem::offset_of!($crate::bindings::$s, $field)
                    == $crate::bindings::[<OFFSETOF_ $s __ $field>]
            );
        }
        $crate::fs::c_layout::assert_c_offsets!(@each $s $($($rest)*)?);
    };
}
pub(crate) use assert_c_offsets;
