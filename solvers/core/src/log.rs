//! The iteration log every solver shares: one line per iterate in fixed-width columns, the
//! column header repeated every ten lines, numbers in IPOPT's style (`1.23e-04`, `lg(mu)`
//! as `-1.0`), then one closing line with the status. A family describes its columns once
//! ([`Record`]); [`LogObserver`] does the rest.

use std::io::Write;

use crate::observer::{Control, Finish, Observer, Start};

/// How a column's values are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An integer.
    Int,
    /// Scientific with this many digits after the point and a two-digit exponent
    /// (`Sci(2)`: `1.23e-04`).
    Sci(usize),
    /// log10 of the value with one decimal (`lg(mu)`: `-1.0`).
    Log10,
    /// Free text or a one-letter code.
    Text,
}

/// One column of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Header text.
    pub name: &'static str,
    /// Width in characters (values are right-aligned).
    pub width: usize,
    /// How values are printed.
    pub format: Format,
}

impl Column {
    /// A column.
    pub const fn new(name: &'static str, width: usize, format: Format) -> Self {
        Self {
            name,
            width,
            format,
        }
    }
}

/// One value of a log line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// A real (printed per the column's format; NaN prints as `-`).
    Real(f64),
    /// Text (a code, a name).
    Text(&'static str),
    /// A one-letter code.
    Char(char),
    /// An integer followed by a one-letter tag (IPOPT's `12r` for a restoration step).
    Tagged(i64, char),
    /// Nothing to show (`-`).
    Empty,
}

impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

/// An iteration record that knows its log columns.
pub trait Record {
    /// The columns, first to last (the iteration number is the first, by convention).
    fn columns(&self) -> &'static [Column];
    /// The value of column `i` for this record.
    fn value(&self, i: usize) -> Value;
}

/// `x` in IPOPT's scientific style: mantissa with `digits` decimals, exponent with sign and
/// at least two digits.
pub fn sci(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "-".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let s = format!("{x:.digits$e}");
    let (mantissa, exp) = s.split_once('e').expect("Rust's {:e} has an exponent");
    let exp: i32 = exp.parse().expect("integer exponent");
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

fn cell(column: &Column, value: Value) -> String {
    let w = column.width;
    let text = match (value, column.format) {
        (Value::Empty, _) => "-".to_string(),
        (Value::Int(v), _) => v.to_string(),
        (Value::Real(v), Format::Sci(d)) => sci(v, d),
        (Value::Real(v), Format::Log10) => {
            if v > 0.0 && v.is_finite() {
                format!("{:.1}", v.log10())
            } else {
                "-".into()
            }
        }
        (Value::Real(v), Format::Int) => format!("{v:.0}"),
        (Value::Real(v), Format::Text) => sci(v, 2),
        (Value::Text(t), _) => t.to_string(),
        (Value::Char(c), _) => c.to_string(),
        (Value::Tagged(v, c), _) => format!("{v}{c}"),
    };
    format!("{text:>w$}")
}

/// Prints a run as a log: a first line naming solver and problem, the column header every
/// `header_every` lines, one line every `every` iterations, and the outcome.
pub struct LogObserver<W: Write = std::io::Stderr> {
    out: W,
    every: usize,
    header_every: usize,
    lines: usize,
    seen: usize,
}

impl LogObserver<std::io::Stderr> {
    /// Logs every iterate to standard error (the CLI's `--verbose`).
    pub fn stderr() -> Self {
        Self::new(std::io::stderr())
    }
}

impl<W: Write> LogObserver<W> {
    /// Logs every iterate to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            every: 1,
            header_every: 10,
            lines: 0,
            seen: 0,
        }
    }

    /// Prints only every `n`-th iterate (long first-order runs); the first is always shown.
    pub fn every(mut self, n: usize) -> Self {
        self.every = n.max(1);
        self
    }

    /// The writer (tests read what was logged).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn header(&mut self, columns: &[Column]) {
        let line: Vec<String> = columns
            .iter()
            .map(|c| format!("{:>w$}", c.name, w = c.width))
            .collect();
        let _ = writeln!(self.out, "{}", line.join(" "));
    }
}

impl<I: Record + ?Sized, W: Write> Observer<I> for LogObserver<W> {
    fn init(&mut self, start: &Start<'_>) {
        let _ = writeln!(self.out, "{} on {}", start.solver, start.problem);
    }

    fn iteration(&mut self, info: &I) -> Control {
        let show = self.seen.is_multiple_of(self.every);
        self.seen += 1;
        if show {
            let columns = info.columns();
            if self.lines.is_multiple_of(self.header_every) {
                self.header(columns);
            }
            let line: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| cell(c, info.value(i)))
                .collect();
            let _ = writeln!(self.out, "{}", line.join(" "));
            self.lines += 1;
        }
        Control::Continue
    }

    fn finish(&mut self, f: &Finish<'_>) {
        let objective = if f.objective.is_nan() {
            String::new()
        } else {
            format!(", objective {}", sci(f.objective, 8))
        };
        let message = if f.message.is_empty() {
            String::new()
        } else {
            format!(": {}", f.message)
        };
        let _ = writeln!(
            self.out,
            "{} after {} iterations, {:.3} s{objective}{message}",
            f.status,
            f.iterations,
            f.elapsed.as_secs_f64()
        );
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Status;

    struct It(usize, f64, f64);
    const COLS: [Column; 4] = [
        Column::new("iter", 4, Format::Int),
        Column::new("objective", 15, Format::Sci(7)),
        Column::new("lg(mu)", 6, Format::Log10),
        Column::new("d", 1, Format::Text),
    ];
    impl Record for It {
        fn columns(&self) -> &'static [Column] {
            &COLS
        }
        fn value(&self, i: usize) -> Value {
            match i {
                0 => self.0.into(),
                1 => self.1.into(),
                2 => self.2.into(),
                _ => Value::Char('s'),
            }
        }
    }

    #[test]
    fn ipopt_style_numbers() {
        assert_eq!(sci(1.0e-4, 2), "1.00e-04");
        assert_eq!(sci(-12345.678, 3), "-1.235e+04");
        assert_eq!(sci(0.0, 2), "0.00e+00");
        assert_eq!(sci(1e200, 1), "1.0e+200");
        assert_eq!(sci(f64::NAN, 2), "-");
    }

    #[test]
    fn lines_header_and_finish() {
        let mut log = LogObserver::new(Vec::new());
        Observer::<It>::init(
            &mut log,
            &Start {
                solver: "t",
                problem: "p: n = 2",
            },
        );
        for k in 0..12 {
            log.iteration(&It(k, 17.0140173, 0.1));
        }
        Observer::<It>::finish(
            &mut log,
            &Finish {
                status: Status::Converged,
                iterations: 11,
                elapsed: Duration::from_millis(5),
                objective: 17.0140173,
                message: "",
            },
        );
        let text = String::from_utf8(log.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "t on p: n = 2");
        assert_eq!(lines[1], "iter       objective lg(mu) d");
        assert_eq!(lines[2], "   0   1.7014017e+01   -1.0 s");
        assert_eq!(lines[12], lines[1], "header again after ten lines");
        assert_eq!(lines.len(), 1 + 2 + 12 + 1);
        assert!(lines[15].starts_with("converged after 11 iterations"));
    }
}
