// Owns: the doctor for the schools saved in the desktop app — one by name (`--profile`) or
// all at once (`--all-profiles`), with their tokens from the system keyring — printed as a
// report per school and a summary table, one JSON document, or one monitoring line; and the
// way into `--watch`. Must not: judge, or write anything.

use std::fmt::Write as _;

use diagnosis::Outcome;
use schools::district::{check_all, worst, Checked, School};
use schools::profile::{Profile, ProfileStore};
use secrets::{KeyringStore, SecretStore};

use crate::doctor_args::{
    bad_input, http_client, options, token_from_env, DoctorArgs, OPENSIS_TOKEN_VAR,
    USERKEY_TOKEN_VAR,
};
use crate::output::{print_report, Format};
use crate::{nagios, render_text, watch_cmd};

/// The schools the flags name: one saved school, all of them, or the one `--url` gives.
pub fn schools(args: &DoctorArgs) -> Result<Vec<School>, String> {
    if let Some(url) = &args.url {
        return Ok(vec![School {
            id: "url".into(),
            name: url.clone(),
            input: diagnosis::DiagnoseInput {
                url: url.clone(),
                opensis_token: token_from_env(OPENSIS_TOKEN_VAR),
                userkey_token: token_from_env(USERKEY_TOKEN_VAR),
                admin_email: args.admin_email.clone(),
            },
            simulated_site: false,
        }]);
    }
    let store = ProfileStore::default_location().map_err(|e| e.to_string())?;
    let profiles = store.list().map_err(|e| e.to_string())?;
    let chosen: Vec<Profile> = match &args.profile {
        Some(name) => {
            let wanted = name.trim();
            let found = profiles
                .into_iter()
                .find(|p| p.id == wanted || p.name.trim().eq_ignore_ascii_case(wanted));
            vec![found.ok_or_else(|| {
                format!(
                    "no school named \"{wanted}\" in {}; the desktop app lists them on its start screen",
                    store.path().display()
                )
            })?]
        }
        None => profiles,
    };
    if chosen.is_empty() {
        return Err(format!(
            "no school is saved in {} yet: add one in the desktop app",
            store.path().display()
        ));
    }
    let keyring = KeyringStore::default();
    let single = args.profile.is_some();
    chosen
        .iter()
        .map(|p| {
            // Environment tokens stand for one school: they win only with --profile.
            let (opensis, userkey) = if single {
                (
                    token_from_env(OPENSIS_TOKEN_VAR),
                    token_from_env(USERKEY_TOKEN_VAR),
                )
            } else {
                (None, None)
            };
            let mut school =
                School::from_profile(p, Some(&keyring as &dyn SecretStore), opensis, userkey)
                    .map_err(|e| format!("{}: {e}", p.name))?;
            if let Some(email) = &args.admin_email {
                school.input.admin_email = Some(email.clone());
            }
            Ok(school)
        })
        .collect()
}

pub async fn run(args: DoctorArgs) -> u8 {
    let schools = match schools(&args) {
        Ok(s) => s,
        Err(e) => {
            if args.nagios {
                println!("MOODLE UNKNOWN - {e}");
            } else {
                eprintln!("error: {e}");
            }
            return bad_input(&args);
        }
    };
    let http = match http_client(&args) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return bad_input(&args);
        }
    };
    if let Some(interval) = args.watch {
        return watch_cmd::run(&args, &http, schools, interval).await;
    }
    let opts = options(&args);
    let checked = check_all(
        &http,
        schools,
        &opts,
        usize::from(args.concurrency),
        |done, total, c| {
            if total > 1 && !args.nagios && args.format == Format::Text {
                eprintln!("checked {done} of {total}: {}", c.name);
            }
        },
    )
    .await;
    if args.nagios {
        let (code, line) = if args.all_profiles {
            nagios::line_for_schools(&checked)
        } else {
            match &checked[0].report {
                Ok(r) => nagios::line(r),
                Err(e) => (nagios::UNKNOWN, format!("MOODLE UNKNOWN - {e}")),
            }
        };
        println!("{line}");
        return code;
    }
    match args.format {
        Format::Json if args.all_profiles => println!("{}", json(&checked)),
        Format::Json | Format::Text if checked.len() == 1 => match &checked[0].report {
            Ok(r) => print_report(r, args.format),
            Err(e) => {
                eprintln!("error: {}: {e}", checked[0].name);
                return bad_input(&args);
            }
        },
        _ => print!("{}", text(&checked)),
    }
    worst(&checked).exit_code()
}

/// One document for all schools: the worst outcome first, then each school's report.
pub fn json(checked: &[Checked]) -> String {
    let schools: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| {
            let mut v = serde_json::json!({"id": c.id, "name": c.name, "url": c.url});
            match &c.report {
                Ok(r) => v["report"] = serde_json::to_value(r).unwrap_or_default(),
                Err(e) => v["error"] = serde_json::Value::String(e.clone()),
            }
            v
        })
        .collect();
    let doc = serde_json::json!({"outcome": worst(checked), "schools": schools});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn verdict_word(c: &Checked) -> &'static str {
    match &c.report {
        Ok(r) => match r.verdict.outcome {
            Outcome::Passed => "all good",
            Outcome::Failed => "needs you",
            Outcome::CouldNotTell => "could not tell",
        },
        Err(_) => "not checked",
    }
}

/// Each school's report, failing schools first, then a table of all of them.
pub fn text(checked: &[Checked]) -> String {
    let colour = render_text::use_colour();
    let mut out = String::new();
    for c in checked {
        let _ = writeln!(out, "══ {} ({}) ══", c.name, c.url);
        match &c.report {
            Ok(r) => out.push_str(&render_text::render(r, colour)),
            Err(e) => {
                let _ = writeln!(out, "Not checked: {e}");
            }
        }
        out.push('\n');
    }
    let width = checked
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "{:<width$}  {:<14}  failing steps",
        "School", "Verdict"
    );
    for c in checked {
        let failing = match &c.report {
            Ok(r) if !r.failing_steps().is_empty() => r
                .failing_steps()
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Ok(_) => "—".into(),
            Err(e) => e.clone(),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<14}  {failing}",
            c.name,
            verdict_word(c)
        );
    }
    out
}
