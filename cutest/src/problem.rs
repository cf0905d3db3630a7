//! The decoded problem: variables, bounds, start point, the compiled element and group
//! types, the flattened element/group structure used by the evaluator, and the sparsity
//! patterns (Jacobian computed at load time, Hessian on first use).

use std::sync::OnceLock;

use opal_problems::{ProblemInfo, SparsityPattern};

use crate::functions::{ElementProgram, GroupProgram};
use crate::params::UserParameter;
use crate::sections::GroupKind;
use crate::workspace::Pool;

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
    pub(crate) el: Elements,
    pub(crate) gf: GroupFunctions,
    pub(crate) arg: GroupArguments,
    /// Objective groups, in order.
    pub(crate) obj_groups: Vec<u32>,
    /// Constraint groups, in order (constraint r is group `con_groups[r]`).
    pub(crate) con_groups: Vec<u32>,
    /// Elements used by objective groups, by constraint groups, and all of them (sorted).
    pub(crate) obj_elements: Vec<u32>,
    pub(crate) con_elements: Vec<u32>,
    pub(crate) all_elements: Vec<u32>,
    /// Quadratic objective entries (row >= col, h).
    pub(crate) quad: Vec<(u32, u32, f64)>,
    pub(crate) jacobian: SparsityPattern,
    pub(crate) hessian: OnceLock<HessianStructure>,
    /// Most registers any compiled program needs.
    pub(crate) max_regs: usize,
    pub(crate) pool: Pool,
}

/// The elements in use, flattened: element k's variables are
/// `vars[var_ptr[k]..var_ptr[k + 1]]`, its parameters `pars[par_ptr[k]..par_ptr[k + 1]]`
/// and its packed Hessian `h_ptr[k]..h_ptr[k + 1]` of the packed element Hessians.
#[derive(Debug, Default)]
pub(crate) struct Elements {
    /// The compiled element types in use.
    pub types: Vec<ElementProgram>,
    /// Type of each element (index into `types`).
    pub type_of: Vec<u32>,
    pub var_ptr: Vec<usize>,
    pub vars: Vec<u32>,
    pub par_ptr: Vec<usize>,
    pub pars: Vec<f64>,
    pub h_ptr: Vec<usize>,
    /// Most internal (or elemental) variables of an element type.
    pub max_niv: usize,
}

/// The group functions g_i and scales s_i: group g's parameters are
/// `pars[par_ptr[g]..par_ptr[g + 1]]`.
#[derive(Debug, Default)]
pub(crate) struct GroupFunctions {
    /// The compiled group types in use.
    pub types: Vec<GroupProgram>,
    /// Type of each group (index into `types`, [`TRIVIAL`] for g(t) = t).
    pub type_of: Vec<u32>,
    pub par_ptr: Vec<usize>,
    pub pars: Vec<f64>,
    /// Scale of each group (the group is divided by it).
    pub scale: Vec<f64>,
}

/// The group arguments t_g = a_g^T x - b_g + sum_e w_e f_e(x), flattened by group: the
/// linear part of group g is `lin_ptr[g]..lin_ptr[g + 1]` (duplicates summed), its element
/// uses `use_ptr[g]..use_ptr[g + 1]`, its local variables (those of the linear part and of
/// its elements, sorted) `loc_vars[loc_ptr[g]..loc_ptr[g + 1]]`; `lin_loc` and `use_loc`
/// give positions among the local variables.
#[derive(Debug, Default)]
pub(crate) struct GroupArguments {
    /// The constant b_g of each group.
    pub constant: Vec<f64>,
    pub lin_ptr: Vec<usize>,
    pub lin_var: Vec<u32>,
    pub lin_coef: Vec<f64>,
    pub lin_loc: Vec<u32>,
    pub use_ptr: Vec<usize>,
    pub use_el: Vec<u32>,
    pub use_w: Vec<f64>,
    /// Element use k's variables among the local ones: `use_loc[use_loc_ptr[k]..use_loc_ptr[k + 1]]`.
    pub use_loc_ptr: Vec<usize>,
    pub use_loc: Vec<u32>,
    pub loc_ptr: Vec<usize>,
    pub loc_vars: Vec<u32>,
    /// Most local variables of a group.
    pub max_loc: usize,
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
        self.el.type_of.len()
    }

    pub(crate) fn hessian_structure(&self) -> &HessianStructure {
        self.hessian.get_or_init(|| build_hessian(self))
    }
}

/// The lower-triangle pattern of the Hessian of the Lagrangian and the slots of every
/// contribution (element Hessians, outer products of nontrivial groups, quadratic terms).
fn build_hessian(p: &SifProblem) -> HessianStructure {
    let n = p.info.n();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let ne = p.el.type_of.len();
    for e in 0..ne {
        let vars = &p.el.vars[p.el.var_ptr[e]..p.el.var_ptr[e + 1]];
        for a in 0..vars.len() {
            for b in 0..=a {
                pairs.push((vars[a].max(vars[b]), vars[a].min(vars[b])));
            }
        }
    }
    let ng = p.gf.type_of.len();
    for g in 0..ng {
        if p.gf.type_of[g] == TRIVIAL {
            continue;
        }
        let loc = &p.arg.loc_vars[p.arg.loc_ptr[g]..p.arg.loc_ptr[g + 1]];
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
    let mut el_slot = Vec::with_capacity(p.el.h_ptr.last().copied().unwrap_or(0));
    for e in 0..ne {
        let vars = &p.el.vars[p.el.var_ptr[e]..p.el.var_ptr[e + 1]];
        for a in 0..vars.len() {
            for b in 0..=a {
                el_slot.push(slot(vars[a], vars[b]));
            }
        }
        debug_assert_eq!(el_slot.len(), p.el.h_ptr[e + 1]);
    }
    let mut group_slot_ptr = vec![0usize];
    let mut group_slot = Vec::new();
    for g in 0..ng {
        if p.gf.type_of[g] != TRIVIAL {
            let loc = &p.arg.loc_vars[p.arg.loc_ptr[g]..p.arg.loc_ptr[g + 1]];
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
