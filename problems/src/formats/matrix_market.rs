//! MatrixMarket files (coordinate and array, real/integer/pattern, general/symmetric) and
//! plain `row col value` triplet text (CSV, TSV or blanks; MovieLens-style extra columns
//! are ignored).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::FormatError;
use crate::triplets::Triplets;

/// A dense column-major matrix read from or written to a MatrixMarket array file.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseMatrix {
    /// Number of rows.
    pub nrows: usize,
    /// Number of columns.
    pub ncols: usize,
    /// Column-major values.
    pub data: Vec<f64>,
}

struct Header {
    array: bool,
    pattern: bool,
    symmetry: Symmetry,
}

#[derive(PartialEq)]
enum Symmetry {
    General,
    Symmetric,
    SkewSymmetric,
}

fn parse_header(line: &str, path: &Path) -> Result<Header, FormatError> {
    let words: Vec<String> = line
        .split_ascii_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let bad = |m: String| FormatError::parse(path, 1, m);
    if words.len() != 5 || words[0] != "%%matrixmarket" || words[1] != "matrix" {
        return Err(bad(format!(
            "header '{line}' is not '%%MatrixMarket matrix <format> <field> <symmetry>'"
        )));
    }
    let array = match words[2].as_str() {
        "coordinate" => false,
        "array" => true,
        f => return Err(bad(format!("format '{f}' is not coordinate or array"))),
    };
    let pattern = match words[3].as_str() {
        "real" | "double" | "integer" => false,
        "pattern" if !array => true,
        f => {
            return Err(bad(format!(
                "field '{f}' is not supported (real, integer, pattern)"
            )));
        }
    };
    let symmetry = match words[4].as_str() {
        "general" => Symmetry::General,
        "symmetric" => Symmetry::Symmetric,
        "skew-symmetric" => Symmetry::SkewSymmetric,
        s => return Err(bad(format!("symmetry '{s}' is not supported"))),
    };
    Ok(Header {
        array,
        pattern,
        symmetry,
    })
}

/// Numbered non-comment data lines of a file.
type DataLines = Box<dyn Iterator<Item = Result<(usize, String), FormatError>>>;

/// The header line and an iterator over the non-comment data lines (1-based numbers).
fn data_lines(path: &Path) -> Result<(String, DataLines), FormatError> {
    let file = std::fs::File::open(path).map_err(|e| FormatError::io(path, e))?;
    let mut lines = BufReader::new(file).lines();
    let header = match lines.next() {
        Some(l) => l.map_err(|e| FormatError::line_io(path, 1, e))?,
        None => return Err(FormatError::invalid(path, "empty file")),
    };
    let owned = path.to_path_buf();
    let iter = lines.enumerate().filter_map(move |(i, l)| match l {
        Err(e) => Some(Err(FormatError::line_io(&owned, i + 2, e))),
        Ok(l) => {
            let t = l.trim();
            if t.is_empty() || t.starts_with('%') {
                None
            } else {
                Some(Ok((i + 2, t.to_string())))
            }
        }
    });
    Ok((header, Box::new(iter)))
}

fn parse_num<T: std::str::FromStr>(
    field: Option<&str>,
    what: &str,
    path: &Path,
    line: usize,
) -> Result<T, FormatError> {
    let f = field.ok_or_else(|| FormatError::parse(path, line, format!("missing {what}")))?;
    f.parse()
        .map_err(|_| FormatError::parse(path, line, format!("{what} '{f}' is not a valid number")))
}

/// The counts on the size line (the first data line), named `what` in errors.
fn size_line<const N: usize>(
    path: &Path,
    lines: &mut impl Iterator<Item = Result<(usize, String), FormatError>>,
    what: [&str; N],
) -> Result<[usize; N], FormatError> {
    let (lineno, size) = lines
        .next()
        .ok_or_else(|| FormatError::invalid(path, "missing size line"))??;
    let mut f = size.split_ascii_whitespace();
    let mut counts = [0; N];
    for (count, what) in counts.iter_mut().zip(what) {
        *count = parse_num(f.next(), what, path, lineno)?;
    }
    Ok(counts)
}

/// A value field, which must be a finite number.
fn finite_value(field: Option<&str>, path: &Path, line: usize) -> Result<f64, FormatError> {
    let v: f64 = parse_num(field, "value", path, line)?;
    if !v.is_finite() {
        return Err(FormatError::parse(
            path,
            line,
            format!("value {v} is not finite"),
        ));
    }
    Ok(v)
}

/// Reads a MatrixMarket coordinate file into 0-based triplets; symmetric files are expanded.
pub fn read_matrix_market(path: &Path) -> Result<Triplets, FormatError> {
    let (header, mut lines) = data_lines(path)?;
    let h = parse_header(&header, path)?;
    if h.array {
        let d = read_array_body(path, &h, &mut lines)?;
        let mut t = Triplets {
            nrows: d.nrows,
            ncols: d.ncols,
            ..Default::default()
        };
        for j in 0..d.ncols {
            for i in 0..d.nrows {
                t.rows.push(i);
                t.cols.push(j);
                t.values.push(d.data[i + j * d.nrows]);
            }
        }
        return Ok(t);
    }
    let counts = ["row count", "column count", "entry count"];
    let [nrows, ncols, nnz] = size_line(path, &mut lines, counts)?;
    let mut t = Triplets {
        nrows,
        ncols,
        ..Default::default()
    };
    let mut count = 0usize;
    for l in lines {
        let (lineno, line) = l?;
        let mut f = line.split_ascii_whitespace();
        let i: usize = parse_num(f.next(), "row index", path, lineno)?;
        let j: usize = parse_num(f.next(), "column index", path, lineno)?;
        if i == 0 || j == 0 || i > nrows || j > ncols {
            return Err(FormatError::parse(
                path,
                lineno,
                format!("entry ({i}, {j}) is outside the 1-based {nrows} x {ncols} shape"),
            ));
        }
        let v = if h.pattern {
            1.0
        } else {
            finite_value(f.next(), path, lineno)?
        };
        count += 1;
        t.rows.push(i - 1);
        t.cols.push(j - 1);
        t.values.push(v);
        if h.symmetry != Symmetry::General && i != j {
            t.rows.push(j - 1);
            t.cols.push(i - 1);
            t.values.push(if h.symmetry == Symmetry::SkewSymmetric {
                -v
            } else {
                v
            });
        }
    }
    if count != nnz {
        return Err(FormatError::invalid(
            path,
            format!("size line announces {nnz} entries, the file has {count}"),
        ));
    }
    Ok(t)
}

fn read_array_body(
    path: &Path,
    h: &Header,
    lines: &mut impl Iterator<Item = Result<(usize, String), FormatError>>,
) -> Result<DenseMatrix, FormatError> {
    if h.symmetry != Symmetry::General {
        return Err(FormatError::invalid(
            path,
            "only general array files are supported",
        ));
    }
    let [nrows, ncols] = size_line(path, lines, ["row count", "column count"])?;
    let mut data = Vec::with_capacity(nrows * ncols);
    for l in lines {
        let (lineno, line) = l?;
        for field in line.split_ascii_whitespace() {
            data.push(finite_value(Some(field), path, lineno)?);
        }
    }
    if data.len() != nrows * ncols {
        return Err(FormatError::invalid(
            path,
            format!(
                "{nrows} x {ncols} array needs {} values, the file has {}",
                nrows * ncols,
                data.len()
            ),
        ));
    }
    Ok(DenseMatrix { nrows, ncols, data })
}

/// Reads a MatrixMarket array (dense, column-major) file.
pub fn read_matrix_market_array(path: &Path) -> Result<DenseMatrix, FormatError> {
    let (header, mut lines) = data_lines(path)?;
    let h = parse_header(&header, path)?;
    if !h.array {
        return Err(FormatError::parse(
            path,
            1,
            "expected an array (dense) file",
        ));
    }
    read_array_body(path, &h, &mut lines)
}

/// MatrixMarket coordinate text of `t` (1-based, general, real).
pub fn matrix_market_text(t: &Triplets) -> String {
    let mut s = String::from("%%MatrixMarket matrix coordinate real general\n");
    let _ = writeln!(s, "{} {} {}", t.nrows, t.ncols, t.len());
    for k in 0..t.len() {
        let _ = writeln!(s, "{} {} {:e}", t.rows[k] + 1, t.cols[k] + 1, t.values[k]);
    }
    s
}

/// MatrixMarket array text of a dense column-major matrix.
pub fn matrix_market_array_text(d: &DenseMatrix) -> String {
    let mut s = String::from("%%MatrixMarket matrix array real general\n");
    let _ = writeln!(s, "{} {}", d.nrows, d.ncols);
    for v in &d.data {
        let _ = writeln!(s, "{v:e}");
    }
    s
}

/// Writes `t` as a MatrixMarket coordinate file.
pub fn write_matrix_market(path: &Path, t: &Triplets) -> Result<(), FormatError> {
    std::fs::write(path, matrix_market_text(t)).map_err(|e| FormatError::io(path, e))
}

/// Writes a dense column-major matrix as a MatrixMarket array file.
pub fn write_matrix_market_array(path: &Path, d: &DenseMatrix) -> Result<(), FormatError> {
    std::fs::write(path, matrix_market_array_text(d)).map_err(|e| FormatError::io(path, e))
}

/// Reads `row col value` triplets, one per line, separated by blanks, tabs or commas.
/// Indices are 1-based when `one_based`; a first line that is not numeric is a header and
/// is skipped; columns after the third (e.g. MovieLens timestamps) are ignored. The shape
/// is the largest index seen.
pub fn read_triplet_text(path: &Path, one_based: bool) -> Result<Triplets, FormatError> {
    let file = std::fs::File::open(path).map_err(|e| FormatError::io(path, e))?;
    let mut t = Triplets::default();
    let base = usize::from(one_based);
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let lineno = i + 1;
        let line = line.map_err(|e| FormatError::line_io(path, lineno, e))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('%') {
            continue;
        }
        let mut f = line
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|s| !s.is_empty());
        let first = f.next().unwrap_or_default();
        if lineno == 1 && first.parse::<f64>().is_err() {
            continue; // header line
        }
        let r: usize = parse_num(Some(first), "row index", path, lineno)?;
        let c: usize = parse_num(f.next(), "column index", path, lineno)?;
        let v: f64 = parse_num(f.next(), "value", path, lineno)?;
        if r < base || c < base {
            return Err(FormatError::parse(
                path,
                lineno,
                format!("index ({r}, {c}) below the base {base}"),
            ));
        }
        if !v.is_finite() {
            return Err(FormatError::parse(
                path,
                lineno,
                format!("value {v} is not finite"),
            ));
        }
        t.rows.push(r - base);
        t.cols.push(c - base);
        t.values.push(v);
        t.nrows = t.nrows.max(r - base + 1);
        t.ncols = t.ncols.max(c - base + 1);
    }
    if t.is_empty() {
        return Err(FormatError::invalid(path, "no entries in the file"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("opal-mm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn coordinate_round_trip() {
        let t = Triplets {
            nrows: 3,
            ncols: 4,
            rows: vec![0, 2, 1],
            cols: vec![3, 0, 1],
            values: vec![1.5, -2.25e-7, 1e10 / 3.0],
        };
        let p = tmp("rt.mtx", "");
        write_matrix_market(&p, &t).unwrap();
        assert_eq!(read_matrix_market(&p).unwrap(), t);
    }

    #[test]
    fn array_round_trip_and_symmetric_expansion() {
        let d = DenseMatrix {
            nrows: 2,
            ncols: 3,
            data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0 / 7.0],
        };
        let p = tmp("arr.mtx", "");
        write_matrix_market_array(&p, &d).unwrap();
        assert_eq!(read_matrix_market_array(&p).unwrap(), d);
        let p = tmp(
            "sym.mtx",
            "%%MatrixMarket matrix coordinate real symmetric\n% c\n2 2 2\n1 1 4\n2 1 -1\n",
        );
        let t = read_matrix_market(&p).unwrap();
        assert_eq!(t.len(), 3);
        assert!(
            t.rows
                .iter()
                .zip(&t.cols)
                .zip(&t.values)
                .any(|((&r, &c), &v)| r == 0 && c == 1 && v == -1.0)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let p = tmp(
            "bad.mtx",
            "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 4\n3 1 1\n",
        );
        let e = read_matrix_market(&p).unwrap_err().to_string();
        assert!(e.contains("bad.mtx:4:") && e.contains("outside"), "{e}");
        let p = tmp(
            "bad2.mtx",
            "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 4\n",
        );
        let e = read_matrix_market(&p).unwrap_err().to_string();
        assert!(e.contains("announces 2 entries"), "{e}");
        let p = tmp(
            "bad3.mtx",
            "%%MatrixMarket matrix coordinate complex general\n",
        );
        assert!(
            read_matrix_market(&p)
                .unwrap_err()
                .to_string()
                .contains("complex")
        );
    }

    #[test]
    fn triplet_text_with_header_and_extra_columns() {
        let p = tmp(
            "ml.tsv",
            "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t5\t881250949\n3\t1\t3\t891717742\n",
        );
        let t = read_triplet_text(&p, true).unwrap();
        assert_eq!((t.nrows, t.ncols), (3, 2));
        assert_eq!(t.values, vec![5.0, 3.0]);
        assert_eq!(t.rows, vec![0, 2]);
        let p = tmp("bad.csv", "1,2,3\n1,x,3\n");
        let e = read_triplet_text(&p, true).unwrap_err().to_string();
        assert!(e.contains("bad.csv:2:") && e.contains("'x'"), "{e}");
    }
}
