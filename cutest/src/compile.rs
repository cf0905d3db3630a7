//! Compiling parsed Fortran expressions into register programs ([`crate::vm`]), once per
//! element or group type: names resolve to registers or folded constants, Fortran typing
//! is kept (integer division truncates, assignments to INTEGER temporaries truncate),
//! constant subexpressions are folded and small integer powers become multiplications.

use std::collections::HashMap;

use crate::expr::{BinOp, Expr};
use crate::vm::{Cmp, F1, F2, Ins};

/// Fortran types of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// INTEGER
    Int,
    /// DOUBLE PRECISION
    Real,
    /// LOGICAL
    Logical,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    K(f64, Ty),
    R(u32, Ty),
}

impl Val {
    fn ty(self) -> Ty {
        match self {
            Val::K(_, t) | Val::R(_, t) => t,
        }
    }
}

/// Limit on registers of one program (hostile input could otherwise ask for millions).
const MAX_REGISTERS: u32 = 1 << 20;

/// The Fortran intrinsics the compiler knows.
const INTRINSICS: &[&str] = &[
    "SIN", "DSIN", "COS", "DCOS", "TAN", "DTAN", "ASIN", "DASIN", "ACOS", "DACOS", "ATAN", "DATAN",
    "SINH", "DSINH", "COSH", "DCOSH", "TANH", "DTANH", "EXP", "DEXP", "LOG", "DLOG", "ALOG",
    "LOG10", "DLOG10", "ALOG10", "SQRT", "DSQRT", "ABS", "DABS", "IABS", "INT", "IFIX", "IDINT",
    "AINT", "DINT", "NINT", "IDNINT", "ANINT", "DNINT", "REAL", "FLOAT", "DBLE", "SNGL", "DFLOAT",
    "MAX", "MIN", "MAX0", "MAX1", "MIN0", "MIN1", "AMAX1", "DMAX1", "AMAX0", "AMIN1", "DMIN1",
    "AMIN0", "MOD", "AMOD", "DMOD", "SIGN", "DSIGN", "ISIGN", "DIM", "DDIM", "IDIM", "ATAN2",
    "DATAN2", "DPROD",
];

/// Builds one register program.
#[derive(Debug, Default)]
pub struct Compiler {
    names: HashMap<String, (u32, Ty)>,
    consts: HashMap<String, (f64, Ty)>,
    code: Vec<Ins>,
    temp_base: u32,
    next: u32,
    max: u32,
}

fn numeric(v: Val, what: &str) -> Result<(), String> {
    if v.ty() == Ty::Logical {
        Err(format!("{what}: logical value in an arithmetic expression"))
    } else {
        Ok(())
    }
}

fn logical(v: Val, what: &str) -> Result<(), String> {
    if v.ty() == Ty::Logical {
        Ok(())
    } else {
        Err(format!(
            "{what}: numeric value where a logical one is needed"
        ))
    }
}

fn fold_bin(op: BinOp, a: f64, b: f64, ty: Ty) -> Result<f64, String> {
    Ok(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div if ty == Ty::Int => {
            if b == 0.0 {
                return Err("integer division by zero".into());
            }
            (a / b).trunc()
        }
        BinOp::Div => a / b,
        BinOp::Pow if ty == Ty::Int => int_pow(a, b),
        BinOp::Pow => pow(a, b),
        _ => return Err("internal: not an arithmetic operator".into()),
    })
}

fn pow(a: f64, b: f64) -> f64 {
    if b.fract() == 0.0 && b.abs() <= 64.0 {
        a.powi(b as i32)
    } else {
        a.powf(b)
    }
}

/// Fortran INTEGER ** INTEGER (negative powers truncate to 0 unless |a| = 1).
fn int_pow(a: f64, b: f64) -> f64 {
    if b >= 0.0 {
        a.powf(b)
    } else {
        (1.0 / a.powf(-b)).trunc()
    }
}

impl Compiler {
    /// A compiler whose named registers are `0..named`; intermediates come after.
    pub fn new(named: u32) -> Self {
        Self {
            temp_base: named,
            next: named,
            max: named,
            ..Self::default()
        }
    }

    /// Binds a name to a register.
    pub fn bind(&mut self, name: &str, reg: u32, ty: Ty) {
        self.consts.remove(name);
        self.names.insert(name.to_string(), (reg, ty));
    }

    /// Binds a name to a known constant.
    pub fn constant(&mut self, name: &str, v: f64, ty: Ty) {
        self.names.remove(name);
        self.consts.insert(name.to_string(), (v, ty));
    }

    /// The register and type a name is bound to.
    pub fn lookup(&self, name: &str) -> Option<(u32, Ty)> {
        self.names.get(name).copied()
    }

    /// Current length of the code (a label).
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// True when no code was emitted.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// The program and the number of registers it needs.
    pub fn finish(self) -> (Vec<Ins>, usize) {
        (self.code, self.max as usize)
    }

    fn alloc(&mut self) -> Result<u32, String> {
        let r = self.next;
        self.next += 1;
        if self.next > MAX_REGISTERS {
            return Err("expression too large".into());
        }
        self.max = self.max.max(self.next);
        Ok(r)
    }

    fn reg(&mut self, v: Val) -> Result<u32, String> {
        match v {
            Val::R(r, _) => Ok(r),
            Val::K(k, _) => {
                let d = self.alloc()?;
                self.code.push(Ins::Const { d, k });
                Ok(d)
            }
        }
    }

    /// Folds an expression to a constant if every name in it is a known constant.
    pub fn fold(&mut self, e: &Expr) -> Option<(f64, Ty)> {
        let saved = (self.code.len(), self.next, self.max);
        let out = match self.emit(e) {
            Ok(Val::K(v, t)) => Some((v, t)),
            _ => None,
        };
        self.code.truncate(saved.0);
        self.next = saved.1;
        self.max = saved.2;
        out
    }

    fn emit(&mut self, e: &Expr) -> Result<Val, String> {
        match e {
            Expr::Int(v) => Ok(Val::K(*v, Ty::Int)),
            Expr::Real(v) => Ok(Val::K(*v, Ty::Real)),
            Expr::Logical(b) => Ok(Val::K(f64::from(u8::from(*b)), Ty::Logical)),
            Expr::Name(n) => {
                if let Some(&(v, t)) = self.consts.get(n) {
                    Ok(Val::K(v, t))
                } else if let Some(&(r, t)) = self.names.get(n) {
                    Ok(Val::R(r, t))
                } else {
                    Err(format!("undefined name {n}"))
                }
            }
            Expr::Neg(x) => {
                let v = self.emit(x)?;
                numeric(v, "unary minus")?;
                match v {
                    Val::K(k, t) => Ok(Val::K(-k, t)),
                    Val::R(a, t) => {
                        let d = self.alloc()?;
                        self.code.push(Ins::Neg { d, a });
                        Ok(Val::R(d, t))
                    }
                }
            }
            Expr::Not(x) => {
                let v = self.emit(x)?;
                logical(v, ".NOT.")?;
                match v {
                    Val::K(k, t) => Ok(Val::K(f64::from(u8::from(k == 0.0)), t)),
                    Val::R(a, t) => {
                        let d = self.alloc()?;
                        self.code.push(Ins::Not { d, a });
                        Ok(Val::R(d, t))
                    }
                }
            }
            Expr::Bin(op, a, b) => self.binary(*op, a, b),
            Expr::Call(name, args) => self.call(name, args),
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr) -> Result<Val, String> {
        let va = self.emit(a)?;
        let vb = self.emit(b)?;
        match op {
            BinOp::And | BinOp::Or | BinOp::Eqv | BinOp::Neqv => {
                logical(va, "logical operator")?;
                logical(vb, "logical operator")?;
                if let (Val::K(x, _), Val::K(y, _)) = (va, vb) {
                    let (x, y) = (x != 0.0, y != 0.0);
                    let r = match op {
                        BinOp::And => x && y,
                        BinOp::Or => x || y,
                        BinOp::Eqv => x == y,
                        _ => x != y,
                    };
                    return Ok(Val::K(f64::from(u8::from(r)), Ty::Logical));
                }
                let (ra, rb) = (self.reg(va)?, self.reg(vb)?);
                let d = self.alloc()?;
                self.code.push(match op {
                    BinOp::And => Ins::And { d, a: ra, b: rb },
                    BinOp::Or => Ins::Or { d, a: ra, b: rb },
                    BinOp::Eqv => Ins::Compare {
                        d,
                        op: Cmp::Eq,
                        a: ra,
                        b: rb,
                    },
                    _ => Ins::Compare {
                        d,
                        op: Cmp::Ne,
                        a: ra,
                        b: rb,
                    },
                });
                Ok(Val::R(d, Ty::Logical))
            }
            BinOp::Cmp(cmp) => {
                numeric(va, "comparison")?;
                numeric(vb, "comparison")?;
                let (ra, rb) = (self.reg(va)?, self.reg(vb)?);
                let d = self.alloc()?;
                self.code.push(Ins::Compare {
                    d,
                    op: cmp,
                    a: ra,
                    b: rb,
                });
                Ok(Val::R(d, Ty::Logical))
            }
            _ => {
                numeric(va, "arithmetic")?;
                numeric(vb, "arithmetic")?;
                let ty = if va.ty() == Ty::Int && vb.ty() == Ty::Int {
                    Ty::Int
                } else {
                    Ty::Real
                };
                self.arith(op, va, vb, ty)
            }
        }
    }

    fn arith(&mut self, op: BinOp, va: Val, vb: Val, ty: Ty) -> Result<Val, String> {
        if let (Val::K(x, _), Val::K(y, _)) = (va, vb) {
            return Ok(Val::K(fold_bin(op, x, y, ty)?, ty));
        }
        let ins = match (op, va, vb) {
            (BinOp::Add, Val::R(a, _), Val::K(k, _)) | (BinOp::Add, Val::K(k, _), Val::R(a, _)) => {
                if k == 0.0 {
                    return Ok(Val::R(a, ty));
                }
                Ins::AddK { d: 0, a, k }
            }
            (BinOp::Add, Val::R(a, _), Val::R(b, _)) => Ins::Add { d: 0, a, b },
            (BinOp::Sub, Val::R(a, _), Val::K(k, _)) => Ins::AddK { d: 0, a, k: -k },
            (BinOp::Sub, Val::K(k, _), Val::R(a, _)) => Ins::KSub { d: 0, a, k },
            (BinOp::Sub, Val::R(a, _), Val::R(b, _)) => Ins::Sub { d: 0, a, b },
            (BinOp::Mul, Val::R(a, _), Val::K(k, _)) | (BinOp::Mul, Val::K(k, _), Val::R(a, _)) => {
                if k == 1.0 {
                    return Ok(Val::R(a, ty));
                }
                Ins::MulK { d: 0, a, k }
            }
            (BinOp::Mul, Val::R(a, _), Val::R(b, _)) => Ins::Mul { d: 0, a, b },
            (BinOp::Div, _, _) if ty == Ty::Int => {
                let (a, b) = (self.reg(va)?, self.reg(vb)?);
                Ins::Call2 {
                    d: 0,
                    f: F2::IDiv,
                    a,
                    b,
                }
            }
            (BinOp::Div, Val::R(a, _), Val::K(k, _)) => Ins::DivK { d: 0, a, k },
            (BinOp::Div, Val::K(k, _), Val::R(a, _)) => Ins::KDiv { d: 0, a, k },
            (BinOp::Div, Val::R(a, _), Val::R(b, _)) => Ins::Div { d: 0, a, b },
            (BinOp::Pow, Val::R(a, _), Val::K(k, _)) => {
                if k.fract() == 0.0 && k.abs() <= 64.0 && (ty != Ty::Int || k >= 0.0) {
                    match k as i32 {
                        0 => return Ok(Val::K(1.0, ty)),
                        1 => return Ok(Val::R(a, ty)),
                        2 => Ins::Sq { d: 0, a },
                        n => Ins::PowI { d: 0, a, n },
                    }
                } else {
                    let b = self.reg(vb)?;
                    Ins::Call2 {
                        d: 0,
                        f: F2::Pow,
                        a,
                        b,
                    }
                }
            }
            (BinOp::Pow, _, _) => {
                let (a, b) = (self.reg(va)?, self.reg(vb)?);
                Ins::Call2 {
                    d: 0,
                    f: F2::Pow,
                    a,
                    b,
                }
            }
            _ => return Err("internal: unexpected operands".into()),
        };
        let d = self.alloc()?;
        let mut ins = ins;
        ins.set_dest(d);
        self.code.push(ins);
        if ty == Ty::Int && op == BinOp::Pow {
            // INTEGER ** INTEGER: keep the integer value exact.
            self.code.push(Ins::Call1 {
                d,
                f: F1::Trunc,
                a: d,
            });
        }
        Ok(Val::R(d, ty))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Result<Val, String> {
        if !INTRINSICS.contains(&name) {
            return Err(format!(
                "unknown function {name} (only Fortran intrinsics are supported, not external \
                 Fortran code)"
            ));
        }
        let vals: Vec<Val> = args
            .iter()
            .map(|a| self.emit(a))
            .collect::<Result<_, _>>()?;
        for &v in &vals {
            numeric(v, name)?;
        }
        let arity = |n: usize| -> Result<(), String> {
            if vals.len() == n {
                Ok(())
            } else {
                Err(format!("{name} takes {n} argument(s), got {}", vals.len()))
            }
        };
        let all_int = vals.iter().all(|v| v.ty() == Ty::Int);
        let generic = if all_int { Ty::Int } else { Ty::Real };
        let f1 = |f: F1, ty: Ty| (Some(f), ty);
        let (one, ty) = match name {
            "SIN" | "DSIN" => f1(F1::Sin, Ty::Real),
            "COS" | "DCOS" => f1(F1::Cos, Ty::Real),
            "TAN" | "DTAN" => f1(F1::Tan, Ty::Real),
            "ASIN" | "DASIN" => f1(F1::Asin, Ty::Real),
            "ACOS" | "DACOS" => f1(F1::Acos, Ty::Real),
            "ATAN" | "DATAN" => f1(F1::Atan, Ty::Real),
            "SINH" | "DSINH" => f1(F1::Sinh, Ty::Real),
            "COSH" | "DCOSH" => f1(F1::Cosh, Ty::Real),
            "TANH" | "DTANH" => f1(F1::Tanh, Ty::Real),
            "EXP" | "DEXP" => f1(F1::Exp, Ty::Real),
            "LOG" | "DLOG" | "ALOG" => f1(F1::Log, Ty::Real),
            "LOG10" | "DLOG10" | "ALOG10" => f1(F1::Log10, Ty::Real),
            "SQRT" | "DSQRT" => f1(F1::Sqrt, Ty::Real),
            "ABS" | "DABS" | "IABS" => f1(F1::Abs, generic),
            "INT" | "IFIX" | "IDINT" => f1(F1::Trunc, Ty::Int),
            "AINT" | "DINT" => f1(F1::Trunc, Ty::Real),
            "NINT" | "IDNINT" => f1(F1::Round, Ty::Int),
            "ANINT" | "DNINT" => f1(F1::Round, Ty::Real),
            "REAL" | "FLOAT" | "DBLE" | "SNGL" | "DFLOAT" => (None, Ty::Real),
            _ => return self.call2(name, &vals, generic),
        };
        arity(1)?;
        let v = vals[0];
        match (one, v) {
            (None, Val::K(k, _)) => Ok(Val::K(k, ty)),
            (None, Val::R(r, _)) => Ok(Val::R(r, ty)),
            (Some(f), Val::K(k, _)) => Ok(Val::K(f.apply(k), ty)),
            (Some(f), Val::R(a, _)) => {
                let d = self.alloc()?;
                self.code.push(Ins::Call1 { d, f, a });
                Ok(Val::R(d, ty))
            }
        }
    }

    fn call2(&mut self, name: &str, vals: &[Val], generic: Ty) -> Result<Val, String> {
        let (f, ty, nary) = match name {
            "MAX" => (F2::Max, generic, true),
            "MIN" => (F2::Min, generic, true),
            "MAX0" | "MAX1" => (F2::Max, Ty::Int, true),
            "MIN0" | "MIN1" => (F2::Min, Ty::Int, true),
            "AMAX1" | "DMAX1" | "AMAX0" => (F2::Max, Ty::Real, true),
            "AMIN1" | "DMIN1" | "AMIN0" => (F2::Min, Ty::Real, true),
            "MOD" | "AMOD" | "DMOD" => (F2::Mod, generic, false),
            "SIGN" | "DSIGN" | "ISIGN" => (F2::Sign, generic, false),
            "DIM" | "DDIM" | "IDIM" => (F2::Dim, generic, false),
            "ATAN2" | "DATAN2" => (F2::Atan2, Ty::Real, false),
            "DPROD" => {
                if vals.len() != 2 {
                    return Err("DPROD takes 2 arguments".into());
                }
                return self.arith(BinOp::Mul, vals[0], vals[1], Ty::Real);
            }
            _ => return Err(format!("unknown function {name}")),
        };
        if (nary && vals.len() < 2) || (!nary && vals.len() != 2) {
            return Err(format!(
                "{name}: wrong number of arguments ({})",
                vals.len()
            ));
        }
        let mut acc = vals[0];
        for &v in &vals[1..] {
            acc = match (acc, v) {
                (Val::K(x, _), Val::K(y, _)) => Val::K(f.apply(x, y), ty),
                _ => {
                    let (a, b) = (self.reg(acc)?, self.reg(v)?);
                    let d = self.alloc()?;
                    self.code.push(Ins::Call2 { d, f, a, b });
                    Val::R(d, ty)
                }
            };
        }
        if ty == Ty::Int
            && let Val::R(r, _) = acc
            && !vals.iter().all(|v| v.ty() == Ty::Int)
        {
            self.code.push(Ins::Call1 {
                d: r,
                f: F1::Trunc,
                a: r,
            });
        }
        Ok(match acc {
            Val::K(k, _) if ty == Ty::Int => Val::K(k.trunc(), ty),
            Val::K(k, _) => Val::K(k, ty),
            Val::R(r, _) => Val::R(r, ty),
        })
    }

    /// Compiles `dst = e` for a register of type `ty` (Fortran conversion on assignment).
    pub fn assign(&mut self, dst: u32, ty: Ty, e: &Expr) -> Result<(), String> {
        self.next = self.temp_base;
        let v = self.emit(e)?;
        let is_logical = v.ty() == Ty::Logical;
        if is_logical != (ty == Ty::Logical) {
            return Err(if is_logical {
                "a logical value assigned to a numeric name".into()
            } else {
                "a numeric value assigned to a logical name".into()
            });
        }
        let truncate = ty == Ty::Int && v.ty() == Ty::Real;
        match v {
            Val::K(k, _) => self.code.push(Ins::Const {
                d: dst,
                k: if truncate { k.trunc() } else { k },
            }),
            Val::R(r, _) if truncate => self.code.push(Ins::Call1 {
                d: dst,
                f: F1::Trunc,
                a: r,
            }),
            Val::R(r, _) => {
                let last_writes_r =
                    r >= self.temp_base && self.code.last().and_then(Ins::dest) == Some(r);
                if last_writes_r {
                    if let Some(last) = self.code.last_mut() {
                        last.set_dest(dst);
                    }
                } else if r != dst {
                    self.code.push(Ins::Copy { d: dst, a: r });
                }
            }
        }
        self.next = self.temp_base;
        Ok(())
    }

    /// Compiles `IF (cond [.NOT.]) dst = e`, with `cond` a logical name.
    pub fn assign_if(
        &mut self,
        cond: &str,
        when: bool,
        dst: u32,
        ty: Ty,
        e: &Expr,
    ) -> Result<(), String> {
        let c = self.emit(&Expr::Name(cond.to_string()))?;
        logical(c, cond)?;
        match c {
            Val::K(k, _) => {
                if (k != 0.0) == when {
                    self.assign(dst, ty, e)?;
                }
                Ok(())
            }
            Val::R(c, _) => {
                let at = self.code.len();
                self.code.push(if when {
                    Ins::JumpIfFalse { c, to: 0 }
                } else {
                    Ins::JumpIfTrue { c, to: 0 }
                });
                self.assign(dst, ty, e)?;
                let to = u32::try_from(self.code.len()).map_err(|_| "program too long")?;
                if let Some(Ins::JumpIfFalse { to: t, .. } | Ins::JumpIfTrue { to: t, .. }) =
                    self.code.get_mut(at)
                {
                    *t = to;
                }
                Ok(())
            }
        }
    }

    /// Emits `dst = k` (used to initialize names).
    pub fn set_const(&mut self, dst: u32, k: f64) {
        self.code.push(Ins::Const { d: dst, k });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;
    use crate::vm::run;

    /// Compiles `OUT = text` with X in r0, Y in r1, I (integer) in r2, OUT in r3.
    fn eval(text: &str, x: f64, y: f64, i: f64) -> f64 {
        let mut c = Compiler::new(4);
        c.bind("X", 0, Ty::Real);
        c.bind("Y", 1, Ty::Real);
        c.bind("I", 2, Ty::Int);
        c.constant("PI", std::f64::consts::PI, Ty::Real);
        c.assign(3, Ty::Real, &parse(text).unwrap()).unwrap();
        let (code, n) = c.finish();
        let mut r = vec![0.0; n];
        r[0] = x;
        r[1] = y;
        r[2] = i;
        run(&code, &mut r);
        r[3]
    }

    #[test]
    fn expressions_against_hand_values() {
        assert_eq!(eval("X * X", 3.0, 0.0, 0.0), 9.0);
        assert_eq!(eval("-X**2", 3.0, 0.0, 0.0), -9.0);
        assert_eq!(eval("2.0**X**2", 2.0, 0.0, 0.0), 16.0);
        assert_eq!(eval("X - Y - 1.0", 5.0, 2.0, 0.0), 2.0);
        assert_eq!(eval("1.0 / X / Y", 2.0, 4.0, 0.0), 0.125);
        assert_eq!(eval("X ** 3", -2.0, 0.0, 0.0), -8.0);
        assert_eq!(eval("X ** 0.5", 4.0, 0.0, 0.0), 2.0);
        assert_eq!(eval("X ** Y", 2.0, 3.0, 0.0), 8.0);
        assert_eq!(eval("X ** (-2)", 2.0, 0.0, 0.0), 0.25);
        assert!((eval("SIN(PI / 2.0D0) + COS(0.0)", 0.0, 0.0, 0.0) - 2.0).abs() < 1e-15);
        assert_eq!(eval("SQRT(X) + ABS(Y) + EXP(0.0)", 9.0, -2.0, 0.0), 6.0);
        assert_eq!(eval("LOG(EXP(X)) + LOG10(1.0D2)", 1.5, 0.0, 0.0), 3.5);
        assert_eq!(eval("MAX(X, Y, 7.0) + MIN(X, Y)", 1.0, 2.0, 0.0), 8.0);
        assert_eq!(eval("MOD(I, 3) + SIGN(X, Y)", 2.0, -1.0, 7.0), -1.0);
        assert_eq!(
            eval("ATAN2(X, Y)", 1.0, 1.0, 0.0),
            std::f64::consts::FRAC_PI_4
        );
        assert!(
            (eval("TANH(X) + SINH(X) - COSH(X)", 0.5, 0.0, 0.0)
                - (0.5f64.tanh() + 0.5f64.sinh() - 0.5f64.cosh()))
            .abs()
                < 1e-15
        );
    }

    #[test]
    fn fortran_integer_semantics() {
        // integer division truncates; mixed division does not
        assert_eq!(eval("I / 2", 0.0, 0.0, 7.0), 3.0);
        assert_eq!(eval("1 / 2 + X", 1.0, 0.0, 0.0), 1.0);
        assert_eq!(eval("I / 2.0", 0.0, 0.0, 7.0), 3.5);
        assert_eq!(eval("-I / 2", 0.0, 0.0, 7.0), -3.0);
        assert_eq!(eval("2 ** (-1)", 0.0, 0.0, 0.0), 0.0);
        assert_eq!(eval("FLOAT(I) / 2", 0.0, 0.0, 7.0), 3.5);
        assert_eq!(eval("NINT(X) + INT(Y)", 2.5, -1.7, 0.0), 2.0);
        // assignment to an integer truncates
        let mut c = Compiler::new(2);
        c.bind("X", 0, Ty::Real);
        c.assign(1, Ty::Int, &parse("X * 2.0").unwrap()).unwrap();
        let (code, n) = c.finish();
        let mut r = vec![0.0; n];
        r[0] = 1.3;
        run(&code, &mut r);
        assert_eq!(r[1], 2.0);
    }

    #[test]
    fn logicals_and_conditional_assignment() {
        assert_eq!(eval("X", 1.0, 0.0, 0.0), 1.0);
        let mut c = Compiler::new(3);
        c.bind("X", 0, Ty::Real);
        c.bind("L", 1, Ty::Logical);
        c.bind("Z", 2, Ty::Real);
        c.assign(
            1,
            Ty::Logical,
            &parse("X .GE. 0.0 .AND. .NOT. X > 5").unwrap(),
        )
        .unwrap();
        c.assign(2, Ty::Real, &parse("1.0").unwrap()).unwrap();
        c.assign_if("L", true, 2, Ty::Real, &parse("X").unwrap())
            .unwrap();
        let (code, n) = c.finish();
        let mut r = vec![0.0; n];
        for (x, want) in [(3.0, 3.0), (-1.0, 1.0), (7.0, 1.0)] {
            r[0] = x;
            run(&code, &mut r);
            assert_eq!(r[2], want, "x = {x}");
        }
    }

    #[test]
    fn folding_and_errors() {
        let mut c = Compiler::new(1);
        c.constant("TWO", 2.0, Ty::Real);
        assert_eq!(
            c.fold(&parse("TWO ** 3 + 1").unwrap()),
            Some((9.0, Ty::Real))
        );
        assert_eq!(c.fold(&parse("7 / 2").unwrap()), Some((3.0, Ty::Int)));
        assert_eq!(c.fold(&parse("Q + 1").unwrap()), None);
        assert!(c.is_empty());
        c.bind("X", 0, Ty::Real);
        assert!(
            c.assign(0, Ty::Real, &parse("Q").unwrap())
                .unwrap_err()
                .contains("Q")
        );
        assert!(
            c.assign(0, Ty::Real, &parse("FOO(X)").unwrap())
                .unwrap_err()
                .contains("FOO")
        );
        assert!(c.assign(0, Ty::Real, &parse("SIN(X, X)").unwrap()).is_err());
        assert!(c.assign(0, Ty::Real, &parse("X .AND. X").unwrap()).is_err());
        assert!(c.assign(0, Ty::Real, &parse("1 / 0").unwrap()).is_err());
        // a constant expression is folded to one instruction
        let mut c = Compiler::new(1);
        c.assign(0, Ty::Real, &parse("2.0 * 3.0 + SQRT(4.0)").unwrap())
            .unwrap();
        let (code, _) = c.finish();
        assert_eq!(code, vec![Ins::Const { d: 0, k: 8.0 }]);
    }
}
