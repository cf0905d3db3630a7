//! Assembly of a [`SifProblem`] from what the data part declares ([`Model`]) and the
//! function parts: compiles the element and group types in use, flattens the elements, the
//! group functions and the group arguments, and derives the bounds, the start point and the
//! Jacobian pattern.

use std::sync::OnceLock;

use opal_problems::{ProblemInfo, SparsityPattern};

use crate::error::{CardError, SifError};
use crate::functions::{
    ElementProgram, Globals, GroupProgram, Part, TypeBody, compile_element, compile_group,
    fold_globals,
};
use crate::hash::FastMap as HashMap;
use crate::params::UserParameter;
use crate::problem::{
    ElementUse, Elements, GroupArguments, GroupFunctions, LinearTerm, SifProblem, TRIVIAL,
};
use crate::sections::{GroupKind, INFINITY, Model};
use crate::workspace::Pool;

fn invalid(file: &str, message: impl Into<String>) -> SifError {
    SifError::Invalid {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Builds the problem from the data part and the compiled function parts.
pub(crate) fn assemble(
    file: &str,
    model: Model,
    elements_part: Option<&Part>,
    groups_part: Option<&Part>,
    classification: Option<String>,
    parameters: Vec<UserParameter>,
) -> Result<SifProblem, SifError> {
    let used = used_elements(&model);
    let elements = TypeCompiler::new(file, "element", "ELEMENTS", elements_part)?;
    let el = compile_elements(&model, &used, elements)?;
    // (after the elements: errors come in the order of the file)
    let groups = TypeCompiler::new(file, "group", "GROUPS", groups_part)?;
    let gf = compile_groups(&model, groups)?;
    let arg = group_arguments(&model, &used, &el);
    let (obj_groups, con_groups): (Vec<u32>, Vec<u32>) = (0..model.groups.len() as u32)
        .partition(|&g| model.groups[g as usize].kind == GroupKind::Objective);
    let nel = used.len() as u32;
    let obj_elements = elements_of(&obj_groups, &arg, nel);
    let con_elements = elements_of(&con_groups, &arg, nel);
    // Quadratic objective entries, lower triangle.
    let quad: Vec<(u32, u32, f64)> = model
        .quadratic
        .iter()
        .map(|&(i, j, h)| (i.max(j) as u32, i.min(j) as u32, h))
        .collect();
    let has_objective = !obj_groups.is_empty() || !quad.is_empty();
    let (info, constraint_kinds) = problem_info(
        &model,
        &con_groups,
        &gf.scale,
        classification,
        has_objective,
    );
    let jacobian = jacobian_pattern(&con_groups, &arg, info.n());
    let max_regs = el
        .types
        .iter()
        .map(|t| t.prog.nregs)
        .chain(gf.types.iter().map(|t| t.prog.nregs))
        .max()
        .unwrap_or(0);
    Ok(SifProblem {
        info,
        parameters,
        constraint_kinds,
        objective_bounds: model.object_bounds,
        el,
        gf,
        arg,
        obj_groups,
        con_groups,
        obj_elements,
        con_elements,
        all_elements: (0..nel).collect(),
        quad,
        jacobian,
        hessian: OnceLock::new(),
        max_regs,
        pool: Pool::default(),
    })
}

/// The elements groups use, by their index in the model, in order of first use.
struct UsedElements {
    list: Vec<usize>,
    /// New index of each element in use.
    index: HashMap<usize, u32>,
}

impl UsedElements {
    fn len(&self) -> usize {
        self.list.len()
    }
}

fn used_elements(model: &Model) -> UsedElements {
    let mut used = UsedElements {
        list: Vec::new(),
        index: HashMap::default(),
    };
    for g in &model.groups {
        for &(e, _) in &g.elements {
            used.index.entry(e).or_insert_with(|| {
                used.list.push(e);
                (used.list.len() - 1) as u32
            });
        }
    }
    used
}

/// The value `list` gives `name` (an exact match first, then one ignoring case).
fn lookup<T: Copy>(list: &[(String, T)], name: &str) -> Option<T> {
    list.iter()
        .find(|(n, _)| n == name)
        .or_else(|| list.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
        .map(|&(_, v)| v)
}

/// The compiled types of one function part (ELEMENTS or GROUPS), compiled on first use.
struct TypeCompiler<'a, P> {
    file: &'a str,
    /// "element" or "group".
    what: &'static str,
    /// "ELEMENTS" or "GROUPS".
    section: &'static str,
    part: Option<(&'a Part, Globals)>,
    /// Index in `programs` of each model type compiled so far.
    compiled: HashMap<usize, u32>,
    programs: Vec<P>,
}

impl<'a, P> TypeCompiler<'a, P> {
    fn new(
        file: &'a str,
        what: &'static str,
        section: &'static str,
        part: Option<&'a Part>,
    ) -> Result<Self, SifError> {
        let part = match part {
            Some(p) => Some((p, fold_globals(p).map_err(|e| e.into_sif(file))?)),
            None => None,
        };
        Ok(Self {
            file,
            what,
            section,
            part,
            compiled: HashMap::default(),
            programs: Vec::new(),
        })
    }

    /// The program index of model type `t` named `name`, compiling it on its first use with
    /// `compile(body, part, globals)`.
    fn get(
        &mut self,
        t: usize,
        name: &str,
        compile: impl FnOnce(&TypeBody, &Part, &Globals) -> Result<P, SifError>,
    ) -> Result<u32, SifError> {
        if let Some(&k) = self.compiled.get(&t) {
            return Ok(k);
        }
        let (what, section) = (self.what, self.section);
        let Some((part, globals)) = &self.part else {
            return Err(invalid(
                self.file,
                format!("{what} type {name} is used but the file has no {section} part"),
            ));
        };
        let body = part.body(name).ok_or_else(|| {
            invalid(
                self.file,
                format!("{what} type {name} has no definition in the {section} part"),
            )
        })?;
        self.programs.push(compile(body, part, globals)?);
        let k = (self.programs.len() - 1) as u32;
        self.compiled.insert(t, k);
        Ok(k)
    }
}

/// Compiles the element types in use and flattens the elements' variables and parameters.
fn compile_elements(
    model: &Model,
    used: &UsedElements,
    mut types: TypeCompiler<'_, ElementProgram>,
) -> Result<Elements, SifError> {
    let file = types.file;
    let sif = |e: CardError| e.into_sif(file);
    let mut el = Elements {
        type_of: Vec::with_capacity(used.len()),
        h_ptr: vec![0],
        ..Elements::default()
    };
    for &e in &used.list {
        let def = &model.elements[e];
        let ename = &model.element_names.list[e];
        let t = def.etype.or(model.default_etype).ok_or_else(|| {
            invalid(
                file,
                format!("element {ename} (line {}) has no type", def.line),
            )
        })?;
        let decl = &model.etypes[t];
        let tname = &model.etype_names.list[t];
        el.type_of.push(types.get(t, tname, |body, part, globals| {
            compile_element(tname, &decl.evs, &decl.ivs, &decl.eps, body, part, globals)
                .map_err(sif)
        })?);
        for ev in &decl.evs {
            let v = lookup(&def.vars, ev).ok_or_else(|| {
                invalid(
                    file,
                    format!(
                        "element {ename} (line {}) has no variable for {ev}",
                        def.line
                    ),
                )
            })?;
            el.vars.push(v as u32);
        }
        if let Some((name, _)) = def
            .vars
            .iter()
            .find(|(name, _)| !decl.evs.iter().any(|ev| ev.eq_ignore_ascii_case(name)))
        {
            return Err(invalid(
                file,
                format!("element {ename}: {name} is not an elemental variable of type {tname}"),
            ));
        }
        for ep in &decl.eps {
            let v = lookup(&def.params, ep).ok_or_else(|| {
                invalid(
                    file,
                    format!(
                        "element {ename} (line {}) has no value for parameter {ep}",
                        def.line
                    ),
                )
            })?;
            el.pars.push(v);
        }
        el.vars.end_row();
        el.pars.end_row();
        let nev = decl.evs.len();
        el.h_ptr
            .push(el.h_ptr.last().copied().unwrap_or(0) + nev * (nev + 1) / 2);
    }
    el.types = types.programs;
    el.max_niv = el.types.iter().map(|t| t.niv.max(t.nev)).max().unwrap_or(0);
    Ok(el)
}

/// Compiles the group types in use and flattens the groups' types, parameters and scales.
fn compile_groups(
    model: &Model,
    mut types: TypeCompiler<'_, GroupProgram>,
) -> Result<GroupFunctions, SifError> {
    let file = types.file;
    let sif = |e: CardError| e.into_sif(file);
    let mut gf = GroupFunctions {
        type_of: Vec::with_capacity(model.groups.len()),
        ..GroupFunctions::default()
    };
    for (gi, g) in model.groups.iter().enumerate() {
        let gname = &model.group_names.list[gi];
        // The default type applies to untyped groups.
        match g.gtype.or(model.default_gtype) {
            None => {
                if let Some((p, _)) = g.gparams.first() {
                    return Err(invalid(
                        file,
                        format!("group {gname} is trivial but has parameter {p}"),
                    ));
                }
                gf.type_of.push(TRIVIAL);
            }
            Some(t) => {
                let decl = &model.gtypes[t];
                let tname = &model.gtype_names.list[t];
                gf.type_of.push(types.get(t, tname, |body, part, globals| {
                    if decl.var.is_empty() {
                        return Err(invalid(file, format!("group type {tname} has no GV card")));
                    }
                    compile_group(tname, &decl.var, &decl.params, body, part, globals).map_err(sif)
                })?);
                for gp in &decl.params {
                    let v = lookup(&g.gparams, gp).ok_or_else(|| {
                        invalid(
                            file,
                            format!("group {gname} has no value for parameter {gp}"),
                        )
                    })?;
                    gf.pars.push(v);
                }
            }
        }
        gf.pars.end_row();
    }
    gf.types = types.programs;
    // S2MPJ treats a zero scale as 1.
    gf.scale = model
        .groups
        .iter()
        .map(|g| match g.scale {
            Some(s) if s.abs() > 1e-15 => s,
            _ => 1.0,
        })
        .collect();
    Ok(gf)
}

/// The group arguments: linear parts (duplicates summed), element uses, local variables and
/// constants.
fn group_arguments(model: &Model, used: &UsedElements, el: &Elements) -> GroupArguments {
    let mut arg = GroupArguments::default();
    for g in &model.groups {
        let mut lin: Vec<(usize, f64)> = g.linear.clone();
        lin.sort_by_key(|&(v, _)| v);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(lin.len());
        for (v, a) in lin {
            match merged.last_mut() {
                Some(last) if last.0 == v => last.1 += a,
                _ => merged.push((v, a)),
            }
        }
        let index = |e: &usize| used.index[e];
        let mut loc: Vec<u32> = merged.iter().map(|&(v, _)| v as u32).collect();
        for (e, _) in &g.elements {
            loc.extend_from_slice(el.vars.row(index(e) as usize));
        }
        loc.sort_unstable();
        loc.dedup();
        let pos = |v: u32| loc.binary_search(&v).unwrap_or(0) as u32;
        for (v, coef) in merged {
            let var = v as u32;
            arg.lin.push(LinearTerm {
                var,
                loc: pos(var),
                coef,
            });
        }
        arg.lin.end_row();
        for &(e, w) in &g.elements {
            let k = index(&e);
            arg.uses.push(ElementUse { el: k, w });
            arg.use_loc
                .extend(el.vars.row(k as usize).iter().map(|&v| pos(v)));
            arg.use_loc.end_row();
        }
        arg.uses.end_row();
        arg.max_loc = arg.max_loc.max(loc.len());
        arg.loc.extend(loc);
        arg.loc.end_row();
    }
    arg.constant = (0..model.groups.len())
        .map(|g| model.constants.get(g))
        .collect();
    arg
}

/// The elements (new indices below `count`) the given groups use, sorted.
fn elements_of(groups: &[u32], arg: &GroupArguments, count: u32) -> Vec<u32> {
    let mut seen = vec![false; count as usize];
    let mut out = Vec::new();
    for &g in groups {
        for u in arg.uses.row(g as usize) {
            if !seen[u.el as usize] {
                seen[u.el as usize] = true;
                out.push(u.el);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Names, start point and bounds; constraint bounds come from the group kind and RANGES,
/// scaled like the constraint. Returns the kind of each constraint beside.
fn problem_info(
    model: &Model,
    con_groups: &[u32],
    scale: &[f64],
    classification: Option<String>,
    has_objective: bool,
) -> (ProblemInfo, Vec<GroupKind>) {
    let n = model.vars.len();
    let mut constraint_lower = Vec::with_capacity(con_groups.len());
    let mut constraint_upper = Vec::with_capacity(con_groups.len());
    let mut constraint_kinds = Vec::with_capacity(con_groups.len());
    for &g in con_groups {
        let kind = model.groups[g as usize].kind;
        let range = model.ranges.get(g as usize).filter(|r| r.abs() < INFINITY);
        let (lo, up) = match (kind, range) {
            (GroupKind::Equal, None) => (0.0, 0.0),
            (GroupKind::Equal, Some(r)) if r >= 0.0 => (0.0, r),
            (GroupKind::Equal, Some(r)) => (r, 0.0),
            (GroupKind::Less, None) => (f64::NEG_INFINITY, 0.0),
            (GroupKind::Less, Some(r)) => (-r.abs(), 0.0),
            (GroupKind::Greater, None) => (0.0, f64::INFINITY),
            (GroupKind::Greater, Some(r)) => (0.0, r.abs()),
            // (objective groups are not constraints)
            (GroupKind::Objective, _) => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let s = scale[g as usize];
        let (lo, up) = if s > 0.0 {
            (lo / s, up / s)
        } else {
            (up / s, lo / s)
        };
        constraint_lower.push(lo);
        constraint_upper.push(up);
        constraint_kinds.push(kind);
    }
    let (b, s) = (&model.bounds, &model.start);
    let info = ProblemInfo {
        name: model.name.clone(),
        classification,
        variable_names: model.vars.list.clone(),
        constraint_names: con_groups
            .iter()
            .map(|&g| model.group_names.list[g as usize].clone())
            .collect(),
        x0: (0..n).map(|v| s.x.get(v)).collect(),
        y0: s
            .has_y
            .then(|| con_groups.iter().map(|&g| s.y.get(g as usize)).collect()),
        lower: (0..n).map(|v| b.lo.get(v)).collect(),
        upper: (0..n).map(|v| b.up.get(v)).collect(),
        constraint_lower,
        constraint_upper,
        has_objective,
    };
    (info, constraint_kinds)
}

/// The Jacobian pattern: row r holds the local variables of its group, in order.
fn jacobian_pattern(con_groups: &[u32], arg: &GroupArguments, n: usize) -> SparsityPattern {
    let mut rows = Vec::new();
    let mut cols = Vec::new();
    for (r, &g) in con_groups.iter().enumerate() {
        for &v in arg.loc.row(g as usize) {
            rows.push(r);
            cols.push(v as usize);
        }
    }
    SparsityPattern::new(con_groups.len(), n, rows, cols)
}
