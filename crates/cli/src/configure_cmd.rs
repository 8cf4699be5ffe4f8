//! `configure`: signs in to Moodle as its administrator, shows the plan, does the set-up's steps
//! through Moodle's own admin forms, keeps the tokens in the school's keyring, records every
//! change in the school's profile, and proves the result with the doctor. `--undo` puts the last
//! run back. A view only: the plan, the changes and the proof are made in setup-automation and
//! the diagnosis.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use diagnosis::{diagnose_with, DiagnoseInput, DiagnoseOptions};
use plugin_zip::validate::{validate_bytes, ValidateOptions};
use schools::profile::{Profile, ProfileStore};
use secrets::{KeyringStore, Secret, SecretKind, SecretStore};
use setup_automation::apply::ApplyInput;
use setup_automation::plan::Plan;
use setup_automation::record::now_secs;
use setup_automation::run::{self, Event, RunOutcome};
use setup_automation::undo::Restored;
use setup_automation::{AdminError, AdminSession, Password};

use crate::exit;
use crate::output::{print_report, Format};

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// The Moodle address, as you open it in a browser (or the school's, with --profile).
    #[arg(long)]
    pub url: Option<String>,
    /// The site administrator's user name.
    #[arg(long, default_value = "admin")]
    pub admin_user: String,
    /// Read the password from the first line of standard input (else it is asked for, unseen).
    #[arg(long)]
    pub password_stdin: bool,
    /// A plugin ZIP to install (openSIS-Moodle-User-Authenticator.zip = auth_userkey).
    #[arg(long = "plugin-zip", value_name = "FILE")]
    pub plugin_zips: Vec<PathBuf>,
    /// The school (desktop app profile) to save the site, both tokens (system keyring) and
    /// the record of the changes in; created if new. Default: the site's host name.
    #[arg(long)]
    pub profile: Option<String>,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply the plan without asking.
    #[arg(long)]
    pub yes: bool,
    /// Put the school's last run back (needs --profile).
    #[arg(long, requires = "profile", conflicts_with_all = ["dry_run", "plugin_zips"])]
    pub undo: bool,
    /// The admin's e-mail for the single sign-on proof (looked up when absent).
    #[arg(long)]
    pub admin_email: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

const COULD_NOT_TELL: u8 = 3;

pub async fn run(args: ConfigureArgs) -> u8 {
    finish(run_inner(&args, Mode::Configure).await)
}

fn finish(result: Result<u8, Failure>) -> u8 {
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            exit::BAD_INPUT
        }
        Err(Failure::Stopped(message)) => {
            eprintln!("error: {message}");
            exit::CHECK_FAILED
        }
    }
}

/// `configure`, or `doctor --fix` with the tokens the doctor was given.
enum Mode {
    Configure,
    Fix {
        opensis: Option<moodle_ws::WsToken>,
        userkey: Option<moodle_ws::WsToken>,
    },
}

/// `doctor --fix`: the doctor first; only when a check fails, the sign-in, the plan and the
/// changes, then the doctor again.
pub async fn fix(args: crate::doctor_args::DoctorArgs) -> u8 {
    use crate::doctor_args::{token_from_env, OPENSIS_TOKEN_VAR, USERKEY_TOKEN_VAR};
    if args.url.is_some() == args.profile.is_some() && args.url.is_none() {
        eprintln!("error: --fix needs --url or --profile");
        return exit::BAD_INPUT;
    }
    let configure = ConfigureArgs {
        url: args.url.clone(),
        admin_user: args.admin_user.clone(),
        password_stdin: args.password_stdin,
        plugin_zips: args.plugin_zips.clone(),
        profile: args.profile.clone(),
        dry_run: false,
        yes: args.yes,
        undo: false,
        admin_email: args.admin_email.clone(),
        format: args.format,
    };
    finish(
        run_inner(
            &configure,
            Mode::Fix {
                opensis: token_from_env(OPENSIS_TOKEN_VAR),
                userkey: token_from_env(USERKEY_TOKEN_VAR),
            },
        )
        .await,
    )
}

enum Failure {
    /// Usage, input or sign-in: nothing was changed.
    Usage(String),
    /// Something was attempted and did not work.
    Stopped(String),
}

fn usage(e: impl ToString) -> Failure {
    Failure::Usage(e.to_string())
}

struct School {
    store: ProfileStore,
    profile: Profile,
}

fn choose_school(name: Option<&str>, url: &str) -> Result<School, Failure> {
    let store = ProfileStore::default_location().map_err(usage)?;
    let wanted = match name {
        Some(n) => n.trim().to_string(),
        None => url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "Moodle".into()),
    };
    if wanted.is_empty() {
        return Err(usage("--profile needs a name"));
    }
    let found = store
        .list()
        .map_err(usage)?
        .into_iter()
        .find(|p| p.id == wanted || p.name.trim().eq_ignore_ascii_case(&wanted));
    Ok(School {
        store,
        profile: found.unwrap_or_else(|| Profile::new(wanted)),
    })
}

fn read_password(args: &ConfigureArgs) -> Result<Password, Failure> {
    let raw = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| usage(format!("cannot read the password from standard input: {e}")))?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Moodle password of {}: ", args.admin_user))
            .map_err(|e| usage(format!("cannot read the password: {e}")))?
    } else {
        return Err(usage(
            "no password: give it on standard input with --password-stdin, or run on a terminal",
        ));
    };
    if raw.is_empty() {
        return Err(usage("the password is empty"));
    }
    Ok(Password::new(raw))
}

fn read_zips(args: &ConfigureArgs) -> Result<Option<(String, Vec<u8>)>, Failure> {
    let mut userkey = None;
    for path in &args.plugin_zips {
        let bytes = std::fs::read(path)
            .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plugin.zip".into());
        let verdict = validate_bytes(&name, &bytes, &ValidateOptions::default());
        if let Some(problem) = verdict.errors().next() {
            return Err(usage(format!(
                "{name} is not a plugin Moodle would install: {}",
                problem.message
            )));
        }
        match verdict.component.as_deref() {
            Some("auth_userkey") => userkey = Some((name, bytes)),
            Some(other) => {
                return Err(usage(format!(
                    "{name} is {other}: only auth_userkey (openSIS-Moodle-User-Authenticator.zip) is installed by configure; install {other} on Site administration → Plugins → Install plugins"
                )))
            }
            None => return Err(usage(format!("{name} has no plugin component"))),
        }
    }
    Ok(userkey)
}

fn confirm(count: usize) -> Result<bool, Failure> {
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| usage("cannot ask for confirmation here: add --yes to apply the plan"))?;
    write!(tty, "Make these {count} changes? [y/N] ").map_err(usage)?;
    let mut line = String::new();
    std::io::BufReader::new(tty)
        .read_line(&mut line)
        .map_err(usage)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn print_plan(site: &str, plan: &Plan) {
    if plan.is_empty() {
        println!("Plan for {site}: nothing to change; every step the app can do is done.");
    } else {
        println!(
            "Plan for {site}: {} change{}",
            plan.changes.len(),
            if plan.changes.len() == 1 { "" } else { "s" }
        );
        for c in &plan.changes {
            println!(
                "  step {:>2}  {}: {} → {}",
                c.step, c.what, c.before, c.after
            );
        }
    }
    for c in &plan.cannot {
        println!("  cannot  step {}: {}", c.step, c.why);
    }
}

async fn sign_in(
    root: &moodle_ws::SiteRoot,
    args: &ConfigureArgs,
) -> Result<AdminSession, Failure> {
    let password = read_password(args)?;
    let http = AdminSession::http_client().map_err(usage)?;
    AdminSession::sign_in(http, root.clone(), &args.admin_user, &password)
        .await
        .map_err(|e| match e {
            AdminError::SignIn(refusal) => usage(refusal),
            other => usage(format!("could not sign in: {other}")),
        })
}

async fn diagnose(
    root: &moodle_ws::SiteRoot,
    opensis: Option<moodle_ws::WsToken>,
    userkey: Option<moodle_ws::WsToken>,
    email: Option<String>,
) -> Result<diagnosis::Report, Failure> {
    let input = DiagnoseInput {
        url: root.to_string(),
        opensis_token: opensis,
        userkey_token: userkey,
        admin_email: email,
    };
    let http = moodle_ws::build_http_client(&moodle_ws::HttpConfig::default()).map_err(usage)?;
    diagnose_with(&http, &input, &DiagnoseOptions::default())
        .await
        .map_err(usage)
}

async fn run_inner(args: &ConfigureArgs, mode: Mode) -> Result<u8, Failure> {
    let keyring = KeyringStore::default();
    let missing_url =
        || usage("give the Moodle address with --url (or a saved school with --profile)");
    // The school named by --profile (its address when --url is not given), else the one named
    // after the site's host.
    let (root, mut school) = match (&args.url, &args.profile) {
        (Some(url), name) => {
            let root = moodle_ws::normalize_site_url(url).map_err(usage)?;
            let school = choose_school(name.as_deref(), &root.to_string())?;
            (root, school)
        }
        (None, Some(name)) => {
            let school = choose_school(Some(name), "")?;
            if school.profile.moodle_url.is_empty() {
                return Err(missing_url());
            }
            let root = moodle_ws::normalize_site_url(&school.profile.moodle_url).map_err(usage)?;
            (root, school)
        }
        (None, None) => return Err(missing_url()),
    };
    if args.undo {
        return undo(args, &root, &mut school).await;
    }
    let zip = read_zips(args)?;
    let have = |kind| {
        keyring
            .get(&school.profile.id, kind)
            .ok()
            .flatten()
            .and_then(|s: Secret| moodle_ws::WsToken::new(s.expose()))
    };
    let same_site = school.profile.moodle_url.is_empty()
        || moodle_ws::same_site(&school.profile.moodle_url, &root.to_string());
    let mut kept_opensis = same_site.then(|| have(SecretKind::OpensisToken)).flatten();
    let mut kept_userkey = same_site.then(|| have(SecretKind::UserkeyToken)).flatten();
    let fixing = matches!(mode, Mode::Fix { .. });
    if let Mode::Fix { opensis, userkey } = mode {
        kept_opensis = opensis.or(kept_opensis);
        kept_userkey = userkey.or(kept_userkey);
        let email = args
            .admin_email
            .clone()
            .or(school.profile.admin_email.clone());
        let before = diagnose(&root, kept_opensis.clone(), kept_userkey.clone(), email).await?;
        if before.verdict.outcome.exit_code() == 0 {
            print_report(&before, args.format);
            if args.format == Format::Text {
                println!("Nothing to fix.");
            }
            return Ok(exit::OK);
        }
        let (keep_opensis, keep_userkey) = diagnosis::fixable::tokens_kept_after(
            &before,
            kept_opensis.is_some(),
            kept_userkey.is_some(),
        );
        if !keep_opensis {
            kept_opensis = None;
        }
        if !keep_userkey {
            kept_userkey = None;
        }
        let site_problems = diagnosis::fixable::unfixable(&before);
        if !site_problems.is_empty() {
            print_report(&before, args.format);
            eprintln!(
                "Not fixable from Moodle's admin pages, nothing was changed: {}",
                site_problems.join(" ")
            );
            return Ok(exit::CHECK_FAILED);
        }
        if args.format == Format::Text {
            println!("{}", before.verdict.headline);
        }
    }

    let mut session = sign_in(&root, args).await?;
    let wanted = run::wanted(
        &diagnosis::required_functions::required_functions(),
        zip.is_some(),
        kept_opensis.is_some(),
        kept_userkey.is_some(),
    );
    let (_site, plan) = match run::read_and_plan(&mut session, &wanted).await {
        Ok(p) => p,
        Err(e) => {
            let _ = session.sign_out().await;
            return Err(Failure::Stopped(format!("could not read the site: {e}")));
        }
    };
    if args.format == Format::Text {
        print_plan(&root.to_string(), &plan);
    }
    let apply = !plan.is_empty() && !args.dry_run && (args.yes || confirm(plan.changes.len())?);
    let outcome = if apply {
        let input = ApplyInput { userkey_zip: zip };
        let text = args.format == Format::Text;
        run::apply_plan(&mut session, &plan, &input, |event| {
            if !text {
                return;
            }
            match event {
                Event::Start {
                    index,
                    total,
                    change,
                } => eprint!(
                    "[{}/{}] step {} {} … ",
                    index + 1,
                    total,
                    change.step,
                    change.what
                ),
                Event::Made { record, .. } => eprintln!("done ({})", record.proof),
                Event::Refused { error, .. } => eprintln!("stopped: {error}"),
            }
        })
        .await
    } else {
        RunOutcome::default()
    };
    let requests = session.requests();
    let _ = session.sign_out().await;

    if plan.is_empty() && !args.dry_run && fixing {
        let report = diagnose(
            &root,
            kept_opensis,
            kept_userkey,
            school.profile.admin_email.clone(),
        )
        .await?;
        print_report(&report, args.format);
        eprintln!(
            "Moodle's admin pages show every setting the app can change as it should be: what still fails needs you (see the fixes above). Nothing was changed."
        );
        return Ok(if report.verdict.outcome.exit_code() == 0 {
            exit::OK
        } else {
            exit::CHECK_FAILED
        });
    }
    if args.dry_run || !apply && !plan.is_empty() {
        if args.format == Format::Json {
            println!(
                "{}",
                serde_json::json!({ "site": root.to_string(), "plan": plan, "changes": [] })
            );
        } else if !args.dry_run {
            println!("Nothing was changed.");
        }
        return Ok(exit::OK);
    }

    // Keep what was made: the site, the tokens (keyring), the record of the changes.
    school.profile.moodle_url = root.to_string();
    if let Some(email) = &args.admin_email {
        school.profile.admin_email = Some(email.clone());
    }
    if !outcome.run.changes.is_empty() {
        school.profile.setup_runs.push(outcome.run.clone());
    }
    // The record first: whatever happens next, the run can be put back.
    school
        .store
        .upsert(&school.profile)
        .map_err(|e| Failure::Stopped(format!("the school could not be saved: {e}")))?;

    for (kind, token) in [
        (SecretKind::OpensisToken, &outcome.opensis_token),
        (SecretKind::UserkeyToken, &outcome.userkey_token),
    ] {
        if let Some(t) = token {
            keyring
                .set(&school.profile.id, kind, &Secret::new(t.expose()))
                .map_err(|e| {
                    Failure::Stopped(format!(
                        "a token was created but the system keyring refused it ({e}); Put it back with configure --undo --profile \"{}\" and run again where the keyring works",
                        school.profile.name
                    ))
                })?;
            // The app's names for the kinds, so that it shows when each was saved.
            let key = match kind {
                SecretKind::OpensisToken => "opensis_token",
                _ => "userkey_token",
            };
            school
                .profile
                .tokens_saved_at
                .insert(key.into(), now_secs());
        }
    }
    school
        .store
        .upsert(&school.profile)
        .map_err(|e| Failure::Stopped(format!("the school could not be saved: {e}")))?;

    // The proof: the doctor, with the tokens now kept.
    let (opensis, userkey) = (
        outcome.opensis_token.clone().or(kept_opensis),
        outcome.userkey_token.clone().or(kept_userkey),
    );
    let email = school.profile.admin_email.clone();
    let mut report = diagnose(&root, opensis.clone(), userkey.clone(), email.clone()).await?;
    // A token a moment old can meet a refusal Moodle gives only once (4.1 answered its first
    // calls with "Error writing to database"): a check that could not tell is asked once more.
    if report.verdict.outcome.exit_code() == COULD_NOT_TELL {
        if args.format == Format::Text {
            eprintln!("A check could not tell on the first try; checking once more.");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        report = diagnose(&root, opensis, userkey, email).await?;
    }
    if school.profile.remember_looked_up_email(&report) {
        let _ = school.store.upsert(&school.profile);
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "site": root.to_string(),
                "school": school.profile.name,
                "plan": plan,
                "changes": outcome.run.changes,
                "stopped": outcome.stopped.as_ref().map(|s| serde_json::json!({"step": s.step, "what": s.what, "why": s.why})),
                "not_on_site": outcome.not_on_site,
                "admin_requests": requests,
                "report": report,
            }))
            .unwrap_or_default()
        ),
        Format::Text => {
            if !outcome.not_on_site.is_empty() {
                println!(
                    "Not on this site (step 3: the openSIS-Web-Services plugin brings them): {}",
                    outcome.not_on_site.join(", ")
                );
            }
            let made = outcome.opensis_token.is_some() as usize
                + outcome.userkey_token.is_some() as usize;
            if !outcome.run.changes.is_empty() {
                println!(
                    "{} change{} made and recorded in school \"{}\" ({} admin page requests){}; configure --undo --profile \"{}\" puts {} back.",
                    outcome.run.changes.len(),
                    if outcome.run.changes.len() == 1 { "" } else { "s" },
                    school.profile.name,
                    requests,
                    match made {
                        0 => String::new(),
                        1 => "; the new token is in the system keyring (type it in openSIS with sis-moodle-setup sis)".into(),
                        _ => "; both new tokens are in the system keyring (type them in openSIS with sis-moodle-setup sis)".into(),
                    },
                    school.profile.name,
                    if outcome.run.changes.len() == 1 { "it" } else { "them" },
                );
            }
            println!("The proof, by the doctor:");
            print_report(&report, Format::Text);
        }
    }
    if let Some(s) = &outcome.stopped {
        eprintln!("Stopped at step {} ({}): {}", s.step, s.what, s.why);
        return Ok(exit::CHECK_FAILED);
    }
    Ok(match report.verdict.outcome.exit_code() {
        0 => exit::OK,
        1 => exit::CHECK_FAILED,
        _ => COULD_NOT_TELL,
    })
}

async fn undo(
    args: &ConfigureArgs,
    root: &moodle_ws::SiteRoot,
    school: &mut School,
) -> Result<u8, Failure> {
    let Some(index) = school
        .profile
        .setup_runs
        .iter()
        .rposition(|r| r.undone_at.is_none() && !r.changes.is_empty())
    else {
        return Err(usage(format!(
            "school \"{}\" has no run to put back",
            school.profile.name
        )));
    };
    let run = school.profile.setup_runs[index].clone();
    if !moodle_ws::same_site(&run.site, &root.to_string()) {
        return Err(usage(format!(
            "the last run was on {}, not on {root}",
            run.site
        )));
    }
    println!(
        "Put back {} change{} made on {}:",
        run.changes.len(),
        if run.changes.len() == 1 { "" } else { "s" },
        run.site
    );
    for c in run.changes.iter().rev() {
        match &c.undo {
            setup_automation::record::Undo::LeaveInstalled { component } => println!(
                "  step {:>2}  {}: stays installed (uninstalling {component} would delete its data)",
                c.step, c.what
            ),
            _ => println!("  step {:>2}  {}: {} → {}", c.step, c.what, c.after, c.before),
        }
    }
    if !args.yes && !confirm(run.changes.len())? {
        println!("Nothing was changed.");
        return Ok(exit::OK);
    }
    let mut session = sign_in(root, args).await?;
    let outcome = run::undo_run(&mut session, &run).await;
    let _ = session.sign_out().await;
    let keyring = KeyringStore::default();
    for (change, restored) in &outcome.restored {
        match restored {
            Restored::Done { proof } => println!("  put back: {} ({proof})", change.what),
            Restored::Left { why } => println!("  left: {why}"),
        }
        if let setup_automation::record::Undo::DeleteToken { service, .. } = &change.undo {
            let kind = match service {
                setup_automation::plan::TokenFor::Opensis => SecretKind::OpensisToken,
                setup_automation::plan::TokenFor::Userkey => SecretKind::UserkeyToken,
            };
            let _ = keyring.delete(&school.profile.id, kind);
        }
    }
    if let Some(s) = &outcome.stopped {
        eprintln!(
            "Stopped putting back step {} ({}): {}",
            s.step, s.what, s.why
        );
        return Ok(exit::CHECK_FAILED);
    }
    school.profile.setup_runs[index].undone_at = Some(now_secs());
    school
        .store
        .upsert(&school.profile)
        .map_err(|e| Failure::Stopped(format!("the school could not be saved: {e}")))?;
    println!("Done: the site is as it was before that run.");
    Ok(exit::OK)
}
