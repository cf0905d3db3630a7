//! The checks opal makes on a model file's text before HiGHS's reader sees it, and the
//! scans that locate HiGHS's complaints in the text: binary data, section keywords an MPS
//! file cannot hold (a SIF file named .mps), NaN tokens, the columns of COLUMNS. Pure
//! functions of the text (fuzzed by `solvers/io/fuzz`).

use std::path::Path;

use crate::mip::ReadError;

/// Section keywords of (fixed and free) MPS files, including the extensions HiGHS and
/// other readers know; a line starting in column 1 must begin with one of them.
const MPS_SECTIONS: [&str; 22] = [
    "NAME",
    "OBJSENSE",
    "OBJSENS",
    "OBJNAME",
    "ROWS",
    "LAZYCONS",
    "USERCUTS",
    "DELAYEDROWS",
    "MODELCUTS",
    "COLUMNS",
    "RHS",
    "RANGES",
    "BOUNDS",
    "SOS",
    "SETS",
    "QUADOBJ",
    "QMATRIX",
    "QSECTION",
    "QCMATRIX",
    "CSECTION",
    "INDICATORS",
    "ENDATA",
];

/// The text of a model file's bytes after opal's checks: refuses binary data (a NUL byte
/// or invalid UTF-8, with its line), in an MPS file a line in column 1 that is not a
/// section keyword before ENDATA (e.g. a SIF file named .mps), and NaN tokens in numeric
/// fields. `path` names the file in errors and tells MPS (`.mps`) from LP.
pub fn check_text(path: &Path, bytes: &[u8]) -> Result<String, ReadError> {
    let malformed = |line: usize, message: String| ReadError::Malformed {
        path: path.to_path_buf(),
        line: Some(line),
        message,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(malformed(
                line_of(bytes, at),
                format!(
                    "not a text model file (byte 0x{:02x} is not UTF-8)",
                    bytes[at]
                ),
            ));
        }
    };
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(malformed(
            line_of(bytes, at),
            "not a text model file (a NUL byte)".into(),
        ));
    }
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".mps")
        && let Some((line, word)) = unknown_section(text)
    {
        return Err(malformed(
            line,
            format!("'{word}' is not an MPS section keyword (SIF files are read from *.SIF)"),
        ));
    }
    if let Some(line) = nan_line(path, text) {
        return Err(ReadError::NotANumber {
            path: path.to_path_buf(),
            line: Some(line),
            what: "a numeric field".into(),
        });
    }
    Ok(text.to_string())
}

/// 1-based line of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
}

/// The first line before ENDATA starting in column 1 with a word that is no MPS section
/// keyword (comments and blank lines aside), with that word.
fn unknown_section(text: &str) -> Option<(usize, String)> {
    for (i, l) in text.lines().enumerate() {
        if l.starts_with([' ', '\t', '*']) {
            continue;
        }
        let Some(word) = l.split_whitespace().next() else {
            continue;
        };
        let upper = word.to_ascii_uppercase();
        if upper == "ENDATA" {
            return None;
        }
        if !MPS_SECTIONS.contains(&upper.as_str()) {
            let shown: String = word.chars().take(40).collect();
            return Some((i + 1, shown));
        }
    }
    None
}

fn is_nan_token(t: &str) -> bool {
    t.parse::<f64>().is_ok_and(|v| v.is_nan())
}

/// Line (1-based) of the first NaN in a numeric field: in MPS the values of COLUMNS / RHS /
/// RANGES lines (third and fifth fields) and BOUNDS lines (fourth field), so that a row or
/// column named "nan" is not mistaken for one; in LP files any token.
pub fn nan_line(path: &Path, text: &str) -> Option<usize> {
    let lp = path.to_string_lossy().to_ascii_lowercase().contains(".lp");
    let mut section = String::new();
    for (i, l) in text.lines().enumerate() {
        let toks: Vec<&str> = l.split_whitespace().collect();
        if lp {
            if toks.iter().any(|t| is_nan_token(t)) {
                return Some(i + 1);
            }
            continue;
        }
        if !l.starts_with([' ', '\t']) && !l.starts_with('*') {
            section = toks
                .first()
                .map_or(String::new(), |t| t.to_ascii_uppercase());
            continue;
        }
        let fields: &[usize] = match section.as_str() {
            "COLUMNS" | "RHS" | "RANGES" => &[2, 4],
            "BOUNDS" => &[3],
            _ => &[],
        };
        if fields
            .iter()
            .any(|&k| toks.get(k).is_some_and(|t| is_nan_token(t)))
        {
            return Some(i + 1);
        }
    }
    None
}

/// Distinct column names of an MPS file's COLUMNS section, each with its first line.
pub fn mps_columns(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut in_columns = false;
    for (i, l) in text.lines().enumerate() {
        if l.starts_with('*') || l.trim().is_empty() {
            continue;
        }
        if !l.starts_with([' ', '\t']) {
            in_columns = l.split_whitespace().next() == Some("COLUMNS");
            continue;
        }
        if in_columns {
            let toks: Vec<&str> = l.split_whitespace().collect();
            if toks.len() >= 2 && toks[1].trim_matches('\'') == "MARKER" {
                continue;
            }
            if let Some(name) = toks.first()
                && seen.insert(name.to_string())
            {
                out.push((name.to_string(), i + 1));
            }
        }
    }
    out
}

/// Line (1-based) of the data line naming `name` in `section` (for HiGHS's warnings).
pub fn warning_line(text: &str, warning: &str) -> Option<usize> {
    let name = warning.split('"').nth(1)?;
    let section = ["COLUMNS", "RHS", "RANGES", "BOUNDS"]
        .into_iter()
        .find(|s| warning.contains(&format!("{s} section")))?;
    let mut inside = false;
    for (i, l) in text.lines().enumerate() {
        if !l.starts_with([' ', '\t']) && !l.starts_with('*') {
            inside = l.split_whitespace().next() == Some(section);
            continue;
        }
        if inside && l.split_whitespace().any(|t| t == name) {
            return Some(i + 1);
        }
    }
    None
}
