//! LIBSVM sparse text format: `label index:value index:value ...`, 1-based increasing indices.
//!
//! Binary labels are mapped to ±1 and the mapping is reported, since the published files
//! use {-1,+1}, {1,2}, {0,1} and {2,4}.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::FormatError;

/// How the file's two label values were mapped to -1 and +1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelMap {
    /// File label that became -1 (the smaller one).
    pub negative: f64,
    /// File label that became +1 (the larger one).
    pub positive: f64,
}

/// A LIBSVM data set in compressed sparse row form.
#[derive(Debug, Clone, PartialEq)]
pub struct LibsvmData {
    /// Labels as written in the file.
    pub labels: Vec<f64>,
    /// Row pointers (length samples + 1).
    pub row_ptr: Vec<usize>,
    /// 0-based feature index of every stored value.
    pub indices: Vec<usize>,
    /// Stored values.
    pub values: Vec<f64>,
    /// Number of features (largest index seen, or the value the caller asked for).
    pub n_features: usize,
}

impl LibsvmData {
    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.labels.len()
    }

    /// Stored (index, value) pairs of sample `i`.
    pub fn row(&self, i: usize) -> (&[usize], &[f64]) {
        let r = self.row_ptr[i]..self.row_ptr[i + 1];
        (&self.indices[r.clone()], &self.values[r])
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// The distinct labels, sorted.
    pub fn distinct_labels(&self) -> Vec<f64> {
        let mut l = self.labels.clone();
        l.sort_by(f64::total_cmp);
        l.dedup();
        l
    }

    /// Labels mapped to ±1 (smaller file label -> -1), with the mapping.
    /// Fails unless the file has exactly two label values.
    pub fn binary_labels(&self) -> Result<(Vec<f64>, LabelMap), String> {
        let d = self.distinct_labels();
        if d.len() != 2 {
            return Err(format!(
                "binary labels needed, the file has {} distinct label values {:?}",
                d.len(),
                &d[..d.len().min(5)]
            ));
        }
        let map = LabelMap {
            negative: d[0],
            positive: d[1],
        };
        let y = self
            .labels
            .iter()
            .map(|&l| if l == map.positive { 1.0 } else { -1.0 })
            .collect();
        Ok((y, map))
    }

    /// The samples as a dense row-major matrix (entry (i, j) at `i * width + j`) and its
    /// width: the file's feature count, or `n_features` when larger (to line a test set up
    /// with its training set). Labels stay as they are (see [`Self::binary_labels`]).
    pub fn to_dense(&self, n_features: Option<usize>) -> (Vec<f64>, usize) {
        let d = n_features.unwrap_or(self.n_features).max(self.n_features);
        let mut values = vec![0.0; self.n_samples() * d];
        for (i, row) in values.chunks_exact_mut(d.max(1)).enumerate() {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                row[j] = v;
            }
        }
        (values, d)
    }

    /// `out = A v`, A the n_samples x n_features data matrix.
    pub fn matvec(&self, v: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let (idx, val) = self.row(i);
            *o = idx.iter().zip(val).map(|(&j, &a)| a * v[j]).sum();
        }
    }

    /// `out += A^T w`.
    pub fn matvec_transpose_add(&self, w: &[f64], out: &mut [f64]) {
        for (i, &wi) in w.iter().enumerate() {
            let (idx, val) = self.row(i);
            for (&j, &a) in idx.iter().zip(val) {
                out[j] += a * wi;
            }
        }
    }

    /// Writes the data set in LIBSVM text form (labels as stored).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for i in 0..self.n_samples() {
            let _ = write!(s, "{}", self.labels[i]);
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let _ = write!(s, " {}:{}", j + 1, v);
            }
            s.push('\n');
        }
        s
    }
}

/// Reads a LIBSVM file. `n_features` widens the feature count (e.g. 123 for a9a.t).
pub fn read_libsvm(path: &Path, n_features: Option<usize>) -> Result<LibsvmData, FormatError> {
    let file = std::fs::File::open(path).map_err(|e| FormatError::io(path, e))?;
    parse_libsvm(BufReader::new(file), path, n_features)
}

/// Parses LIBSVM text from any reader; `path` is used in error messages only.
pub fn parse_libsvm<R: Read>(
    reader: BufReader<R>,
    path: &Path,
    n_features: Option<usize>,
) -> Result<LibsvmData, FormatError> {
    let mut data = LibsvmData {
        labels: Vec::new(),
        row_ptr: vec![0],
        indices: Vec::new(),
        values: Vec::new(),
        n_features: 0,
    };
    let mut max_index = 0usize;
    for (lineno, line) in reader.lines().enumerate() {
        let lineno = lineno + 1;
        let line = line.map_err(|e| FormatError::line_io(path, lineno, e))?;
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split_ascii_whitespace();
        let label_text = fields.next().unwrap_or_default();
        let label: f64 = label_text.parse().map_err(|_| {
            FormatError::parse(
                path,
                lineno,
                format!("label '{label_text}' is not a number"),
            )
        })?;
        if !label.is_finite() {
            return Err(FormatError::parse(
                path,
                lineno,
                format!("label '{label_text}' is not finite"),
            ));
        }
        let mut prev = 0usize;
        for (k, field) in fields.enumerate() {
            let bad = |why: &str| {
                FormatError::parse(path, lineno, format!("field {} '{field}': {why}", k + 2))
            };
            let (i, v) = field
                .split_once(':')
                .ok_or_else(|| bad("expected index:value"))?;
            let index: usize = i
                .parse()
                .map_err(|_| bad("index is not a positive integer"))?;
            if index == 0 {
                return Err(bad("indices are 1-based, 0 is not allowed"));
            }
            if index <= prev {
                return Err(bad(&format!(
                    "index {index} does not increase (previous {prev})"
                )));
            }
            let value: f64 = v.parse().map_err(|_| bad("value is not a number"))?;
            if !value.is_finite() {
                return Err(bad("value is not finite"));
            }
            prev = index;
            max_index = max_index.max(index);
            data.indices.push(index - 1);
            data.values.push(value);
        }
        data.labels.push(label);
        data.row_ptr.push(data.indices.len());
    }
    if data.labels.is_empty() {
        return Err(FormatError::invalid(path, "no samples in the file"));
    }
    data.n_features = match n_features {
        Some(nf) if nf < max_index => {
            return Err(FormatError::invalid(
                path,
                format!("n_features = {nf} but the file uses feature index {max_index}"),
            ));
        }
        Some(nf) => nf,
        None => max_index,
    };
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LibsvmData, FormatError> {
        parse_libsvm(BufReader::new(text.as_bytes()), Path::new("<test>"), None)
    }

    #[test]
    fn parses_and_round_trips() {
        let d = parse("2 1:0.5 3:-1 \n4 2:1e-3\n\n2\n").unwrap();
        assert_eq!(d.n_samples(), 3);
        assert_eq!(d.n_features, 3);
        assert_eq!(d.row(0), (&[0usize, 2][..], &[0.5, -1.0][..]));
        let (y, map) = d.binary_labels().unwrap();
        assert_eq!(y, vec![-1.0, 1.0, -1.0]);
        assert_eq!((map.negative, map.positive), (2.0, 4.0));
        assert_eq!(parse(&d.to_text()).unwrap(), d);
    }

    #[test]
    fn malformed_line_names_line_and_field() {
        let err = parse("1 1:2\n-1 2:3 x:4\n").unwrap_err().to_string();
        assert!(err.contains("<test>:2:"), "{err}");
        assert!(err.contains("field 3 'x:4'"), "{err}");
        let err = parse("1 3:2 2:1\n").unwrap_err().to_string();
        assert!(
            err.contains(":1:") && err.contains("does not increase"),
            "{err}"
        );
        let err = parse("1 1:nan\n").unwrap_err().to_string();
        assert!(err.contains("not finite"), "{err}");
        let err = parse("abc 1:1\n").unwrap_err().to_string();
        assert!(err.contains("label 'abc'"), "{err}");
    }

    #[test]
    fn dense_copy_widens() {
        let d = parse("2 1:0.5 3:-1\n4 2:1e-3\n").unwrap();
        let (values, width) = d.to_dense(Some(4));
        assert_eq!(width, 4);
        assert_eq!(values, vec![0.5, 0.0, -1.0, 0.0, 0.0, 1e-3, 0.0, 0.0]);
        assert_eq!(d.to_dense(Some(1)).1, 3, "never narrower than the file");
    }

    #[test]
    fn three_labels_are_not_binary() {
        let d = parse("1 1:1\n2 1:1\n3 1:1\n").unwrap();
        assert!(d.binary_labels().is_err());
    }
}
