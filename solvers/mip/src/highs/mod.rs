//! A thin safe wrapper over the HiGHS C API (`highs-sys`): what the MIP searches need.
//!
//! [`Highs`] owns one HiGHS instance (RAII; not `Send`, so one per thread). It takes a
//! [`LinearModel`], changes bounds, rows, columns and costs, sets starting solutions and
//! limits, solves (reporting HiGHS's improving solutions as they are found, if asked), and
//! reports status, objective, dual bound and gap. HiGHS's console output is off unless
//! [`Highs::set_verbose`] turns it on. [`Highs::read_file`] forwards a file to HiGHS's own
//! reader for the file formats at the edges (`opal-io`); nothing else here touches files.
//!
//! The methods a search calls in its loop reuse buffers held by the handle (no allocation
//! on the Rust side once they have grown; HiGHS allocates as it needs).

use std::cell::{Cell, RefCell};
use std::ffi::{CStr, CString, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::time::Instant;

use highs_sys as hs;
use opal_core::{Control, Interrupt};
use opal_problems::linear::{LinearModel, Sense};

type HInt = hs::HighsInt;

/// Errors of HiGHS calls.
#[derive(Debug, thiserror::Error)]
pub enum HighsError {
    /// A C API call returned an error status.
    #[error("HiGHS {call} failed{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    Call {
        /// The C function.
        call: &'static str,
        /// What HiGHS logged, or what was passed.
        detail: String,
    },
    /// An argument opal refuses before it reaches HiGHS (sizes, NaN, out-of-range index).
    #[error("invalid argument to {call}: {detail}")]
    Argument {
        /// The wrapper method.
        call: &'static str,
        /// What was wrong.
        detail: String,
    },
}

/// Termination status of the last solve (HiGHS's `kHighsModelStatus*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelStatus {
    /// Not solved yet.
    NotSet,
    /// Load, model, presolve, solve or postsolve error.
    Error,
    /// The model has no columns and no rows.
    Empty,
    /// Optimal within HiGHS's gap tolerances.
    Optimal,
    /// Proven infeasible.
    Infeasible,
    /// Unbounded or infeasible (presolve could not tell which).
    UnboundedOrInfeasible,
    /// Unbounded.
    Unbounded,
    /// Objective bound or target reached.
    ObjectiveBound,
    /// Time limit reached.
    TimeLimit,
    /// Iteration or node limit reached.
    IterationLimit,
    /// Solution limit (`mip_max_improving_sols`) reached.
    SolutionLimit,
    /// Interrupted (callback or memory limit).
    Interrupted,
    /// HiGHS could not say.
    Unknown,
}

impl ModelStatus {
    /// snake_case name (`optimal`, `time_limit`, ...), for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotSet => "not_set",
            Self::Error => "error",
            Self::Empty => "empty",
            Self::Optimal => "optimal",
            Self::Infeasible => "infeasible",
            Self::UnboundedOrInfeasible => "unbounded_or_infeasible",
            Self::Unbounded => "unbounded",
            Self::ObjectiveBound => "objective_bound",
            Self::TimeLimit => "time_limit",
            Self::IterationLimit => "iteration_limit",
            Self::SolutionLimit => "solution_limit",
            Self::Interrupted => "interrupted",
            Self::Unknown => "unknown",
        }
    }

    fn from_raw(s: HInt) -> Self {
        match s {
            0 => Self::NotSet,
            1..=5 => Self::Error,
            6 => Self::Empty,
            7 => Self::Optimal,
            8 => Self::Infeasible,
            9 => Self::UnboundedOrInfeasible,
            10 => Self::Unbounded,
            11 | 12 => Self::ObjectiveBound,
            13 => Self::TimeLimit,
            14 => Self::IterationLimit,
            16 => Self::SolutionLimit,
            17..=19 => Self::Interrupted,
            _ => Self::Unknown,
        }
    }
}

/// An improving MIP solution HiGHS found during [`Highs::run_observed`] (values in the
/// model's sense).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Improvement {
    /// Objective of the new incumbent.
    pub objective: f64,
    /// HiGHS's dual bound at that moment.
    pub dual_bound: f64,
}

/// The observer of improving solutions during one [`Highs::run_observed`], its lifetime
/// erased: set only for the duration of that call, which outlives every use.
type Improving = *mut (dyn FnMut(Improvement) -> Control + 'static);

/// What the callback shares with the handle: log lines HiGHS sent while capturing was on,
/// the deadline and stop request polled by the interrupt callbacks, and the observer of
/// improving solutions during a [`Highs::run_observed`].
#[derive(Default)]
struct LogSink {
    /// Line buffers, reused from run to run; the first `used` hold the current capture.
    lines: RefCell<Vec<String>>,
    used: Cell<usize>,
    deadline: Cell<Option<Instant>>,
    interrupt: RefCell<Option<Interrupt>>,
    improving: Cell<Option<Improving>>,
    /// The improving-solution observer asked to stop (or panicked).
    stop: Cell<bool>,
}

impl LogSink {
    /// Whether HiGHS should stop at its next interrupt check.
    fn should_interrupt(&self) -> bool {
        let late = self.deadline.get().is_some_and(|d| Instant::now() >= d);
        let asked = self
            .interrupt
            .try_borrow()
            .is_ok_and(|i| i.as_ref().is_some_and(Interrupt::is_triggered));
        late || asked || self.stop.get()
    }

    /// Hands an improving solution to the observer, if one is set.
    fn improved(&self, data_out: &hs::HighsCallbackDataOut) {
        let Some(observer) = self.improving.get() else {
            return;
        };
        let found = Improvement {
            objective: data_out.objective_function_value,
            dual_bound: data_out.mip_dual_bound,
        };
        // SAFETY: the pointer is set by `run_observed` from a live `&mut` for the duration
        // of its `Highs_run` call, the only time HiGHS calls back; nothing else uses it then.
        // No panic may cross the FFI boundary: one becomes a stop request.
        let control = catch_unwind(AssertUnwindSafe(|| unsafe { (*observer)(found) }));
        if !matches!(control, Ok(Control::Continue)) {
            self.stop.set(true);
        }
    }
}

/// The interrupt callbacks HiGHS polls (MIP, simplex, IPM).
const INTERRUPT_CALLBACKS: [HInt; 3] = [
    hs::kHighsCallbackMipInterrupt,
    hs::kHighsCallbackSimplexInterrupt,
    hs::kHighsCallbackIpmInterrupt,
];

unsafe extern "C" fn log_callback(
    callback_type: std::os::raw::c_int,
    message: *const c_char,
    data_out: *const hs::HighsCallbackDataOut,
    data_in: *mut hs::HighsCallbackDataIn,
    user: *mut c_void,
) {
    if user.is_null() {
        return;
    }
    // SAFETY: `user` is the `LogSink` boxed in the owning `Highs`, alive while it is.
    let sink = unsafe { &*(user as *const LogSink) };
    if INTERRUPT_CALLBACKS
        .iter()
        .any(|&t| t as std::os::raw::c_int == callback_type)
    {
        if !data_in.is_null() {
            // Written both ways: HiGHS keeps its callback input between runs of an
            // instance, so a flag left at 1 would interrupt every later run at once.
            // SAFETY: HiGHS passes its input data for interrupt callbacks.
            unsafe { (*data_in).user_interrupt = HInt::from(sink.should_interrupt()) };
        }
        return;
    }
    if callback_type == hs::kHighsCallbackMipImprovingSolution as std::os::raw::c_int {
        if !data_out.is_null() {
            // SAFETY: HiGHS passes its output data for this callback type.
            sink.improved(unsafe { &*data_out });
        }
        return;
    }
    if callback_type != hs::kHighsCallbackLogging as std::os::raw::c_int || message.is_null() {
        return;
    }
    // SAFETY: HiGHS passes a NUL-terminated message. Nothing here can unwind across the FFI
    // boundary.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    if let Ok(mut lines) = sink.lines.try_borrow_mut() {
        for l in text.lines() {
            let l = l.trim_end();
            if l.is_empty() {
                continue;
            }
            let k = sink.used.get();
            match lines.get_mut(k) {
                Some(buf) => {
                    buf.clear();
                    buf.push_str(l);
                }
                None => lines.push(l.to_string()),
            }
            sink.used.set(k + 1);
        }
    }
}

/// The constraint matrix and data of the model held by HiGHS (column-wise).
#[derive(Debug, Clone, PartialEq)]
pub struct LpData {
    /// Objective sense.
    pub sense: Sense,
    /// Objective constant.
    pub offset: f64,
    /// Costs.
    pub cost: Vec<f64>,
    /// Column lower bounds.
    pub col_lower: Vec<f64>,
    /// Column upper bounds.
    pub col_upper: Vec<f64>,
    /// Row lower bounds.
    pub row_lower: Vec<f64>,
    /// Row upper bounds.
    pub row_upper: Vec<f64>,
    /// Column starts (length num_cols + 1).
    pub a_start: Vec<usize>,
    /// Row indices.
    pub a_index: Vec<usize>,
    /// Values.
    pub a_value: Vec<f64>,
    /// Raw HiGHS variable types (0 continuous, 1 integer, 2 semi-continuous, 3 semi-integer,
    /// 4 implicit integer); empty when the model has no integrality.
    pub integrality: Vec<i32>,
    /// Nonzeros of the Hessian (quadratic objective), 0 for a linear model.
    pub hessian_nnz: usize,
}

/// Buffers of the column-set calls, grown once and reused.
#[derive(Default)]
struct Scratch {
    index: Vec<HInt>,
    order: Vec<usize>,
    sorted: Vec<HInt>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

/// One HiGHS instance. Raw-pointer owner: not `Send`/`Sync` (create one per thread).
pub struct Highs {
    ptr: *mut c_void,
    sink: Box<LogSink>,
    scratch: Scratch,
}

impl Highs {
    /// A fresh instance, silent (HiGHS logs only to the capture callback when asked).
    pub fn new() -> Result<Self, HighsError> {
        // SAFETY: Highs_create has no preconditions; null means allocation failure.
        let ptr = unsafe { hs::Highs_create() };
        if ptr.is_null() {
            return Err(HighsError::Call {
                call: "Highs_create",
                detail: "returned null".into(),
            });
        }
        let mut h = Self {
            ptr,
            sink: Box::default(),
            scratch: Scratch::default(),
        };
        h.set_verbose(false)?;
        let user = &*h.sink as *const LogSink as *mut c_void;
        // SAFETY: the sink outlives the instance (dropped after Highs_destroy in Drop).
        let st = unsafe { hs::Highs_setCallback(h.ptr, Some(log_callback), user) };
        h.check(st, "Highs_setCallback")?;
        Ok(h)
    }

    /// HiGHS's own log on the console (true) or nothing (false, the default).
    pub fn set_verbose(&mut self, verbose: bool) -> Result<(), HighsError> {
        // output_flag stays on so that the capture callback can receive messages;
        // log_to_console decides what the user sees.
        self.set_bool_option("output_flag", true)?;
        self.set_bool_option("log_to_console", verbose)
    }

    fn check(&self, status: HInt, call: &'static str) -> Result<(), HighsError> {
        if status == hs::STATUS_ERROR {
            Err(HighsError::Call {
                call,
                detail: String::new(),
            })
        } else {
            Ok(())
        }
    }

    /// Runs `f` while the logging callback collects HiGHS's messages (into buffers reused
    /// from call to call: see [`captured`](Self::captured)).
    fn capturing<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.sink.used.set(0);
        // SAFETY: valid instance; the callback was registered in `new`.
        unsafe { hs::Highs_startCallback(self.ptr, hs::kHighsCallbackLogging as HInt) };
        let out = f(self);
        // SAFETY: as above.
        unsafe { hs::Highs_stopCallback(self.ptr, hs::kHighsCallbackLogging as HInt) };
        out
    }

    /// The lines of the last capture.
    fn captured(&self) -> Vec<String> {
        self.sink.lines.borrow()[..self.sink.used.get()].to_vec()
    }

    fn cname(call: &'static str, name: &str) -> Result<CString, HighsError> {
        CString::new(name).map_err(|_| HighsError::Argument {
            call,
            detail: format!("'{name}' holds a NUL byte"),
        })
    }

    /// A stop request: HiGHS is interrupted (status `Interrupted`) at its next MIP,
    /// simplex or IPM interrupt check after the flag is set. `None` removes it.
    pub fn set_interrupt(&mut self, interrupt: Option<Interrupt>) {
        *self.sink.interrupt.borrow_mut() = interrupt;
        self.sync_interrupt_callbacks();
    }

    /// A hard wall-clock deadline: HiGHS is interrupted (status `Interrupted`) at its next
    /// MIP, simplex or IPM interrupt check after it, which it polls more often than it
    /// checks `time_limit` on large models. `None` removes it.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.sink.deadline.set(deadline);
        self.sync_interrupt_callbacks();
    }

    /// The interrupt callbacks run while there is something to poll: a deadline, a stop
    /// request, or an observer of improving solutions that may ask to stop.
    fn sync_interrupt_callbacks(&mut self) {
        let on = self.sink.deadline.get().is_some()
            || self.sink.interrupt.borrow().is_some()
            || self.sink.improving.get().is_some();
        for t in INTERRUPT_CALLBACKS {
            // SAFETY: valid instance; the callback was registered in `new`.
            unsafe {
                if on {
                    hs::Highs_startCallback(self.ptr, t as HInt);
                } else {
                    hs::Highs_stopCallback(self.ptr, t as HInt);
                }
            }
        }
    }

    /// Sets a boolean option.
    pub fn set_bool_option(&mut self, name: &str, value: bool) -> Result<(), HighsError> {
        let c = Self::cname("set_bool_option", name)?;
        // SAFETY: valid instance and NUL-terminated name.
        let st = unsafe { hs::Highs_setBoolOptionValue(self.ptr, c.as_ptr(), value as HInt) };
        self.option_result(st, name)
    }

    /// Sets an integer option.
    pub fn set_int_option(&mut self, name: &str, value: i64) -> Result<(), HighsError> {
        let c = Self::cname("set_int_option", name)?;
        let v = value.clamp(0, HInt::MAX as i64) as HInt;
        // SAFETY: as above.
        let st = unsafe { hs::Highs_setIntOptionValue(self.ptr, c.as_ptr(), v) };
        self.option_result(st, name)
    }

    /// Sets a floating-point option.
    pub fn set_double_option(&mut self, name: &str, value: f64) -> Result<(), HighsError> {
        let c = Self::cname("set_double_option", name)?;
        // SAFETY: as above.
        let st = unsafe { hs::Highs_setDoubleOptionValue(self.ptr, c.as_ptr(), value) };
        self.option_result(st, name)
    }

    /// Sets a string option.
    pub fn set_string_option(&mut self, name: &str, value: &str) -> Result<(), HighsError> {
        let c = Self::cname("set_string_option", name)?;
        let v = Self::cname("set_string_option", value)?;
        // SAFETY: as above.
        let st = unsafe { hs::Highs_setStringOptionValue(self.ptr, c.as_ptr(), v.as_ptr()) };
        self.option_result(st, name)
    }

    fn option_result(&self, st: HInt, name: impl OptionName) -> Result<(), HighsError> {
        if st == hs::STATUS_ERROR {
            Err(HighsError::Call {
                call: "Highs_set*OptionValue",
                detail: format!("option '{}' rejected", name.text()),
            })
        } else {
            Ok(())
        }
    }

    /// Sets a floating-point option named by a C string (no allocation; the search's
    /// per-iteration options).
    fn set_double_c(&mut self, name: &CStr, value: f64) -> Result<(), HighsError> {
        // SAFETY: valid instance and NUL-terminated name.
        let st = unsafe { hs::Highs_setDoubleOptionValue(self.ptr, name.as_ptr(), value) };
        self.option_result(st, name)
    }

    /// Sets an integer option named by a C string (no allocation).
    fn set_int_c(&mut self, name: &CStr, value: i64) -> Result<(), HighsError> {
        let v = value.clamp(0, HInt::MAX as i64) as HInt;
        // SAFETY: valid instance and NUL-terminated name.
        let st = unsafe { hs::Highs_setIntOptionValue(self.ptr, name.as_ptr(), v) };
        self.option_result(st, name)
    }

    /// Wall-clock limit of the next solve in seconds (HiGHS's clock is zeroed per solve;
    /// infinity = none).
    pub fn set_time_limit(&mut self, seconds: f64) -> Result<(), HighsError> {
        self.set_double_c(c"time_limit", seconds.max(0.0))
    }

    /// Stop after this many improving solutions (`None`: no limit).
    pub fn set_solution_limit(&mut self, limit: Option<usize>) -> Result<(), HighsError> {
        self.set_int_c(
            c"mip_max_improving_sols",
            limit.map_or(HInt::MAX as i64, |l| l.max(1) as i64),
        )
    }

    /// Feasibility emphasis: more effort on primal heuristics (HiGHS's
    /// `mip_heuristic_effort` 0.3 instead of its default 0.05).
    pub fn set_feasibility_emphasis(&mut self, on: bool) -> Result<(), HighsError> {
        self.set_double_option("mip_heuristic_effort", if on { 0.3 } else { 0.05 })
    }

    /// Relative MIP gap at which HiGHS stops and calls the solution optimal.
    pub fn set_mip_rel_gap(&mut self, gap: f64) -> Result<(), HighsError> {
        self.set_double_option("mip_rel_gap", gap)
    }

    /// HiGHS's random seed.
    pub fn set_random_seed(&mut self, seed: u64) -> Result<(), HighsError> {
        self.set_int_option("random_seed", (seed % (i32::MAX as u64)) as i64)
    }

    /// Reads an MPS or LP file into this instance with HiGHS's reader (a plain forward to
    /// `Highs_readModel`); returns whether HiGHS warned, and its log lines. opal-io's
    /// `read_model` adds opal's validation and builds the [`LinearModel`].
    pub fn read_file(&mut self, path: &std::path::Path) -> Result<(bool, Vec<String>), HighsError> {
        let c = Self::cname("read_file", &path.to_string_lossy())?;
        // SAFETY: valid instance and NUL-terminated path.
        let st = self.capturing(|h| unsafe { hs::Highs_readModel(h.ptr, c.as_ptr()) });
        let lines = self.captured();
        if st == hs::STATUS_ERROR {
            return Err(HighsError::Call {
                call: "Highs_readModel",
                detail: lines.join("; "),
            });
        }
        Ok((st == hs::STATUS_WARNING, lines))
    }

    /// Passes a whole model (replacing any held one). Duplicate entries are summed.
    pub fn pass_model(&mut self, m: &LinearModel) -> Result<(), HighsError> {
        let n = m.num_cols();
        let mrows = m.num_rows();
        let bad = |detail: String| HighsError::Argument {
            call: "pass_model",
            detail,
        };
        for v in [
            &m.cost,
            &m.col_lower,
            &m.col_upper,
            &m.row_lower,
            &m.row_upper,
        ] {
            if v.iter().any(|x| x.is_nan()) {
                return Err(bad("NaN in the model data".into()));
            }
        }
        if [m.col_lower.len(), m.col_upper.len(), m.integer.len()]
            .iter()
            .any(|&l| l != n)
            || m.row_upper.len() != mrows
        {
            return Err(bad("inconsistent vector lengths".into()));
        }
        // Column-wise with duplicates merged.
        let mut trip: Vec<(usize, usize, f64)> = Vec::with_capacity(m.entries.len());
        for &(r, c, v) in &m.entries {
            if r >= mrows || c >= n || v.is_nan() {
                return Err(bad(format!("entry ({r}, {c}, {v}) out of range or NaN")));
            }
            trip.push((c, r, v));
        }
        trip.sort_by_key(|&(c, r, _)| (c, r));
        let mut start = vec![0 as HInt; n + 1];
        let mut index: Vec<HInt> = Vec::with_capacity(trip.len());
        let mut value: Vec<f64> = Vec::with_capacity(trip.len());
        let mut last: Option<(usize, usize)> = None;
        for &(c, r, v) in &trip {
            if last == Some((c, r)) {
                *value.last_mut().unwrap() += v;
                continue;
            }
            last = Some((c, r));
            index.push(r as HInt);
            value.push(v);
            start[c + 1] = index.len() as HInt;
        }
        for c in 0..n {
            start[c + 1] = start[c + 1].max(start[c]);
        }
        let integrality: Vec<HInt> = m.integer.iter().map(|&b| b as HInt).collect();
        let sense = match m.sense {
            Sense::Minimize => hs::kHighsObjSenseMinimize,
            Sense::Maximize => hs::kHighsObjSenseMaximize,
        } as HInt;
        let nnz = index.len() as HInt;
        // SAFETY: all arrays have the lengths HiGHS expects (n, mrows, n+1, nnz).
        let st = self.capturing(|h| unsafe {
            hs::Highs_passMip(
                h.ptr,
                n as HInt,
                mrows as HInt,
                nnz,
                hs::MATRIX_FORMAT_COLUMN_WISE,
                sense,
                m.offset,
                m.cost.as_ptr(),
                m.col_lower.as_ptr(),
                m.col_upper.as_ptr(),
                m.row_lower.as_ptr(),
                m.row_upper.as_ptr(),
                start.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
                integrality.as_ptr(),
            )
        });
        if st == hs::STATUS_ERROR {
            return Err(HighsError::Call {
                call: "Highs_passMip",
                detail: self.captured().join("; "),
            });
        }
        for (j, name) in m.col_names.iter().enumerate() {
            if let Ok(c) = CString::new(name.as_str()) {
                // SAFETY: valid column index and NUL-terminated name.
                unsafe { hs::Highs_passColName(self.ptr, j as HInt, c.as_ptr()) };
            }
        }
        Ok(())
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        // SAFETY: valid instance.
        unsafe { hs::Highs_getNumCol(self.ptr) }.max(0) as usize
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        // SAFETY: valid instance.
        unsafe { hs::Highs_getNumRow(self.ptr) }.max(0) as usize
    }

    /// The model held by HiGHS (matrix column-wise, integrality, Hessian size).
    pub fn lp(&self) -> Result<LpData, HighsError> {
        let n = self.num_cols();
        let m = self.num_rows();
        // SAFETY: valid instance.
        let nnz = unsafe { hs::Highs_getNumNz(self.ptr) }.max(0) as usize;
        let hnnz = unsafe { hs::Highs_getHessianNumNz(self.ptr) }.max(0) as usize;
        let (mut nc, mut nr, mut nz, mut hz, mut sense) = (0, 0, 0, 0, 0);
        let mut offset = 0.0;
        let mut cost = vec![0.0; n];
        let mut cl = vec![0.0; n];
        let mut cu = vec![0.0; n];
        let mut rl = vec![0.0; m];
        let mut ru = vec![0.0; m];
        let mut a_start = vec![0 as HInt; n + 1];
        let mut a_index = vec![0 as HInt; nnz.max(1)];
        let mut a_value = vec![0.0; nnz.max(1)];
        let mut q_start = vec![0 as HInt; n + 1];
        let mut q_index = vec![0 as HInt; hnnz.max(1)];
        let mut q_value = vec![0.0; hnnz.max(1)];
        let mut integ = vec![0 as HInt; n.max(1)];
        // SAFETY: every array is sized from HiGHS's own counts just queried.
        let st = unsafe {
            hs::Highs_getModel(
                self.ptr,
                hs::MATRIX_FORMAT_COLUMN_WISE,
                0,
                &mut nc,
                &mut nr,
                &mut nz,
                &mut hz,
                &mut sense,
                &mut offset,
                cost.as_mut_ptr(),
                cl.as_mut_ptr(),
                cu.as_mut_ptr(),
                rl.as_mut_ptr(),
                ru.as_mut_ptr(),
                a_start.as_mut_ptr(),
                a_index.as_mut_ptr(),
                a_value.as_mut_ptr(),
                q_start.as_mut_ptr(),
                q_index.as_mut_ptr(),
                q_value.as_mut_ptr(),
                integ.as_mut_ptr(),
            )
        };
        self.check(st, "Highs_getModel")?;
        a_index.truncate(nnz);
        a_value.truncate(nnz);
        a_start[n] = nnz as HInt;
        integ.truncate(n);
        Ok(LpData {
            sense: if sense == hs::kHighsObjSenseMaximize as HInt {
                Sense::Maximize
            } else {
                Sense::Minimize
            },
            offset,
            cost,
            col_lower: cl,
            col_upper: cu,
            row_lower: rl,
            row_upper: ru,
            a_start: a_start.iter().map(|&s| s as usize).collect(),
            a_index: a_index.iter().map(|&s| s as usize).collect(),
            a_value,
            integrality: integ,
            hessian_nnz: hz.max(0) as usize,
        })
    }

    /// Name of column `j`.
    pub fn col_name(&self, j: usize) -> Option<String> {
        self.name_by(hs::Highs_getColName, j)
    }

    /// Name of row `i`.
    pub fn row_name(&self, i: usize) -> Option<String> {
        self.name_by(hs::Highs_getRowName, i)
    }

    /// A column or row name through HiGHS's getter.
    fn name_by(
        &self,
        getter: unsafe extern "C" fn(*const c_void, HInt, *mut c_char) -> HInt,
        index: usize,
    ) -> Option<String> {
        let mut buf = vec![0 as c_char; hs::kHighsMaximumStringLength as usize + 1];
        // SAFETY: the buffer holds HiGHS's maximum string length.
        let st = unsafe { getter(self.ptr, index as HInt, buf.as_mut_ptr()) };
        // SAFETY: HiGHS wrote a NUL-terminated name into the buffer.
        (st != hs::STATUS_ERROR).then(|| {
            unsafe { CStr::from_ptr(buf.as_ptr()) }
                .to_string_lossy()
                .into_owned()
        })
    }

    /// Checks that every column index is in range and puts them, as HiGHS's integers, in
    /// `scratch.index`.
    fn check_cols(&mut self, call: &'static str, cols: &[usize]) -> Result<(), HighsError> {
        let n = self.num_cols();
        if let Some(&j) = cols.iter().find(|&&j| j >= n) {
            return Err(HighsError::Argument {
                call,
                detail: format!("column {j} out of range (n = {n})"),
            });
        }
        self.scratch.index.clear();
        self.scratch.index.extend(cols.iter().map(|&j| j as HInt));
        Ok(())
    }

    /// Sets lower/upper bounds of the columns in `cols`.
    pub fn change_col_bounds(
        &mut self,
        cols: &[usize],
        lower: &[f64],
        upper: &[f64],
    ) -> Result<(), HighsError> {
        if cols.is_empty() {
            return Ok(());
        }
        if lower.len() != cols.len() || upper.len() != cols.len() {
            return Err(HighsError::Argument {
                call: "change_col_bounds",
                detail: "length mismatch".into(),
            });
        }
        self.bounds_by_set("change_col_bounds", cols, |k, _| (lower[k], upper[k]))
    }

    /// Sets the bounds of the columns in `cols` to their entries in the full-length
    /// `lower` / `upper` (a model's own bounds: undoing [`change_col_bounds`](Self::change_col_bounds)).
    pub fn reset_col_bounds(
        &mut self,
        cols: &[usize],
        lower: &[f64],
        upper: &[f64],
    ) -> Result<(), HighsError> {
        if let Some(&j) = cols.iter().find(|&&j| j >= lower.len() || j >= upper.len()) {
            return Err(HighsError::Argument {
                call: "reset_col_bounds",
                detail: format!("column {j} beyond the bounds given"),
            });
        }
        self.bounds_by_set("reset_col_bounds", cols, |_, j| (lower[j], upper[j]))
    }

    /// Sets the bounds of `cols`, `bound(k, cols[k])` giving the k-th one, in one call.
    fn bounds_by_set(
        &mut self,
        call: &'static str,
        cols: &[usize],
        bound: impl Fn(usize, usize) -> (f64, f64),
    ) -> Result<(), HighsError> {
        if cols.is_empty() {
            return Ok(());
        }
        self.check_cols(call, cols)?;
        // HiGHS wants the set in ascending order (ties, if any, kept in the given order).
        let Scratch {
            index,
            order,
            sorted,
            lower: lo,
            upper: up,
        } = &mut self.scratch;
        order.clear();
        order.extend(0..index.len());
        order.sort_unstable_by_key(|&k| (index[k], k));
        sorted.clear();
        sorted.extend(order.iter().map(|&k| index[k]));
        lo.clear();
        up.clear();
        for &k in order.iter() {
            let (l, u) = bound(k, cols[k]);
            lo.push(l);
            up.push(u);
        }
        // SAFETY: arrays of equal length, indices in range.
        let st = unsafe {
            hs::Highs_changeColsBoundsBySet(
                self.ptr,
                sorted.len() as HInt,
                sorted.as_ptr(),
                lo.as_ptr(),
                up.as_ptr(),
            )
        };
        self.check(st, "Highs_changeColsBoundsBySet")
    }

    /// Replaces every cost (length num_cols).
    pub fn set_costs(&mut self, cost: &[f64]) -> Result<(), HighsError> {
        let n = self.num_cols();
        if cost.len() != n || cost.iter().any(|c| c.is_nan()) {
            return Err(HighsError::Argument {
                call: "set_costs",
                detail: format!("need {n} finite costs"),
            });
        }
        if n == 0 {
            return Ok(());
        }
        // SAFETY: cost has num_cols entries.
        let st =
            unsafe { hs::Highs_changeColsCostByRange(self.ptr, 0, n as HInt - 1, cost.as_ptr()) };
        self.check(st, "Highs_changeColsCostByRange")
    }

    /// Sets the objective constant.
    pub fn set_offset(&mut self, offset: f64) -> Result<(), HighsError> {
        // SAFETY: valid instance.
        let st = unsafe { hs::Highs_changeObjectiveOffset(self.ptr, offset) };
        self.check(st, "Highs_changeObjectiveOffset")
    }

    /// Adds the row `lower <= sum value_k x_{cols_k} <= upper`; returns its index.
    pub fn add_row(
        &mut self,
        lower: f64,
        upper: f64,
        cols: &[usize],
        values: &[f64],
    ) -> Result<usize, HighsError> {
        if cols.len() != values.len() || values.iter().any(|v| v.is_nan()) {
            return Err(HighsError::Argument {
                call: "add_row",
                detail: "length mismatch or NaN".into(),
            });
        }
        self.check_cols("add_row", cols)?;
        let row = self.num_rows();
        let idx = &self.scratch.index;
        // SAFETY: arrays of equal length, indices in range.
        let st = unsafe {
            hs::Highs_addRow(
                self.ptr,
                lower,
                upper,
                idx.len() as HInt,
                idx.as_ptr(),
                values.as_ptr(),
            )
        };
        self.check(st, "Highs_addRow")?;
        Ok(row)
    }

    /// Adds a continuous column with no matrix entries; returns its index.
    pub fn add_col(&mut self, cost: f64, lower: f64, upper: f64) -> Result<usize, HighsError> {
        let col = self.num_cols();
        // SAFETY: no matrix entries passed.
        let st =
            unsafe { hs::Highs_addCol(self.ptr, cost, lower, upper, 0, ptr::null(), ptr::null()) };
        self.check(st, "Highs_addCol")?;
        // SAFETY: the new column exists.
        let st = unsafe {
            hs::Highs_changeColIntegrality(
                self.ptr,
                col as HInt,
                hs::kHighsVarTypeContinuous as HInt,
            )
        };
        self.check(st, "Highs_changeColIntegrality")?;
        Ok(col)
    }

    /// Deletes the rows with indices `from..num_rows` (the ones an operator appended).
    pub fn truncate_rows(&mut self, from: usize) -> Result<(), HighsError> {
        let m = self.num_rows();
        self.delete_range(
            from,
            m,
            hs::Highs_deleteRowsByRange,
            "Highs_deleteRowsByRange",
        )
    }

    /// Deletes the columns with indices `from..num_cols` (the ones an operator appended).
    pub fn truncate_cols(&mut self, from: usize) -> Result<(), HighsError> {
        let n = self.num_cols();
        self.delete_range(
            from,
            n,
            hs::Highs_deleteColsByRange,
            "Highs_deleteColsByRange",
        )
    }

    /// Deletes the rows or columns `from..count` with HiGHS's `delete` (nothing when empty).
    fn delete_range(
        &mut self,
        from: usize,
        count: usize,
        delete: unsafe extern "C" fn(*mut c_void, HInt, HInt) -> HInt,
        call: &'static str,
    ) -> Result<(), HighsError> {
        if from >= count {
            return Ok(());
        }
        // SAFETY: valid instance, range within the row or column count.
        let st = unsafe { delete(self.ptr, from as HInt, count as HInt - 1) };
        self.check(st, call)
    }

    /// A starting primal point for the next solve (length num_cols).
    pub fn set_solution(&mut self, x: &[f64]) -> Result<(), HighsError> {
        if x.len() != self.num_cols() {
            return Err(HighsError::Argument {
                call: "set_solution",
                detail: format!("{} values for {} columns", x.len(), self.num_cols()),
            });
        }
        // SAFETY: x has num_cols entries; the other arrays may be null.
        let st = unsafe {
            hs::Highs_setSolution(self.ptr, x.as_ptr(), ptr::null(), ptr::null(), ptr::null())
        };
        self.check(st, "Highs_setSolution")
    }

    /// Solves the held model like [`run`](Self::run), handing every improving MIP solution
    /// HiGHS finds to `on_improving` as it is found; [`Control::Stop`] (or a panic of the
    /// observer) interrupts HiGHS at its next check.
    pub fn run_observed(
        &mut self,
        on_improving: &mut dyn FnMut(Improvement) -> Control,
    ) -> Result<ModelStatus, HighsError> {
        let observer: *mut (dyn FnMut(Improvement) -> Control + '_) = on_improving;
        // SAFETY: only the lifetime is erased; the pointer is cleared below, before
        // `on_improving`'s borrow ends, and used only by the callback during `run`.
        let observer: Improving = unsafe { std::mem::transmute(observer) };
        self.sink.improving.set(Some(observer));
        self.sink.stop.set(false);
        self.sync_interrupt_callbacks();
        let cb = hs::kHighsCallbackMipImprovingSolution as HInt;
        // SAFETY: valid instance; the callback was registered in `new`.
        unsafe { hs::Highs_startCallback(self.ptr, cb) };
        let status = self.run();
        // SAFETY: as above.
        unsafe { hs::Highs_stopCallback(self.ptr, cb) };
        self.sink.improving.set(None);
        self.sink.stop.set(false);
        self.sync_interrupt_callbacks();
        status
    }

    /// Solves the held model (the time limit counts from this call).
    pub fn run(&mut self) -> Result<ModelStatus, HighsError> {
        // SAFETY: valid instance.
        unsafe { hs::Highs_zeroAllClocks(self.ptr) };
        let st = self.capturing(|h| unsafe { hs::Highs_run(h.ptr) });
        if st == hs::STATUS_ERROR {
            let status = self.model_status();
            // Errors of a run that still ends in a definite status are reported via it.
            if status == ModelStatus::Error || status == ModelStatus::NotSet {
                return Err(HighsError::Call {
                    call: "Highs_run",
                    detail: self.captured().join("; "),
                });
            }
        }
        Ok(self.model_status())
    }

    /// Status of the last solve.
    pub fn model_status(&self) -> ModelStatus {
        // SAFETY: valid instance.
        ModelStatus::from_raw(unsafe { hs::Highs_getModelStatus(self.ptr) })
    }

    fn int_info(&self, name: &CStr) -> Option<i64> {
        let mut v: HInt = 0;
        // SAFETY: valid instance, NUL-terminated name, out-pointer.
        let st = unsafe { hs::Highs_getIntInfoValue(self.ptr, name.as_ptr(), &mut v) };
        (st == hs::STATUS_OK).then_some(v as i64)
    }

    fn double_info(&self, name: &CStr) -> Option<f64> {
        let mut v = 0.0;
        // SAFETY: as above.
        let st = unsafe { hs::Highs_getDoubleInfoValue(self.ptr, name.as_ptr(), &mut v) };
        (st == hs::STATUS_OK).then_some(v)
    }

    /// Whether the last solve left a feasible primal solution.
    pub fn has_solution(&self) -> bool {
        self.int_info(c"primal_solution_status") == Some(hs::SOLUTION_STATUS_FEASIBLE as i64)
    }

    /// Objective value of the held solution (in the model's sense, offset included).
    pub fn objective_value(&self) -> f64 {
        // SAFETY: valid instance.
        unsafe { hs::Highs_getObjectiveValue(self.ptr) }
    }

    /// HiGHS's MIP dual bound after a MIP solve (in the model's sense); `None` for an LP.
    pub fn mip_dual_bound(&self) -> Option<f64> {
        self.double_info(c"mip_dual_bound")
    }

    /// HiGHS's relative MIP gap after a MIP solve.
    pub fn mip_gap(&self) -> Option<f64> {
        self.double_info(c"mip_gap")
    }

    /// Branch-and-bound nodes of the last MIP solve.
    pub fn mip_nodes(&self) -> Option<i64> {
        let mut v: i64 = 0;
        // SAFETY: valid instance, NUL-terminated name, out-pointer.
        let st =
            unsafe { hs::Highs_getInt64InfoValue(self.ptr, c"mip_node_count".as_ptr(), &mut v) };
        (st == hs::STATUS_OK).then_some(v)
    }

    /// Primal column values of the held solution (zeros when there is none).
    pub fn solution(&self) -> Vec<f64> {
        let mut x = Vec::new();
        self.solution_into(&mut x);
        x
    }

    /// [`solution`](Self::solution) into `x` (resized to num_cols; no allocation once it
    /// has the capacity).
    pub fn solution_into(&self, x: &mut Vec<f64>) {
        x.clear();
        x.resize(self.num_cols(), 0.0);
        // SAFETY: x has num_cols entries; HiGHS skips the null arrays.
        unsafe {
            hs::Highs_getSolution(
                self.ptr,
                x.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
    }

    /// Sets every column's integrality: all `false` gives the LP relaxation, the model's
    /// flags restore it.
    pub fn set_integrality(&mut self, integer: &[bool]) -> Result<(), HighsError> {
        let n = self.num_cols();
        if integer.len() != n {
            return Err(HighsError::Argument {
                call: "set_integrality",
                detail: format!("{} flags for {n} columns", integer.len()),
            });
        }
        if n == 0 {
            return Ok(());
        }
        let v: Vec<HInt> = integer.iter().map(|&b| b as HInt).collect();
        // SAFETY: v has num_cols entries.
        let st = unsafe {
            hs::Highs_changeColsIntegralityByRange(self.ptr, 0, n as HInt - 1, v.as_ptr())
        };
        self.check(st, "Highs_changeColsIntegralityByRange")
    }

    /// Clears solver state (solution, basis) so that the next run starts afresh.
    pub fn clear_solver(&mut self) {
        // SAFETY: valid instance.
        unsafe { hs::Highs_clearSolver(self.ptr) };
    }
}

/// An option's name as `&str` (public setters) or `&CStr` (the internal ones).
trait OptionName {
    fn text(&self) -> String;
}

impl OptionName for &str {
    fn text(&self) -> String {
        self.to_string()
    }
}

impl OptionName for &CStr {
    fn text(&self) -> String {
        self.to_string_lossy().into_owned()
    }
}

impl Drop for Highs {
    fn drop(&mut self) {
        // SAFETY: the pointer came from Highs_create and is destroyed once; the sink box is
        // dropped after this body, so the callback never sees a dangling pointer.
        unsafe { hs::Highs_destroy(self.ptr) };
    }
}

#[cfg(test)]
mod tests;
