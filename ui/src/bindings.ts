// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p sis-moodle-setup-app bindings`.
// Do not edit: change the Rust type and regenerate.

export type Status = "pass" | "warn" | "fail" | "blocked" | "not_visible" | "skipped" | "unknown" | "waiting";

export type Finding = { 
/**
 * Stable identifier, e.g. `rest_protocol_enabled`.
 */
check: string, 
/**
 * The seed step (0 = the site itself, 15 = the tokens and single sign-on).
 */
step: number, status: Status, 
/**
 * One sentence for the admin.
 */
summary: string, 
/**
 * What was observed, with no secret in it.
 */
evidence: string, 
/**
 * What to do, or empty when nothing is to be done.
 */
fix: string, 
/**
 * The admin page on this site where the fix is made.
 */
link: string | null, 
/**
 * For `blocked`: the step that must pass first.
 */
blocked_by: number | null, };

export type SiteFacts = { sitename: string, release: string | null, version: string | null, 
/**
 * The Moodle branch read from the release, e.g. "4.5"; the fix texts follow it.
 */
branch: string | null, wwwroot: string, 
/**
 * The functions of the opensis service, as its token sees them (empty when it could not).
 */
functions: Array<string>, 
/**
 * The e-mail single sign-on was checked with, when it was looked up from the token's
 * owner (not given): the app remembers it so later checks start single sign-on sooner.
 */
looked_up_email: string | null, };

export type Outcome = "passed" | "failed" | "could_not_tell";

export type Verdict = { outcome: Outcome, headline: string, };

export type Timings = { 
/**
 * The site itself: public configuration, DNS, the certificate.
 */
site_ms: number, 
/**
 * The tokens: site info, the pages, the plugin probe.
 */
tokens_ms: number, 
/**
 * Single sign-on: the accounts, the login URL, its follow (and a restore). `None` when no
 * login URL was asked for (no user-key token, no working opensis token, `--no-sso`…).
 */
sso_ms: number | null, total_ms: number, };

export type Report = { verdict: Verdict, site: SiteFacts | null, 
/**
 * The computer the checks ran from: openSIS's server may see the site differently.
 */
checked_from: string | null, 
/**
 * How long each part took, so that a slow Moodle shows.
 */
timings: Timings | null, checks: Array<Finding>, };

export type Verification = "remote" | "partial" | "manual";

export type Step = { number: number, title: string, 
/**
 * What the admin does, in Moodle's own words.
 */
action: string, 
/**
 * The admin page, relative to the site root, the same on Moodle 4.1, 4.5 and 5.0.
 */
admin_path: string | null, verification: Verification, 
/**
 * For manual steps: the step whose checks also prove this one.
 */
proven_by: number | null, };

export type StepProgress = { 
/**
 * Ticked by hand (steps that cannot be verified remotely).
 */
ticked: boolean, 
/**
 * The last verdict of the step's checks, e.g. "pass".
 */
last_status: string | null, };

export type Profile = { id: string, name: string, moodle_url: string, admin_email: string | null, 
/**
 * Where the two plugin ZIPs come from (URLs or file paths), as last used.
 */
plugin_sources: Array<string>, 
/**
 * The SIS target's non-secret settings (see the `sis` module), kept as given.
 */
sis: unknown, 
/**
 * The step the admin was on.
 */
current_step: number, progress: { [key in number]: StepProgress }, 
/**
 * When each token was last saved (seconds since 1970), by its kind: shown beside the
 * masked token. Not a secret.
 */
tokens_saved_at: { [key in string]: number }, 
/**
 * The wizard page the admin was on, by its key (e.g. `7`, `token-opensis`, `done`).
 */
current_page: string | null, 
/**
 * The checklist items the admin ticked by hand (things no probe can see), by item id.
 */
ticked_items: Array<string>, 
/**
 * When the steps' last verdicts (`progress`) were checked (seconds since 1970).
 */
checked_at: number | null, 
/**
 * "Watch this connection": the app checks it again on its own.
 */
watch: WatchSettings, 
/**
 * The runs of "Set it up for me" on this school's Moodle, oldest first: every change made
 * (step, what, before, after, when), for "Put it back". No secret in here.
 */
setup_runs: unknown[], };

export type SecretKind = "opensis_token" | "userkey_token" | "sis_password" | "sis_passphrase";

export type Front = "proxy_page";

export type DemoState = { 
/**
 * e.g. `rest_disabled`.
 */
name: string, 
/**
 * What was changed in Moodle when it was captured.
 */
description: string, };

export type DemoVersion = { 
/**
 * `4.1`, `4.5`, `4.5-debug`, `5.0`.
 */
id: string, 
/**
 * Moodle's own release string, e.g. "4.5.11+ (Build: 20260501)".
 */
release: string, 
/**
 * Captured with Moodle's debugging on (its errors then say why).
 */
debugging: boolean, states: Array<DemoState>, };

export type DemoSite = { version: string, state: string, 
/**
 * A condition in front of Moodle (made up for the demo, not a capture).
 */
front: Front | null, 
/**
 * The address the demo profile uses.
 */
url: string, versions: Array<DemoVersion>, };

export type KeyringStatus = { 
/**
 * The OS keyring works here.
 */
available: boolean, 
/**
 * Tokens are being kept for this session only, as the admin chose.
 */
session_only: boolean, 
/**
 * Why the keyring is not available.
 */
problem: string | null, };

export type TokenSlot = { set: boolean, 
/**
 * 32 hexadecimal characters, as Moodle makes them.
 */
looks_valid: boolean, 
/**
 * The token's last four characters, shown as "•••• 2543" to tell tokens apart.
 */
last4: string | null, 
/**
 * When it was saved (seconds since 1970).
 */
saved_at: number | null, };

export type TokenState = { opensis: TokenSlot, userkey: TokenSlot, 
/**
 * Kept in the OS keyring (true) or for this session only (false).
 */
persistent: boolean, 
/**
 * The token just saved had spaces or line breaks inside, which were removed.
 */
spaces_removed: boolean, };

export type ErrorPayload = { code: string, message: string, };

export type ExpectedPlugin = "user_authenticator" | "web_services";

export type Severity = "error" | "warning";

export type ProblemCode = "empty_file" | "not_a_zip" | "html_instead_of_zip" | "truncated" | "corrupt_zip" | "damaged_entry" | "unsupported_compression" | "zip_slip" | "absolute_path" | "backslash_path" | "bad_entry_name" | "symlink" | "encrypted" | "duplicate_entry" | "zip_bomb" | "too_large_uncompressed" | "too_many_entries" | "two_root_folders" | "macosx_folder" | "no_root_folder" | "too_few_files" | "missing_version_php" | "version_php_too_large" | "missing_version" | "old_module_syntax" | "missing_component" | "invalid_component" | "component_mismatch_type" | "root_folder_renamed" | "missing_lang_file" | "requires_newer_moodle" | "may_require_newer_moodle" | "outside_supported_range" | "maturity_not_stable" | "wrong_plugin" | "no_web_service_functions" | "insecure_download";

export type Problem = { severity: Severity, code: ProblemCode, message: string, };

export type VerdictStatus = "valid" | "valid_with_warnings" | "refused";

export type Maturity = "alpha" | "beta" | "rc" | "stable" | { "other": string };

export type PluginVerdict = { 
/**
 * The file's name (no directory).
 */
file: string, 
/**
 * Lower-case hex SHA-256 of the whole file.
 */
sha256: string, size: number, 
/**
 * The single folder at the top of the ZIP, when there is one to speak of.
 */
root_folder: string | null, 
/**
 * `$plugin->component`, e.g. `auth_userkey`.
 */
component: string | null, 
/**
 * Which of the two openSIS plugins this is; `None` for anything else.
 */
expected: ExpectedPlugin | null, version: string | null, release: string | null, requires: string | null, 
/**
 * `$plugin->supported`, the lowest and highest branch codes.
 */
supported: [number, number] | null, 
/**
 * The Moodle versions `supported` declares, in words, and where the site stands: set
 * when `supported` is declared and no `outside_supported_range` warning says it already.
 */
supported_note: string | null, maturity: Maturity | null, status: VerdictStatus, problems: Array<Problem>, };

export type PluginProgress = { 
/**
 * Which source (the link as given) this progress is for.
 */
source: string, downloaded: number, total: number | null, bytes_per_second: number, };

export type PluginResult = { source: string, 
/**
 * Where the checked file is; `None` when it was refused or could not be read.
 */
saved_to: string | null, verdict: PluginVerdict | null, 
/**
 * Why the file could not be fetched or read at all.
 */
error: ErrorPayload | null, };

export type PluginsSummary = { results: Array<PluginResult>, 
/**
 * Which of the two openSIS plugins no valid file was found for.
 */
missing: Array<ExpectedPlugin>, };

export type SisForm = { 
/**
 * Save through the openSIS API (true) or type it in from the guided card (false).
 */
use_api: boolean, api_url: string, tenant: string, admin_email: string, enable_sync: boolean, 
/**
 * A password is remembered in the keyring for this profile.
 */
password_remembered: boolean, };

export type SisSaveResult = { 
/**
 * Saved in openSIS through its API (false: the guided card is to be typed in).
 */
saved: boolean, 
/**
 * What openSIS will show after "Connect".
 */
site_name: string | null, release: string | null, version: string | null, warnings: Array<string>, log: Array<string>, };

export type DemoSis = { api_url: string, tenant: string, admin_email: string, 
/**
 * A demo password for a simulated SIS: shown so the admin can rehearse typing it.
 */
password: string, };

export type DemoTokens = { opensis: string, userkey: string, };

export type AddressPreview = { 
/**
 * The site root the checks will use, e.g. `https://moodle.school.org`.
 */
url: string | null, 
/**
 * Why the typed text is not an address, in a sentence.
 */
error: string | null, };

export type WatchSettings = { enabled: boolean, 
/**
 * Minutes between two checks (30 unless the admin chose otherwise).
 */
interval_minutes: number, };

export type StepState = "pass" | "warn" | "fail" | "unknown" | "waiting";

export type Snapshot = { 
/**
 * When the check started (seconds since 1970).
 */
at: number, outcome: Outcome, headline: string, 
/**
 * The steps with a failed check, in order.
 */
failing: Array<number>, 
/**
 * Each step's state; steps without a finding are left out.
 */
steps: { [key in number]: StepState }, };

export type WatchEvent = { "kind": "now_failing", step: number, title: string, } | { "kind": "recovered", step: number, title: string, };

export type SchoolChecked = { id: string, name: string, snapshot: Snapshot | null, 
/**
 * What changed since the school's previous check (only for watched schools).
 */
events: Array<WatchEvent>, 
/**
 * Why it could not be checked at all.
 */
error: string | null, 
/**
 * The school's history file was damaged and set aside (its path).
 */
history_set_aside: string | null, };

export type SchoolSummary = { id: string, name: string, url: string, last: Snapshot | null, watching: boolean, interval_minutes: number, };

export type HistoryView = { entries: Array<Snapshot>, 
/**
 * A damaged history file was renamed to this path and the history started again.
 */
set_aside: string | null, };

export type CheckAllProgress = { done: number, total: number, name: string, };

export type ChangeLine = { step: number, what: string, before: string, after: string, };

export type MadeChange = { step: number, what: string, before: string, after: string, 
/**
 * When Moodle confirmed it (seconds since 1970).
 */
at: number, 
/**
 * What was read back from Moodle's page after the change.
 */
proof: string, };

export type CannotLine = { step: number, why: string, };

export type StoppedAt = { step: number, what: string, why: string, };

export type LastRun = { site: string, started_at: number, changes: Array<MadeChange>, };

export type TokensKept = { opensis: boolean, userkey: boolean, };

export type SetupOverview = { 
/**
 * The site root the sign-in will open, when the school has a Moodle address.
 */
site: string | null, 
/**
 * The validated auth_userkey ZIP at hand (its file name), if any.
 */
userkey_zip: string | null, 
/**
 * `None` while the tokens have nowhere to be kept (the keyring banner asks).
 */
tokens: TokensKept | null, last_run: LastRun | null, 
/**
 * A session of this school is held (signed in, plan under review).
 */
signed_in: boolean, };

export type SetupPlan = { site: string, changes: Array<ChangeLine>, cannot: Array<CannotLine>, 
/**
 * The auth_userkey ZIP the install uses (its file name), if the plan installs it.
 */
userkey_zip: string | null, };

export type SetupProgress = { "kind": "start", index: number, total: number, step: number, what: string, } | { "kind": "made", index: number, proof: string, } | { "kind": "refused", index: number, why: string, } | { "kind": "undoing", index: number, total: number, step: number, what: string, } | { "kind": "put_back", index: number, note: string, left: boolean, } | { "kind": "not_put_back", index: number, why: string, };

export type RunResult = { site: string, made: Array<MadeChange>, stopped: StoppedAt | null, 
/**
 * Functions the site does not have (step 3's openSIS-Web-Services brings them).
 */
not_on_site: Array<string>, 
/**
 * The tokens created and kept in the school's secret store.
 */
tokens_kept: Array<SecretKind>, 
/**
 * Kept in the system keyring (true) or for this session only (false).
 */
persistent: boolean, 
/**
 * A token created that could not be kept, in a sentence.
 */
token_problem: string | null, 
/**
 * Admin page requests the run took.
 */
requests: number, 
/**
 * The school as it is stored now (with the run recorded).
 */
profile: Profile, };

export type PutBackLine = { step: number, what: string, 
/**
 * The value the change had made, and the one it has again.
 */
from: string, to: string, 
/**
 * Put back (false: left as it is, with why in `note`).
 */
done: boolean, note: string, };

export type UndoResult = { site: string, put_back: Array<PutBackLine>, stopped: StoppedAt | null, 
/**
 * Tokens the run had created, deleted from the school's secret store.
 */
tokens_removed: Array<SecretKind>, profile: Profile, };
