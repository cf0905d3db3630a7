//! IPOPT as a benchmark anchor, through its C interface (`IpStdCInterface.h`) loaded at run
//! time with `dlopen`: nothing is needed at build time, and a machine without the library
//! gets [`IpoptError::NotInstalled`] instead of a build or link failure.
//!
//! Any [`SmoothProblem`] is fed as is: bounds and constraint bounds from its info (infinite
//! bounds passed beyond IPOPT's 1e19 infinity), the Jacobian and the lower triangle of the
//! Hessian of the Lagrangian in triplet form from the problem's sparsity patterns.

use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use libloading::Library;
use opal_problems::SmoothProblem;

type Number = f64;
type Index = c_int;
type Bool = c_int;
type UserData = *mut c_void;
type IpoptProblem = *mut c_void;

type EvalF = extern "C" fn(Index, *mut Number, Bool, *mut Number, UserData) -> Bool;
type EvalGradF = extern "C" fn(Index, *mut Number, Bool, *mut Number, UserData) -> Bool;
type EvalG = extern "C" fn(Index, *mut Number, Bool, Index, *mut Number, UserData) -> Bool;
type EvalJacG = extern "C" fn(
    Index,
    *mut Number,
    Bool,
    Index,
    Index,
    *mut Index,
    *mut Index,
    *mut Number,
    UserData,
) -> Bool;
type EvalH = extern "C" fn(
    Index,
    *mut Number,
    Bool,
    Number,
    Index,
    *mut Number,
    Bool,
    Index,
    *mut Index,
    *mut Index,
    *mut Number,
    UserData,
) -> Bool;
type Intermediate = extern "C" fn(
    Index,
    Index,
    Number,
    Number,
    Number,
    Number,
    Number,
    Number,
    Number,
    Number,
    Index,
    UserData,
) -> Bool;

type CreateFn = unsafe extern "C" fn(
    Index,
    *mut Number,
    *mut Number,
    Index,
    *mut Number,
    *mut Number,
    Index,
    Index,
    Index,
    EvalF,
    EvalG,
    EvalGradF,
    EvalJacG,
    EvalH,
) -> IpoptProblem;
type FreeFn = unsafe extern "C" fn(IpoptProblem);
type StrOptFn = unsafe extern "C" fn(IpoptProblem, *const c_char, *const c_char) -> Bool;
type NumOptFn = unsafe extern "C" fn(IpoptProblem, *const c_char, Number) -> Bool;
type IntOptFn = unsafe extern "C" fn(IpoptProblem, *const c_char, c_int) -> Bool;
type SetIntermediateFn = unsafe extern "C" fn(IpoptProblem, Intermediate) -> Bool;
type SolveFn = unsafe extern "C" fn(
    IpoptProblem,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut Number,
    UserData,
) -> c_int;

/// Sonames tried in order (Debian's coinor-libipopt1v5 ships `libipopt.so.1`, IPOPT
/// 3.11); `OPAL_IPOPT=/path/to/libipopt.so` overrides.
const SONAMES: &[&str] = &["libipopt.so.3", "libipopt.so.1", "libipopt.so"];

/// Why IPOPT could not run.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IpoptError {
    /// No loadable libipopt (or a symbol of the C interface is missing).
    #[error("IPOPT not installed ({0})")]
    NotInstalled(String),
    /// IPOPT refused the problem definition or an option.
    #[error("IPOPT: {0}")]
    Setup(String),
}

struct Api {
    _lib: Library,
    path: String,
    create: CreateFn,
    free: FreeFn,
    str_opt: StrOptFn,
    num_opt: NumOptFn,
    int_opt: IntOptFn,
    set_intermediate: SetIntermediateFn,
    solve: SolveFn,
}

fn open() -> Result<Api, String> {
    let mut names: Vec<String> = SONAMES.iter().map(|s| s.to_string()).collect();
    if let Ok(p) = std::env::var("OPAL_IPOPT") {
        names.insert(0, p);
    }
    let mut last = String::from("no candidate");
    for name in names {
        // SAFETY: loading a shared library runs its initializers; libipopt's are benign.
        let lib = match unsafe { Library::new(&name) } {
            Ok(l) => l,
            Err(e) => {
                last = e.to_string();
                continue;
            }
        };
        // SAFETY: the symbol types match IpStdCInterface.h of IPOPT 3.11-3.14.
        unsafe {
            let sym = |s: &str| -> Result<*const c_void, String> {
                lib.get::<*const c_void>(s.as_bytes())
                    .map(|f| *f)
                    .map_err(|e| format!("{name}: {e}"))
            };
            let api = Api {
                create: std::mem::transmute::<*const c_void, CreateFn>(sym("CreateIpoptProblem")?),
                free: std::mem::transmute::<*const c_void, FreeFn>(sym("FreeIpoptProblem")?),
                str_opt: std::mem::transmute::<*const c_void, StrOptFn>(sym("AddIpoptStrOption")?),
                num_opt: std::mem::transmute::<*const c_void, NumOptFn>(sym("AddIpoptNumOption")?),
                int_opt: std::mem::transmute::<*const c_void, IntOptFn>(sym("AddIpoptIntOption")?),
                set_intermediate: std::mem::transmute::<*const c_void, SetIntermediateFn>(sym(
                    "SetIntermediateCallback",
                )?),
                solve: std::mem::transmute::<*const c_void, SolveFn>(sym("IpoptSolve")?),
                path: name.clone(),
                _lib: lib,
            };
            return Ok(api);
        }
    }
    Err(last)
}

fn api() -> Result<&'static Api, IpoptError> {
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(open)
        .as_ref()
        .map_err(|e| IpoptError::NotInstalled(e.clone()))
}

/// The library that was loaded, or why none could be.
pub fn library() -> Result<String, IpoptError> {
    api().map(|a| a.path.clone())
}

/// IPOPT options the harness sets.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `tol` (default 1e-6), also used for `dual_inf_tol` and `constr_viol_tol`.
    pub tol: f64,
    /// `max_iter` (default 3000, IPOPT's own).
    pub max_iter: usize,
    /// `max_cpu_time` in seconds (default 60).
    pub time_limit: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tol: 1e-6,
            max_iter: 3000,
            time_limit: 60.0,
        }
    }
}

/// What a solve returns.
#[derive(Debug, Clone)]
pub struct Output {
    /// IPOPT's ApplicationReturnStatus code.
    pub code: i32,
    /// Final point.
    pub x: Vec<f64>,
    /// Constraint multipliers (L = f + lambda^T c, the opal convention).
    pub lambda: Vec<f64>,
    /// f(x).
    pub objective: f64,
    /// Iterations (from the intermediate callback).
    pub iterations: usize,
    /// Wall-clock seconds.
    pub time_s: f64,
    /// First evaluation error, if a callback failed.
    pub eval_error: Option<String>,
}

impl Output {
    /// Solve_Succeeded (0) or Solved_To_Acceptable_Level (1) are not both "solved": only 0.
    pub fn solved(&self) -> bool {
        self.code == 0
    }

    /// IPOPT's name of the return status.
    pub fn status(&self) -> &'static str {
        match self.code {
            0 => "solve_succeeded",
            1 => "solved_to_acceptable_level",
            2 => "infeasible_problem_detected",
            3 => "search_direction_too_small",
            4 => "diverging_iterates",
            5 => "user_requested_stop",
            6 => "feasible_point_found",
            -1 => "maximum_iterations_exceeded",
            -2 => "restoration_failed",
            -3 => "error_in_step_computation",
            -4 => "maximum_cputime_exceeded",
            -10 => "not_enough_degrees_of_freedom",
            -11 => "invalid_problem_definition",
            -12 => "invalid_option",
            -13 => "invalid_number_detected",
            -100 => "unrecoverable_exception",
            -101 => "nonipopt_exception_thrown",
            -102 => "insufficient_memory",
            _ => "internal_error",
        }
    }
}

struct Ctx<'a> {
    p: &'a dyn SmoothProblem,
    iterations: usize,
    error: Option<String>,
}

fn ctx<'a>(u: UserData) -> &'a mut Ctx<'a> {
    // SAFETY: IpoptSolve passes back the pointer to the Ctx that `solve` owns for the call.
    unsafe { &mut *(u as *mut Ctx<'a>) }
}

fn slice<'a>(p: *mut Number, n: Index) -> &'a [f64] {
    // SAFETY: IPOPT passes arrays of the advertised length.
    unsafe { std::slice::from_raw_parts(p, n as usize) }
}

fn slice_mut<'a, T>(p: *mut T, n: Index) -> &'a mut [T] {
    // SAFETY: IPOPT passes writable arrays of the advertised length.
    unsafe { std::slice::from_raw_parts_mut(p, n as usize) }
}

fn record<T>(c: &mut Ctx<'_>, r: Result<T, impl std::fmt::Display>) -> Bool {
    match r {
        Ok(_) => 1,
        Err(e) => {
            c.error.get_or_insert_with(|| e.to_string());
            0
        }
    }
}

/// Writes a sparsity pattern as IPOPT's 0-based triplet indices.
fn fill_pattern(
    pat: &opal_problems::SparsityPattern,
    irow: *mut Index,
    jcol: *mut Index,
    nele: Index,
) -> Bool {
    let (ir, jc) = (slice_mut(irow, nele), slice_mut(jcol, nele));
    for (k, (r, col)) in pat.iter().enumerate() {
        ir[k] = r as Index;
        jc[k] = col as Index;
    }
    1
}

extern "C" fn eval_f(n: Index, x: *mut Number, _new: Bool, f: *mut Number, u: UserData) -> Bool {
    let c = ctx(u);
    let r = c.p.objective(slice(x, n)).map(|v| {
        // SAFETY: f points to one Number.
        unsafe { *f = v }
    });
    record(c, r)
}

/// Evaluates `f(problem, x, out)` with IPOPT's x (length n) and output array (length len).
fn eval_into<E: std::fmt::Display>(
    u: UserData,
    (x, n): (*mut Number, Index),
    (out, len): (*mut Number, Index),
    f: impl FnOnce(&dyn SmoothProblem, &[f64], &mut [f64]) -> Result<(), E>,
) -> Bool {
    let c = ctx(u);
    let r = f(c.p, slice(x, n), slice_mut(out, len));
    record(c, r)
}

extern "C" fn eval_grad_f(n: Index, x: *mut Number, _: Bool, g: *mut Number, u: UserData) -> Bool {
    eval_into(u, (x, n), (g, n), |p, x, g| p.gradient(x, g))
}

extern "C" fn eval_g(
    n: Index,
    x: *mut Number,
    _new: Bool,
    m: Index,
    g: *mut Number,
    u: UserData,
) -> Bool {
    eval_into(u, (x, n), (g, m), |p, x, g| p.constraints(x, g))
}

extern "C" fn eval_jac_g(
    n: Index,
    x: *mut Number,
    _new: Bool,
    _m: Index,
    nele: Index,
    irow: *mut Index,
    jcol: *mut Index,
    values: *mut Number,
    u: UserData,
) -> Bool {
    sparse_into(u, (irow, jcol, values, nele), false, |p, v| {
        p.jacobian_values(slice(x, n), v)
    })
}

/// IPOPT's two calls of a sparse matrix (the Hessian of the Lagrangian when `hessian`, else
/// the Jacobian): the pattern (0-based triplets) when `values` is null, the values otherwise.
fn sparse_into<E: std::fmt::Display>(
    u: UserData,
    (irow, jcol, values, nele): (*mut Index, *mut Index, *mut Number, Index),
    hessian: bool,
    f: impl FnOnce(&dyn SmoothProblem, &mut [f64]) -> Result<(), E>,
) -> Bool {
    let c = ctx(u);
    if values.is_null() {
        let pattern = if hessian {
            c.p.hessian_pattern()
        } else {
            c.p.jacobian_pattern()
        };
        return fill_pattern(pattern, irow, jcol, nele);
    }
    let r = f(c.p, slice_mut(values, nele));
    record(c, r)
}

extern "C" fn eval_h(
    n: Index,
    x: *mut Number,
    _new_x: Bool,
    sigma: Number,
    m: Index,
    lambda: *mut Number,
    _new_l: Bool,
    nele: Index,
    irow: *mut Index,
    jcol: *mut Index,
    values: *mut Number,
    u: UserData,
) -> Bool {
    // Both store the lower triangle (row >= col).
    sparse_into(u, (irow, jcol, values, nele), true, |p, v| {
        let y: &[f64] = if m == 0 { &[] } else { slice(lambda, m) };
        p.hessian_values(slice(x, n), sigma, y, v)
    })
}

extern "C" fn intermediate(
    _mode: Index,
    iter: Index,
    _f: Number,
    _pr: Number,
    _du: Number,
    _mu: Number,
    _d: Number,
    _reg: Number,
    _adu: Number,
    _apr: Number,
    _ls: Index,
    u: UserData,
) -> Bool {
    ctx(u).iterations = iter.max(0) as usize;
    1
}

/// One IPOPT solve at a time: the MUMPS build Debian links is not safe to run from
/// several threads at once.
static LOCK: Mutex<()> = Mutex::new(());

fn finite(v: f64) -> f64 {
    v.clamp(-1e20, 1e20)
}

/// Solves `p` from its start point with IPOPT (exact Hessian, MUMPS, no output).
pub fn solve(p: &dyn SmoothProblem, s: &Settings) -> Result<Output, IpoptError> {
    let api = api()?;
    let info = p.info();
    let (n, m) = (info.n(), info.m());
    let mut xl: Vec<f64> = info.lower.iter().map(|&v| finite(v)).collect();
    let mut xu: Vec<f64> = info.upper.iter().map(|&v| finite(v)).collect();
    let mut gl: Vec<f64> = info.constraint_lower.iter().map(|&v| finite(v)).collect();
    let mut gu: Vec<f64> = info.constraint_upper.iter().map(|&v| finite(v)).collect();
    let nj = p.jacobian_pattern().nnz();
    let nh = p.hessian_pattern().nnz();
    let too_big = |v: usize| Index::try_from(v).is_err();
    if too_big(n) || too_big(m) || too_big(nj) || too_big(nh) {
        return Err(IpoptError::Setup(
            "problem too large for 32-bit indices".into(),
        ));
    }
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: arrays have the advertised lengths (copied by IPOPT); callbacks match the
    // C signatures; the problem handle is freed below on every path.
    unsafe {
        let prob = (api.create)(
            n as Index,
            xl.as_mut_ptr(),
            xu.as_mut_ptr(),
            m as Index,
            gl.as_mut_ptr(),
            gu.as_mut_ptr(),
            nj as Index,
            nh as Index,
            0,
            eval_f,
            eval_g,
            eval_grad_f,
            eval_jac_g,
            eval_h,
        );
        if prob.is_null() {
            return Err(IpoptError::Setup("CreateIpoptProblem returned NULL".into()));
        }
        let key = |k: &str| CString::new(k).expect("option names have no NUL");
        let mut ok = true;
        // OPAL_IPOPT_PRINT=5 shows IPOPT's own log (development comparisons).
        let print_level = std::env::var("OPAL_IPOPT_PRINT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        ok &= (api.int_opt)(prob, key("print_level").as_ptr(), print_level) != 0;
        ok &= (api.str_opt)(prob, key("sb").as_ptr(), key("yes").as_ptr()) != 0;
        ok &= (api.num_opt)(prob, key("tol").as_ptr(), s.tol) != 0;
        ok &= (api.num_opt)(prob, key("dual_inf_tol").as_ptr(), s.tol) != 0;
        ok &= (api.num_opt)(prob, key("constr_viol_tol").as_ptr(), s.tol) != 0;
        ok &= (api.int_opt)(prob, key("max_iter").as_ptr(), s.max_iter as c_int) != 0;
        ok &= (api.num_opt)(prob, key("max_cpu_time").as_ptr(), s.time_limit) != 0;
        ok &= (api.set_intermediate)(prob, intermediate) != 0;
        if !ok {
            (api.free)(prob);
            return Err(IpoptError::Setup("an option was refused".into()));
        }
        let mut x = info.x0.clone();
        let mut g = vec![0.0; m];
        let mut lambda = vec![0.0; m];
        let mut zl = vec![0.0; n];
        let mut zu = vec![0.0; n];
        let mut obj = f64::NAN;
        let mut c = Ctx {
            p,
            iterations: 0,
            error: None,
        };
        let t0 = Instant::now();
        let code = (api.solve)(
            prob,
            x.as_mut_ptr(),
            g.as_mut_ptr(),
            &mut obj,
            lambda.as_mut_ptr(),
            zl.as_mut_ptr(),
            zu.as_mut_ptr(),
            &mut c as *mut Ctx<'_> as UserData,
        );
        let time_s = t0.elapsed().as_secs_f64();
        (api.free)(prob);
        Ok(Output {
            code,
            x,
            lambda,
            objective: obj,
            iterations: c.iterations,
            time_s,
            eval_error: c.error,
        })
    }
}
