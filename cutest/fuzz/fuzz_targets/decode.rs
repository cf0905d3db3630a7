//! The SIF lexer, parser and problem assembly alone (fast): any input gives a problem or an
//! error naming the file, never a panic.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = checks::decode(data);
});
