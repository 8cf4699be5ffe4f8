// Owns: each wizard page's recipe — its sub-actions in our words around Moodle's own labels
// («…» marks a label as Moodle shows it), where they are, and which checks prove each one.
// Every label is m("<component>:<identifier>"): Moodle's language string, as recorded per version
// in moodle-strings.json (scripts/lab/moodle-strings.php re-records it), so the words shown
// are those of the site's Moodle version. Must not: judge; the checks' verdicts come from the
// Rust engine. Must not: write a Moodle label by hand.

import { store } from "../store/state";
import RECORDED from "./moodle-strings.json";

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

/** The Moodle versions whose language strings are recorded. */
export const MOODLE_VERSIONS = ["4.1", "4.5", "5.0"] as const;
export type MoodleVersion = (typeof MOODLE_VERSIONS)[number];
/** Whose words are shown while the site's version is not known (or is not one recorded). */
export const DEFAULT_VERSION: MoodleVersion = "4.5";
/** Moodle's own strings, per version: "component:identifier" → the text as Moodle writes it. */
export const MOODLE_STRINGS: Record<MoodleVersion, Readonly<Record<string, string>>> = RECORDED;

/** Names the admin types in Moodle, shown set apart like a label but not Moodle's words. */
export const TYPED_NAMES = ["opensis"] as const;

/** The one label named outside the pages (KEY_LIFETIME). */
const LIFETIME_KEY = "auth_userkey:keylifetime";

/** Sets apart a label or a name: «text». */
const label = (text: string) => `«${text}»`;

/**
 * Moodle's label for `key` in version `v`, set apart. With no version (not known yet, or not
 * one recorded): the default version's words, followed by the other versions' where theirs
 * differ. A key missing from `v` gives «?key», which the tests reject.
 */
export function moodleLabel(key: string, v: MoodleVersion | null): string {
  if (v !== null) return label(MOODLE_STRINGS[v][key] ?? `?${key}`);
  const shown = MOODLE_STRINGS[DEFAULT_VERSION][key];
  if (shown === undefined) return label(`?${key}`);
  const others = MOODLE_VERSIONS.filter((o) => o !== DEFAULT_VERSION && MOODLE_STRINGS[o][key] !== undefined)
    .filter((o) => MOODLE_STRINGS[o][key] !== shown)
    .map((o) => `Moodle ${o}: ${label(MOODLE_STRINGS[o][key] ?? "")}`);
  return others.length ? `${label(shown)} (${others.join("; ")})` : label(shown);
}

/** Whether version `v` has the label (with no version: whether any recorded version has it). */
function hasLabel(key: string, v: MoodleVersion | null): boolean {
  return (v === null ? MOODLE_VERSIONS : [v]).some((o) => MOODLE_STRINGS[o][key] !== undefined);
}

/** The pages for version `v` (null: not known). `m` gives Moodle's label, `typed` a name the admin types. */
function build(v: MoodleVersion | null, m: (key: string) => string): Record<string, PageText> {
  const typed = (name: (typeof TYPED_NAMES)[number]) => label(name);
  const path = (...labels: string[]) => labels.join(" → ");
  const siteAdmin = m("moodle:administrationsite");
  const ws = path(m("moodle:administrationsite"), m("admin:server"), m("webservice:webservices"));
  const createToken = `${ws} → ${m("webservice:managetokens")} → ${m("webservice:createtoken")}`;
  const userkey = m("auth_userkey:pluginname");
  const userkeyService = m("auth_userkey:db/services.php");
  // Moodle 4.1's Create token form has no name field; 4.5 and 5.0 ask for one.
  const tokenName = (id: string, name: string): ItemText[] =>
    hasLabel("webservice:tokenname", v)
      ? [{ id, text: `${m("webservice:tokenname")}: ${name}${v === null ? " (Moodle 4.5 and 5.0 ask for one)" : ""}`, tick: true }]
      : [];
  return {
    "0": {
      items: [
        { id: "site-answers", text: "Moodle answers at this address", checks: ["site_reachable", "site_is_moodle"] },
        { id: "site-own", text: "It is the site's own address (its wwwroot)", checks: ["site_address"] },
        { id: "site-open", text: "Not in maintenance mode", checks: ["site_not_in_maintenance"] },
        { id: "site-public", text: "Reachable from the internet: openSIS's server must reach it (no VPN, no local-only name)", checks: ["site_public"] },
        { id: "site-https", text: "https with a certificate openSIS accepts", checks: ["site_https", "site_tls_certificate"] },
      ],
    },
    "1": {
      intro: `Everything that follows is done in Moodle's ${siteAdmin}, as a site administrator.`,
      items: [
        { id: "s1-login", text: "Log in to Moodle with a site administrator's account", tick: true, checks: ["opensis_token_admin"] },
        { id: "s1-siteadmin", text: `${siteAdmin} appears in Moodle's navigation`, tick: true },
      ],
      tip: "The opensis token's check (step 15 of the guide) proves that its owner is a site administrator.",
    },
    "2": {
      items: [
        {
          id: "s2-open",
          text: `Open ${path(m("moodle:administrationsite"), m("admin:plugins"), m("tool_installaddon:installaddons"))}`,
          tick: true,
          checks: ["userkey_plugin_installed"],
        },
      ],
      tip: "If the page is missing, plugin installation from the web is switched off in config.php; your Moodle host installs the two plugins instead.",
    },
    "4": {
      intro: "First get the two ZIPs and let the app check them; then upload each as it is.",
      items: [
        { id: "s4-drop", text: `Drag each ZIP into ${m("tool_installaddon:installfromzipfile")} (or ${m("repository:openpicker")})`, tick: true },
        { id: "s4-install", text: `Press ${m("tool_installaddon:installfromzipsubmit")}`, tick: true },
        { id: "s4-valid", text: `Moodle says ${m("plugin:packagesvalidatingok")}: press ${m("moodle:continue")}`, tick: true },
        { id: "s4-both", text: "Do the same with the second ZIP", tick: true, checks: ["userkey_plugin_installed", "web_services_plugin_installed"] },
      ],
    },
    "3": {
      items: [
        {
          id: "s3-release",
          text: `After the ZIP's ${m("moodle:continue")}, Moodle shows ${m("moodle:currentrelease")}, its server checks; when it says ${m("admin:environmentok")}, press ${m("moodle:continue")}`,
          tick: true,
        },
        {
          id: "s3-upgrade",
          text: `On ${m("moodle:plugincheck")}, press ${m("admin:upgradestart")}; on ${m("admin:upgradingversion")}, when each plugin says ${m("moodle:success")}, press ${m("moodle:continue")}`,
          tick: true,
        },
        { id: "s3-userkey", text: `openSIS-Moodle-User-Authenticator (${userkey}, auth_userkey) is installed`, checks: ["userkey_plugin_installed"] },
        { id: "s3-ws", text: "openSIS-Web-Services (the local_get_… functions) is installed", checks: ["web_services_plugin_installed"] },
        {
          id: "s3-newsettings",
          text: `Moodle then shows ${m("admin:upgradesettings")} for ${userkey}: set them as step 7 says and press ${m("admin:savechanges")}`,
          tick: true,
        },
      ],
      tip: "The web-services plugin is checked with the opensis token (asked for after step 14).",
    },
    "5": {
      items: [
        {
          id: "s5-open",
          text: `Open ${path(m("moodle:administrationsite"), m("admin:plugins"), m("admin:authentication"), m("admin:authsettings"))}`,
          tick: true,
          checks: ["userkey_enabled"],
        },
      ],
    },
    "6": {
      items: [
        {
          id: "s6-enable",
          text: `In ${m("auth:actauthhdr")}, click the eye icon (${m("moodle:enable")}) of ${userkey}`,
          checks: ["userkey_enabled"],
        },
      ],
    },
    "7": {
      intro: `In ${m("admin:authsettings")}, open ${m("moodle:settings")} of ${userkey} (or the ${m("admin:upgradesettings")} page right after installing).`,
      items: [
        { id: "s7-mapping", text: `${m("auth_userkey:mappingfield")}: ${m("moodle:email")}`, checks: ["userkey_mapping_email"] },
        { id: "s7-lifetime", text: `${m("auth_userkey:keylifetime")}: 120`, checks: ["userkey_lifetime"], tick: true },
        { id: "s7-ip", text: `${m("auth_userkey:iprestriction")}: ${m("moodle:no")}`, checks: ["userkey_ip_restriction_off"] },
        { id: "s7-update", text: `${m("auth_userkey:updateuser")}: ${m("moodle:no")}`, checks: ["userkey_update_user_off"] },
        { id: "s7-save", text: `Press ${m("admin:savechanges")}`, tick: true },
      ],
    },
    "8": {
      items: [
        {
          id: "s8-enable",
          text: `In ${m("admin:authsettings")}, click the eye icon (${m("moodle:enable")}) of ${m("auth_webservice:pluginname")}`,
          checks: ["webservice_auth_enabled"],
        },
      ],
    },
    "11": {
      items: [
        {
          id: "s11-enable",
          text: `${path(m("moodle:administrationsite"), m("moodle:general"), m("admin:advancedfeatures"))}: tick ${m("admin:enablewebservices")}, then ${m("admin:savechanges")}`,
          checks: ["web_services_enabled"],
        },
      ],
      tip: "Done before the service (steps 9 and 10) so the service can be proven as soon as its token exists.",
    },
    "13": {
      items: [
        {
          id: "s13-rest",
          text: `${ws} → ${m("webservice:manageprotocols")}: click the eye icon of ${m("webservice_rest:pluginname")}`,
          checks: ["rest_protocol_enabled"],
        },
      ],
    },
    "9": {
      intro: `Steps 9 and 10 are one Moodle form: fill in step 10's options before pressing ${m("webservice:addaservice")}.`,
      items: [
        {
          id: "s9-add",
          text: `${ws} → ${m("webservice:externalservices")}: under ${m("webservice:servicescustom")}, press ${m("moodle:add")}`,
          tick: true,
          checks: ["opensis_service_exists"],
        },
        { id: "s9-name", text: `${m("moodle:name")}: opensis`, checks: ["opensis_service_exists"] },
        { id: "s9-short", text: `${m("moodle:shortname")}: opensis`, checks: ["opensis_service_exists"] },
      ],
    },
    "10": {
      intro: `The same form as step 9, before ${m("webservice:addaservice")}.`,
      items: [
        { id: "s10-enabled", text: `${m("webservice:enabled")}: ticked`, checks: ["opensis_service_open"] },
        // What the check proves is that the service lets the admin in: a ticked box with the
        // admin listed under Authorised users passes too (W7), so the item says what is proven.
        {
          id: "s10-authorised",
          text: `The service lets the site administrator in: ${m("webservice:restrictedusers")} not ticked (ticked works only with the administrator under ${m("webservice:serviceusers")})`,
          checks: ["opensis_service_open"],
        },
        { id: "s10-download", text: `${m("webservice:downloadfiles")}: ticked`, where: `behind ${m("form:showmore")}`, checks: ["opensis_service_files"] },
        { id: "s10-upload", text: `${m("webservice:uploadfiles")}: ticked`, where: `behind ${m("form:showmore")}`, checks: ["opensis_service_files"] },
        { id: "s10-add", text: `Press ${m("webservice:addaservice")}`, tick: true, checks: ["opensis_service_exists"] },
      ],
      tip: `Moodle then offers ${m("webservice:addfunctions")}: that is step 14, the next page. The token comes after it: Moodle refuses every call of a token whose service has no functions yet.`,
    },
    "token-opensis": {
      title: "Create the token for “opensis”",
      subtitle: "Step 15 of the guide, first token: with the service whole (steps 9, 10 and 14) it proves them at once.",
      intro: `${createToken}:`,
      items: [
        ...tokenName("t1-name", "opensis"),
        { id: "t1-user", text: `${m("moodle:user")}: the site administrator`, checks: ["opensis_token_admin"] },
        { id: "t1-service", text: `${m("webservice:service")}: opensis`, checks: ["opensis_token", "opensis_service_exists"] },
        { id: "t1-ip", text: `${m("webservice:iprestriction")}: empty`, tick: true },
        {
          id: "t1-valid",
          text: `${m("webservice:validuntil")}: ${m("moodle:enable")} not ticked${v === "4.1" ? "" : " (Moodle 4.5 and 5.0 fill in a date 30 days ahead)"}`,
          tick: true,
        },
      ],
      caution: `Moodle shows the new token only once, right after ${m("moodle:savechanges")}: copy it and paste it here before you leave that page.`,
    },
    "14": {
      intro: `${m("webservice:externalservices")} → ${typed("opensis")} → ${m("webservice:functions")} → ${m("webservice:addfunctions")}. Add all 31:`,
      items: [{ id: "s14-all", text: "All 31 functions are in the opensis service", checks: ["opensis_functions"] }],
      tip: `In ${m("webservice:addfunctions")}, type part of a name in the ${m("moodle:name")} box, e.g. local_get, core_user or core_course, and pick each one; several can be added at once.`,
    },
    "12": {
      items: [
        {
          id: "s12-open",
          text: `${m("webservice:externalservices")} → under ${m("webservice:servicesbuiltin")}, ${userkeyService} → ${m("webservice:serviceusers")}`,
          tick: true,
          checks: ["admin_authorised_userkey_service"],
        },
        { id: "s12-add", text: `Select the site administrator in ${m("webservice:potusers")} and press ${m("moodle:add")}`, checks: ["admin_authorised_userkey_service"] },
      ],
    },
    "token-userkey": {
      title: "Create the token for “User key authentication web service”",
      subtitle: "Step 15 of the guide, second token: it proves steps 7 and 12 at once.",
      intro: `${createToken} again:`,
      items: [
        ...tokenName("t2-name", "opensis single sign-on"),
        { id: "t2-user", text: `${m("moodle:user")}: the site administrator`, checks: ["userkey_token"] },
        { id: "t2-service", text: `${m("webservice:service")}: ${userkeyService}`, checks: ["userkey_token", "tokens_in_right_fields"] },
        { id: "t2-ip", text: `${m("webservice:iprestriction")}: empty`, tick: true },
        { id: "t2-valid", text: `${m("webservice:validuntil")}: ${m("moodle:enable")} not ticked`, tick: true },
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
}

/** The site's Moodle version, once step 0 has read it; null before, or for a version not recorded. */
export function siteMoodleVersion(): MoodleVersion | null {
  const branch = store.report?.site?.branch ?? null;
  return MOODLE_VERSIONS.find((v) => v === branch) ?? null;
}

const built = new Map<MoodleVersion | null, Record<string, PageText>>();

/** The pages in version `v`'s words (null: the default version's, with the others' differences). */
export function pagesFor(v: MoodleVersion | null): Record<string, PageText> {
  let pages = built.get(v);
  if (!pages) {
    pages = build(v, (key) => moodleLabel(key, v));
    built.set(v, pages);
  }
  return pages;
}

/** Every Moodle string the checklists name, as "component:identifier" (for moodle-strings.json). */
export function checklistKeys(): string[] {
  const keys = new Set<string>([LIFETIME_KEY]);
  build(null, (key) => {
    keys.add(key);
    return label(key);
  });
  return [...keys].sort();
}

/** The pages in the words of the open site's Moodle version (read when used, so they follow it). */
export const PAGES: Record<string, PageText> = {};
for (const key of Object.keys(pagesFor(null))) {
  Object.defineProperty(PAGES, key, { enumerable: true, get: () => pagesFor(siteMoodleVersion())[key] });
}

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
  get explain() {
    return `${moodleLabel(LIFETIME_KEY, siteMoodleVersion())} cannot be read from outside Moodle. The proof asks Moodle for a login key, waits 65 s and opens it: a key that old still works only if the life time is above Moodle's default of 60.`;
  },
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
