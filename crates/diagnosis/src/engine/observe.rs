// Owns: the order of the probes, as named steps a reader can follow; each step's module sends
// its requests concurrently where they are independent, and every answer is kept as observed.
// Must not: judge (judge/ does), or send a token before the step that may.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moodle_ws::envelope::Preamble;
use moodle_ws::error::codes;
use moodle_ws::{ExchangeObserver, LoginFollow, MoodleClient, SiteRoot, WsError, WsToken};

use super::address::{where_the_site_is, Place};
use super::first_round::{first_round, FirstRound};
use super::given::{scheme_typed, Given};
use super::input::{DiagnoseInput, DiagnoseOptions};
use super::observations::{is_errorcode, EmailSource, Observations};
use super::second_round::second_round;
use super::site_round::{site_round, SiteRound};
use super::sso::Sso;
use super::timing::millis;
use crate::finding::Timings;

const MAX_BODY: usize = 4 * 1024 * 1024;

pub(super) async fn observe(
    http: &reqwest::Client,
    typed: SiteRoot,
    input: &DiagnoseInput,
    options: &DiagnoseOptions,
) -> Observations {
    let started = Instant::now();
    let preambles = Preambles::default();
    let typed_client = MoodleClient::new(http.clone(), typed.clone(), MAX_BODY)
        .with_observer(Some(preambles.observer(options.on_exchange.clone())));
    let mut given = Given::from_input(input);

    // Step 1, the site: its public configuration, its certificate and its name, with the
    // tokens' first round beside them where the connection is trusted. Boxed, as every large
    // part below: the diagnosis runs on small worker stacks.
    let site = Box::pin(site_round(&typed_client, &typed, &given, options)).await;

    // Step 2, where the site is: Moodle's move to its own address, or a web server's redirect.
    let place = Box::pin(where_the_site_is(
        &typed_client,
        &typed,
        &site.public_config,
    ))
    .await;
    let (mut obs, early) = of_the_site(typed, input, options, &given, site, place);
    if !obs.moodle_answers() {
        return finish(obs, &preambles, started);
    }
    let client = typed_client.with_root(obs.root.clone());

    // Step 3, the tokens' first round: the one sent beside the public configuration counts
    // only where the site was found at the address typed; else it is sent again here.
    let (mut first, first_time) = match early {
        Some((round, time)) if obs.moved.is_none() && client.root() == typed_client.root() => {
            (round, time)
        }
        _ => {
            let again = Instant::now();
            let round = Box::pin(first_round(&client, &given, options)).await;
            (round, again.elapsed())
        }
    };

    // Step 4, tokens given the wrong way round are used the right way round from here on.
    obs.swapped = first.unswap(&client, &mut given).await;
    let FirstRound {
        page,
        simpleserver,
        opensis_info,
        userkey_info,
        early_read,
        userkey_probe,
    } = first;
    obs.userkey_page = page;
    obs.simpleserver = simpleserver;
    obs.userkey_probe = userkey_probe;
    obs.opensis_early_read = early_read.as_ref().map(|(_, r)| r.clone());

    // Step 5, the second round, at once: the retry of a refused opensis token, the plugin
    // probe, openSIS's sync shaped, and single sign-on.
    let second = Box::pin(second_round(
        &client,
        &given,
        &opensis_info,
        early_read,
        options,
    ))
    .await;
    obs.opensis_info = opensis_info;
    obs.userkey_info = userkey_info;
    obs.opensis_info_retry = second.retry;
    obs.sync_probes = second.sync_probes;
    obs.timings.tokens_ms = millis(first_time + second.probes_time);
    if let Some(email) = second.looked_up {
        obs.admin_email = Some(EmailSource::LookedUp(email));
    }
    obs.sso = second.sso;
    // Single sign-on ran when a login URL was asked for (an account read alone is a token check).
    obs.timings.sso_ms = obs.sso.login_url.is_some().then(|| millis(second.sso_time));

    // Step 6, the service's gate: refused twice the same way, and not by the plugin probe's
    // function lookup alone, the service is asked whether it lets the token in at all.
    let gate_needed = is_errorcode(&obs.opensis_info_retry, codes::ACCESS_EXCEPTION)
        && matches!(&second.plugin_probe, Some(Err(e)) if e.is_missing_function() || e.is_errorcode(codes::ACCESS_EXCEPTION));
    obs.plugin_probe = second.plugin_probe;
    if let (true, Some(token)) = (gate_needed, given.opensis.as_ref()) {
        let gate_started = Instant::now();
        obs.service_gate = Some(client.service_gate(token).await);
        obs.timings.tokens_ms += millis(gate_started.elapsed());
    }

    // Step 7, the key's life time, when asked for: only where the first login URL changed
    // nothing, as a second one would change it again.
    if let (Some(age), Some(token), Some(email)) = (
        options.key_lifetime_check,
        given.userkey.as_ref(),
        obs.sso.email.clone(),
    ) {
        let signed_in = matches!(obs.follow(), Some(Ok(f)) if (300..400).contains(&f.status));
        if signed_in && obs.sso.changes.is_empty() {
            obs.aged_follow = aged_login(&client, token, &email, age).await;
        }
    }
    finish(obs, &preambles, started)
}

/// The observations of the site alone (steps 1 and 2), and the tokens' first round if it went
/// out beside them.
fn of_the_site(
    typed: SiteRoot,
    input: &DiagnoseInput,
    options: &DiagnoseOptions,
    given: &Given,
    site: SiteRound,
    place: Place,
) -> (Observations, Option<(FirstRound, Duration)>) {
    let early = site.early.map(|round| (round, site.early_time));
    let obs = Observations {
        typed_root: typed,
        scheme_typed: scheme_typed(&input.url),
        checked_from: gethostname::gethostname().to_string_lossy().into_owned(),
        tls: site.tls,
        preambles: Vec::new(),
        root: place.root,
        addresses: site.addresses,
        public_config: site.public_config,
        moved: place.moved,
        redirect_target: place.redirect_target,
        no_sso: options.no_sso,
        tokens_pending: options.tokens_pending,
        simulated_site: options.simulated_site,
        userkey_page: None,
        simpleserver: None,
        opensis_given: input.opensis_token.is_some(),
        userkey_given: input.userkey_token.is_some(),
        same_token_twice: given.same_token_twice,
        swapped: false,
        opensis_info: None,
        opensis_info_retry: None,
        userkey_info: None,
        userkey_probe: None,
        opensis_early_read: None,
        plugin_probe: None,
        service_gate: None,
        sync_probes: Vec::new(),
        admin_email: given.email.clone().map(EmailSource::Given),
        sso: Sso::default(),
        aged_follow: None,
        timings: Timings {
            site_ms: millis(site.site_time),
            ..Timings::default()
        },
    };
    (obs, early)
}

/// The answers whose JSON came after bytes of their own, seen by an observer of every
/// exchange; a verbose observer sees each exchange too.
#[derive(Default)]
struct Preambles(Arc<Mutex<Vec<(String, Preamble)>>>);

impl Preambles {
    fn observer(&self, verbose: Option<ExchangeObserver>) -> ExchangeObserver {
        let seen = self.0.clone();
        ExchangeObserver::new(move |exchange| {
            if let (Some(p), Ok(mut seen)) = (exchange.preamble, seen.lock()) {
                seen.push((exchange.url.clone(), p));
            }
            if let Some(verbose) = &verbose {
                verbose.notify(exchange);
            }
        })
    }

    fn take(&self) -> Vec<(String, Preamble)> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

fn finish(mut obs: Observations, preambles: &Preambles, started: Instant) -> Observations {
    obs.preambles = preambles.take();
    obs.timings.total_ms = millis(started.elapsed());
    obs
}

/// Requests a fresh login key, lets it age, then opens it: a key older than auth_userkey's
/// default life time (60 s) that still signs in proves a longer life time.
async fn aged_login(
    client: &MoodleClient,
    token: &WsToken,
    email: &str,
    age: Duration,
) -> Option<(Duration, Result<LoginFollow, WsError>)> {
    let url = client.request_login_url(token, email).await.ok()?;
    tokio::time::sleep(age).await;
    Some((age, client.follow_login_url(&url.loginurl).await))
}
