// Owns: each wizard page's recipe — its sub-actions in Moodle's own words («…» marks a label
// as Moodle shows it), where they are, and which checks prove each one. Must not: judge;
// the checks' verdicts come from the Rust engine.

export interface ItemText {
  id: string;
  text: string;
  /** Where on Moodle's page, when it is not obvious. */
  where?: string;
  /** The checks that prove it; all must pass. None: only the admin can tell. */
  checks?: string[];
  /** Can be ticked by hand (what no check sees, or what a later step proves). */
  tick?: boolean;
}

export interface PageText {
  /** For pages that are not a catalog step. */
  title?: string;
  /** A line under the title, e.g. how the page relates to the guide's numbering. */
  subtitle?: string;
  intro?: string;
  items: ItemText[];
  /** Said once, in a callout, before the admin acts. */
  caution?: string;
  tip?: string;
}

const CREATE_TOKEN = "Site administration → Server → Web services → «Manage tokens» → «Create token»";

export const PAGES: Record<string, PageText> = {
  "0": {
    items: [
      { id: "site-answers", text: "Moodle answers at this address", checks: ["site_reachable", "site_is_moodle"] },
      { id: "site-own", text: "It is the site's own address (its «wwwroot»)", checks: ["site_address"] },
      { id: "site-open", text: "Not in maintenance mode", checks: ["site_not_in_maintenance"] },
      { id: "site-public", text: "Reachable from the internet: openSIS's server must reach it (no VPN, no local-only name)", checks: ["site_public"] },
      { id: "site-https", text: "https with a certificate openSIS accepts", checks: ["site_https", "site_tls_certificate"] },
    ],
  },
  "1": {
    intro: "Everything that follows is done in Moodle's «Site administration», as a site administrator.",
    items: [
      { id: "s1-login", text: "Log in to Moodle with a site administrator's account", tick: true, checks: ["opensis_token_admin"] },
      { id: "s1-siteadmin", text: "«Site administration» appears in Moodle's navigation", tick: true },
    ],
    tip: "The opensis token's check (step 15 of the guide) proves that its owner is a site administrator.",
  },
  "2": {
    items: [
      { id: "s2-open", text: "Open «Site administration» → «Plugins» → «Install plugins»", tick: true, checks: ["userkey_plugin_installed"] },
    ],
    tip: "If the page is missing, plugin installation from the web is switched off in config.php; your Moodle host installs the two plugins instead.",
  },
  "4": {
    intro: "First get the two ZIPs and let the app check them; then upload each as it is.",
    items: [
      { id: "s4-drop", text: "Drag each ZIP into «ZIP package» (or «Choose a file…»)", tick: true },
      { id: "s4-install", text: "Press «Install plugin from the ZIP file»", tick: true },
      { id: "s4-valid", text: "Moodle says «Validation passed!»: press «Continue»", tick: true },
      { id: "s4-both", text: "Do the same with the second ZIP", tick: true, checks: ["userkey_plugin_installed", "web_services_plugin_installed"] },
    ],
  },
  "3": {
    items: [
      { id: "s3-upgrade", text: "On «Plugins check», press «Upgrade Moodle database now», then «Continue»", tick: true },
      { id: "s3-userkey", text: "openSIS-Moodle-User-Authenticator («User key authentication», auth_userkey) is installed", checks: ["userkey_plugin_installed"] },
      { id: "s3-ws", text: "openSIS-Web-Services (the local_get_… functions) is installed", checks: ["web_services_plugin_installed"] },
      { id: "s3-newsettings", text: "Moodle then shows «New settings» for User key authentication: set them as step 7 says and press «Save changes»", tick: true },
    ],
    tip: "The web-services plugin is checked with the opensis token (asked for after step 10).",
  },
  "5": {
    items: [
      { id: "s5-open", text: "Open «Site administration» → «Plugins» → «Authentication» → «Manage authentication»", tick: true, checks: ["userkey_enabled"] },
    ],
  },
  "6": {
    items: [
      { id: "s6-enable", text: "In «Available authentication plugins», click the eye icon («Enable») of «User key authentication»", checks: ["userkey_enabled"] },
    ],
  },
  "7": {
    intro: "In «Manage authentication», open «Settings» of «User key authentication» (or the «New settings» page right after installing).",
    items: [
      { id: "s7-mapping", text: "«Mapping field»: «Email address»", checks: ["userkey_mapping_email"] },
      { id: "s7-lifetime", text: "«User key life time»: 120", checks: ["userkey_lifetime"], tick: true },
      { id: "s7-ip", text: "«IP restriction»: «No»", checks: ["userkey_ip_restriction_off"] },
      { id: "s7-update", text: "«Update user»: «No»", checks: ["userkey_update_user_off"] },
      { id: "s7-save", text: "Press «Save changes»", tick: true },
    ],
  },
  "8": {
    items: [
      { id: "s8-enable", text: "In «Manage authentication», click the eye icon («Enable») of «Web services authentication»", checks: ["webservice_auth_enabled"] },
    ],
  },
  "11": {
    items: [
      { id: "s11-enable", text: "«Site administration» → «General» → «Advanced features»: tick «Enable web services», then «Save changes»", checks: ["web_services_enabled"] },
    ],
    tip: "Done before the service (steps 9 and 10) so the service can be proven as soon as its token exists.",
  },
  "13": {
    items: [
      { id: "s13-rest", text: "«Site administration» → «Server» → «Web services» → «Manage protocols»: click the eye icon of «REST protocol»", checks: ["rest_protocol_enabled"] },
    ],
  },
  "9": {
    intro: "Steps 9 and 10 are one Moodle form: fill in step 10's options before pressing «Add service».",
    items: [
      { id: "s9-add", text: "«Site administration» → «Server» → «Web services» → «External services»: under «Custom services», press «Add»", tick: true, checks: ["opensis_service_exists"] },
      { id: "s9-name", text: "«Name»: opensis", checks: ["opensis_service_exists"] },
      { id: "s9-short", text: "«Short name»: opensis", checks: ["opensis_service_exists"] },
    ],
  },
  "10": {
    intro: "The same form as step 9, before «Add service».",
    items: [
      { id: "s10-enabled", text: "«Enabled»: ticked", checks: ["opensis_service_open"] },
      { id: "s10-authorised", text: "«Authorised users only»: not ticked", checks: ["opensis_service_open"] },
      { id: "s10-download", text: "«Can download files»: ticked", where: "behind «Show more…»", checks: ["opensis_service_files"] },
      { id: "s10-upload", text: "«Can upload files»: ticked", where: "behind «Show more…»", checks: ["opensis_service_files"] },
      { id: "s10-add", text: "Press «Add service»", tick: true, checks: ["opensis_service_exists"] },
    ],
    tip: "Moodle then offers «Add functions»: that is step 14, right after the token.",
  },
  "token-opensis": {
    title: "Create the token for “opensis”",
    subtitle: "Step 15 of the guide, done early so the next checks can run.",
    intro: `${CREATE_TOKEN}:`,
    items: [
      { id: "t1-name", text: "«Name»: opensis (Moodle 4.5 and 5.0 ask for one)", tick: true },
      { id: "t1-user", text: "«User»: the site administrator", checks: ["opensis_token_admin"] },
      { id: "t1-service", text: "«Service»: opensis", checks: ["opensis_token", "opensis_service_exists"] },
      { id: "t1-ip", text: "«IP restriction»: empty", tick: true },
      { id: "t1-valid", text: "«Valid until»: «Enable» not ticked (Moodle 4.5 and 5.0 fill in a date 30 days ahead)", tick: true },
    ],
    caution: "Moodle shows the new token only once, right after «Save changes»: copy it and paste it here before you leave that page.",
  },
  "14": {
    intro: "«External services» → «opensis» → «Functions» → «Add functions». Add all 31:",
    items: [{ id: "s14-all", text: "All 31 functions are in the opensis service", checks: ["opensis_functions"] }],
    tip: "In «Add functions», type part of a name in the «Name» box, e.g. local_get, core_user or core_course, and pick each one; several can be added at once.",
  },
  "12": {
    items: [
      { id: "s12-open", text: "«External services» → under «Built-in services», «User key authentication web service» → «Authorised users»", tick: true, checks: ["admin_authorised_userkey_service"] },
      { id: "s12-add", text: "Select the site administrator in «Not authorised users» and press «Add»", checks: ["admin_authorised_userkey_service"] },
    ],
  },
  "token-userkey": {
    title: "Create the token for “User key authentication web service”",
    subtitle: "Step 15 of the guide, second token: it proves steps 7 and 12 at once.",
    intro: `${CREATE_TOKEN} again:`,
    items: [
      { id: "t2-name", text: "«Name»: opensis single sign-on (Moodle 4.5 and 5.0 ask for one)", tick: true },
      { id: "t2-user", text: "«User»: the site administrator", checks: ["userkey_token"] },
      { id: "t2-service", text: "«Service»: «User key authentication web service»", checks: ["userkey_token", "tokens_in_right_fields"] },
      { id: "t2-ip", text: "«IP restriction»: empty", tick: true },
      { id: "t2-valid", text: "«Valid until»: «Enable» not ticked", tick: true },
    ],
    caution: "Again Moodle shows the token only once: copy it now.",
  },
  "15": {
    title: "Prove single sign-on",
    intro: "With both tokens, the app does what openSIS does when a user opens Moodle from openSIS.",
    items: [
      { id: "s15-admin", text: "The tokens belong to a site administrator", checks: ["opensis_token_admin"] },
      { id: "s15-account", text: "Moodle lets the tokens' user in (no forced password change, profile complete, site policy agreed)", checks: ["token_user_account"] },
      { id: "s15-fields", text: "Each token is in its own field (not swapped)", checks: ["tokens_in_right_fields"] },
      { id: "s15-email", text: "The admin's e-mail belongs to exactly one Moodle account", checks: ["admin_email_valid", "admin_email_account", "admin_email_unique"] },
      { id: "s15-sso", text: "A one-time login link signs the admin in to Moodle", checks: ["sso_round_trip", "sso_lands_on_dashboard", "sso_login_url_address"] },
    ],
  },
  opensis: {
    title: "Enter the connection in openSIS",
    subtitle: "openSIS → LMS Settings (Super Administrator only).",
    items: [],
  },
  done: { title: "Summary and report", items: [] },
};

export const GROUP_TITLES: Record<string, string> = {
  site: "Site",
  plugins: "Plugins",
  authentication: "Authentication",
  web_services: "Web services",
  tokens: "Tokens",
  opensis: "openSIS",
};

export const KEY_LIFETIME = {
  prove: "Prove it (65 s)",
  proving: (s: number) => `Proving… ${s} s left`,
  explain:
    "«User key life time» cannot be read from outside Moodle. The proof asks Moodle for a login key, waits 65 s and opens it: a key that old still works only if the life time is above Moodle's default of 60.",
  demo: "The simulated Moodle replays recorded answers only: no key 65 s old was recorded, so the demo cannot prove it.",
};

export const FUNCTIONS = {
  heading: "The 31 functions",
  present: "in the service",
  missing: "missing",
  unknown: "not checked yet",
  count: (present: number, total: number) => `${present} of ${total} in the service`,
  fromPlugin: "from openSIS-Web-Services",
};
