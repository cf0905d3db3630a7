//! The evaluable form of element and group functions: a flat register program.
//!
//! Every value is an `f64` register (integers are stored exactly, logicals as 0 or 1);
//! named quantities (elemental, internal and group variables, parameters, temporaries and
//! the outputs F, G, H) own fixed registers and expression intermediates use registers
//! after them. A program is compiled once per element or group type and run per element.

/// One-argument intrinsics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum F1 {
    /// The sine.
    Sin,
    /// The cosine.
    Cos,
    /// The tangent.
    Tan,
    /// The arcsine.
    Asin,
    /// The arccosine.
    Acos,
    /// The arctangent.
    Atan,
    /// The hyperbolic sine.
    Sinh,
    /// The hyperbolic cosine.
    Cosh,
    /// The hyperbolic tangent.
    Tanh,
    /// The exponential.
    Exp,
    /// The natural logarithm (LOG).
    Log,
    /// The decimal logarithm (LOG10).
    Log10,
    /// The square root.
    Sqrt,
    /// The absolute value.
    Abs,
    /// Truncation toward zero (INT, AINT).
    Trunc,
    /// Rounding half away from zero (NINT, ANINT).
    Round,
}

impl F1 {
    /// Applies the function.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            F1::Sin => x.sin(),
            F1::Cos => x.cos(),
            F1::Tan => x.tan(),
            F1::Asin => x.asin(),
            F1::Acos => x.acos(),
            F1::Atan => x.atan(),
            F1::Sinh => x.sinh(),
            F1::Cosh => x.cosh(),
            F1::Tanh => x.tanh(),
            F1::Exp => x.exp(),
            F1::Log => x.ln(),
            F1::Log10 => x.log10(),
            F1::Sqrt => x.sqrt(),
            F1::Abs => x.abs(),
            F1::Trunc => x.trunc(),
            F1::Round => x.round(),
        }
    }
}

/// Two-argument intrinsics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum F2 {
    /// ATAN2(a, b): the angle of (b, a).
    Atan2,
    /// The larger of a and b (MAX).
    Max,
    /// The smaller of a and b (MIN).
    Min,
    /// Fortran MOD: a - trunc(a/b) * b.
    Mod,
    /// Fortran SIGN: |a| with the sign of b.
    Sign,
    /// Fortran DIM: max(a - b, 0).
    Dim,
    /// Integer division (truncating).
    IDiv,
    /// General power a ** b.
    Pow,
}

impl F2 {
    /// Applies the function.
    #[inline]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            F2::Atan2 => a.atan2(b),
            F2::Max => {
                if a >= b {
                    a
                } else {
                    b
                }
            }
            F2::Min => {
                if a <= b {
                    a
                } else {
                    b
                }
            }
            F2::Mod => a - (a / b).trunc() * b,
            F2::Sign => {
                if b >= 0.0 {
                    a.abs()
                } else {
                    -a.abs()
                }
            }
            F2::Dim => (a - b).max(0.0),
            F2::IDiv => (a / b).trunc(),
            F2::Pow => a.powf(b),
        }
    }
}

/// Comparisons (results 1.0 or 0.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `.EQ.` / `==`
    Eq,
    /// `.NE.` / `/=`
    Ne,
    /// `.LT.` / `<`
    Lt,
    /// `.LE.` / `<=`
    Le,
    /// `.GT.` / `>`
    Gt,
    /// `.GE.` / `>=`
    Ge,
}

impl Cmp {
    #[inline]
    fn apply(self, a: f64, b: f64) -> f64 {
        let t = match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        };
        if t { 1.0 } else { 0.0 }
    }
}

/// One instruction. Its fields, named alike in every variant (documented here once rather
/// than on each of the sixty, hence the `allow`): `d` the destination register, `a` and
/// `b` source registers, `k` a constant, `n` an integer exponent, `f` the intrinsic, `op`
/// the comparison, `c` the register a jump tests and `to` the index it jumps to.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ins {
    /// `r[d] = k`
    Const { d: u32, k: f64 },
    /// `r[d] = r[a]`
    Copy { d: u32, a: u32 },
    /// `r[d] = r[a] + r[b]`
    Add { d: u32, a: u32, b: u32 },
    /// `r[d] = r[a] - r[b]`
    Sub { d: u32, a: u32, b: u32 },
    /// `r[d] = r[a] * r[b]`
    Mul { d: u32, a: u32, b: u32 },
    /// `r[d] = r[a] / r[b]`
    Div { d: u32, a: u32, b: u32 },
    /// `r[d] = r[a] + k`
    AddK { d: u32, a: u32, k: f64 },
    /// `r[d] = k - r[a]`
    KSub { d: u32, a: u32, k: f64 },
    /// `r[d] = r[a] * k`
    MulK { d: u32, a: u32, k: f64 },
    /// `r[d] = r[a] / k`
    DivK { d: u32, a: u32, k: f64 },
    /// `r[d] = k / r[a]`
    KDiv { d: u32, a: u32, k: f64 },
    /// `r[d] = -r[a]`
    Neg { d: u32, a: u32 },
    /// `r[d] = r[a] * r[a]`
    Sq { d: u32, a: u32 },
    /// `r[d] = r[a] ** n (integer n)`
    PowI { d: u32, a: u32, n: i32 },
    /// `r[d] = r[a] ** k (real k)`
    PowK { d: u32, a: u32, k: f64 },
    /// `r[d] = f(r[a])`
    Call1 { d: u32, f: F1, a: u32 },
    /// `r[d] = f(r[a], r[b])`
    Call2 { d: u32, f: F2, a: u32, b: u32 },
    /// `r[d] = (r[a] op r[b]) as 0/1`
    Compare { d: u32, op: Cmp, a: u32, b: u32 },
    /// `r[d] = (r[a] != 0 && r[b] != 0)`
    And { d: u32, a: u32, b: u32 },
    /// `r[d] = (r[a] != 0 || r[b] != 0)`
    Or { d: u32, a: u32, b: u32 },
    /// `r[d] = (r[a] == 0)`
    Not { d: u32, a: u32 },
    /// Continue at `to` when `r[c] == 0`.
    JumpIfFalse { c: u32, to: u32 },
    /// Continue at `to` when `r[c] != 0`.
    JumpIfTrue { c: u32, to: u32 },
}

impl Ins {
    /// The destination register, if the instruction writes one.
    pub fn dest(&self) -> Option<u32> {
        let mut ins = *self;
        ins.dest_mut().copied()
    }

    /// Redirects the destination register (a no-op for jumps).
    pub fn set_dest(&mut self, new: u32) {
        if let Some(d) = self.dest_mut() {
            *d = new;
        }
    }

    fn dest_mut(&mut self) -> Option<&mut u32> {
        match self {
            Ins::Const { d, .. }
            | Ins::Copy { d, .. }
            | Ins::Add { d, .. }
            | Ins::Sub { d, .. }
            | Ins::Mul { d, .. }
            | Ins::Div { d, .. }
            | Ins::AddK { d, .. }
            | Ins::KSub { d, .. }
            | Ins::MulK { d, .. }
            | Ins::DivK { d, .. }
            | Ins::KDiv { d, .. }
            | Ins::Neg { d, .. }
            | Ins::Sq { d, .. }
            | Ins::PowI { d, .. }
            | Ins::PowK { d, .. }
            | Ins::Call1 { d, .. }
            | Ins::Call2 { d, .. }
            | Ins::Compare { d, .. }
            | Ins::And { d, .. }
            | Ins::Or { d, .. }
            | Ins::Not { d, .. } => Some(d),
            Ins::JumpIfFalse { .. } | Ins::JumpIfTrue { .. } => None,
        }
    }
}

/// Runs `code` on the register file `r` (which must hold every register the code names:
/// the compiler guarantees it for the program's `nregs`).
pub fn run(code: &[Ins], r: &mut [f64]) {
    let mut pc = 0usize;
    while let Some(&ins) = code.get(pc) {
        pc += 1;
        match ins {
            Ins::Const { d, k } => r[d as usize] = k,
            Ins::Copy { d, a } => r[d as usize] = r[a as usize],
            Ins::Add { d, a, b } => r[d as usize] = r[a as usize] + r[b as usize],
            Ins::Sub { d, a, b } => r[d as usize] = r[a as usize] - r[b as usize],
            Ins::Mul { d, a, b } => r[d as usize] = r[a as usize] * r[b as usize],
            Ins::Div { d, a, b } => r[d as usize] = r[a as usize] / r[b as usize],
            Ins::AddK { d, a, k } => r[d as usize] = r[a as usize] + k,
            Ins::KSub { d, a, k } => r[d as usize] = k - r[a as usize],
            Ins::MulK { d, a, k } => r[d as usize] = r[a as usize] * k,
            Ins::DivK { d, a, k } => r[d as usize] = r[a as usize] / k,
            Ins::KDiv { d, a, k } => r[d as usize] = k / r[a as usize],
            Ins::Neg { d, a } => r[d as usize] = -r[a as usize],
            Ins::Sq { d, a } => {
                let x = r[a as usize];
                r[d as usize] = x * x;
            }
            Ins::PowI { d, a, n } => r[d as usize] = r[a as usize].powi(n),
            Ins::PowK { d, a, k } => r[d as usize] = r[a as usize].powf(k),
            Ins::Call1 { d, f, a } => r[d as usize] = f.apply(r[a as usize]),
            Ins::Call2 { d, f, a, b } => r[d as usize] = f.apply(r[a as usize], r[b as usize]),
            Ins::Compare { d, op, a, b } => r[d as usize] = op.apply(r[a as usize], r[b as usize]),
            Ins::And { d, a, b } => {
                r[d as usize] = f64::from(u8::from(r[a as usize] != 0.0 && r[b as usize] != 0.0))
            }
            Ins::Or { d, a, b } => {
                r[d as usize] = f64::from(u8::from(r[a as usize] != 0.0 || r[b as usize] != 0.0))
            }
            Ins::Not { d, a } => r[d as usize] = f64::from(u8::from(r[a as usize] == 0.0)),
            Ins::JumpIfFalse { c, to } => {
                if r[c as usize] == 0.0 {
                    pc = to as usize;
                }
            }
            Ins::JumpIfTrue { c, to } => {
                if r[c as usize] != 0.0 {
                    pc = to as usize;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fortran_intrinsics() {
        assert_eq!(F2::Mod.apply(7.0, 3.0), 1.0);
        assert_eq!(F2::Mod.apply(-7.0, 3.0), -1.0);
        assert_eq!(F2::Sign.apply(2.0, -0.5), -2.0);
        assert_eq!(F2::Sign.apply(-2.0, 0.0), 2.0);
        assert_eq!(F2::Dim.apply(1.0, 3.0), 0.0);
        assert_eq!(F2::IDiv.apply(-7.0, 2.0), -3.0);
        assert_eq!(F1::Round.apply(2.5), 3.0);
        assert_eq!(F1::Round.apply(-2.5), -3.0);
        assert_eq!(F1::Trunc.apply(-2.7), -2.0);
    }

    #[test]
    fn jumps_skip_assignments() {
        // r2 = 5; if r0 then r2 = r1 * 2
        let code = [
            Ins::Const { d: 2, k: 5.0 },
            Ins::JumpIfFalse { c: 0, to: 3 },
            Ins::MulK { d: 2, a: 1, k: 2.0 },
        ];
        let mut r = [0.0, 4.0, 0.0];
        run(&code, &mut r);
        assert_eq!(r[2], 5.0);
        r[0] = 1.0;
        run(&code, &mut r);
        assert_eq!(r[2], 8.0);
    }
}
