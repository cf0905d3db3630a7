//! The decoded problem: variables, bounds, start point, the compiled element and group
//! types, the flattened element/group structure used by the evaluator, and the sparsity
//! patterns (Jacobian computed at load time, Hessian on first use).

use crate::hash::FastMap as HashMap;
use std::sync::{Mutex, OnceLock};

use opal_problems::{ProblemInfo, SparsityPattern};

use crate::error::SifError;
use crate::functions::{
    ElementProgram, GroupProgram, Part, compile_element, compile_group, fold_globals,
};
use crate::params::UserParameter;
use crate::sections::{GroupKind, Model};

/// Marks a trivial group (g(t) = t) in `group_type`.
pub(crate) const TRIVIAL: u32 = u32::MAX;

/// A SIF problem decoded and compiled, ready to evaluate (implements
/// [`opal_problems::SmoothProblem`]).
///
/// Objective: the sum over objective groups of g_i(t_i)/s_i plus the quadratic term;
/// constraints: c_i = g_i(t_i)/s_i for the other groups in declaration order, where
/// t_i = a_i^T x - b_i + sum_e w_e f_e(x) (the convention of CUTEst and S2MPJ).
#[derive(Debug)]
pub struct SifProblem {
    pub(crate) info: ProblemInfo,
    pub(crate) parameters: Vec<UserParameter>,
    pub(crate) constraint_kinds: Vec<GroupKind>,
    pub(crate) objective_bounds: (Option<f64>, Option<f64>),

    pub(crate) etypes: Vec<ElementProgram>,
    pub(crate) gtypes: Vec<GroupProgram>,

    // Elements in use, flattened.
    pub(crate) el_type: Vec<u32>,
    pub(crate) el_var_ptr: Vec<usize>,
    pub(crate) el_vars: Vec<u32>,
    pub(crate) el_par_ptr: Vec<usize>,
    pub(crate) el_pars: Vec<f64>,
    pub(crate) el_h_ptr: Vec<usize>,

    // Groups, flattened.
    pub(crate) group_scale: Vec<f64>,
    pub(crate) group_const: Vec<f64>,
    pub(crate) group_type: Vec<u32>,
    pub(crate) group_par_ptr: Vec<usize>,
    pub(crate) group_pars: Vec<f64>,
    pub(crate) lin_ptr: Vec<usize>,
    pub(crate) lin_var: Vec<u32>,
    pub(crate) lin_coef: Vec<f64>,
    pub(crate) lin_loc: Vec<u32>,
    pub(crate) use_ptr: Vec<usize>,
    pub(crate) use_el: Vec<u32>,
    pub(crate) use_w: Vec<f64>,
    pub(crate) use_loc_ptr: Vec<usize>,
    pub(crate) use_loc: Vec<u32>,
    pub(crate) loc_ptr: Vec<usize>,
    pub(crate) loc_vars: Vec<u32>,

    pub(crate) obj_groups: Vec<u32>,
    pub(crate) con_groups: Vec<u32>,
    pub(crate) obj_elements: Vec<u32>,
    pub(crate) con_elements: Vec<u32>,
    pub(crate) all_elements: Vec<u32>,
    /// Quadratic objective entries (row >= col, h).
    pub(crate) quad: Vec<(u32, u32, f64)>,

    pub(crate) jacobian: SparsityPattern,
    pub(crate) hessian: OnceLock<HessianStructure>,
    pub(crate) max_regs: usize,
    pub(crate) max_loc: usize,
    pub(crate) max_niv: usize,
    pub(crate) pool: Mutex<Vec<crate::eval::Workspace>>,
}

/// The Hessian pattern and where each contribution goes in it.
#[derive(Debug)]
pub(crate) struct HessianStructure {
    pub pattern: SparsityPattern,
    /// Per element, slots of its packed lower triangle (offsets `el_h_ptr`).
    pub el_slot: Vec<u32>,
    /// Per group, offset into `group_slot` of its packed outer product (nontrivial groups).
    pub group_slot_ptr: Vec<usize>,
    pub group_slot: Vec<u32>,
    /// Slots of the quadratic entries.
    pub quad_slot: Vec<u32>,
}

impl SifProblem {
    /// Parameters the file declares as user-settable (`$-PARAMETER`), with the values used.
    pub fn parameters(&self) -> &[UserParameter] {
        &self.parameters
    }

    /// Kind of each constraint as written in the file (`E`, `L`, `G`; ranged rows keep
    /// their kind), in the order of the constraints.
    pub fn constraint_kinds(&self) -> &[GroupKind] {
        &self.constraint_kinds
    }

    /// Known lower and upper bounds on the objective (OBJECT BOUND).
    pub fn objective_bounds(&self) -> (Option<f64>, Option<f64>) {
        self.objective_bounds
    }

    /// Number of objective groups (0 for feasibility problems, even with a QUADRATIC term).
    pub fn num_objective_groups(&self) -> usize {
        self.obj_groups.len()
    }

    /// Number of nonlinear elements in use.
    pub fn num_elements(&self) -> usize {
        self.el_type.len()
    }

    pub(crate) fn hessian_structure(&self) -> &HessianStructure {
        self.hessian.get_or_init(|| build_hessian(self))
    }
}

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
    let n = model.vars.len();
    let ng = model.groups.len();
    let sif = |e: crate::error::CardError| e.into_sif(file);

    // Groups: resolve types (default type applies to untyped groups).
    let group_type_of: Vec<Option<usize>> = model
        .groups
        .iter()
        .map(|g| g.gtype.or(model.default_gtype))
        .collect();

    // Elements in use, in order of first use by a group.
    let mut el_new: HashMap<usize, u32> = HashMap::default();
    let mut used_elements: Vec<usize> = Vec::new();
    for g in &model.groups {
        for &(e, _) in &g.elements {
            el_new.entry(e).or_insert_with(|| {
                used_elements.push(e);
                (used_elements.len() - 1) as u32
            });
        }
    }

    // Compile the element types in use.
    let mut etype_new: HashMap<usize, u32> = HashMap::default();
    let mut etypes: Vec<ElementProgram> = Vec::new();
    let eglobals = match elements_part {
        Some(p) => Some(fold_globals(p).map_err(sif)?),
        None => None,
    };
    let mut el_type = Vec::with_capacity(used_elements.len());
    let mut el_var_ptr = vec![0usize];
    let mut el_vars: Vec<u32> = Vec::new();
    let mut el_par_ptr = vec![0usize];
    let mut el_pars: Vec<f64> = Vec::new();
    let mut el_h_ptr = vec![0usize];
    for &e in &used_elements {
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
        let tnew = match etype_new.get(&t) {
            Some(&k) => k,
            None => {
                let (part, globals) = match (elements_part, &eglobals) {
                    (Some(p), Some(g)) => (p, g),
                    _ => {
                        return Err(invalid(
                            file,
                            format!(
                                "element type {tname} is used but the file has no ELEMENTS part"
                            ),
                        ));
                    }
                };
                let body = part.body(tname).ok_or_else(|| {
                    invalid(
                        file,
                        format!("element type {tname} has no definition in the ELEMENTS part"),
                    )
                })?;
                let prog =
                    compile_element(tname, &decl.evs, &decl.ivs, &decl.eps, body, part, globals)
                        .map_err(sif)?;
                etypes.push(prog);
                let k = (etypes.len() - 1) as u32;
                etype_new.insert(t, k);
                k
            }
        };
        el_type.push(tnew);
        for ev in &decl.evs {
            let v = def
                .vars
                .iter()
                .find(|(n, _)| n == ev)
                .or_else(|| def.vars.iter().find(|(n, _)| n.eq_ignore_ascii_case(ev)))
                .map(|&(_, v)| v)
                .ok_or_else(|| {
                    invalid(
                        file,
                        format!(
                            "element {ename} (line {}) has no variable for {ev}",
                            def.line
                        ),
                    )
                })?;
            el_vars.push(v as u32);
        }
        for (name, _) in &def.vars {
            if !decl.evs.iter().any(|ev| ev.eq_ignore_ascii_case(name)) {
                return Err(invalid(
                    file,
                    format!("element {ename}: {name} is not an elemental variable of type {tname}"),
                ));
            }
        }
        for ep in &decl.eps {
            let v = def
                .params
                .iter()
                .find(|(n, _)| n == ep)
                .or_else(|| def.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(ep)))
                .map(|&(_, v)| v)
                .ok_or_else(|| {
                    invalid(
                        file,
                        format!(
                            "element {ename} (line {}) has no value for parameter {ep}",
                            def.line
                        ),
                    )
                })?;
            el_pars.push(v);
        }
        el_var_ptr.push(el_vars.len());
        el_par_ptr.push(el_pars.len());
        let nev = decl.evs.len();
        el_h_ptr.push(el_h_ptr.last().copied().unwrap_or(0) + nev * (nev + 1) / 2);
    }

    // Compile the group types in use.
    let gglobals = match groups_part {
        Some(p) => Some(fold_globals(p).map_err(sif)?),
        None => None,
    };
    let mut gtype_new: HashMap<usize, u32> = HashMap::default();
    let mut gtypes: Vec<GroupProgram> = Vec::new();
    let mut group_type = Vec::with_capacity(ng);
    let mut group_par_ptr = vec![0usize];
    let mut group_pars = Vec::new();
    for (gi, g) in model.groups.iter().enumerate() {
        let gname = &model.group_names.list[gi];
        match group_type_of[gi] {
            None => {
                if let Some((p, _)) = g.gparams.first() {
                    return Err(invalid(
                        file,
                        format!("group {gname} is trivial but has parameter {p}"),
                    ));
                }
                group_type.push(TRIVIAL);
            }
            Some(t) => {
                let decl = &model.gtypes[t];
                let tname = &model.gtype_names.list[t];
                let k = match gtype_new.get(&t) {
                    Some(&k) => k,
                    None => {
                        let (part, globals) = match (groups_part, &gglobals) {
                            (Some(p), Some(gl)) => (p, gl),
                            _ => {
                                return Err(invalid(
                                    file,
                                    format!(
                                        "group type {tname} is used but the file has no GROUPS part"
                                    ),
                                ));
                            }
                        };
                        let body = part.body(tname).ok_or_else(|| {
                            invalid(
                                file,
                                format!("group type {tname} has no definition in the GROUPS part"),
                            )
                        })?;
                        if decl.var.is_empty() {
                            return Err(invalid(
                                file,
                                format!("group type {tname} has no GV card"),
                            ));
                        }
                        let prog =
                            compile_group(tname, &decl.var, &decl.params, body, part, globals)
                                .map_err(sif)?;
                        gtypes.push(prog);
                        let k = (gtypes.len() - 1) as u32;
                        gtype_new.insert(t, k);
                        k
                    }
                };
                group_type.push(k);
                for gp in &decl.params {
                    let v = g
                        .gparams
                        .iter()
                        .find(|(n, _)| n == gp)
                        .or_else(|| g.gparams.iter().find(|(n, _)| n.eq_ignore_ascii_case(gp)))
                        .map(|&(_, v)| v)
                        .ok_or_else(|| {
                            invalid(
                                file,
                                format!("group {gname} has no value for parameter {gp}"),
                            )
                        })?;
                    group_pars.push(v);
                }
            }
        }
        group_par_ptr.push(group_pars.len());
    }

    // Linear parts (duplicates summed), element uses and local variable sets.
    let mut lin_ptr = vec![0usize];
    let (mut lin_var, mut lin_coef, mut lin_loc) = (Vec::new(), Vec::new(), Vec::new());
    let mut use_ptr = vec![0usize];
    let (mut use_el, mut use_w) = (Vec::new(), Vec::new());
    let mut use_loc_ptr = vec![0usize];
    let mut use_loc = Vec::new();
    let mut loc_ptr = vec![0usize];
    let mut loc_vars: Vec<u32> = Vec::new();
    let mut max_loc = 0;
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
        let mut loc: Vec<u32> = merged.iter().map(|&(v, _)| v as u32).collect();
        for &(e, _) in &g.elements {
            let k = el_new[&e] as usize;
            loc.extend_from_slice(&el_vars[el_var_ptr[k]..el_var_ptr[k + 1]]);
        }
        loc.sort_unstable();
        loc.dedup();
        let pos = |v: u32| loc.binary_search(&v).unwrap_or(0) as u32;
        for (v, a) in merged {
            lin_var.push(v as u32);
            lin_coef.push(a);
            lin_loc.push(pos(v as u32));
        }
        lin_ptr.push(lin_var.len());
        for &(e, w) in &g.elements {
            let k = el_new[&e] as usize;
            use_el.push(k as u32);
            use_w.push(w);
            for &v in &el_vars[el_var_ptr[k]..el_var_ptr[k + 1]] {
                use_loc.push(pos(v));
            }
            use_loc_ptr.push(use_loc.len());
        }
        use_ptr.push(use_el.len());
        max_loc = max_loc.max(loc.len());
        loc_vars.extend_from_slice(&loc);
        loc_ptr.push(loc_vars.len());
    }

    // Objective and constraint groups.
    let mut obj_groups = Vec::new();
    let mut con_groups = Vec::new();
    for (gi, g) in model.groups.iter().enumerate() {
        if g.kind == GroupKind::Objective {
            obj_groups.push(gi as u32);
        } else {
            con_groups.push(gi as u32);
        }
    }
    let elements_of = |groups: &[u32]| -> Vec<u32> {
        let mut seen = vec![false; used_elements.len()];
        let mut out = Vec::new();
        for &g in groups {
            for &k in &use_el[use_ptr[g as usize]..use_ptr[g as usize + 1]] {
                if !seen[k as usize] {
                    seen[k as usize] = true;
                    out.push(k);
                }
            }
        }
        out.sort_unstable();
        out
    };
    let obj_elements = elements_of(&obj_groups);
    let con_elements = elements_of(&con_groups);
    let all_elements: Vec<u32> = (0..used_elements.len() as u32).collect();

    // Scale (S2MPJ treats a zero scale as 1) and constants.
    let group_scale: Vec<f64> = model
        .groups
        .iter()
        .map(|g| match g.scale {
            Some(s) if s.abs() > 1e-15 => s,
            _ => 1.0,
        })
        .collect();
    let group_const: Vec<f64> = (0..ng)
        .map(|g| {
            model
                .constants
                .values
                .get(&g)
                .copied()
                .unwrap_or(model.constants.default)
        })
        .collect();

    // Constraint bounds from the group kind and RANGES (scaled like the constraint).
    let mut constraint_lower = Vec::with_capacity(con_groups.len());
    let mut constraint_upper = Vec::with_capacity(con_groups.len());
    let mut constraint_kinds = Vec::with_capacity(con_groups.len());
    for &g in &con_groups {
        let def = &model.groups[g as usize];
        let range = model
            .ranges
            .values
            .get(&(g as usize))
            .copied()
            .unwrap_or(model.ranges.default)
            .filter(|r| r.abs() < crate::sections::INFINITY);
        let (lo, up) = match (def.kind, range) {
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
        let s = group_scale[g as usize];
        let (lo, up) = if s > 0.0 {
            (lo / s, up / s)
        } else {
            (up / s, lo / s)
        };
        constraint_lower.push(lo);
        constraint_upper.push(up);
        constraint_kinds.push(def.kind);
    }

    // Quadratic objective entries, lower triangle.
    let quad: Vec<(u32, u32, f64)> = model
        .quadratic
        .iter()
        .map(|&(i, j, h)| (i.max(j) as u32, i.min(j) as u32, h))
        .collect();

    let b = &model.bounds;
    let lower: Vec<f64> = (0..n)
        .map(|v| *b.lo.get(&v).unwrap_or(&b.default_lo))
        .collect();
    let upper: Vec<f64> = (0..n)
        .map(|v| *b.up.get(&v).unwrap_or(&b.default_up))
        .collect();
    let s = &model.start;
    let x0: Vec<f64> = (0..n)
        .map(|v| *s.x.get(&v).unwrap_or(&s.default_x))
        .collect();
    let y0 = s.has_y.then(|| {
        con_groups
            .iter()
            .map(|&g| *s.y.get(&(g as usize)).unwrap_or(&s.default_y))
            .collect()
    });
    let info = ProblemInfo {
        name: model.name.clone(),
        classification,
        variable_names: model.vars.list.clone(),
        constraint_names: con_groups
            .iter()
            .map(|&g| model.group_names.list[g as usize].clone())
            .collect(),
        x0,
        y0,
        lower,
        upper,
        constraint_lower,
        constraint_upper,
        has_objective: !obj_groups.is_empty() || !quad.is_empty(),
    };

    // Jacobian pattern: row r holds the local variables of its group, in order.
    let mut rows = Vec::new();
    let mut cols = Vec::new();
    for (r, &g) in con_groups.iter().enumerate() {
        for &v in &loc_vars[loc_ptr[g as usize]..loc_ptr[g as usize + 1]] {
            rows.push(r);
            cols.push(v as usize);
        }
    }
    let jacobian = SparsityPattern::new(con_groups.len(), n, rows, cols);

    let max_regs = etypes
        .iter()
        .map(|t| t.prog.nregs)
        .chain(gtypes.iter().map(|t| t.prog.nregs))
        .max()
        .unwrap_or(0);
    let max_niv = etypes.iter().map(|t| t.niv.max(t.nev)).max().unwrap_or(0);

    Ok(SifProblem {
        info,
        parameters,
        constraint_kinds,
        objective_bounds: model.object_bounds,
        etypes,
        gtypes,
        el_type,
        el_var_ptr,
        el_vars,
        el_par_ptr,
        el_pars,
        el_h_ptr,
        group_scale,
        group_const,
        group_type,
        group_par_ptr,
        group_pars,
        lin_ptr,
        lin_var,
        lin_coef,
        lin_loc,
        use_ptr,
        use_el,
        use_w,
        use_loc_ptr,
        use_loc,
        loc_ptr,
        loc_vars,
        obj_groups,
        con_groups,
        obj_elements,
        con_elements,
        all_elements,
        quad,
        jacobian,
        hessian: OnceLock::new(),
        max_regs,
        max_loc,
        max_niv,
        pool: Mutex::new(Vec::new()),
    })
}

/// The lower-triangle pattern of the Hessian of the Lagrangian and the slots of every
/// contribution (element Hessians, outer products of nontrivial groups, quadratic terms).
fn build_hessian(p: &SifProblem) -> HessianStructure {
    let n = p.info.n();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let ne = p.el_type.len();
    for e in 0..ne {
        let vars = &p.el_vars[p.el_var_ptr[e]..p.el_var_ptr[e + 1]];
        for a in 0..vars.len() {
            for b in 0..=a {
                pairs.push((vars[a].max(vars[b]), vars[a].min(vars[b])));
            }
        }
    }
    let ng = p.group_type.len();
    for g in 0..ng {
        if p.group_type[g] == TRIVIAL {
            continue;
        }
        let loc = &p.loc_vars[p.loc_ptr[g]..p.loc_ptr[g + 1]];
        for i in 0..loc.len() {
            for j in 0..=i {
                pairs.push((loc[i], loc[j]));
            }
        }
    }
    for &(i, j, _) in &p.quad {
        pairs.push((i, j));
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut row_ptr = vec![0usize; n + 1];
    for &(i, _) in &pairs {
        row_ptr[i as usize + 1] += 1;
    }
    for i in 0..n {
        row_ptr[i + 1] += row_ptr[i];
    }
    let cols_u32: Vec<u32> = pairs.iter().map(|&(_, j)| j).collect();
    let slot = |i: u32, j: u32| -> u32 {
        let (i, j) = (i.max(j), i.min(j));
        let (a, b) = (row_ptr[i as usize], row_ptr[i as usize + 1]);
        (a + cols_u32[a..b].binary_search(&j).unwrap_or(0)) as u32
    };
    let mut el_slot = Vec::with_capacity(p.el_h_ptr.last().copied().unwrap_or(0));
    for e in 0..ne {
        let vars = &p.el_vars[p.el_var_ptr[e]..p.el_var_ptr[e + 1]];
        for a in 0..vars.len() {
            for b in 0..=a {
                el_slot.push(slot(vars[a], vars[b]));
            }
        }
        debug_assert_eq!(el_slot.len(), p.el_h_ptr[e + 1]);
    }
    let mut group_slot_ptr = vec![0usize];
    let mut group_slot = Vec::new();
    for g in 0..ng {
        if p.group_type[g] != TRIVIAL {
            let loc = &p.loc_vars[p.loc_ptr[g]..p.loc_ptr[g + 1]];
            for i in 0..loc.len() {
                for j in 0..=i {
                    group_slot.push(slot(loc[i], loc[j]));
                }
            }
        }
        group_slot_ptr.push(group_slot.len());
    }
    let quad_slot = p.quad.iter().map(|&(i, j, _)| slot(i, j)).collect();
    let rows: Vec<usize> = pairs.iter().map(|&(i, _)| i as usize).collect();
    let cols: Vec<usize> = pairs.iter().map(|&(_, j)| j as usize).collect();
    HessianStructure {
        pattern: SparsityPattern::new(n, n, rows, cols),
        el_slot,
        group_slot_ptr,
        group_slot,
        quad_slot,
    }
}
