//! The decoded problem: variables, bounds, start point, the compiled element and group
//! types, the flattened element/group structure used by the evaluator, and the sparsity
//! patterns (Jacobian computed at load time, Hessian on first use).

use std::sync::OnceLock;

use opal_problems::{ProblemInfo, SparsityPattern};

use crate::functions::{ElementProgram, GroupProgram};
use crate::params::UserParameter;
use crate::ragged::Ragged;
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

/// The elements in use, by their new index.
#[derive(Debug, Default)]
pub(crate) struct Elements {
    /// The compiled element types in use.
    pub types: Vec<ElementProgram>,
    /// Type of each element (index into `types`).
    pub type_of: Vec<u32>,
    /// Each element's problem variables, in the order of its elemental variables.
    pub vars: Ragged<u32>,
    /// Each element's parameter values.
    pub pars: Ragged<f64>,
    /// Element e's packed Hessian is `h_ptr[e]..h_ptr[e + 1]` of the packed element Hessians.
    pub h_ptr: Vec<usize>,
    /// Most internal (or elemental) variables of an element type.
    pub max_niv: usize,
}

/// The group functions g_i and scales s_i.
#[derive(Debug, Default)]
pub(crate) struct GroupFunctions {
    /// The compiled group types in use.
    pub types: Vec<GroupProgram>,
    /// Type of each group (index into `types`, [`TRIVIAL`] for g(t) = t).
    pub type_of: Vec<u32>,
    /// Each group's parameter values.
    pub pars: Ragged<f64>,
    /// Scale of each group (the group is divided by it).
    pub scale: Vec<f64>,
}

/// The group arguments t_g = a_g^T x - b_g + sum_e w_e f_e(x), by group.
#[derive(Debug, Default)]
pub(crate) struct GroupArguments {
    /// The constant b_g of each group.
    pub constant: Vec<f64>,
    /// Each group's linear terms (duplicates summed).
    pub lin: Ragged<LinearTerm>,
    /// Each group's element uses.
    pub uses: Ragged<ElementUse>,
    /// For each element use (by its place in `uses`), the positions of the element's
    /// variables among the local variables of its group.
    pub use_loc: Ragged<u32>,
    /// Each group's local variables: those of its linear part and of its elements, sorted.
    pub loc: Ragged<u32>,
    /// Most local variables of a group.
    pub max_loc: usize,
}

/// A term a x_v of a group's linear part.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinearTerm {
    /// The variable.
    pub var: u32,
    /// Its position among the local variables of the group.
    pub loc: u32,
    /// The coefficient a.
    pub coef: f64,
}

/// A term w f_e of a group argument.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElementUse {
    /// The element.
    pub el: u32,
    /// Its weight w.
    pub w: f64,
}

/// The Hessian pattern and where each contribution goes in it.
#[derive(Debug)]
pub(crate) struct HessianStructure {
    pub pattern: SparsityPattern,
    /// Per element, slots of its packed lower triangle (offsets `Elements::h_ptr`).
    pub el_slot: Vec<u32>,
    /// Per group, slots of its packed outer product (empty for trivial groups).
    pub group_slot: Ragged<u32>,
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

/// Calls `f(max, min)` for every pair (a, b), b <= a, of `vars`, in the order of a packed
/// lower triangle.
fn lower_pairs(vars: &[u32], mut f: impl FnMut(u32, u32)) {
    for a in 0..vars.len() {
        for b in 0..=a {
            f(vars[a].max(vars[b]), vars[a].min(vars[b]));
        }
    }
}

/// The lower-triangle pattern of the Hessian of the Lagrangian and the slots of every
/// contribution (element Hessians, outer products of nontrivial groups, quadratic terms).
fn build_hessian(p: &SifProblem) -> HessianStructure {
    let n = p.info.n();
    let ne = p.el.type_of.len();
    let ng = p.gf.type_of.len();
    let nontrivial = |g: &usize| p.gf.type_of[*g] != TRIVIAL;
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for e in 0..ne {
        lower_pairs(p.el.vars.row(e), |i, j| pairs.push((i, j)));
    }
    for g in (0..ng).filter(nontrivial) {
        lower_pairs(p.arg.loc.row(g), |i, j| pairs.push((i, j)));
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
        let (a, b) = (row_ptr[i as usize], row_ptr[i as usize + 1]);
        (a + cols_u32[a..b].binary_search(&j).unwrap_or(0)) as u32
    };
    let mut el_slot = Vec::with_capacity(p.el.h_ptr.last().copied().unwrap_or(0));
    for e in 0..ne {
        lower_pairs(p.el.vars.row(e), |i, j| el_slot.push(slot(i, j)));
        debug_assert_eq!(el_slot.len(), p.el.h_ptr[e + 1]);
    }
    let mut group_slot = Ragged::default();
    for g in 0..ng {
        if nontrivial(&g) {
            lower_pairs(p.arg.loc.row(g), |i, j| group_slot.push(slot(i, j)));
        }
        group_slot.end_row();
    }
    let quad_slot = p.quad.iter().map(|&(i, j, _)| slot(i, j)).collect();
    let rows: Vec<usize> = pairs.iter().map(|&(i, _)| i as usize).collect();
    let cols: Vec<usize> = pairs.iter().map(|&(_, j)| j as usize).collect();
    HessianStructure {
        pattern: SparsityPattern::new(n, n, rows, cols),
        el_slot,
        group_slot,
        quad_slot,
    }
}
