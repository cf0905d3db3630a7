//! Fortran expressions of the ELEMENTS and GROUPS parts, parsed into a syntax tree
//! (FORTRAN 77 precedence: `**` right-associative above unary minus, `*` `/`, `+` `-`,
//! relations, `.NOT.`, `.AND.`, `.OR.`, `.EQV.`/`.NEQV.`). Names are upper-cased.

use crate::vm::Cmp;

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `**`
    Pow,
    /// A comparison (`.EQ.`, `==`, `.LT.`, `<`, ...).
    Cmp(Cmp),
    /// `.AND.`
    And,
    /// `.OR.`
    Or,
    /// `.EQV.`
    Eqv,
    /// `.NEQV.`
    Neqv,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// An integer literal.
    Int(f64),
    /// A real literal.
    Real(f64),
    /// `.TRUE.` / `.FALSE.`
    Logical(bool),
    /// A variable, temporary or parameter (upper case).
    Name(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `.NOT.`
    Not(Box<Expr>),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// An intrinsic function call (upper-case name).
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(f64),
    Real(f64),
    Name(String),
    Op(BinOp),
    Plus,
    Minus,
    Star,
    Slash,
    Power,
    LParen,
    RParen,
    Comma,
    Not,
    True,
    False,
}

const DOT_WORDS: &[(&str, Option<BinOp>)] = &[
    ("EQ", Some(BinOp::Cmp(Cmp::Eq))),
    ("NE", Some(BinOp::Cmp(Cmp::Ne))),
    ("LT", Some(BinOp::Cmp(Cmp::Lt))),
    ("LE", Some(BinOp::Cmp(Cmp::Le))),
    ("GT", Some(BinOp::Cmp(Cmp::Gt))),
    ("GE", Some(BinOp::Cmp(Cmp::Ge))),
    ("AND", Some(BinOp::And)),
    ("OR", Some(BinOp::Or)),
    ("EQV", Some(BinOp::Eqv)),
    ("NEQV", Some(BinOp::Neqv)),
    ("NOT", None),
    ("TRUE", None),
    ("FALSE", None),
];

/// The dot-word (`.EQ.`, `.TRUE.`, ...) starting at `i` (which holds a `.`), with its length.
fn dot_word(b: &[u8], i: usize) -> Option<(&'static str, usize)> {
    let mut j = i + 1;
    while j < b.len() && b[j].is_ascii_alphabetic() {
        j += 1;
    }
    if j >= b.len() || b[j] != b'.' || j == i + 1 {
        return None;
    }
    let word = std::str::from_utf8(&b[i + 1..j]).ok()?.to_ascii_uppercase();
    DOT_WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(w, _)| (*w, j + 1 - i))
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    // Blanks are not significant in fixed-form Fortran (`1. 0` is `1.0`, `* *` is `**`).
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.as_str();
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit()) {
            let start = i;
            let mut real = false;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i < b.len() && b[i] == b'.' && dot_word(b, i).is_none() {
                real = true;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && matches!(b[i], b'e' | b'E' | b'd' | b'D' | b'q' | b'Q') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    real = true;
                    i = j;
                }
            }
            let lit = &text[start..i];
            let v =
                crate::params::parse_number(lit).ok_or_else(|| format!("bad number '{lit}'"))?;
            out.push(if real { Tok::Real(v) } else { Tok::Int(v) });
            continue;
        }
        if c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(Tok::Name(text[start..i].to_ascii_uppercase()));
            continue;
        }
        let two = if i + 1 < b.len() {
            &b[i..i + 2]
        } else {
            &b[i..i + 1]
        };
        let (tok, len) = match (c, two) {
            (b'*', b"**") => (Tok::Power, 2),
            (b'=', b"==") => (Tok::Op(BinOp::Cmp(Cmp::Eq)), 2),
            (b'/', b"/=") => (Tok::Op(BinOp::Cmp(Cmp::Ne)), 2),
            (b'<', b"<=") => (Tok::Op(BinOp::Cmp(Cmp::Le)), 2),
            (b'>', b">=") => (Tok::Op(BinOp::Cmp(Cmp::Ge)), 2),
            (b'<', _) => (Tok::Op(BinOp::Cmp(Cmp::Lt)), 1),
            (b'>', _) => (Tok::Op(BinOp::Cmp(Cmp::Gt)), 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'.', _) => match dot_word(b, i) {
                Some((w, len)) => {
                    let tok = match w {
                        "NOT" => Tok::Not,
                        "TRUE" => Tok::True,
                        "FALSE" => Tok::False,
                        _ => match DOT_WORDS.iter().find(|(x, _)| *x == w) {
                            Some((_, Some(op))) => Tok::Op(*op),
                            _ => return Err(format!("unknown operator .{w}.")),
                        },
                    };
                    (tok, len)
                }
                None => return Err(format!("unexpected '.' at position {}", i + 1)),
            },
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(format!("unexpected character '{ch}' at position {}", i + 1));
            }
        };
        out.push(tok);
        i += len;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// Nesting limit, so that hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 200;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err("expression nested too deeply".into())
        } else {
            Ok(())
        }
    }

    /// The left-associative chain `lhs (op operand)*`, `ops` giving the chain's operators
    /// by token.
    fn chain(
        &mut self,
        mut lhs: Expr,
        ops: &[(Tok, BinOp)],
        operand: fn(&mut Self) -> Result<Expr, String>,
    ) -> Result<Expr, String> {
        while let Some(&(_, op)) = self.peek().and_then(|t| ops.iter().find(|(k, _)| k == t)) {
            self.pos += 1;
            let rhs = operand(self)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.enter()?;
        let lhs = self.or()?;
        let ops = [BinOp::Eqv, BinOp::Neqv].map(|op| (Tok::Op(op), op));
        let lhs = self.chain(lhs, &ops, Self::or)?;
        self.depth -= 1;
        Ok(lhs)
    }
    fn or(&mut self) -> Result<Expr, String> {
        let lhs = self.and()?;
        self.chain(lhs, &[(Tok::Op(BinOp::Or), BinOp::Or)], Self::and)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let lhs = self.not()?;
        self.chain(lhs, &[(Tok::Op(BinOp::And), BinOp::And)], Self::not)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.eat(&Tok::Not) {
            self.enter()?;
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.rel()
    }
    fn rel(&mut self) -> Result<Expr, String> {
        let lhs = self.arith()?;
        if let Some(Tok::Op(op @ BinOp::Cmp(_))) = self.peek().cloned() {
            self.pos += 1;
            let rhs = self.arith()?;
            return Ok(Expr::Bin(op, Box::new(lhs), Box::new(rhs)));
        }
        Ok(lhs)
    }
    fn arith(&mut self) -> Result<Expr, String> {
        // A leading sign applies to the first term: -A*B is -(A*B).
        let lhs = if self.eat(&Tok::Minus) {
            Expr::Neg(Box::new(self.term()?))
        } else {
            self.eat(&Tok::Plus);
            self.term()?
        };
        let ops = [(Tok::Plus, BinOp::Add), (Tok::Minus, BinOp::Sub)];
        self.chain(lhs, &ops, Self::term)
    }
    fn term(&mut self) -> Result<Expr, String> {
        let lhs = self.factor()?;
        let ops = [(Tok::Star, BinOp::Mul), (Tok::Slash, BinOp::Div)];
        self.chain(lhs, &ops, Self::factor)
    }
    fn factor(&mut self) -> Result<Expr, String> {
        self.enter()?;
        // A sign after an operator (`A*-B`, `A**-2`) is accepted as most compilers do.
        let out = if self.eat(&Tok::Minus) {
            Expr::Neg(Box::new(self.factor()?))
        } else if self.eat(&Tok::Plus) {
            self.factor()?
        } else {
            let base = self.primary()?;
            if self.eat(&Tok::Power) {
                let exp = self.factor()?;
                Expr::Bin(BinOp::Pow, Box::new(base), Box::new(exp))
            } else {
                base
            }
        };
        self.depth -= 1;
        Ok(out)
    }
    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Int(v)) => Ok(Expr::Int(v)),
            Some(Tok::Real(v)) => Ok(Expr::Real(v)),
            Some(Tok::True) => Ok(Expr::Logical(true)),
            Some(Tok::False) => Ok(Expr::Logical(false)),
            Some(Tok::LParen) => {
                let e = self.expr()?;
                if !self.eat(&Tok::RParen) {
                    return Err("missing ')'".into());
                }
                Ok(e)
            }
            Some(Tok::Name(n)) => {
                if self.eat(&Tok::LParen) {
                    let mut args = Vec::new();
                    if !self.eat(&Tok::RParen) {
                        loop {
                            args.push(self.expr()?);
                            if self.eat(&Tok::RParen) {
                                break;
                            }
                            if !self.eat(&Tok::Comma) {
                                return Err(format!("expected ',' or ')' in the arguments of {n}"));
                            }
                        }
                    }
                    Ok(Expr::Call(n, args))
                } else {
                    Ok(Expr::Name(n))
                }
            }
            Some(t) => Err(format!("unexpected {}", describe(&t))),
            None => Err("unexpected end of expression".into()),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Int(v) | Tok::Real(v) => format!("number {v}"),
        Tok::Name(n) => format!("name {n}"),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        other => format!("operator {other:?}"),
    }
}

/// Longest expression accepted (the longest in the CUTEst collection has about 500
/// characters); bounds the depth of the syntax tree, which is walked recursively.
pub const MAX_EXPRESSION_LEN: usize = 4000;

/// Parses a Fortran expression.
pub fn parse(text: &str) -> Result<Expr, String> {
    if text.len() > MAX_EXPRESSION_LEN {
        return Err(format!(
            "expression longer than {MAX_EXPRESSION_LEN} characters ({})",
            text.len()
        ));
    }
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Err("empty expression".into());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos < p.toks.len() {
        let t = p.toks[p.pos].clone();
        return Err(format!("unexpected {} after the expression", describe(&t)));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Box<Expr> {
        Box::new(Expr::Name(s.into()))
    }

    #[test]
    fn precedence_and_associativity() {
        // -A**2 is -(A**2); ** is right-associative
        assert_eq!(
            parse("-a**2").unwrap(),
            Expr::Neg(Box::new(Expr::Bin(
                BinOp::Pow,
                n("A"),
                Box::new(Expr::Int(2.0))
            )))
        );
        assert_eq!(
            parse("A**B**C").unwrap(),
            Expr::Bin(
                BinOp::Pow,
                n("A"),
                Box::new(Expr::Bin(BinOp::Pow, n("B"), n("C")))
            )
        );
        assert_eq!(
            parse("A-B-C").unwrap(),
            Expr::Bin(
                BinOp::Sub,
                Box::new(Expr::Bin(BinOp::Sub, n("A"), n("B"))),
                n("C")
            )
        );
        assert_eq!(
            parse("A+B*C").unwrap(),
            Expr::Bin(
                BinOp::Add,
                n("A"),
                Box::new(Expr::Bin(BinOp::Mul, n("B"), n("C")))
            )
        );
    }

    #[test]
    fn numbers_and_dot_operators() {
        assert_eq!(parse("1.0D+0").unwrap(), Expr::Real(1.0));
        assert_eq!(parse("2.5E-1").unwrap(), Expr::Real(0.25));
        assert_eq!(parse("3").unwrap(), Expr::Int(3.0));
        assert_eq!(parse("3.").unwrap(), Expr::Real(3.0));
        assert_eq!(parse(".5").unwrap(), Expr::Real(0.5));
        // 1.EQ.X is 1 .EQ. X, not the number 1. followed by EQ
        assert_eq!(
            parse("1.EQ.X").unwrap(),
            Expr::Bin(BinOp::Cmp(Cmp::Eq), Box::new(Expr::Int(1.0)), n("X"))
        );
        assert_eq!(
            parse("x .GE. 0.0 .AND. .NOT. L").unwrap(),
            Expr::Bin(
                BinOp::And,
                Box::new(Expr::Bin(
                    BinOp::Cmp(Cmp::Ge),
                    n("X"),
                    Box::new(Expr::Real(0.0))
                )),
                Box::new(Expr::Not(n("L")))
            )
        );
        assert_eq!(parse(".TRUE.").unwrap(), Expr::Logical(true));
        assert_eq!(
            parse("a >= b").unwrap(),
            Expr::Bin(BinOp::Cmp(Cmp::Ge), n("A"), n("B"))
        );
    }

    #[test]
    fn calls_and_errors() {
        assert_eq!(
            parse("MAX(A, 2.0, B)").unwrap(),
            Expr::Call(
                "MAX".into(),
                vec![
                    Expr::Name("A".into()),
                    Expr::Real(2.0),
                    Expr::Name("B".into())
                ]
            )
        );
        assert!(parse("A +").is_err());
        assert!(parse("(A").is_err());
        // blanks are not significant: A B is the name AB, 1. 0 is 1.0, * * is **
        assert_eq!(parse("A B").unwrap(), Expr::Name("AB".into()));
        assert_eq!(parse("1. 0").unwrap(), Expr::Real(1.0));
        assert_eq!(
            parse("X * * 2").unwrap(),
            Expr::Bin(BinOp::Pow, n("X"), Box::new(Expr::Int(2.0)))
        );
        assert!(parse("A) B").is_err());
        assert!(parse("").is_err());
        assert!(parse("A # B").is_err());
        assert!(parse(&"(".repeat(10_000)).is_err());
        assert!(parse(&"-".repeat(10_000)).is_err());
        assert!(
            parse(&"X+".repeat(3000))
                .unwrap_err()
                .contains("longer than")
        );
        assert!(parse(&format!("{}X", "X+".repeat(1900))).is_ok());
    }
}
