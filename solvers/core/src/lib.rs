//! The run protocol every opal solver follows, so that a user meets one set of ideas
//! whichever method runs:
//!
//! - [`Status`]: one enum for how any run ended; each family keeps the precise cause in its
//!   result (a message and, where programs need it, a detail field);
//! - [`Budget`] and [`Clock`]: iteration limit, time limit, stop request ([`Interrupt`]);
//! - [`Observer`]: init / iteration / finish callbacks that may stop a run, with
//!   [`LogObserver`] giving every solver the same IPOPT-style iteration log;
//! - [`Run`]: the three asked at the same points by every loop;
//! - [`setters!`] and [`check_range`]: one builder style and one settings check;
//! - [`linalg`]: small shared vector kernels.
//!
//! Modelled on argmin's executor, observers and termination reasons, and on Clarabel's
//! settings (one struct with documented defaults per solver).

#![deny(missing_docs)]

pub mod alloc_count;
pub mod budget;
pub mod interrupt;
pub mod linalg;
pub mod log;
pub mod memory;
pub mod observer;
pub mod run;
pub mod settings;
pub mod status;

pub use budget::{Budget, BudgetError, Clock, MAX_TIME_LIMIT_S, time_limit_from_secs};
pub use interrupt::Interrupt;
pub use log::{Column, Format, LogObserver, Record, Value};
pub use observer::{Control, Finish, NoObserver, Observer, Observers, Start};
pub use run::Run;
pub use settings::{SettingError, check_range};
pub use status::Status;
