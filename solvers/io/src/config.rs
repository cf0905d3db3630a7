//! JSON configuration files: the text is read here, parsed and checked by the solver's own
//! `from_json_str`.

use std::path::{Path, PathBuf};

use opal_mip::balans::{Config, ConfigError};

/// A configuration file that could not be used; the message starts with the path.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// Not readable.
    #[error("{}: {message}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// Not text (bytes that are not UTF-8).
    #[error("{}:{line}: not a JSON text (bytes that are not UTF-8)", .path.display())]
    NotText {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
    },
    /// Not a valid configuration (serde's message carries line and column).
    #[error("{}: {source}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: ConfigError,
    },
}

/// Reads a Balans configuration (the JSON object of `opal solve --config`; fields left out
/// keep their defaults, unknown fields are errors).
pub fn read_balans_config(path: &Path) -> Result<Config, ConfigFileError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigFileError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    balans_config_from_bytes(path, &bytes)
}

/// A Balans configuration from a file's bytes (`path` names it in errors): bytes that are
/// not UTF-8 are refused with their line, the text goes to `Config::from_json_str`.
pub fn balans_config_from_bytes(path: &Path, bytes: &[u8]) -> Result<Config, ConfigFileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        ConfigFileError::NotText {
            path: path.to_path_buf(),
            line,
        }
    })?;
    Config::from_json_str(text).map_err(|source| ConfigFileError::Invalid {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("opal-io-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, r#"{"sub_mip_time_limit": 6}"#).unwrap();
        assert_eq!(read_balans_config(&good).unwrap().sub_mip_time_limit, 6.0);
        let bad = dir.join("cfg.json");
        std::fs::write(&bad, r#"{"operators": [{"kind": "rins", "rate": 1.5}]}"#).unwrap();
        let e = read_balans_config(&bad).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, ConfigFileError::Invalid { .. }), "{msg}");
        assert!(msg.contains("cfg.json") && msg.contains("rate"), "{msg}");
        let missing = dir.join("missing.json");
        let e = read_balans_config(&missing).unwrap_err();
        assert!(matches!(e, ConfigFileError::Io { .. }) && e.to_string().contains("missing.json"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
