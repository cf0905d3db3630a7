//! `opal problems`: the catalogue of built-in problems and generators.

use opal_problems::registry::{Entry, GENERATORS, PROBLEMS};

use crate::CliError;

fn print_entries(title: &str, entries: &[Entry]) {
    println!("{title}");
    for e in entries {
        println!("  {:<12} {}", e.name, e.description);
        println!("  {:<12} usage: {}", "", e.usage);
        for p in e.params {
            println!(
                "  {:<14} {:<10} {} (default {})",
                "", p.name, p.help, p.default
            );
        }
    }
}

/// Prints the catalogue.
pub fn run() -> Result<(), CliError> {
    print_entries("Built-in problems (use with `opal inspect`):", PROBLEMS);
    println!();
    print_entries(
        "Generators (use with `opal generate NAME:k=v,... --out FILE`):",
        GENERATORS,
    );
    Ok(())
}
