//! Reading MPS/LP files through HiGHS's reader, with opal's validation on top: a model that
//! HiGHS accepts only with warnings about dropped or merged data, NaN anywhere, a quadratic
//! objective or semi-continuous columns is refused with an error naming the file (and the
//! line where it can be found), never solved as a silently different model.

use std::path::{Path, PathBuf};

use opal_mip::highs::{Highs, HighsError, LpData};
use opal_problems::linear::LinearModel;

use crate::text::{check_text, mps_columns, nan_line, warning_line};

/// Why a model file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file does not exist or cannot be read.
    #[error("{}: {message}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// HiGHS's reader rejected the file, or accepted it only by dropping or merging data.
    #[error("{}{}: {message}", .path.display(), .line.map_or(String::new(), |l| format!(":{l}")))]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line, where known.
        line: Option<usize>,
        /// What was wrong (HiGHS's messages).
        message: String,
    },
    /// A NaN in the data (cost, bound, matrix entry or right-hand side).
    #[error("{}{}: NaN in {what}", .path.display(), .line.map_or(String::new(), |l| format!(":{l}")))]
    NotANumber {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first NaN token, where found.
        line: Option<usize>,
        /// Which data held it.
        what: String,
    },
    /// A valid model outside what opal's MIP solvers handle.
    #[error("{}: {what} is not supported (linear MIPs only)", .path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// The feature.
        what: String,
    },
    /// A HiGHS call failed while extracting the model.
    #[error("{}: {source}", .path.display())]
    Highs {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: HighsError,
    },
}

/// Warnings of HiGHS's reader that mean the model read differs from the file's text
/// (entries ignored, duplicates merged, bounds overwritten): opal refuses such files.
const DATA_CHANGING: [&str; 8] = [
    "ignored",
    "duplicate",
    "not defined",
    "undefined",
    "overwrit",
    "replac",
    "inconsistent",
    "not recognised",
];

/// Warnings of HiGHS's reader that do not change the model in a way that matters: matrix
/// values at or below its 1e-9 tolerance are dropped (numerically benign, kept as a
/// warning for the caller).
fn benign(warning: &str) -> bool {
    warning.contains("at/below tolerance")
}

fn summarize(lines: &[&String]) -> String {
    let shown: Vec<String> = lines
        .iter()
        .take(3)
        .map(|l| l.trim_start_matches("WARNING:").trim().to_string())
        .collect();
    let more = lines.len().saturating_sub(3);
    if more > 0 {
        format!("{} (and {more} more)", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

/// A parse failure of HiGHS's reader as a [`ReadError::Malformed`], with the line where
/// HiGHS's message gives one (`--> file:line:col`) and the path shortened to the file name.
fn malformed(path: &Path, detail: &str) -> ReadError {
    let full = path.display().to_string();
    let short = path
        .file_name()
        .map_or_else(|| "the file".into(), |f| f.to_string_lossy().into_owned());
    let line = detail.split("-->").nth(1).and_then(|rest| {
        let loc = rest.split_whitespace().next()?;
        let mut parts = loc.rsplitn(3, ':');
        let _col = parts.next()?;
        parts.next()?.parse::<usize>().ok()
    });
    // HiGHS's LP reader prints a multi-line diagnostic; its first line says what was wrong.
    let first = detail
        .split("; ")
        .map(|l| l.trim_start_matches("ERROR:").trim())
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .replace(&full, &short);
    let message = if first.is_empty() {
        "HiGHS's reader could not parse the model".to_string()
    } else {
        format!("HiGHS's reader could not parse the model ({first})")
    };
    ReadError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// A temporary copy of an LP file with `end` appended.
fn end_terminated_copy(path: &Path, text: &str) -> Result<PathBuf, String> {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(|| "model.lp".into(), |f| f.to_string_lossy().into_owned());
    let copy = std::env::temp_dir().join(format!("opal-{}-{k}-{name}", std::process::id()));
    std::fs::write(&copy, format!("{text}\nend\n"))
        .map_err(|e| format!("{}: {e}", copy.display()))?;
    Ok(copy)
}

/// Reads and validates a model file with HiGHS's reader: [`read_model_with_warnings`]
/// without the warnings.
pub fn read_model(path: &Path) -> Result<LinearModel, ReadError> {
    read_model_with_warnings(path).map(|r| r.0)
}

/// Reads and validates an MPS (fixed or free) or LP file with HiGHS's reader; returns the
/// model and HiGHS's benign warnings (tiny matrix values dropped).
pub fn read_model_with_warnings(path: &Path) -> Result<(LinearModel, Vec<String>), ReadError> {
    let file = ModelFile::open(path)?;
    let mut h = Highs::new().map_err(|e| file.highs(e))?;
    let warnings = file.read_into(&mut h)?;
    let lp = h.lp().map_err(|e| file.highs(e))?;
    file.check_data(&h, &lp)?;
    file.check_columns(&h, lp.cost.len())?;
    Ok((file.model(&h, lp), warnings))
}

/// A model file being read: its path, lower-case name and text (empty for gzip files).
struct ModelFile<'a> {
    path: &'a Path,
    lower: String,
    text: String,
}

impl<'a> ModelFile<'a> {
    /// Checks that `path` is a regular file with a known extension, reads its text and
    /// runs the text checks (binary data, unknown MPS sections, NaN tokens: HiGHS's
    /// readers take "nan" as a value) before HiGHS sees it.
    fn open(path: &'a Path) -> Result<Self, ReadError> {
        let io = |message: String| ReadError::Io {
            path: path.to_path_buf(),
            message,
        };
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Err(io("not a regular file".into())),
            Err(e) => return Err(io(e.to_string())),
        }
        let lower = path.to_string_lossy().to_ascii_lowercase();
        let known = [".mps", ".lp", ".mps.gz", ".lp.gz", ".ems"]
            .iter()
            .any(|e| lower.ends_with(e));
        if !known {
            return Err(ReadError::Unsupported {
                path: path.to_path_buf(),
                what: "a file extension other than .mps / .lp".into(),
            });
        }
        let text = match std::fs::read(path) {
            Ok(bytes) if !lower.ends_with(".gz") => check_text(path, &bytes)?,
            Ok(_) => String::new(),
            Err(e) => return Err(io(e.to_string())),
        };
        Ok(Self { path, lower, text })
    }

    /// A failed HiGHS call, naming the file.
    fn highs(&self, source: HighsError) -> ReadError {
        ReadError::Highs {
            path: self.path.to_path_buf(),
            source,
        }
    }

    /// Reads the file into `h`; refuses it when HiGHS's reader warns that it dropped or
    /// merged data; returns the benign warnings.
    fn read_into(&self, h: &mut Highs) -> Result<Vec<String>, ReadError> {
        let path = self.path;
        let mut extra_warnings = Vec::new();
        let (warned, lines) = match h.read_file(path) {
            Ok(r) => r,
            Err(HighsError::Call { detail, .. })
                if detail.contains("expected `end`") && self.lower.ends_with(".lp") =>
            {
                extra_warnings.push(
                    "the LP file lacks the closing `end` keyword: read as if present".to_string(),
                );
                self.read_end_terminated(h)?
            }
            Err(HighsError::Call { detail, .. }) => return Err(malformed(path, &detail)),
            Err(e) => return Err(self.highs(e)),
        };
        let mut benign_warnings = Vec::new();
        if warned {
            let bad: Vec<&String> = lines
                .iter()
                .filter(|l| {
                    let low = l.to_ascii_lowercase();
                    !benign(l) && DATA_CHANGING.iter().any(|k| low.contains(k))
                })
                .collect();
            if !bad.is_empty() {
                return Err(ReadError::Malformed {
                    line: warning_line(&self.text, bad[0]),
                    path: path.to_path_buf(),
                    message: format!("HiGHS's reader would change the model: {}", summarize(&bad)),
                });
            }
            benign_warnings = lines
                .iter()
                .filter(|l| l.contains("WARNING"))
                .cloned()
                .collect();
        }
        benign_warnings.extend(extra_warnings);
        Ok(benign_warnings)
    }

    /// HiGHS's LP reader insists on the closing `end` keyword, which other readers (and
    /// the generators of the Balans paper's instances) leave out. The model is complete
    /// without it: reads a copy with `end` appended.
    fn read_end_terminated(&self, h: &mut Highs) -> Result<(bool, Vec<String>), ReadError> {
        let path = self.path;
        let copy = end_terminated_copy(path, &self.text).map_err(|message| ReadError::Io {
            path: path.to_path_buf(),
            message,
        })?;
        let r = h.read_file(&copy);
        std::fs::remove_file(&copy).ok();
        match r {
            Ok(r) => Ok(r),
            Err(HighsError::Call { detail, .. }) => {
                let detail =
                    detail.replace(&copy.display().to_string(), &path.display().to_string());
                Err(malformed(path, &detail))
            }
            Err(e) => Err(self.highs(e)),
        }
    }

    /// Refuses a quadratic objective, semi-continuous or semi-integer columns and NaN in
    /// the data HiGHS read.
    fn check_data(&self, h: &Highs, lp: &LpData) -> Result<(), ReadError> {
        let path = self.path;
        if lp.hessian_nnz > 0 {
            return Err(ReadError::Unsupported {
                path: path.to_path_buf(),
                what: "a quadratic objective".into(),
            });
        }
        if let Some(j) = lp.integrality.iter().position(|&t| t == 2 || t == 3) {
            let name = h.col_name(j).unwrap_or_else(|| format!("#{j}"));
            return Err(ReadError::Unsupported {
                what: format!("semi-continuous / semi-integer column '{name}'"),
                path: path.to_path_buf(),
            });
        }
        let nan_in = |what: &str| ReadError::NotANumber {
            path: path.to_path_buf(),
            line: nan_line(path, &self.text),
            what: what.into(),
        };
        if lp.cost.iter().any(|v| v.is_nan()) || lp.offset.is_nan() {
            return Err(nan_in("the objective"));
        }
        if lp.col_lower.iter().chain(&lp.col_upper).any(|v| v.is_nan()) {
            return Err(nan_in("a column bound"));
        }
        if lp.row_lower.iter().chain(&lp.row_upper).any(|v| v.is_nan()) {
            return Err(nan_in("a right-hand side or range"));
        }
        if lp.a_value.iter().any(|v| v.is_nan()) {
            return Err(nan_in("the constraint matrix"));
        }
        Ok(())
    }

    /// Independent check of the MPS reader: every column named in COLUMNS must be in the
    /// model (HiGHS can take a data line whose name is a section keyword for a section).
    fn check_columns(&self, h: &Highs, n: usize) -> Result<(), ReadError> {
        if !self.lower.ends_with(".mps") || self.text.is_empty() {
            return Ok(());
        }
        let named = mps_columns(&self.text);
        if named.len() == n {
            return Ok(());
        }
        let have: std::collections::HashSet<String> =
            (0..n).filter_map(|j| h.col_name(j)).collect();
        let missing = named.iter().find(|(c, _)| !have.contains(c));
        Err(ReadError::Malformed {
            line: missing.map(|m| m.1),
            path: self.path.to_path_buf(),
            message: format!(
                "COLUMNS names {} columns but HiGHS's reader kept {n}{}",
                named.len(),
                missing.map_or(String::new(), |m| format!(" (column '{}' lost)", m.0))
            ),
        })
    }

    /// The model HiGHS holds, with its names (the model is named after the file).
    fn model(&self, h: &Highs, lp: LpData) -> LinearModel {
        let n = lp.cost.len();
        let m = lp.row_lower.len();
        let mut entries = Vec::with_capacity(lp.a_value.len());
        for j in 0..n {
            for k in lp.a_start[j]..lp.a_start[j + 1] {
                entries.push((lp.a_index[k], j, lp.a_value[k]));
            }
        }
        entries.sort_by_key(|&(r, c, _)| (r, c));
        let name = self
            .path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let model_name = name
            .split('.')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("model")
            .to_string();
        LinearModel {
            name: model_name,
            sense: lp.sense,
            offset: lp.offset,
            col_names: (0..n)
                .map(|j| h.col_name(j).unwrap_or_else(|| format!("c{j}")))
                .collect(),
            integer: (0..n)
                .map(|j| matches!(lp.integrality.get(j), Some(1) | Some(4)))
                .collect(),
            cost: lp.cost,
            col_lower: lp.col_lower,
            col_upper: lp.col_upper,
            row_names: (0..m)
                .map(|i| h.row_name(i).unwrap_or_else(|| format!("r{i}")))
                .collect(),
            row_lower: lp.row_lower,
            row_upper: lp.row_upper,
            entries,
        }
    }
}
