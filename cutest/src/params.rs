//! Integer and real parameters of the data part: the `IE`/`RE`/.../`A(` assignment cards,
//! array names (`X(I,J)` expands to `X3,4` with the current values of `I` and `J`, the
//! SIFDecode convention), Fortran-style numbers, and user overrides of `$-PARAMETER`s.

use crate::hash::FastMap as HashMap;
use std::fmt::Write as _;

use crate::error::{CardError, Field};
use crate::lexer::Card;

/// Parses a Fortran real literal (`1.0D+0`, `-.5`, `3`, `1.E3`); `None` if it is not one.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    // Blanks inside a number field are ignored, as in Fortran formatted input (`- 1.0`).
    let compact: String;
    let s = if s.contains(' ') {
        compact = s.split_whitespace().collect();
        compact.as_str()
    } else {
        s
    };
    let bytes = s.as_bytes();
    let mut norm = String::with_capacity(s.len() + 1);
    let mut digits = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                norm.push(b as char);
            }
            b'+' | b'-' => {
                let prev = if i == 0 { None } else { Some(bytes[i - 1]) };
                match prev {
                    None | Some(b'e') | Some(b'E') | Some(b'd') | Some(b'D') => {}
                    // Fortran formatted input reads `1.0-3` as 1.0E-3.
                    Some(b'0'..=b'9') | Some(b'.') if digits > 0 => norm.push('e'),
                    _ => return None,
                }
                norm.push(b as char);
            }
            b'.' => norm.push('.'),
            b'e' | b'E' | b'd' | b'D' | b'q' | b'Q' => norm.push('e'),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let v: f64 = norm.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Parses an integer literal (a real literal with an integral value is accepted).
pub fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let v = parse_number(s)?;
    (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
}

/// The value of a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An integer parameter.
    Int(i64),
    /// A real parameter.
    Real(f64),
}

/// A parameter the file declares as user-settable (`$-PARAMETER` on its assignment card).
#[derive(Debug, Clone, PartialEq)]
pub struct UserParameter {
    /// Name as written in the file.
    pub name: String,
    /// True for integer parameters (`IE`), false for reals.
    pub integer: bool,
    /// The value the file gives (the last uncommented assignment executed).
    pub default: Value,
    /// The value used (the user's override or the default).
    pub value: Value,
    /// Values offered by commented-out assignments of the same parameter.
    pub suggested: Vec<String>,
    /// The comment after `$-PARAMETER`.
    pub description: String,
}

/// Parameter tables and user overrides while the data part is being read.
#[derive(Debug, Default)]
pub struct Params {
    ints: HashMap<String, i64>,
    reals: HashMap<String, f64>,
    overrides: Vec<(String, String)>,
    used: Vec<bool>,
    /// User-settable parameters met so far, in file order.
    pub declared: Vec<UserParameter>,
}

/// Functions of `RF`, `R(`, `AF`, `A(` cards.
fn apply_function(name: &str, x: f64) -> Result<f64, String> {
    let bad = |what: &str| Err(format!("{name}({x}): {what}"));
    Ok(match name.to_ascii_uppercase().as_str() {
        "ABS" => x.abs(),
        "SQRT" if x < 0.0 => return bad("negative argument"),
        "SQRT" => x.sqrt(),
        "EXP" => x.exp(),
        "LOG" if x <= 0.0 => return bad("argument not positive"),
        "LOG" => x.ln(),
        "LOG10" if x <= 0.0 => return bad("argument not positive"),
        "LOG10" => x.log10(),
        "SIN" => x.sin(),
        "COS" => x.cos(),
        "TAN" => x.tan(),
        "ARCSIN" | "ASIN" if x.abs() > 1.0 => return bad("argument outside [-1, 1]"),
        "ARCSIN" | "ASIN" => x.asin(),
        "ARCCOS" | "ACOS" if x.abs() > 1.0 => return bad("argument outside [-1, 1]"),
        "ARCCOS" | "ACOS" => x.acos(),
        "ARCTAN" | "ATAN" => x.atan(),
        "HYPSIN" | "SINH" => x.sinh(),
        "HYPCOS" | "COSH" => x.cosh(),
        "HYPTAN" | "TANH" => x.tanh(),
        _ => return Err(format!("unknown function '{name}'")),
    })
}

/// True for the codes of parameter assignments (`IE`, `RA`, `A*`, ...).
pub fn is_assignment(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 2 {
        return false;
    }
    match b[0] {
        b'I' => b"ERASMD=+-*/".contains(&b[1]),
        b'R' => b"EIASMDF=+-*/(".contains(&b[1]),
        b'A' => b"EIRASMDF=+-*/(".contains(&b[1]),
        _ => false,
    }
}

impl Params {
    /// A parameter table with the user's `NAME=VALUE` overrides.
    pub fn with_overrides(overrides: &[(String, String)]) -> Self {
        Self {
            used: vec![false; overrides.len()],
            overrides: overrides.to_vec(),
            ..Self::default()
        }
    }

    /// Overrides that matched no `$-PARAMETER` of the file.
    pub fn unused_overrides(&self) -> Vec<&str> {
        self.overrides
            .iter()
            .zip(&self.used)
            .filter(|(_, u)| !**u)
            .map(|((n, _), _)| n.as_str())
            .collect()
    }

    /// Sets an integer parameter.
    pub fn set_int(&mut self, name: &str, v: i64) {
        self.ints.insert(name.to_string(), v);
    }

    /// Sets a real parameter.
    pub fn set_real(&mut self, name: &str, v: f64) {
        self.reals.insert(name.to_string(), v);
    }

    /// An integer parameter, or an integer literal.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.ints.get(name).copied().or_else(|| parse_int(name))
    }

    /// A real parameter (an integer one or a literal if there is no real of that name).
    pub fn real(&self, name: &str) -> Option<f64> {
        self.reals
            .get(name)
            .copied()
            .or_else(|| self.ints.get(name).map(|&v| v as f64))
            .or_else(|| parse_number(name))
    }

    /// Expands an array name: `X(I,J)` with I = 3, J = 4 becomes `X3,4`. Names without
    /// parentheses are returned as they are; text after the closing parenthesis is dropped
    /// (`U(I)SQ` is `U3`), as S2MPJ does.
    pub fn expand(&self, name: &str) -> Result<String, String> {
        let Some(open) = name.find('(') else {
            return Ok(name.to_string());
        };
        let close = name[open..]
            .find(')')
            .map(|c| open + c)
            .ok_or_else(|| format!("'{name}' has no closing parenthesis"))?;
        let mut out = name[..open].to_string();
        for (k, part) in name[open + 1..close].split(',').enumerate() {
            let part = part.trim();
            let v = self
                .int(part)
                .or_else(|| {
                    self.reals
                        .get(part)
                        .filter(|v| v.abs() < 9.0e15)
                        .map(|v| v.round() as i64)
                })
                .ok_or_else(|| format!("index '{part}' of '{name}' is not an integer parameter"))?;
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v}");
        }
        Ok(out)
    }

    /// The real value named in a field of a `Z` card (an array name, expanded; the literal
    /// name is tried when the expanded one is undefined).
    pub fn z_value(&self, card: &Card, k: usize) -> Result<f64, CardError> {
        let name = card.field(k);
        let err = |m: String| CardError::new(card.line, Field::Data(k as u8), name, m);
        if name.is_empty() {
            return Err(err("missing real parameter name".into()));
        }
        let expanded = self.expand(name).map_err(err)?;
        self.real(&expanded)
            .or_else(|| self.reals.get(name).copied())
            .ok_or_else(|| err(format!("undefined real parameter '{expanded}'")))
    }

    /// Executes a parameter assignment card (see [`is_assignment`]).
    pub fn assign(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let line = card.line;
        let fld = |k: usize| card.field(k);
        let err = |k: usize, m: String| CardError::new(line, Field::Data(k as u8), fld(k), m);
        let array = code.starts_with('A');
        let name_of = |k: usize| -> Result<String, CardError> {
            let raw = fld(k);
            if raw.is_empty() {
                return Err(err(k, "missing parameter name".into()));
            }
            if array {
                self.expand(raw).map_err(|m| err(k, m))
            } else {
                Ok(raw.to_string())
            }
        };
        let lit = |k: usize| -> Result<f64, CardError> {
            parse_number(fld(k)).ok_or_else(|| err(k, "not a number".into()))
        };
        let ilit = |k: usize| -> Result<i64, CardError> {
            parse_int(fld(k)).ok_or_else(|| err(k, "not an integer".into()))
        };
        let iget = |k: usize| -> Result<i64, CardError> {
            let n = fld(k);
            self.int(n)
                .ok_or_else(|| err(k, format!("undefined integer parameter '{n}'")))
        };
        // The integer parameter of field k as a divisor.
        let divisor = |k: usize| -> Result<i64, CardError> {
            let d = iget(k)?;
            if d == 0 {
                return Err(err(k, "division by zero".into()));
            }
            Ok(d)
        };
        let rget = |k: usize| -> Result<f64, CardError> {
            let n = name_of(k)?;
            self.reals
                .get(&n)
                .copied()
                .or_else(|| array.then(|| self.reals.get(fld(k)).copied()).flatten())
                .or_else(|| self.real(&n))
                .ok_or_else(|| err(k, format!("undefined real parameter '{n}'")))
        };
        let target = name_of(2)?;
        let op = code.as_bytes()[1];
        let value = if code.starts_with('I') {
            let v = match op {
                b'E' => ilit(4)?,
                b'R' => {
                    let r = rget(3)?;
                    if !r.is_finite() || r.abs() > 9.0e15 {
                        return Err(err(3, format!("{r} is not representable as an integer")));
                    }
                    r.trunc() as i64
                }
                b'A' => iget(3)?.wrapping_add(ilit(4)?),
                b'S' => ilit(4)?.wrapping_sub(iget(3)?),
                b'M' => iget(3)?.wrapping_mul(ilit(4)?),
                b'D' => {
                    let d = divisor(3)?;
                    ilit(4)?.wrapping_div(d)
                }
                b'=' => iget(3)?,
                b'+' => iget(3)?.wrapping_add(iget(5)?),
                b'-' => iget(3)?.wrapping_sub(iget(5)?),
                b'*' => iget(3)?.wrapping_mul(iget(5)?),
                b'/' => {
                    let d = divisor(5)?;
                    iget(3)?.wrapping_div(d)
                }
                _ => return Err(err(1, format!("unknown code {code}"))),
            };
            Value::Int(v)
        } else {
            let v = match op {
                b'E' => lit(4)?,
                b'I' => iget(3)? as f64,
                // AR (listed in some SIF descriptions): a real array entry copied from a real.
                b'R' => rget(3)?,
                b'A' => rget(3)? + lit(4)?,
                b'S' => lit(4)? - rget(3)?,
                b'M' => rget(3)? * lit(4)?,
                b'D' => lit(4)? / rget(3)?,
                b'F' => apply_function(fld(3), lit(4)?).map_err(|m| err(3, m))?,
                b'=' => rget(3)?,
                b'+' => rget(3)? + rget(5)?,
                b'-' => rget(3)? - rget(5)?,
                b'*' => rget(3)? * rget(5)?,
                b'/' => rget(3)? / rget(5)?,
                b'(' => apply_function(fld(3), rget(5)?).map_err(|m| err(3, m))?,
                _ => return Err(err(1, format!("unknown code {code}"))),
            };
            if !v.is_finite() {
                return Err(err(2, format!("{code} gives a non-finite value ({v})")));
            }
            Value::Real(v)
        };
        let value = self.user_value(card, &target, value)?;
        match value {
            Value::Int(v) => self.set_int(&target, v),
            Value::Real(v) => self.set_real(&target, v),
        }
        Ok(())
    }

    /// Applies a user override to an assignment marked `$-PARAMETER` and records it.
    fn user_value(&mut self, card: &Card, name: &str, value: Value) -> Result<Value, CardError> {
        let Some(desc) = card.comment.strip_prefix("-PARAMETER") else {
            return Ok(value);
        };
        let mut used = value;
        if let Some(k) = self
            .overrides
            .iter()
            .position(|(n, _)| n == name)
            .or_else(|| {
                self.overrides
                    .iter()
                    .position(|(n, _)| n.eq_ignore_ascii_case(name))
            })
        {
            let text = self.overrides[k].1.trim();
            used = match value {
                Value::Int(_) => Value::Int(parse_int(text).ok_or_else(|| {
                    CardError::new(
                        card.line,
                        Field::Data(2),
                        name,
                        format!("user value '{text}' is not an integer"),
                    )
                })?),
                Value::Real(_) => Value::Real(parse_number(text).ok_or_else(|| {
                    CardError::new(
                        card.line,
                        Field::Data(2),
                        name,
                        format!("user value '{text}' is not a number"),
                    )
                })?),
            };
            self.used[k] = true;
        }
        let entry = UserParameter {
            name: name.to_string(),
            integer: matches!(value, Value::Int(_)),
            default: value,
            value: used,
            suggested: Vec::new(),
            description: desc.trim().to_string(),
        };
        match self.declared.iter_mut().find(|p| p.name == name) {
            Some(p) => *p = entry,
            None => self.declared.push(entry),
        }
        Ok(used)
    }
}

/// Values offered for user parameters by commented-out `$-PARAMETER` lines
/// (`*IE N   1000   $-PARAMETER`), per parameter name, in file order.
pub fn suggested_values(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix('*') else {
            continue;
        };
        if !rest.contains("$-PARAMETER") {
            continue;
        }
        let rest = &rest[..rest.find('$').unwrap_or(rest.len())];
        let mut words = rest.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(code), Some(name), Some(val)) if code == "IE" || code == "RE" => {
                out.push((name.to_string(), val.to_string()));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::{fixed_card, format_card};

    /// Runs cards written as "CODE F2 F3 F4 F5" (blank-separated, `_` for an empty field).
    fn run(p: &mut Params, lines: &[&str]) {
        for (i, l) in lines.iter().enumerate() {
            p.assign(&fixed_card(&card(l), i + 1, None)).unwrap();
        }
    }

    fn card(l: &str) -> String {
        if l.starts_with(' ') {
            return l.to_string(); // already in columns
        }
        let w: Vec<&str> = l
            .split_whitespace()
            .map(|w| if w == "_" { "" } else { w })
            .collect();
        let g = |k: usize| w.get(k).copied().unwrap_or("");
        format_card(g(0), [g(1), g(2), g(3), g(4), g(5)])
    }

    #[test]
    fn fortran_numbers() {
        assert_eq!(parse_number("1.0D+0"), Some(1.0));
        assert_eq!(parse_number("-.5"), Some(-0.5));
        assert_eq!(parse_number("2.5d-3"), Some(2.5e-3));
        assert_eq!(parse_number("1.E3"), Some(1000.0));
        assert_eq!(parse_number("7"), Some(7.0));
        assert_eq!(parse_number("1.0-3"), Some(1.0e-3));
        assert_eq!(parse_number("3.478+04"), Some(3.478e4));
        assert_eq!(parse_number("- 1.0"), Some(-1.0));
        assert_eq!(parse_number("X1"), None);
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number("1e999"), None);
        assert_eq!(parse_int("12"), Some(12));
        assert_eq!(parse_int("3.0"), Some(3));
        assert_eq!(parse_int("3.5"), None);
    }

    #[test]
    fn integer_and_real_arithmetic() {
        let mut p = Params::default();
        run(
            &mut p,
            &[
                "IE N _ 10",
                "IA N+1 N 1",
                "IS 20-N N 20",
                "IM 3N N 3",
                "ID 100/N N 100",
                "I+ S N _ 3N",
                "I- D 3N _ N",
                "I* P N _ N+1",
                "I/ Q P _ 3N",
                "I= C Q",
                "RE X _ 2.5",
                "RI RN N",
                "RA X+1 X 1.0",
                "RS 1-X X 1.0",
                "RM 2X X 2.0",
                "RD 1/X X 1.0",
                "RF PI/4 ARCTAN 1.0",
                "R( SQ SQRT _ RN",
                "R+ A X _ RN",
                "R- B X _ RN",
                "R* C X _ RN",
                "R/ D X _ RN",
                "IR K D",
                "R= E 2X",
            ],
        );
        assert_eq!(p.int("N+1"), Some(11));
        assert_eq!(p.int("20-N"), Some(10));
        assert_eq!(p.int("3N"), Some(30));
        assert_eq!(p.int("100/N"), Some(10));
        assert_eq!(p.int("S"), Some(40));
        assert_eq!(p.int("D"), Some(20));
        assert_eq!(p.int("P"), Some(110));
        assert_eq!(p.int("Q"), Some(3)); // integer division truncates
        assert_eq!(p.int("C"), Some(3));
        assert_eq!(p.real("RN"), Some(10.0));
        assert_eq!(p.real("X+1"), Some(3.5));
        assert_eq!(p.real("1-X"), Some(-1.5));
        assert_eq!(p.real("2X"), Some(5.0));
        assert_eq!(p.real("1/X"), Some(0.4));
        assert!((p.real("PI/4").unwrap() - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
        assert!((p.real("SQ").unwrap() - 10f64.sqrt()).abs() < 1e-15);
        assert_eq!(p.real("A"), Some(12.5));
        assert_eq!(p.real("B"), Some(-7.5));
        assert_eq!(p.real("C"), Some(25.0));
        assert_eq!(p.real("D"), Some(0.25));
        assert_eq!(p.int("K"), Some(0)); // IR truncates toward zero: int(D = 0.25)
        assert_eq!(p.real("E"), Some(5.0));
        // integer and real parameters live in separate tables
        run(&mut p, &["RI N N"]);
        assert_eq!(
            (p.int("N"), p.reals.get("N").copied()),
            (Some(10), Some(10.0))
        );
    }

    #[test]
    fn arrays_expand_with_current_indices() {
        let mut p = Params::default();
        run(
            &mut p,
            &[
                "IE I _ 3",
                "IE J _ 4",
                "AE A(I,J) _ 1.5",
                "AM B(I) A(I,J) 2.0",
                "AI C(J) I",
                "A+ S A(I,J) _ B(I)",
                "AF E(I) EXP 0.0",
                "A( F SQRT _ B(I)",
            ],
        );
        assert_eq!(p.expand("X(I,J)").unwrap(), "X3,4");
        assert_eq!(p.expand("X(1)").unwrap(), "X1");
        assert_eq!(p.expand("PLAIN").unwrap(), "PLAIN");
        assert_eq!(p.real("A3,4"), Some(1.5));
        assert_eq!(p.real("B3"), Some(3.0));
        assert_eq!(p.real("C4"), Some(3.0));
        assert_eq!(p.real("S"), Some(4.5));
        assert_eq!(p.real("E3"), Some(1.0));
        assert!((p.real("F").unwrap() - 3f64.sqrt()).abs() < 1e-15);
        assert!(p.expand("X(K)").unwrap_err().contains("'K'"));
        assert!(p.expand("X(I").is_err());
        assert_eq!(p.expand("U(I)SQ").unwrap(), "U3");
        assert_eq!(p.expand("X(J)    -1").unwrap(), "X4");
    }

    #[test]
    fn errors_name_the_field() {
        let mut p = Params::default();
        let e = p
            .assign(&fixed_card(&card("IA M N 1"), 7, None))
            .unwrap_err();
        assert_eq!((e.line, e.field, e.text.as_str()), (7, Field::Data(3), "N"));
        let e = p
            .assign(&fixed_card(&card("RE X _ abc"), 8, None))
            .unwrap_err();
        assert_eq!((e.field, e.text.as_str()), (Field::Data(4), "abc"));
        let e = p
            .assign(&fixed_card(&card("RF X SQRT -1.0"), 9, None))
            .unwrap_err();
        assert_eq!(e.field, Field::Data(3));
    }

    #[test]
    fn user_overrides_replace_parameter_values() {
        let mut p = Params::with_overrides(&[("N".into(), "1000".into())]);
        run(
            &mut p,
            &[
                " IE N                   10             $-PARAMETER",
                " IE N                   20             $-PARAMETER  n, even",
                " IE M                   5",
            ],
        );
        assert_eq!(p.int("N"), Some(1000));
        assert_eq!(p.declared.len(), 1);
        assert_eq!(p.declared[0].default, Value::Int(20));
        assert_eq!(p.declared[0].description, "n, even");
        assert!(p.unused_overrides().is_empty());
        let mut p = Params::with_overrides(&[("N".into(), "1.5".into())]);
        let e = p
            .assign(&fixed_card(
                " IE N                   10             $-PARAMETER",
                1,
                None,
            ))
            .unwrap_err();
        assert!(e.message.contains("not an integer"));
        let p = Params::with_overrides(&[("Q".into(), "1".into())]);
        assert_eq!(p.unused_overrides(), vec!["Q"]);
        let s = suggested_values("*IE N    100   $-PARAMETER\n IE N 10 $-PARAMETER\n");
        assert_eq!(s, vec![("N".to_string(), "100".to_string())]);
    }
}
