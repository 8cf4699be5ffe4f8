// Owns: how a report is printed — text for people (coloured on a terminal) or one JSON
// document. Must not: judge, or choose an exit code.

use clap::ValueEnum;
use diagnosis::Report;

use crate::render_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn print_report(report: &Report, format: Format) {
    match format {
        Format::Json => match serde_json::to_string_pretty(report) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("error: {e}"),
        },
        Format::Text => print!("{}", render_text::render(report, render_text::use_colour())),
    }
}
