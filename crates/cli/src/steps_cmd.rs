// Owns: the `steps` command — the step catalog as text or JSON, with links when a site is given.
// Must not: probe the site.

use clap::Args;
use diagnosis::{catalog, Verification};
use moodle_ws::normalize_site_url;

use crate::exit;
use crate::output::Format;

#[derive(Debug, Args)]
pub struct StepsArgs {
    /// A Moodle address, to print full links to the admin pages.
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: StepsArgs) -> u8 {
    let root = match args.url.as_deref().map(normalize_site_url).transpose() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let link = |path: Option<&str>| match (&root, path) {
        (Some(r), Some(p)) => Some(r.endpoint(p).to_string()),
        (None, Some(p)) => Some(p.to_owned()),
        _ => None,
    };
    match args.format {
        Format::Json => {
            let steps: Vec<serde_json::Value> = catalog()
                .iter()
                .map(|s| {
                    let mut v = serde_json::to_value(s).unwrap_or_default();
                    v["link"] = serde_json::json!(link(s.admin_path));
                    v
                })
                .collect();
            println!("{}", serde_json::Value::Array(steps));
        }
        Format::Text => {
            for s in catalog() {
                let how = match s.verification {
                    Verification::Remote => "checked by doctor",
                    Verification::Partial => "partly checked by doctor",
                    Verification::Manual => "manual",
                };
                println!("{:>2}. {} [{how}]", s.number, s.title);
                println!("    {}", s.action);
                if let Some(l) = link(s.admin_path) {
                    println!("    {l}");
                }
            }
        }
    }
    exit::OK
}
