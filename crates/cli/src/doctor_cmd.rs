// Owns: the `doctor` command — which of its ways runs (one site, saved schools, --fix), the
// diagnosis of one site, printed, and its exit code. Must not: judge anything.

use diagnosis::{diagnose_with, DiagnoseInput, KEY_LIFETIME_CHECK_AGE};

use crate::doctor_args::{
    bad_input, http_client, options, token_from_env, DoctorArgs, OPENSIS_TOKEN_VAR,
    USERKEY_TOKEN_VAR,
};
use crate::output::print_report;
use crate::render_text;

pub async fn run(args: DoctorArgs) -> u8 {
    if args.fix {
        return crate::configure_cmd::fix(args).await;
    }
    if args.profile.is_some() || args.all_profiles || args.watch.is_some() {
        return crate::schools_cmd::run(args).await;
    }
    let input = DiagnoseInput {
        url: args.url.clone().unwrap_or_default(),
        opensis_token: token_from_env(OPENSIS_TOKEN_VAR),
        userkey_token: token_from_env(USERKEY_TOKEN_VAR),
        admin_email: args.admin_email.clone(),
    };
    let http = match http_client(&args) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return bad_input(&args);
        }
    };
    let options = options(&args);
    if args.check_key_lifetime {
        eprintln!(
            "Checking \"User key life time\": this waits {} s with a fresh login key.",
            KEY_LIFETIME_CHECK_AGE.as_secs()
        );
    }
    let report = match diagnose_with(&http, &input, &options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return bad_input(&args);
        }
    };
    if args.nagios {
        let (code, line) = crate::nagios::line(&report);
        println!("{line}");
        return code;
    }
    print_report(&report, args.format);
    if let (true, Some(timings)) = (args.verbose, &report.timings) {
        eprintln!("{}", render_text::timings_line(timings));
    }
    report.verdict.outcome.exit_code()
}
