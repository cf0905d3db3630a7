//! Scratch space of the evaluator and the pool that lends it out: evaluations allocate
//! nothing once a workspace exists, and several threads may evaluate one problem at once
//! (each takes its own workspace from the pool).

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// Scratch space for one evaluation.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Registers of the compiled programs.
    pub regs: Vec<f64>,
    /// Element values.
    pub fe: Vec<f64>,
    /// Element gradients w.r.t. elemental variables (offsets `el_var_ptr`).
    pub ge: Vec<f64>,
    /// Element Hessians, packed lower triangles (offsets `el_h_ptr`).
    pub he: Vec<f64>,
    /// Accumulated weight of each element in the Hessian of the Lagrangian.
    pub we: Vec<f64>,
    /// Gradient of a group argument over its local variables.
    pub gt: Vec<f64>,
    /// Internal-variable Hessian scratch.
    pub hu: Vec<f64>,
    /// The point the element values above belong to: f, grad f, c, J and the Hessian at one
    /// point share their element evaluations.
    pub x: Vec<f64>,
    /// The derivative level computed for each element at `x` (0: none, 1: F, 2: F and G,
    /// 3: F, G and H).
    pub done: Vec<u8>,
}

/// The workspaces not in use.
#[derive(Debug, Default)]
pub(crate) struct Pool(Mutex<Vec<Workspace>>);

impl Pool {
    /// A workspace from the pool, or a new one from `make` when the pool is empty; it goes
    /// back to the pool when the guard is dropped.
    pub fn take(&self, make: impl FnOnce() -> Workspace) -> Guard<'_> {
        let ws = self.0.lock().ok().and_then(|mut p| p.pop());
        Guard {
            pool: self,
            ws: ws.unwrap_or_else(make),
        }
    }
}

/// A workspace lent by a [`Pool`].
pub(crate) struct Guard<'a> {
    pool: &'a Pool,
    ws: Workspace,
}

impl Deref for Guard<'_> {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut Workspace {
        &mut self.ws
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if let Ok(mut pool) = self.pool.0.lock() {
            pool.push(std::mem::take(&mut self.ws));
        }
    }
}
