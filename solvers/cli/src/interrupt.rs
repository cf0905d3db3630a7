//! Ctrl-C: the first press asks the running solver to stop (every family's loop checks
//! its [`Budget`](opal_core::Budget)'s interrupt flag) so that it ends with the best
//! answer so far, printed as usual with status `interrupted`; a second press aborts.

use std::sync::OnceLock;
use std::time::Instant;

use opal_core::{Budget, Interrupt};

static HANDLE: OnceLock<Interrupt> = OnceLock::new();
static STARTED: OnceLock<Instant> = OnceLock::new();

/// When the command started (first called in `main`, before any file is read): every
/// family's time limit counts from here, so `--time-limit` bounds the whole command,
/// file loading included.
pub fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// `budget` as every command runs it: stopped by Ctrl-C, its time counted from the
/// command's start.
pub fn attach(budget: Budget) -> Budget {
    budget.with_interrupt(handle()).with_start(started())
}

/// The process-wide stop request, connected to Ctrl-C (SIGINT) on first use.
pub fn handle() -> Interrupt {
    HANDLE
        .get_or_init(|| {
            let interrupt = Interrupt::new();
            let flag = interrupt.clone();
            let installed = ctrlc::set_handler(move || {
                if flag.is_triggered() {
                    eprintln!("opal: interrupted again: aborting");
                    std::process::exit(130);
                }
                flag.trigger();
                eprintln!(
                    "opal: interrupted: stopping with the best answer so far \
                     (Ctrl-C again to abort)"
                );
            });
            if let Err(e) = installed {
                eprintln!("opal: warning: Ctrl-C cannot stop solvers cleanly here: {e}");
            }
            interrupt
        })
        .clone()
}

/// True when Ctrl-C stopped a run (the exit code is then 130, as for a shell's SIGINT).
pub fn was_triggered() -> bool {
    HANDLE.get().is_some_and(Interrupt::is_triggered)
}
