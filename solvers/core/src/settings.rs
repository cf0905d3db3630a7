//! Settings helpers shared by every family: the one builder style ([`setters!`]) and the
//! range check that names the setting a user got wrong.

/// Builder-style setters `fn name(mut self, value: T) -> Self` for a settings struct, used
/// inside its `impl` block: `opal_core::setters! { tol: f64, max_iter: usize }`.
#[macro_export]
macro_rules! setters {
    ($($name:ident : $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets `", stringify!($name), "`.")]
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
}

/// A setting outside its allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("setting {name}: {detail}")]
pub struct SettingError {
    /// The setting's field name.
    pub name: &'static str,
    /// What is wrong, with the value and the allowed range.
    pub detail: String,
}

/// Checks that a real setting is finite and in `(lo, hi]` when `lo_open`, else `[lo, hi]`.
pub fn check_range(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    lo_open: bool,
) -> Result<(), SettingError> {
    let ok = value.is_finite() && (if lo_open { value > lo } else { value >= lo }) && value <= hi;
    if ok {
        Ok(())
    } else {
        Err(SettingError {
            name,
            detail: format!(
                "{value} is outside {}{lo}, {hi}]",
                if lo_open { "(" } else { "[" }
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct S {
        tol: f64,
        n: usize,
    }
    impl S {
        setters! { tol: f64, n: usize }
    }

    #[test]
    fn builder_and_ranges() {
        let s = S::default().tol(1e-3).n(4);
        assert_eq!((s.tol, s.n), (1e-3, 4));
        assert!(check_range("tol", 1e-3, 0.0, 1.0, true).is_ok());
        let e = check_range("tol", 0.0, 0.0, 1.0, true).unwrap_err();
        assert_eq!(e.to_string(), "setting tol: 0 is outside (0, 1]");
        assert!(check_range("tol", f64::NAN, 0.0, 1.0, false).is_err());
        assert!(check_range("x", 0.0, 0.0, 1.0, false).is_ok());
    }
}
