//! The ELEMENTS and GROUPS parts: temporaries, globals and the individual element and group
//! types (range transformations, assignments, F, G and H), compiled once per type into
//! register programs.

use std::collections::{HashMap, HashSet};

use crate::compile::{Compiler, Ty};
use crate::error::{CardError, Field};
use crate::expr::{Expr, parse};
use crate::lexer::{Card, Keyword, Line};
use crate::params::parse_number;
use crate::vm::Ins;

/// What a statement of an ELEMENTS/GROUPS part does.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `A name expr`
    Assign(String),
    /// `I`/`E` cards: assign `target` when the logical `cond` is `when`.
    If {
        /// The logical temporary.
        cond: String,
        /// Assign when `cond` has this value.
        when: bool,
        /// The temporary assigned.
        target: String,
    },
    /// `F expr`: the function value.
    F,
    /// `G var expr`: a first derivative (the name is empty in the GROUPS part).
    G(String),
    /// `H var var expr`: a second derivative (names empty in the GROUPS part).
    H(String, String),
}

/// One statement with its (continued) expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// Line of the first card.
    pub line: usize,
    /// What it does.
    pub kind: StmtKind,
    /// The Fortran expression (continuations joined).
    pub text: String,
}

/// The definition of one type in the INDIVIDUALS section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeBody {
    /// Type name (as written).
    pub name: String,
    /// Line of the `T` card.
    pub line: usize,
    /// Range transformation entries (internal variable, elemental variable, coefficient).
    pub ranges: Vec<(String, String, f64)>,
    /// Statements in order.
    pub stmts: Vec<Stmt>,
}

/// A parsed ELEMENTS or GROUPS part.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// Line of the part's first card.
    pub line: usize,
    /// Declared temporaries (upper case) and their types.
    pub temps: Vec<(String, Ty)>,
    /// GLOBALS statements.
    pub globals: Vec<Stmt>,
    /// INDIVIDUALS, one per type.
    pub bodies: Vec<TypeBody>,
}

impl Part {
    /// The body of a type, by exact then case-insensitive name.
    pub fn body(&self, name: &str) -> Option<&TypeBody> {
        self.bodies.iter().find(|b| b.name == name).or_else(|| {
            self.bodies
                .iter()
                .find(|b| b.name.eq_ignore_ascii_case(name))
        })
    }
}

fn field_err(card: &Card, k: u8, msg: impl Into<String>) -> CardError {
    CardError::new(card.line, Field::Data(k), card.field(k as usize), msg)
}

/// Parses the cards of one part (the lines after its `ELEMENTS`/`GROUPS` card, up to
/// `ENDATA`).
pub fn parse_part(lines: &[Line], elements: bool, first_line: usize) -> Result<Part, CardError> {
    let mut part = Part {
        line: first_line,
        ..Part::default()
    };
    let mut sub = Keyword::Elements;
    for l in lines {
        let card = match l {
            Line::Indicator { keyword, line, arg } => match keyword {
                Keyword::Temporaries | Keyword::Globals | Keyword::Individuals => {
                    sub = *keyword;
                    continue;
                }
                Keyword::Endata => break,
                _ => {
                    return Err(CardError::new(
                        *line,
                        Field::Card,
                        arg.as_str(),
                        format!("{keyword:?} is not a section of the ELEMENTS/GROUPS parts"),
                    ));
                }
            },
            Line::Data(c) => c,
        };
        let code = card.code.as_str();
        if let Some(letter) = code.strip_suffix('+')
            && code.len() == 2
        {
            if letter == "R" && elements {
                range_card(&mut part, card)?;
                continue;
            }
            let last = match sub {
                Keyword::Globals => part.globals.last_mut(),
                Keyword::Individuals => part.bodies.last_mut().and_then(|b| b.stmts.last_mut()),
                _ => None,
            };
            let Some(last) = last else {
                return Err(CardError::new(
                    card.line,
                    Field::Code,
                    code,
                    "continuation card without a statement to continue",
                ));
            };
            last.text.push(' ');
            last.text.push_str(&card.expr);
            continue;
        }
        match sub {
            Keyword::Temporaries => {
                let ty = match code {
                    "R" => Some(Ty::Real),
                    "I" => Some(Ty::Int),
                    "L" => Some(Ty::Logical),
                    "M" | "F" => None,
                    _ => {
                        return Err(CardError::new(
                            card.line,
                            Field::Code,
                            code,
                            "expected R, I, L, M or F in TEMPORARIES",
                        ));
                    }
                };
                let name = card.field(2).to_ascii_uppercase();
                if name.is_empty() {
                    return Err(field_err(card, 2, "missing name"));
                }
                if let Some(ty) = ty {
                    part.temps.retain(|(n, _)| *n != name);
                    part.temps.push((name, ty));
                }
            }
            Keyword::Globals => {
                let stmt = statement(card, elements, false)?;
                part.globals.push(stmt);
            }
            Keyword::Individuals => {
                if code == "T" {
                    let name = card.field(2);
                    if name.is_empty() {
                        return Err(field_err(card, 2, "missing type name"));
                    }
                    part.bodies.push(TypeBody {
                        name: name.to_string(),
                        line: card.line,
                        ..TypeBody::default()
                    });
                    continue;
                }
                if code == "R" && elements {
                    range_card(&mut part, card)?;
                    continue;
                }
                let stmt = statement(card, elements, true)?;
                let Some(body) = part.bodies.last_mut() else {
                    return Err(CardError::new(
                        card.line,
                        Field::Code,
                        code,
                        "statement before the first T card",
                    ));
                };
                body.stmts.push(stmt);
            }
            // Cards before TEMPORARIES, GLOBALS or INDIVIDUALS (some files repeat their
            // ELEMENT TYPE cards there) are ignored.
            _ => {}
        }
    }
    Ok(part)
}

fn range_card(part: &mut Part, card: &Card) -> Result<(), CardError> {
    let Some(body) = part.bodies.last_mut() else {
        return Err(CardError::new(
            card.line,
            Field::Code,
            card.code.as_str(),
            "R card before the first T card",
        ));
    };
    let iv = card.field(2).to_ascii_uppercase();
    if iv.is_empty() {
        return Err(field_err(card, 2, "missing internal variable"));
    }
    for (kn, kv) in [(3u8, 4u8), (5, 6)] {
        let ev = card.field(kn as usize);
        if ev.is_empty() {
            continue;
        }
        let v = parse_number(card.field(kv as usize))
            .ok_or_else(|| field_err(card, kv, "not a number"))?;
        body.ranges.push((iv.clone(), ev.to_ascii_uppercase(), v));
    }
    Ok(())
}

fn statement(card: &Card, elements: bool, individual: bool) -> Result<Stmt, CardError> {
    let up = |k: u8| card.field(k as usize).to_ascii_uppercase();
    let need = |k: u8| -> Result<String, CardError> {
        let s = up(k);
        if s.is_empty() {
            Err(field_err(card, k, "missing name"))
        } else {
            Ok(s)
        }
    };
    let kind = match card.code.as_str() {
        "A" => StmtKind::Assign(need(2)?),
        "I" | "E" => StmtKind::If {
            cond: need(2)?,
            when: card.code == "I",
            target: need(3)?,
        },
        "F" if individual => StmtKind::F,
        "G" if individual => StmtKind::G(if elements { need(2)? } else { String::new() }),
        "H" if individual => {
            if elements {
                StmtKind::H(need(2)?, need(3)?)
            } else {
                StmtKind::H(String::new(), String::new())
            }
        }
        other => {
            return Err(CardError::new(
                card.line,
                Field::Code,
                other,
                if individual {
                    "expected T, R, A, I, E, F, G or H"
                } else {
                    "expected A, I or E in GLOBALS"
                },
            ));
        }
    };
    Ok(Stmt {
        line: card.line,
        kind,
        text: card.expr.clone(),
    })
}

/// A compiled element or group type: registers, code and where each derivative level ends.
#[derive(Debug, Clone)]
pub struct Program {
    /// The code.
    pub code: Vec<Ins>,
    /// `code[..level_end[l]]` computes F (l = 0), F and G (1), F, G and H (2).
    pub level_end: [usize; 3],
    /// Registers needed.
    pub nregs: usize,
    /// Register of F.
    pub f_reg: u32,
    /// First register of G (one per internal variable).
    pub g_reg: u32,
    /// First register of H (packed lower triangle over internal variables).
    pub h_reg: u32,
    /// False when the type gives no G card (its gradient is then unknown).
    pub has_g: bool,
    /// False when the type gives no H card.
    pub has_h: bool,
}

/// A compiled element type.
#[derive(Debug, Clone)]
pub struct ElementProgram {
    /// Type name.
    pub name: String,
    /// Number of elemental variables (registers `0..nev`).
    pub nev: usize,
    /// Number of internal variables (registers `iv_reg..iv_reg + niv`).
    pub niv: usize,
    /// First register of the internal variables (equal to 0 without a transformation).
    pub iv_reg: u32,
    /// First register of the element parameters.
    pub ep_reg: u32,
    /// Number of element parameters.
    pub nep: usize,
    /// Range transformation, `niv x nev` row-major, when the type declares internal variables.
    pub w: Option<Vec<f64>>,
    /// The program.
    pub prog: Program,
}

/// A compiled group type.
#[derive(Debug, Clone)]
pub struct GroupProgram {
    /// Type name.
    pub name: String,
    /// Number of group parameters (registers `1..=ngp`; the group variable is register 0).
    pub ngp: usize,
    /// The program.
    pub prog: Program,
}

/// Index of (i, j) in a packed lower triangle (any order of i, j).
pub fn tri(i: usize, j: usize) -> usize {
    let (a, b) = if i >= j { (i, j) } else { (j, i) };
    a * (a + 1) / 2 + b
}

fn expr_err(line: usize, text: &str, msg: impl Into<String>) -> CardError {
    CardError::new(line, Field::Expression, text, msg)
}

fn parse_stmt(s: &Stmt) -> Result<Expr, CardError> {
    parse(&s.text).map_err(|m| expr_err(s.line, &s.text, m))
}

/// GLOBALS evaluated at load time: names with constant values, and the statements that
/// could not be folded (they are compiled into every type instead).
#[derive(Debug, Clone, Default)]
pub struct Globals {
    values: Vec<(String, f64, Ty)>,
    runtime: Vec<Stmt>,
}

/// Folds the GLOBALS statements of a part.
pub fn fold_globals(part: &Part) -> Result<Globals, CardError> {
    let types: HashMap<&str, Ty> = part.temps.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let mut c = Compiler::new(0);
    let mut out = Globals::default();
    let mut known: HashMap<String, (f64, Ty)> = HashMap::new();
    for s in &part.globals {
        let e = parse_stmt(s)?;
        let folded = c.fold(&e);
        let (target, cond) = match &s.kind {
            StmtKind::Assign(t) => (t.clone(), None),
            StmtKind::If { cond, when, target } => (target.clone(), Some((cond.clone(), *when))),
            _ => return Err(not_in_globals(s)),
        };
        let cond_value = match &cond {
            None => Some(true),
            Some((name, when)) => known.get(name).map(|&(v, _)| (v != 0.0) == *when),
        };
        match (folded, cond_value, out.runtime.is_empty()) {
            (Some((v, vty)), Some(apply), true) => {
                if apply {
                    let ty = types.get(target.as_str()).copied().unwrap_or(vty);
                    let v = if ty == Ty::Int && vty == Ty::Real {
                        v.trunc()
                    } else {
                        v
                    };
                    c.constant(&target, v, ty);
                    known.insert(target.clone(), (v, ty));
                }
            }
            _ => out.runtime.push(s.clone()),
        }
    }
    out.values = known.into_iter().map(|(n, (v, t))| (n, v, t)).collect();
    out.values.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn not_in_globals(s: &Stmt) -> CardError {
    expr_err(
        s.line,
        &s.text,
        "F, G and H cards are not allowed in GLOBALS",
    )
}

/// Reserved names of a type and their registers, plus the outputs.
struct Layout {
    named: HashMap<String, (u32, Ty)>,
    next: u32,
}

impl Layout {
    fn add(&mut self, name: &str, ty: Ty) -> u32 {
        let r = self.next;
        self.named.entry(name.to_string()).or_insert((r, ty));
        self.next += 1;
        r
    }
}

/// Compiles the statements of a type given the reserved-name layout; `deriv` maps the G/H
/// names to output indices. Returns the program.
fn compile_body(
    layout: Layout,
    part: &Part,
    globals: &Globals,
    stmts: &[Stmt],
    outputs: (u32, u32, u32),
    deriv_index: &dyn Fn(&Stmt) -> Result<Option<u32>, CardError>,
) -> Result<Program, CardError> {
    let Layout {
        mut named,
        mut next,
    } = layout;
    let (f_reg, g_reg, h_reg) = outputs;
    // Names assigned by this type (they need registers even when a global gives them a value).
    let assigned: HashSet<&str> = stmts
        .iter()
        .chain(&globals.runtime)
        .filter_map(|s| match &s.kind {
            StmtKind::Assign(t) => Some(t.as_str()),
            StmtKind::If { target, .. } => Some(target.as_str()),
            _ => None,
        })
        .collect();
    for (name, ty) in &part.temps {
        if !named.contains_key(name)
            && (assigned.contains(name.as_str()) || !globals.values.iter().any(|g| g.0 == *name))
        {
            named.insert(name.clone(), (next, *ty));
            next += 1;
        }
    }
    for name in &assigned {
        if !named.contains_key(*name) {
            named.insert((*name).to_string(), (next, Ty::Real));
            next += 1;
        }
    }
    let mut c = Compiler::new(next);
    for (name, v, ty) in &globals.values {
        if !named.contains_key(name) {
            c.constant(name, *v, *ty);
        }
    }
    for (name, &(r, ty)) in &named {
        c.bind(name, r, ty);
    }
    // Globals reassigned by the type start from their global value.
    for (name, v, _) in &globals.values {
        if assigned.contains(name.as_str())
            && let Some((r, _)) = c.lookup(name)
        {
            c.set_const(r, *v);
        }
    }
    let mut level = 0usize;
    let mut level_end = [0usize; 3];
    let mut has_f = false;
    let (mut has_g, mut has_h) = (false, false);
    for s in globals.runtime.iter().chain(stmts) {
        let stmt_level = match s.kind {
            StmtKind::G(_) => 1,
            StmtKind::H(..) => 2,
            _ => level,
        };
        if stmt_level > level {
            for l in level..stmt_level {
                level_end[l] = c.len();
            }
            level = stmt_level;
        }
        let e = parse_stmt(s)?;
        let err = |m: String| expr_err(s.line, &s.text, m);
        let target_of = |c: &Compiler, t: &str| -> Result<(u32, Ty), CardError> {
            c.lookup(t)
                .ok_or_else(|| expr_err(s.line, t, format!("{t} is not a temporary")))
        };
        match &s.kind {
            StmtKind::Assign(t) => {
                let (r, ty) = target_of(&c, t)?;
                c.assign(r, ty, &e).map_err(err)?;
            }
            StmtKind::If { cond, when, target } => {
                let (r, ty) = target_of(&c, target)?;
                c.assign_if(cond, *when, r, ty, &e).map_err(err)?;
            }
            StmtKind::F => {
                has_f = true;
                c.assign(f_reg, Ty::Real, &e).map_err(err)?;
            }
            StmtKind::G(_) => {
                has_g = true;
                let k = deriv_index(s)?.unwrap_or(0);
                c.assign(g_reg + k, Ty::Real, &e).map_err(err)?;
            }
            StmtKind::H(..) => {
                has_h = true;
                let k = deriv_index(s)?.unwrap_or(0);
                c.assign(h_reg + k, Ty::Real, &e).map_err(err)?;
            }
        }
    }
    for l in level..3 {
        level_end[l] = c.len();
    }
    if !has_f {
        return Err(CardError::new(
            stmts.first().map(|s| s.line).unwrap_or(part.line),
            Field::Card,
            "",
            "the type has no F card",
        ));
    }
    let (code, nregs) = c.finish();
    Ok(Program {
        code,
        level_end,
        nregs,
        f_reg,
        g_reg,
        h_reg,
        has_g,
        has_h,
    })
}

/// Most elemental (or internal) variables and parameters of one element type (the collection
/// uses a few dozen at most); bounds the registers of the packed element Hessian.
pub const MAX_ELEMENT_VARIABLES: usize = 1000;

/// Compiles an element type from its declaration (elemental variables, internal variables,
/// parameters, as declared in ELEMENT TYPE) and its body in the ELEMENTS part.
pub fn compile_element(
    name: &str,
    evs: &[String],
    ivs: &[String],
    eps: &[String],
    body: &TypeBody,
    part: &Part,
    globals: &Globals,
) -> Result<ElementProgram, CardError> {
    let up = |v: &[String]| -> Vec<String> { v.iter().map(|s| s.to_ascii_uppercase()).collect() };
    let (evs, ivs, eps) = (up(evs), up(ivs), up(eps));
    if evs.len().max(ivs.len()) > MAX_ELEMENT_VARIABLES || eps.len() > MAX_ELEMENT_VARIABLES {
        return Err(CardError::new(
            body.line,
            Field::Data(2),
            name,
            format!(
                "element type {name} has more than {MAX_ELEMENT_VARIABLES} variables or parameters"
            ),
        ));
    }
    let mut layout = Layout {
        named: HashMap::new(),
        next: 0,
    };
    for v in &evs {
        layout.add(v, Ty::Real);
    }
    let transformed = !ivs.is_empty();
    let iv_reg = layout.next;
    let internal: &[String] = if transformed { &ivs } else { &evs };
    if transformed {
        for v in &ivs {
            layout.add(v, Ty::Real);
        }
    }
    let ep_reg = layout.next;
    for p in &eps {
        layout.add(p, Ty::Real);
    }
    let niv = internal.len();
    let f_reg = layout.next;
    let g_reg = f_reg + 1;
    let h_reg = g_reg + niv as u32;
    layout.next = h_reg + (niv * (niv + 1) / 2) as u32;
    let w = if transformed {
        let mut w = vec![0.0; niv * evs.len()];
        // The position of `name` among the type's `what` variables `list` (field k).
        let index = |list: &[String], name: &str, k: u8, what: &str| {
            list.iter().position(|x| x == name).ok_or_else(|| {
                let message = format!("not an {what} variable of the type");
                CardError::new(body.line, Field::Data(k), name, message)
            })
        };
        for (iv, ev, v) in &body.ranges {
            let i = index(&ivs, iv, 2, "internal")?;
            let j = index(&evs, ev, 3, "elemental")?;
            w[i * evs.len() + j] += v;
        }
        Some(w)
    } else {
        if let Some((iv, _, _)) = body.ranges.first() {
            return Err(CardError::new(
                body.line,
                Field::Data(2),
                iv.as_str(),
                format!("R card for type {name}, which declares no internal variables"),
            ));
        }
        None
    };
    let var_index = |line: usize, v: &str| -> Result<usize, CardError> {
        internal.iter().position(|x| x == v).ok_or_else(|| {
            CardError::new(
                line,
                Field::Data(2),
                v,
                format!("not a variable of element type {name}"),
            )
        })
    };
    let deriv = |s: &Stmt| -> Result<Option<u32>, CardError> {
        match &s.kind {
            StmtKind::G(v) => Ok(Some(var_index(s.line, v)? as u32)),
            StmtKind::H(a, b) => Ok(Some(
                tri(var_index(s.line, a)?, var_index(s.line, b)?) as u32
            )),
            _ => Ok(None),
        }
    };
    let prog = compile_body(
        layout,
        part,
        globals,
        &body.stmts,
        (f_reg, g_reg, h_reg),
        &deriv,
    )?;
    Ok(ElementProgram {
        name: name.to_string(),
        nev: evs.len(),
        niv,
        iv_reg: if transformed { iv_reg } else { 0 },
        ep_reg,
        nep: eps.len(),
        w,
        prog,
    })
}

/// Compiles a group type (group variable in register 0, parameters after it).
pub fn compile_group(
    name: &str,
    var: &str,
    gps: &[String],
    body: &TypeBody,
    part: &Part,
    globals: &Globals,
) -> Result<GroupProgram, CardError> {
    if gps.len() > MAX_ELEMENT_VARIABLES {
        return Err(CardError::new(
            body.line,
            Field::Data(2),
            name,
            format!("group type {name} has more than {MAX_ELEMENT_VARIABLES} parameters"),
        ));
    }
    let mut layout = Layout {
        named: HashMap::new(),
        next: 0,
    };
    layout.add(&var.to_ascii_uppercase(), Ty::Real);
    for p in gps {
        layout.add(&p.to_ascii_uppercase(), Ty::Real);
    }
    let f_reg = layout.next;
    layout.next += 3;
    let deriv = |_: &Stmt| -> Result<Option<u32>, CardError> { Ok(Some(0)) };
    let prog = compile_body(
        layout,
        part,
        globals,
        &body.stmts,
        (f_reg, f_reg + 1, f_reg + 2),
        &deriv,
    )?;
    Ok(GroupProgram {
        name: name.to_string(),
        ngp: gps.len(),
        prog,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;
    use crate::vm::run;

    fn part_of(text: &str, elements: bool) -> Part {
        let lines = lex(text).unwrap();
        let start = lines
            .iter()
            .position(|l| {
                matches!(l, Line::Indicator { keyword, .. }
                if *keyword == if elements { Keyword::Elements } else { Keyword::Groups })
            })
            .unwrap();
        parse_part(&lines[start + 1..], elements, 1).unwrap()
    }

    const ELEC_LIKE: &str = "NAME          T
ENDATA
ELEMENTS      T
TEMPORARIES
 R  SS
 R  ROOTSS
 R  HALF
 M  SQRT
GLOBALS
 A  HALF                0.5D0
INDIVIDUALS
 T  PE
 R  DX        XI        1.0            XJ        -1.0
 R  DY        YI        1.0
 A  SS                  DX ** 2 + DY ** 2
 A  ROOTSS              SQRT( SS )
 F                      HALF * ROOTSS
 G  DX                  HALF * DX / ROOTSS
 G  DY                  HALF * DY
 G+                      / ROOTSS
 H  DX        DX        HALF * (1.0 / ROOTSS - DX ** 2 / ROOTSS ** 3)
 H  DY        DX        - HALF * DX * DY / ROOTSS ** 3
 H  DY        DY        HALF * (1.0 / ROOTSS - DY ** 2 / ROOTSS ** 3)
ENDATA
";

    #[test]
    fn element_with_range_transformation() {
        let part = part_of(ELEC_LIKE, true);
        let g = fold_globals(&part).unwrap();
        let evs: Vec<String> = ["XI", "XJ", "YI"].map(String::from).to_vec();
        let ivs: Vec<String> = ["DX", "DY"].map(String::from).to_vec();
        let e =
            compile_element("PE", &evs, &ivs, &[], part.body("PE").unwrap(), &part, &g).unwrap();
        assert_eq!(e.w.as_deref(), Some(&[1.0, -1.0, 0.0, 0.0, 0.0, 1.0][..]));
        let mut r = vec![0.0; e.prog.nregs];
        // u = (3, 4): f = 0.5 * 5
        r[e.iv_reg as usize] = 3.0;
        r[e.iv_reg as usize + 1] = 4.0;
        run(&e.prog.code[..e.prog.level_end[0]], &mut r);
        assert_eq!(r[e.prog.f_reg as usize], 2.5);
        run(&e.prog.code, &mut r);
        let g0 = e.prog.g_reg as usize;
        assert_eq!((r[g0], r[g0 + 1]), (0.3, 0.4));
        let h = e.prog.h_reg as usize;
        assert!((r[h] - 0.5 * (0.2 - 9.0 / 125.0)).abs() < 1e-15);
        assert!((r[h + 1] + 0.5 * 12.0 / 125.0).abs() < 1e-15);
        // the global HALF was folded into constants: no register load for it
        assert!(
            !e.prog
                .code
                .iter()
                .any(|i| matches!(i, Ins::Const { k, .. } if *k == 0.5))
        );
    }

    #[test]
    fn group_type_and_errors() {
        let text = "NAME          T
ENDATA
GROUPS        T
INDIVIDUALS
 T  L2
 F                      P * GVAR * GVAR
 G                      2.0 * P * GVAR
 H                      2.0 * P
ENDATA
";
        let part = part_of(text, false);
        let g = fold_globals(&part).unwrap();
        let compile_l2 = |part: &Part| {
            compile_group(
                "L2",
                "GVAR",
                &["P".into()],
                part.body("L2").unwrap(),
                part,
                &g,
            )
        };
        let p = compile_l2(&part).unwrap();
        let mut r = vec![0.0; p.prog.nregs];
        r[0] = 3.0;
        r[1] = 0.5;
        run(&p.prog.code, &mut r);
        let f = p.prog.f_reg as usize;
        assert_eq!((r[f], r[f + 1], r[f + 2]), (4.5, 3.0, 1.0));
        // unknown name in an expression: error names the line and the text
        let bad = text.replace("P * GVAR * GVAR", "Q * GVAR");
        let e = compile_l2(&part_of(&bad, false)).unwrap_err();
        assert_eq!((e.line, e.field), (6, Field::Expression));
        assert!(e.message.contains("Q"), "{}", e.message);
    }
}
