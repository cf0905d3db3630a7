//! Evaluation of a decoded problem: element functions (value, gradient and Hessian with
//! respect to the elemental variables, through the range transformation W: W^T g, W^T H W),
//! group arguments and group functions, and their assembly into f, grad f, c, J, the
//! Hessian of the Lagrangian and its product with a vector, as CUTEst does with the
//! supplied G and H.

use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

use crate::functions::tri;
use crate::problem::{HessianStructure, SifProblem, TRIVIAL};
use crate::vm::run;
use crate::workspace::{Guard, Workspace};

/// Derivative level: value only, value and gradient, or all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    F = 0,
    G = 1,
    H = 2,
}

impl SifProblem {
    fn workspace(&self) -> Guard<'_> {
        self.pool.take(|| {
            let ne = self.el.type_of.len();
            let maxv = self.el.max_niv;
            Workspace {
                regs: vec![0.0; self.max_regs.max(1)],
                fe: vec![0.0; ne],
                ge: vec![0.0; self.el.vars.values().len()],
                he: vec![0.0; self.el.h_ptr.last().copied().unwrap_or(0)],
                we: vec![0.0; ne],
                gt: vec![0.0; self.arg.max_loc],
                hu: vec![0.0; maxv * (maxv + 1) / 2],
                x: Vec::new(),
                done: vec![0; ne],
            }
        })
    }

    /// Evaluates the elements in `list` at `x` to the given level (reusing what the
    /// workspace already holds for the same point).
    fn eval_elements(&self, x: &[f64], list: &[u32], level: Level, ws: &mut Workspace) {
        let same =
            ws.x.len() == x.len() && ws.x.iter().zip(x).all(|(a, b)| a.to_bits() == b.to_bits());
        if !same {
            ws.x.clear();
            ws.x.extend_from_slice(x);
            ws.done.fill(0);
        }
        let want = level as u8 + 1;
        for &e in list {
            if ws.done[e as usize] < want {
                self.eval_element(x, e as usize, level, ws);
                ws.done[e as usize] = want;
            }
        }
    }

    fn eval_element(&self, x: &[f64], e: usize, level: Level, ws: &mut Workspace) {
        let t = &self.el.types[self.el.type_of[e] as usize];
        let prog = &t.prog;
        let vars = self.el.vars.row(e);
        let nev = vars.len();
        let regs = &mut ws.regs;
        for (k, &v) in vars.iter().enumerate() {
            regs[k] = x[v as usize];
        }
        if let Some(w) = &t.w {
            let base = t.iv_reg as usize;
            for i in 0..t.niv {
                let row = &w[i * nev..(i + 1) * nev];
                regs[base + i] = row.iter().zip(&regs[..nev]).map(|(a, b)| a * b).sum();
            }
        }
        let pars = self.el.pars.row(e);
        let ep = t.ep_reg as usize;
        regs[ep..ep + pars.len()].copy_from_slice(pars);
        let niv = t.niv;
        let g0 = prog.g_reg as usize;
        let h0 = prog.h_reg as usize;
        if level >= Level::G {
            regs[g0..g0 + niv].fill(0.0);
        }
        if level >= Level::H {
            regs[h0..h0 + niv * (niv + 1) / 2].fill(0.0);
        }
        run(&prog.code[..prog.level_end[level as usize]], regs);
        ws.fe[e] = regs[prog.f_reg as usize];
        if level == Level::F {
            return;
        }
        let ge = &mut ws.ge[self.el.vars.range(e)];
        match &t.w {
            None => ge.copy_from_slice(&regs[g0..g0 + niv]),
            Some(w) => {
                ge.fill(0.0);
                for i in 0..niv {
                    let gi = regs[g0 + i];
                    if gi != 0.0 {
                        for (k, g) in ge.iter_mut().enumerate() {
                            *g += w[i * nev + k] * gi;
                        }
                    }
                }
            }
        }
        if level < Level::H {
            return;
        }
        let (h0e, h1e) = (self.el.h_ptr[e], self.el.h_ptr[e + 1]);
        let he = &mut ws.he[h0e..h1e];
        let ntri = niv * (niv + 1) / 2;
        match &t.w {
            None => he.copy_from_slice(&regs[h0..h0 + ntri]),
            Some(w) => {
                // He = W^T Hu W over the elemental variables.
                let hu = &mut ws.hu[..ntri];
                hu.copy_from_slice(&regs[h0..h0 + ntri]);
                he.fill(0.0);
                for i in 0..niv {
                    for j in 0..niv {
                        let hij = hu[tri(i, j)];
                        if hij == 0.0 {
                            continue;
                        }
                        for a in 0..nev {
                            let wa = w[i * nev + a] * hij;
                            if wa == 0.0 {
                                continue;
                            }
                            for b in 0..=a {
                                he[tri(a, b)] += wa * w[j * nev + b];
                            }
                        }
                    }
                }
            }
        }
    }

    /// The group argument t = a^T x - b + sum w f_e (elements already evaluated).
    fn group_arg(&self, x: &[f64], g: usize, ws: &Workspace) -> f64 {
        let mut t = -self.arg.constant[g];
        for l in self.arg.lin.row(g) {
            t += l.coef * x[l.var as usize];
        }
        for u in self.arg.uses.row(g) {
            t += u.w * ws.fe[u.el as usize];
        }
        t
    }

    /// (g(t), g'(t), g''(t)) of group `g`.
    fn group_fun(&self, g: usize, t: f64, level: Level, ws: &mut Workspace) -> (f64, f64, f64) {
        let ty = self.gf.type_of[g];
        if ty == TRIVIAL {
            return (t, 1.0, 0.0);
        }
        let gt = &self.gf.types[ty as usize];
        let prog = &gt.prog;
        let regs = &mut ws.regs;
        regs[0] = t;
        let pars = self.gf.pars.row(g);
        regs[1..1 + pars.len()].copy_from_slice(pars);
        let f = prog.f_reg as usize;
        regs[f + 1] = 0.0;
        regs[f + 2] = 0.0;
        run(&prog.code[..prog.level_end[level as usize]], regs);
        (regs[f], regs[f + 1], regs[f + 2])
    }

    /// Gradient of the argument of group `g` over its local variables, into `ws.gt`.
    fn local_gradient(&self, g: usize, ws: &mut Workspace) -> usize {
        let nloc = self.arg.loc.row(g).len();
        let gt = &mut ws.gt[..nloc];
        gt.fill(0.0);
        for l in self.arg.lin.row(g) {
            gt[l.loc as usize] += l.coef;
        }
        for (u, k) in self.arg.uses.row(g).iter().zip(self.arg.uses.range(g)) {
            let ge = &ws.ge[self.el.vars.range(u.el as usize)];
            for (l, g) in self.arg.use_loc.row(k).iter().zip(ge) {
                gt[*l as usize] += u.w * g;
            }
        }
        nloc
    }

    /// Adds `coef * grad t_g` to the full vector `out`.
    fn add_group_gradient(&self, g: usize, coef: f64, ws: &Workspace, out: &mut [f64]) {
        for l in self.arg.lin.row(g) {
            out[l.var as usize] += coef * l.coef;
        }
        for u in self.arg.uses.row(g) {
            let cw = coef * u.w;
            let e = u.el as usize;
            for (v, g) in self
                .el
                .vars
                .row(e)
                .iter()
                .zip(&ws.ge[self.el.vars.range(e)])
            {
                out[*v as usize] += cw * g;
            }
        }
    }

    fn quad_value_and_gradient(&self, x: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let mut f = 0.0;
        for &(i, j, h) in &self.quad {
            let (i, j) = (i as usize, j as usize);
            if i == j {
                f += 0.5 * h * x[i] * x[i];
            } else {
                f += h * x[i] * x[j];
            }
        }
        if let Some(g) = grad {
            for &(i, j, h) in &self.quad {
                let (i, j) = (i as usize, j as usize);
                g[i] += h * x[j];
                if i != j {
                    g[j] += h * x[i];
                }
            }
        }
        f
    }

    fn check_x(&self, x: &[f64]) -> Result<(), EvalError> {
        EvalError::check_len("x", self.info.n(), x.len())
    }

    /// f and, optionally, grad f.
    fn objective_impl(&self, x: &[f64], grad: Option<&mut [f64]>) -> Result<f64, EvalError> {
        self.check_x(x)?;
        let level = if grad.is_some() { Level::G } else { Level::F };
        let mut grad = grad;
        if let Some(g) = grad.as_deref_mut() {
            g.fill(0.0);
        }
        let mut f = self.quad_value_and_gradient(x, grad.as_deref_mut());
        let (groups, elements) = (&self.obj_groups, &self.obj_elements);
        self.each_group(x, groups, elements, level, |_, g, v, c, ws| {
            f += v;
            if let Some(out) = grad.as_deref_mut()
                && c != 0.0
            {
                self.add_group_gradient(g, c, ws, out);
            }
        });
        if !f.is_finite() {
            return Err(EvalError::NonFinite {
                what: "objective",
                index: 0,
                value: f,
            });
        }
        if let Some(g) = grad {
            EvalError::check_finite("gradient", g)?;
        }
        Ok(f)
    }

    /// Evaluates `groups` at `x` (their elements `elements` first) to `level` and calls
    /// `each(i, g, g(t)/s, g'(t)/s, ws)` for the i-th of them, group g.
    fn each_group(
        &self,
        x: &[f64],
        groups: &[u32],
        elements: &[u32],
        level: Level,
        mut each: impl FnMut(usize, usize, f64, f64, &mut Workspace),
    ) {
        let mut guard = self.workspace();
        let ws: &mut Workspace = &mut guard;
        self.eval_elements(x, elements, level, ws);
        for (i, &g) in groups.iter().enumerate() {
            let g = g as usize;
            let t = self.group_arg(x, g, ws);
            let (v, d1, _) = self.group_fun(g, t, level, ws);
            let s = self.gf.scale[g];
            each(i, g, v / s, d1 / s, ws);
        }
    }

    /// Visits the terms of the Hessian of the Lagrangian sigma f + y^T c at `x` (the
    /// quadratic term aside): first, group by group in the order of the groups with a
    /// nonzero multiplier, beta grad t grad t^T for the nontrivial groups whose beta is
    /// nonzero; then every element's Hessian with its accumulated weight.
    fn hessian_terms(&self, x: &[f64], sigma: f64, y: &[f64], terms: &mut impl HessianTerms) {
        let mut guard = self.workspace();
        let ws: &mut Workspace = &mut guard;
        let elements = self.elements_for(sigma, y);
        self.eval_elements(x, elements, Level::H, ws);
        ws.we.fill(0.0);
        let obj = self.obj_groups.iter().map(|&g| (g, sigma));
        let con = self.con_groups.iter().copied().zip(y.iter().copied());
        for (g, mu) in obj.chain(con) {
            if mu == 0.0 {
                continue;
            }
            let g = g as usize;
            let t = self.group_arg(x, g, ws);
            let (_, d1, d2) = self.group_fun(g, t, Level::H, ws);
            let s = self.gf.scale[g];
            let alpha = mu * d1 / s;
            if alpha != 0.0 {
                for u in self.arg.uses.row(g) {
                    ws.we[u.el as usize] += alpha * u.w;
                }
            }
            let beta = mu * d2 / s;
            if beta != 0.0 && self.gf.type_of[g] != TRIVIAL {
                let nloc = self.local_gradient(g, ws);
                terms.group(g, beta, self.arg.loc.row(g), &ws.gt[..nloc]);
            }
        }
        for &e in elements {
            let e = e as usize;
            let we = ws.we[e];
            if we == 0.0 {
                continue;
            }
            let (h0, h1) = (self.el.h_ptr[e], self.el.h_ptr[e + 1]);
            terms.element(h0, self.el.vars.row(e), we, &ws.he[h0..h1]);
        }
    }

    fn check_point_and_multipliers(&self, x: &[f64], y: &[f64]) -> Result<(), EvalError> {
        self.check_x(x)?;
        EvalError::check_len("multipliers", self.con_groups.len(), y.len())
    }

    /// The elements a Hessian with these multipliers needs.
    fn elements_for(&self, sigma: f64, y: &[f64]) -> &[u32] {
        match (sigma != 0.0, y.iter().any(|&v| v != 0.0)) {
            (true, true) => &self.all_elements,
            (true, false) => &self.obj_elements,
            (false, true) => &self.con_elements,
            (false, false) => &[],
        }
    }
}

impl SmoothProblem for SifProblem {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }

    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        self.objective_impl(x, None)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        EvalError::check_len("gradient", self.info.n(), grad.len())?;
        self.objective_impl(x, Some(grad)).map(|_| ())
    }

    fn objective_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<f64, EvalError> {
        EvalError::check_len("gradient", self.info.n(), grad.len())?;
        self.objective_impl(x, Some(grad))
    }

    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.check_x(x)?;
        EvalError::check_len("constraints", self.con_groups.len(), c.len())?;
        let (groups, elements) = (&self.con_groups, &self.con_elements);
        self.each_group(x, groups, elements, Level::F, |r, _, v, _, _| c[r] = v);
        EvalError::check_finite("constraint", c)
    }

    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jacobian
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        self.check_x(x)?;
        EvalError::check_len("jacobian values", self.jacobian.nnz(), values.len())?;
        let mut off = 0usize;
        let (groups, elements) = (&self.con_groups, &self.con_elements);
        self.each_group(x, groups, elements, Level::G, |_, g, _, coef, ws| {
            let nloc = self.local_gradient(g, ws);
            for (v, gt) in values[off..off + nloc].iter_mut().zip(&ws.gt[..nloc]) {
                *v = coef * gt;
            }
            off += nloc;
        });
        EvalError::check_finite("jacobian", values)
    }

    fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hessian_structure().pattern
    }

    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        self.check_point_and_multipliers(x, y)?;
        let hs = self.hessian_structure();
        EvalError::check_len("hessian values", hs.pattern.nnz(), values.len())?;
        values.fill(0.0);
        self.hessian_terms(x, sigma, y, &mut Assemble { hs, values });
        if sigma != 0.0 {
            for (&(_, _, h), &s) in self.quad.iter().zip(&hs.quad_slot) {
                values[s as usize] += sigma * h;
            }
        }
        EvalError::check_finite("hessian", values)
    }

    fn hessian_vector(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        self.check_point_and_multipliers(x, y)?;
        let n = self.info.n();
        EvalError::check_len("vector", n, v.len())?;
        EvalError::check_len("product", n, out.len())?;
        out.fill(0.0);
        if sigma != 0.0 {
            for &(i, j, h) in &self.quad {
                let (i, j) = (i as usize, j as usize);
                out[i] += sigma * h * v[j];
                if i != j {
                    out[j] += sigma * h * v[i];
                }
            }
        }
        self.hessian_terms(x, sigma, y, &mut Product { v, out });
        EvalError::check_finite("hessian-vector product", out)
    }
}

/// What is done with the terms of the Hessian of the Lagrangian
/// ([`SifProblem::hessian_terms`]).
trait HessianTerms {
    /// `beta gt gt^T` for group `g`, `gt` being the gradient of its argument over its local
    /// variables `loc`.
    fn group(&mut self, g: usize, beta: f64, loc: &[u32], gt: &[f64]);
    /// `we` times the packed lower triangle `he` of an element's Hessian over its variables
    /// `vars`; `he` starts at `offset` in the packed element Hessians.
    fn element(&mut self, offset: usize, vars: &[u32], we: f64, he: &[f64]);
}

/// Adds the terms into the values of the Hessian pattern.
struct Assemble<'a> {
    hs: &'a HessianStructure,
    values: &'a mut [f64],
}

impl HessianTerms for Assemble<'_> {
    fn group(&mut self, g: usize, beta: f64, _loc: &[u32], gt: &[f64]) {
        let slots = self.hs.group_slot.row(g);
        let mut k = 0;
        for i in 0..gt.len() {
            let bi = beta * gt[i];
            for j in 0..=i {
                self.values[slots[k] as usize] += bi * gt[j];
                k += 1;
            }
        }
    }

    fn element(&mut self, offset: usize, vars: &[u32], we: f64, he: &[f64]) {
        let slots = &self.hs.el_slot[offset..offset + he.len()];
        let mut k = 0;
        for a in 0..vars.len() {
            for b in 0..=a {
                let mut v = we * he[k];
                if a != b && vars[a] == vars[b] {
                    v *= 2.0;
                }
                self.values[slots[k] as usize] += v;
                k += 1;
            }
        }
    }
}

/// Adds the terms times `v` into `out`.
struct Product<'a> {
    v: &'a [f64],
    out: &'a mut [f64],
}

impl HessianTerms for Product<'_> {
    fn group(&mut self, _g: usize, beta: f64, loc: &[u32], gt: &[f64]) {
        let v = self.v;
        let s: f64 = loc.iter().zip(gt).map(|(&l, &gi)| gi * v[l as usize]).sum();
        let bs = beta * s;
        for (&l, &gi) in loc.iter().zip(gt) {
            self.out[l as usize] += bs * gi;
        }
    }

    fn element(&mut self, _offset: usize, vars: &[u32], we: f64, he: &[f64]) {
        let (v, out) = (self.v, &mut *self.out);
        let mut k = 0;
        for a in 0..vars.len() {
            let va = vars[a] as usize;
            for b in 0..=a {
                let vb = vars[b] as usize;
                let h = we * he[k];
                out[va] += h * v[vb];
                if a != b {
                    out[vb] += h * v[va];
                }
                k += 1;
            }
        }
    }
}
