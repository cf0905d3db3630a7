//! The data part (NAME ... ENDATA): executes parameter cards and DO loops, and reads each
//! section's cards into the [`Model`].

use crate::hash::FastMap as HashMap;
pub use crate::model::{
    ElementDef, ElementTypeDecl, Entries, GroupDef, GroupKind, GroupTypeDecl, INFINITY, Model,
    Names,
};

use crate::error::{CardError, Field};
use crate::lexer::{Card, Keyword, Line};
use crate::params::{Params, is_assignment, parse_number};

fn is_default(name: &str) -> bool {
    name.eq_ignore_ascii_case("'DEFAULT'")
}

fn clamp_inf(v: f64) -> f64 {
    if v >= INFINITY {
        f64::INFINITY
    } else if v <= -INFINITY {
        f64::NEG_INFINITY
    } else {
        v
    }
}

/// Reads the data part: `lines` from the NAME card (index 0) on. Returns the model and the
/// index of the data part's ENDATA.
pub fn read_data(
    lines: &[Line],
    params: &mut Params,
    max_cards: u64,
) -> Result<(Model, usize), CardError> {
    let mut r = Reader {
        model: Model::default(),
        params,
        section: Keyword::Name,
        vectors: Vec::new(),
    };
    if let Some(Line::Indicator { arg, .. }) = lines.first() {
        r.model.name = arg.split_whitespace().next().unwrap_or("").to_string();
    }
    let end = lines
        .iter()
        .position(|l| {
            matches!(
                l,
                Line::Indicator {
                    keyword: Keyword::Endata,
                    ..
                }
            )
        })
        .ok_or_else(|| CardError::new(1, Field::Card, "", "the data part has no ENDATA card"))?;
    let mut loops = Loops {
        closes: loop_closes(&lines[..end])?,
        frames: Vec::new(),
    };
    let mut executed = 0u64;
    let mut pc = 1usize;
    while pc < end {
        let card = match &lines[pc] {
            Line::Indicator { keyword, line, arg } => {
                if let Some(f) = loops.frames.last() {
                    return Err(CardError::new(
                        *line,
                        Field::Card,
                        arg.as_str(),
                        format!("new section while the DO loop on {} is open", f.var),
                    ));
                }
                r.section = *keyword;
                pc += 1;
                continue;
            }
            Line::Data(c) => c,
        };
        executed += 1;
        if executed > max_cards {
            return Err(CardError::new(
                card.line,
                Field::Card,
                "",
                format!("more than {max_cards} cards executed (runaway DO loops?)"),
            ));
        }
        pc = match card.code.as_str() {
            "DO" => loops.start(lines, pc, card, r.params)?,
            "OD" | "ND" => loops.end(pc, card.code == "ND", r.params),
            "DI" => {
                return Err(CardError::new(
                    card.line,
                    Field::Code,
                    "DI",
                    "DI card not right after a DO card",
                ));
            }
            code if is_assignment(code) => {
                r.params.assign(card)?;
                pc + 1
            }
            _ => {
                r.card(card)?;
                pc + 1
            }
        };
    }
    Ok((r.model, end))
}

/// The DO loops of the data part.
struct Loops {
    /// For every DO card (by index), the index of the OD/ND card that closes it.
    closes: HashMap<usize, usize>,
    /// The open loops, innermost last.
    frames: Vec<Frame>,
}

impl Loops {
    /// Executes the DO card `card` at `pc` (with its DI card, if one follows): sets the loop
    /// variable and returns where execution continues.
    fn start(
        &mut self,
        lines: &[Line],
        pc: usize,
        card: &Card,
        params: &mut Params,
    ) -> Result<usize, CardError> {
        let var = card.field(2);
        if var.is_empty() {
            return Err(CardError::new(
                card.line,
                Field::Data(2),
                "",
                "missing loop variable",
            ));
        }
        let int_of = |c: &Card, k: usize| -> Result<i64, CardError> {
            let n = c.field(k);
            params.int(n).ok_or_else(|| {
                CardError::new(
                    c.line,
                    Field::Data(k as u8),
                    n,
                    "undefined integer parameter",
                )
            })
        };
        let start = int_of(card, 3)?;
        let stop = int_of(card, 5)?;
        let mut step = 1i64;
        let mut body = pc + 1;
        if let Some(Line::Data(next)) = lines.get(pc + 1)
            && next.code == "DI"
        {
            step = int_of(next, 3)?;
            if step == 0 {
                return Err(CardError::new(
                    next.line,
                    Field::Data(3),
                    next.field(3),
                    "loop increment is zero",
                ));
            }
            body = pc + 2;
        }
        let close = self.closes.get(&pc).copied().ok_or_else(|| {
            CardError::new(card.line, Field::Code, "DO", "DO loop without OD or ND")
        })?;
        let empty = (step > 0 && start > stop) || (step < 0 && start < stop);
        if empty {
            // Jump to the card closing this loop: an OD just ends it, an ND still acts on
            // the loops left open.
            return Ok(match &lines[close] {
                Line::Data(c) if c.code == "OD" => close + 1,
                _ => close,
            });
        }
        params.set_int(var, start);
        self.frames.push(Frame {
            var: var.to_string(),
            value: start,
            stop,
            step,
            body,
        });
        Ok(body)
    }

    /// Executes the OD (`all` false) or ND card at `pc` and returns where execution
    /// continues. OD ends the innermost open loop whatever name it gives (files often name
    /// the wrong loop); ND ends them all.
    fn end(&mut self, pc: usize, all: bool, params: &mut Params) -> usize {
        while let Some(f) = self.frames.last_mut() {
            f.value = f.value.saturating_add(f.step);
            let more = if f.step > 0 {
                f.value <= f.stop
            } else {
                f.value >= f.stop
            };
            if more {
                params.set_int(&f.var, f.value);
                return f.body;
            }
            self.frames.pop();
            if !all {
                break;
            }
        }
        pc + 1
    }
}

/// The index of `name` in `names`; a new name gets its definition `new()` in `defs`
/// (parallel to `names`).
fn declare<D>(names: &mut Names, defs: &mut Vec<D>, name: &str, new: impl FnOnce() -> D) -> usize {
    let i = names.add(name);
    if i == defs.len() {
        defs.push(new());
    }
    i
}

/// Gives `name` the value `value` in `list` (a later card replaces an earlier one).
fn set_named<T>(list: &mut Vec<(String, T)>, name: &str, value: T) {
    list.retain(|(n, _)| n != name);
    list.push((name.to_string(), value));
}

/// Sets the named values of `pairs` (name field, value) of `card` in `list`.
fn set_pairs(list: &mut Vec<(String, f64)>, card: &Card, pairs: Vec<(u8, f64)>) {
    for (k, value) in pairs {
        set_named(list, card.field(k as usize), value);
    }
}

/// Adds the names in fields 3 and 5 of `card` to `list` (those not there yet).
fn add_names(list: &mut Vec<String>, card: &Card) {
    for k in [3, 5] {
        let n = card.field(k);
        if !n.is_empty() && !list.iter().any(|x| x == n) {
            list.push(n.to_string());
        }
    }
}

struct Frame {
    var: String,
    value: i64,
    stop: i64,
    step: i64,
    body: usize,
}

/// For every DO card (by index), the index of the OD/ND card that closes it.
fn loop_closes(lines: &[Line]) -> Result<HashMap<usize, usize>, CardError> {
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut out = HashMap::default();
    for (i, l) in lines.iter().enumerate() {
        let Line::Data(c) = l else {
            open.clear();
            continue;
        };
        match c.code.as_str() {
            "DO" => open.push((c.field(2).to_string(), i)),
            "ND" => {
                for (_, d) in open.drain(..) {
                    out.insert(d, i);
                }
            }
            "OD" => {
                let Some((_, d)) = open.pop() else {
                    return Err(CardError::new(
                        c.line,
                        Field::Code,
                        "OD",
                        "OD without an open DO loop",
                    ));
                };
                out.insert(d, i);
            }
            _ => {}
        }
    }
    Ok(out)
}

struct Reader<'p> {
    model: Model,
    params: &'p mut Params,
    section: Keyword,
    /// The vector in use in each section that names vectors (constants, ranges, bounds,
    /// start point): the first one named there.
    vectors: Vec<(Keyword, String)>,
}

impl Reader<'_> {
    /// Field `k` of `card`, or the error naming what is missing there.
    fn required<'c>(&self, card: &'c Card, k: u8, what: &str) -> Result<&'c str, CardError> {
        let text = card.field(k as usize);
        if text.is_empty() {
            return Err(self.err(card, k, format!("missing {what}")));
        }
        Ok(text)
    }

    fn err(&self, card: &Card, k: u8, msg: impl Into<String>) -> CardError {
        let text = if k == 1 {
            card.code.as_str()
        } else {
            card.field(k as usize)
        };
        let field = if k == 1 { Field::Code } else { Field::Data(k) };
        CardError::new(card.line, field, text, msg)
    }

    /// Field `k` as a name, expanded when the card is an array card.
    fn name(&self, card: &Card, k: u8, array: bool) -> Result<String, CardError> {
        let raw = card.field(k as usize);
        if array {
            self.params.expand(raw).map_err(|m| self.err(card, k, m))
        } else {
            Ok(raw.to_string())
        }
    }

    fn number(&self, card: &Card, k: u8) -> Result<f64, CardError> {
        let s = card.field(k as usize);
        if s.is_empty() {
            return Err(self.err(card, k, "missing number"));
        }
        parse_number(s).ok_or_else(|| self.err(card, k, "not a number"))
    }

    /// The (name field, value) pairs of a card: fields 3-4 and 5-6, or on Z cards field 3
    /// with the value of the real parameter named in field 5.
    fn pairs(&self, card: &Card, z: bool) -> Result<Vec<(u8, f64)>, CardError> {
        let mut out = Vec::with_capacity(2);
        if z {
            if !card.field(3).is_empty() {
                out.push((3, self.params.z_value(card, 5)?));
            }
            return Ok(out);
        }
        for (kn, kv) in [(3u8, 4u8), (5, 6)] {
            if !card.field(kn as usize).is_empty() {
                out.push((kn, self.number(card, kv)?));
            }
        }
        Ok(out)
    }

    fn var(&self, card: &Card, k: u8, array: bool) -> Result<usize, CardError> {
        let n = self.name(card, k, array)?;
        self.model
            .vars
            .get(&n)
            .ok_or_else(|| self.err(card, k, format!("unknown variable '{n}'")))
    }

    fn group(&self, card: &Card, k: u8, array: bool) -> Result<usize, CardError> {
        let n = self.name(card, k, array)?;
        self.model
            .group_names
            .get(&n)
            .ok_or_else(|| self.err(card, k, format!("unknown group '{n}'")))
    }

    fn card(&mut self, card: &Card) -> Result<(), CardError> {
        match self.section {
            // Stray cards in the parameter preamble (before the first section) are ignored.
            Keyword::Name => Ok(()),
            Keyword::Variables => self.variables(card),
            Keyword::Groups => self.groups(card),
            Keyword::Constants => self.vector(card, |m| &mut m.constants, |v| v),
            Keyword::Ranges => self.vector(card, |m| &mut m.ranges, Some),
            Keyword::Bounds => self.bounds(card),
            Keyword::StartPoint => self.start_point(card),
            Keyword::Quadratic => self.quadratic(card),
            Keyword::ElementType => self.element_type(card),
            Keyword::ElementUses => self.element_uses(card),
            Keyword::GroupType => self.group_type(card),
            Keyword::GroupUses => self.group_uses(card),
            Keyword::ObjectBound => self.object_bound(card),
            other => Err(self.err(card, 1, format!("{other:?} is not a data section"))),
        }
    }

    /// Blank, X or Z in field 1 (a second character, as in `XN`, is ignored).
    fn array_prefix(&self, card: &Card) -> Result<(bool, bool), CardError> {
        match card.code.chars().next() {
            None => Ok((false, false)),
            Some('X') => Ok((true, false)),
            Some('Z') => Ok((true, true)),
            _ => Err(self.err(card, 1, "expected blank, X or Z")),
        }
    }

    fn variables(&mut self, card: &Card) -> Result<(), CardError> {
        let (array, z) = self.array_prefix(card)?;
        let name = self.name(card, 2, array)?;
        if name.is_empty() {
            return Err(self.err(card, 2, "missing variable name"));
        }
        let v = self.model.vars.add(&name);
        let marker = |s: &str| {
            let s = s.trim_matches('\'');
            s.eq_ignore_ascii_case("INTEGER") || s.eq_ignore_ascii_case("ZERO-ONE")
        };
        if marker(card.field(3)) {
            // integrality is not part of a smooth problem
            return Ok(());
        }
        for (k, value) in self.pairs(card, z)? {
            let target = card.field(k as usize);
            if target.eq_ignore_ascii_case("'SCALE'") {
                self.model.var_scale.insert(v, value);
            } else if marker(target) {
            } else {
                let g = self.group(card, k, array)?;
                self.model.groups[g].linear.push((v, value));
            }
        }
        Ok(())
    }

    fn groups(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let (prefix, letter) = match code.len() {
            1 => (' ', code.chars().next().unwrap_or(' ')),
            2 => {
                let mut it = code.chars();
                (it.next().unwrap_or(' '), it.next().unwrap_or(' '))
            }
            _ => return Err(self.err(card, 1, "expected N, E, L or G (optionally after X or Z)")),
        };
        let kind = match letter {
            'N' => GroupKind::Objective,
            'E' => GroupKind::Equal,
            'L' => GroupKind::Less,
            'G' => GroupKind::Greater,
            _ => return Err(self.err(card, 1, "expected N, E, L or G")),
        };
        let (array, z) = match prefix {
            ' ' => (false, false),
            'X' => (true, false),
            'Z' => (true, true),
            'D' => {
                return Err(self.err(
                    card,
                    1,
                    "groups defined as combinations of groups (D cards) are not supported",
                ));
            }
            _ => return Err(self.err(card, 1, "expected X, Z or D before the group kind")),
        };
        let name = self.name(card, 2, array)?;
        if name.is_empty() {
            return Err(self.err(card, 2, "missing group name"));
        }
        let m = &mut self.model;
        let g = declare(&mut m.group_names, &mut m.groups, &name, || GroupDef {
            kind,
            line: card.line,
            linear: Vec::new(),
            scale: None,
            gtype: None,
            gparams: Vec::new(),
            elements: Vec::new(),
        });
        for (k, value) in self.pairs(card, z)? {
            if card.field(k as usize).eq_ignore_ascii_case("'SCALE'") {
                self.model.groups[g].scale = Some(value);
            } else {
                let v = self.var(card, k, array)?;
                self.model.groups[g].linear.push((v, value));
            }
        }
        Ok(())
    }

    /// True when the card's vector (field 2) is the one in use in this section: the first
    /// one named there, as SIFDecode does.
    fn in_use(&mut self, card: &Card) -> bool {
        let name = card.field(2);
        match self.vectors.iter().find(|(k, _)| *k == self.section) {
            Some((_, first)) => first == name,
            None => {
                self.vectors.push((self.section, name.to_string()));
                true
            }
        }
    }

    /// A CONSTANTS or RANGES card: values by group, `'DEFAULT'` for the others.
    fn vector<T: Copy>(
        &mut self,
        card: &Card,
        entries: fn(&mut Model) -> &mut Entries<T>,
        wrap: fn(f64) -> T,
    ) -> Result<(), CardError> {
        let (array, z) = self.array_prefix(card)?;
        if !self.in_use(card) {
            return Ok(());
        }
        for (k, value) in self.pairs(card, z)? {
            let g = if is_default(card.field(k as usize)) {
                None
            } else {
                Some(self.group(card, k, array)?)
            };
            entries(&mut self.model).set(g, wrap(value));
        }
        Ok(())
    }

    fn bounds(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let (array, z) = match code {
            "LO" | "UP" | "FX" | "FR" | "MI" | "PL" => (false, false),
            "XL" | "XU" | "XX" | "XR" | "XM" | "XP" => (true, false),
            "ZL" | "ZU" | "ZX" => (true, true),
            _ => {
                return Err(self.err(
                    card,
                    1,
                    "expected a bound code (LO, UP, FX, FR, MI, PL, or X/Z forms)",
                ));
            }
        };
        if !self.in_use(card) {
            return Ok(());
        }
        let which = match code {
            "LO" | "XL" | "ZL" => 'L',
            "UP" | "XU" | "ZU" => 'U',
            "FX" | "XX" | "ZX" => 'X',
            "FR" | "XR" => 'R',
            "MI" | "XM" => 'M',
            _ => 'P',
        };
        let value = match which {
            'R' | 'M' | 'P' => 0.0,
            _ if z => self.params.z_value(card, 5)?,
            _ => self.number(card, 4)?,
        };
        let value = clamp_inf(value);
        let (lo, up) = match which {
            'L' => (Some(value), None),
            'U' => (None, Some(value)),
            'X' => (Some(value), Some(value)),
            'R' => (Some(f64::NEG_INFINITY), Some(f64::INFINITY)),
            'M' => (Some(f64::NEG_INFINITY), None),
            _ => (None, Some(f64::INFINITY)),
        };
        let target = card.field(3);
        let v = if is_default(target) {
            None
        } else if target.is_empty() {
            return Err(self.err(card, 3, "missing variable name"));
        } else {
            Some(self.var(card, 3, array)?)
        };
        let b = &mut self.model.bounds;
        if let Some(lo) = lo {
            b.lo.set(v, lo);
        }
        if let Some(up) = up {
            b.up.set(v, up);
        }
        Ok(())
    }

    fn start_point(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let (array, z, what) = match code {
            "" => (false, false, ' '),
            "X" => (true, false, ' '),
            "Z" => (true, true, ' '),
            "V" => (false, false, 'V'),
            "XV" => (true, false, 'V'),
            "ZV" => (true, true, 'V'),
            "M" => (false, false, 'M'),
            "XM" => (true, false, 'M'),
            "ZM" => (true, true, 'M'),
            _ => return Err(self.err(card, 1, "expected blank, V or M (optionally after X or Z)")),
        };
        if !self.in_use(card) {
            return Ok(());
        }
        for (k, value) in self.pairs(card, z)? {
            let target = card.field(k as usize);
            if is_default(target) {
                let s = &mut self.model.start;
                if what != 'M' {
                    s.x.default = value;
                }
                if what != 'V' {
                    s.y.default = value;
                    s.has_y |= value != 0.0;
                }
                continue;
            }
            let name = self.name(card, k, array)?;
            let var = (what != 'M').then(|| self.model.vars.get(&name)).flatten();
            let group = (what != 'V' && var.is_none())
                .then(|| self.model.group_names.get(&name))
                .flatten();
            let s = &mut self.model.start;
            match (var, group) {
                (Some(v), _) => {
                    s.x.values.insert(v, value);
                }
                (None, Some(g)) => {
                    s.y.values.insert(g, value);
                    s.has_y = true;
                }
                _ => {
                    let what = match what {
                        'V' => "variable",
                        'M' => "group",
                        _ => "variable or group",
                    };
                    return Err(self.err(card, k, format!("unknown {what} '{name}'")));
                }
            }
        }
        Ok(())
    }

    fn quadratic(&mut self, card: &Card) -> Result<(), CardError> {
        let (array, z) = self.array_prefix(card)?;
        let v1 = self.var(card, 2, array)?;
        for (k, value) in self.pairs(card, z)? {
            let v2 = self.var(card, k, array)?;
            self.model.quadratic.push((v1, v2, value));
        }
        Ok(())
    }

    fn element_type(&mut self, card: &Card) -> Result<(), CardError> {
        let name = self.required(card, 2, "element type name")?;
        let m = &mut self.model;
        let t = declare(&mut m.etype_names, &mut m.etypes, name, || {
            ElementTypeDecl {
                line: card.line,
                ..ElementTypeDecl::default()
            }
        });
        let decl = &mut self.model.etypes[t];
        let list = match card.code.as_str() {
            "EV" => &mut decl.evs,
            "IV" => &mut decl.ivs,
            "EP" => &mut decl.eps,
            _ => return Err(self.err(card, 1, "expected EV, IV or EP")),
        };
        add_names(list, card);
        Ok(())
    }

    fn element(&mut self, name: &str, line: usize) -> usize {
        let m = &mut self.model;
        declare(&mut m.element_names, &mut m.elements, name, || ElementDef {
            etype: None,
            line,
            ..ElementDef::default()
        })
    }

    fn element_uses(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let (array, z, what) = match code {
            "" if is_default(card.field(2)) => (false, false, 'T'),
            "T" => (false, false, 'T'),
            "XT" => (true, false, 'T'),
            "V" => (false, false, 'V'),
            "XV" | "ZV" => (true, false, 'V'),
            "P" => (false, false, 'P'),
            "XP" => (true, false, 'P'),
            "ZP" => (true, true, 'P'),
            _ => return Err(self.err(card, 1, "expected T, V or P (optionally after X or Z)")),
        };
        let raw = self.required(card, 2, "element name")?;
        if what == 'T' {
            let tname = card.field(3);
            let t = self
                .model
                .etype_names
                .get(tname)
                .ok_or_else(|| self.err(card, 3, format!("unknown element type '{tname}'")))?;
            if is_default(raw) {
                self.model.default_etype = Some(t);
                return Ok(());
            }
            let name = self.name(card, 2, array)?;
            let e = self.element(&name, card.line);
            self.model.elements[e].etype = Some(t);
            return Ok(());
        }
        let name = self.name(card, 2, array)?;
        let e = self.element(&name, card.line);
        if what == 'V' {
            let ev = self.required(card, 3, "elemental variable name")?;
            let vname = self.name(card, 5, array)?;
            if vname.is_empty() {
                return Err(self.err(card, 5, "missing problem variable name"));
            }
            // A variable first met here is a new (nonlinear) variable.
            let v = self.model.vars.add(&vname);
            set_named(&mut self.model.elements[e].vars, ev, v);
            return Ok(());
        }
        let pairs = self.pairs(card, z)?;
        set_pairs(&mut self.model.elements[e].params, card, pairs);
        Ok(())
    }

    fn group_type(&mut self, card: &Card) -> Result<(), CardError> {
        let name = self.required(card, 2, "group type name")?;
        let m = &mut self.model;
        let t = declare(&mut m.gtype_names, &mut m.gtypes, name, || GroupTypeDecl {
            line: card.line,
            ..GroupTypeDecl::default()
        });
        match card.code.as_str() {
            "GV" => {
                let v = self.required(card, 3, "group-type variable")?;
                self.model.gtypes[t].var = v.to_string();
            }
            "GP" => add_names(&mut self.model.gtypes[t].params, card),
            _ => return Err(self.err(card, 1, "expected GV or GP")),
        }
        Ok(())
    }

    fn group_uses(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let (array, z, what) = match code {
            // a 'DEFAULT' type card that lost its T
            "" if is_default(card.field(2)) => (false, false, 'T'),
            "T" => (false, false, 'T'),
            "XT" => (true, false, 'T'),
            "E" => (false, false, 'E'),
            "XE" => (true, false, 'E'),
            "ZE" => (true, true, 'E'),
            "P" => (false, false, 'P'),
            "XP" => (true, false, 'P'),
            "ZP" => (true, true, 'P'),
            _ => return Err(self.err(card, 1, "expected T, E or P (optionally after X or Z)")),
        };
        if what == 'T' {
            let tname = card.field(3);
            let t = self
                .model
                .gtype_names
                .get(tname)
                .ok_or_else(|| self.err(card, 3, format!("unknown group type '{tname}'")))?;
            if is_default(card.field(2)) {
                self.model.default_gtype = Some(t);
                return Ok(());
            }
            let g = self.group(card, 2, array)?;
            self.model.groups[g].gtype = Some(t);
            return Ok(());
        }
        let g = self.group(card, 2, array)?;
        if what == 'E' {
            let mut uses = Vec::with_capacity(2);
            if z {
                uses.push((3u8, self.params.z_value(card, 5)?));
            } else {
                for (kn, kw) in [(3u8, 4u8), (5, 6)] {
                    if card.field(kn as usize).is_empty() {
                        continue;
                    }
                    let w = if card.field(kw as usize).is_empty() {
                        1.0
                    } else {
                        self.number(card, kw)?
                    };
                    uses.push((kn, w));
                }
            }
            for (k, w) in uses {
                let n = self.name(card, k, array)?;
                let e = self
                    .model
                    .element_names
                    .get(&n)
                    .ok_or_else(|| self.err(card, k, format!("unknown element '{n}'")))?;
                self.model.groups[g].elements.push((e, w));
            }
            return Ok(());
        }
        let pairs = self.pairs(card, z)?;
        set_pairs(&mut self.model.groups[g].gparams, card, pairs);
        Ok(())
    }

    fn object_bound(&mut self, card: &Card) -> Result<(), CardError> {
        let code = card.code.as_str();
        let value = if code.starts_with('Z') {
            self.params.z_value(card, 5)?
        } else {
            // the value sometimes starts a column early, in field 3
            let s = if card.field(4).is_empty() {
                card.field(3)
            } else {
                card.field(4)
            };
            parse_number(s).ok_or_else(|| self.err(card, 4, "not a number"))?
        };
        match code {
            "LO" | "XL" | "ZL" => self.model.object_bounds.0 = Some(value),
            "UP" | "XU" | "ZU" => self.model.object_bounds.1 = Some(value),
            _ => return Err(self.err(card, 1, "expected LO or UP (optionally after X or Z)")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn read(text: &str) -> Model {
        let lines = lex(text).unwrap();
        let mut p = Params::default();
        read_data(&lines, &mut p, u64::MAX).unwrap().0
    }

    fn read_err(text: &str) -> CardError {
        let lines = lex(text).unwrap();
        let mut p = Params::default();
        read_data(&lines, &mut p, u64::MAX).unwrap_err()
    }

    #[test]
    fn loops_nest_step_and_skip() {
        let m = read(
            "NAME          LOOPS
 IE 1                   1
 IE 0                   0
 IE 3                   3
 IE M2                  -2
VARIABLES
 DO I         1                        3
 DO J         1                        I
 X  X(I,J)
 ND
 DO K         3                        1
 DI K         M2
 X  Y(K)
 OD K
 DO K         1                        0
 X  NEVER(K)
 OD K
 DO I         1                        2
 DO J         1                        0
 X  Z(I,J)
 OD J
 X  W(I)
 OD I
ENDATA
",
        );
        assert_eq!(
            m.vars.list,
            [
                "X1,1", "X2,1", "X2,2", "X3,1", "X3,2", "X3,3", "Y3", "Y1", "W1", "W2"
            ]
        );
    }

    #[test]
    fn sections_and_defaults() {
        let m = read(
            "NAME          T
GROUPS
 N  OBJ
VARIABLES
    X1        OBJ       1.0
    X2
GROUPS
 N  OBJ       X2        2.0
 E  C1        X1        1.0            X2        1.0
 E  C1        'SCALE'   2.0
 G  C2        X1        1.0
CONSTANTS
    RHS       'DEFAULT' 1.0
    RHS       C2        3.0
    OTHER     C1        9.0
RANGES
    RNG       C2        4.0
BOUNDS
 FR BND       'DEFAULT'
 LO BND       X1        1.0D+21
 UP BND       X2        5.0
START POINT
    S         'DEFAULT' 0.5
 V  S         X2        2.0
 M  S         C1        -1.0
ENDATA
",
        );
        assert_eq!(m.vars.list, ["X1", "X2"]);
        assert_eq!(m.group_names.list, ["OBJ", "C1", "C2"]);
        assert_eq!(m.groups[0].linear, vec![(0, 1.0), (1, 2.0)]);
        assert_eq!(m.groups[1].scale, Some(2.0));
        assert_eq!(m.groups[2].kind, GroupKind::Greater);
        assert_eq!(m.constants.default, 1.0);
        assert_eq!(m.constants.values.get(&2), Some(&3.0));
        assert_eq!(m.constants.values.get(&1), None); // second vector ignored
        assert_eq!(m.ranges.values.get(&2), Some(&Some(4.0)));
        assert_eq!(m.bounds.lo.default, f64::NEG_INFINITY);
        assert_eq!(m.bounds.lo.values.get(&0), Some(&f64::INFINITY));
        assert_eq!(m.bounds.up.values.get(&1), Some(&5.0));
        assert_eq!(
            (m.start.x.default, m.start.x.values.get(&1)),
            (0.5, Some(&2.0))
        );
        assert_eq!(m.start.y.values.get(&1), Some(&-1.0));
    }

    #[test]
    fn errors_point_at_the_card() {
        let e = read_err("NAME          T\nGROUPS\n N  OBJ       X9        1.0\nENDATA\n");
        assert_eq!(
            (e.line, e.field, e.text.as_str()),
            (3, Field::Data(3), "X9")
        );
        let e = read_err(
            "NAME          T\nVARIABLES\n DO I         1                        N\n X  X(I)\n ND\nENDATA\n",
        );
        assert_eq!((e.line, e.field, e.text.as_str()), (3, Field::Data(5), "N"));
        let e = read_err("NAME          T\nVARIABLES\n QQ X\nENDATA\n");
        assert_eq!((e.line, e.field), (3, Field::Code));
        let e = read_err(
            "NAME          T\n IE N                   2\nVARIABLES\n DO I         1                        N\n X  X(I)\nGROUPS\nENDATA\n",
        );
        assert_eq!(e.line, 4);
    }
}
