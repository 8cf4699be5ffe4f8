// Owns: a fake of the Rust commands for the UI's tests (mockIPC): a demo school, reports in
// the engine's shape, tokens, the openSIS save — and a log of every call. Must not: be
// imported by the app.

import { cleanup } from "@solidjs/testing-library";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { navigate } from "../router";
import { resetStore } from "../store/state";
import type { Finding, Profile, Report, Snapshot, Status, Step, TokenSlot, TokenState } from "../bindings";

export const steps: Step[] = Array.from({ length: 16 }, (_, n) => ({
  number: n,
  title: `Title ${n}`,
  action: `Do ${n}`,
  admin_path: n === 0 ? null : `admin/page${n}.php`,
  verification: [1, 2, 4, 5].includes(n) ? "manual" : "remote",
  proven_by: n === 1 ? 15 : n === 2 || n === 4 ? 3 : n === 5 ? 6 : null,
}));

export const FUNCTIONS = Array.from({ length: 31 }, (_, i) => (i < 25 ? `core_fn_${i}` : `local_get_${i}`));

export function finding(check: string, step: number, status: Status, extra: Partial<Finding> = {}): Finding {
  return {
    check,
    step,
    status,
    summary: `${check} summary`,
    evidence: `${check} seen`,
    fix: status === "fail" ? "Do it in Moodle.\nOn the server: php admin/cli/cfg.php --name=x --set=1" : "",
    link: `http://127.0.0.1:4000/admin/page${step}.php`,
    blocked_by: null,
    ...extra,
  };
}

export function report(checks: Finding[], outcome: Report["verdict"]["outcome"] = "failed", headline = "headline"): Report {
  return {
    verdict: { outcome, headline },
    checked_from: "lab-laptop",
    site: {
      sitename: "SIS Lab Moodle",
      release: "4.5.11+ (Build: 20260501)",
      version: "2024100711.02",
      branch: "4.5",
      wwwroot: "http://127.0.0.1:4000",
      functions: FUNCTIONS.slice(0, 25),
      looked_up_email: null,
    },
    timings: { site_ms: 120, tokens_ms: 340, sso_ms: 410, total_ms: 780 },
    checks,
  };
}

/** A first set-up in the demo: token-less checks pass, the rest wait for the tokens. */
export const waitingReport = report(
  [
    finding("site_reachable", 0, "pass"),
    finding("site_is_moodle", 0, "pass"),
    finding("site_address", 0, "pass"),
    finding("site_not_in_maintenance", 0, "pass"),
    finding("site_public", 0, "pass"),
    finding("site_https", 0, "pass"),
    finding("userkey_enabled", 6, "pass"),
    finding("userkey_mapping_email", 7, "blocked", {
      blocked_by: 15,
      summary: "Not checked yet: it waits for the user-key token (the wizard asks for it right after step 12).",
    }),
    finding("userkey_lifetime", 7, "not_visible"),
    finding("opensis_service_exists", 9, "blocked", {
      blocked_by: 15,
      summary: "Not checked yet: it waits for the opensis token (the wizard asks for it right after step 10).",
    }),
    finding("opensis_functions", 14, "blocked", {
      blocked_by: 15,
      summary: "Not checked yet: it waits for the opensis token (the wizard asks for it right after step 10).",
    }),
    finding("rest_protocol_enabled", 13, "pass"),
    finding("opensis_token", 15, "waiting", {
      summary: "Waiting for the opensis token (the wizard asks for it right after step 10).",
    }),
  ],
  "could_not_tell",
  "Nothing failed so far. Waiting for the opensis token: 2 checks wait for it.",
);

export const failingReport = report(
  [
    finding("site_reachable", 0, "pass"),
    finding("userkey_enabled", 6, "fail"),
    finding("rest_protocol_enabled", 13, "fail"),
    finding("opensis_functions", 14, "blocked", { blocked_by: 13, summary: "Not checked: step 13 must pass first." }),
    finding("opensis_service_files", 10, "blocked", { blocked_by: 13, summary: "Not checked: step 13 must pass first." }),
    finding("web_services_enabled", 11, "pass"),
  ],
  "failed",
  "2 steps need you: 6 Enable User key authentication; 13 Enable the REST protocol.",
);

export function demoProfile(): Profile {
  return {
    id: "demo",
    name: "Demo school (simulated Moodle)",
    moodle_url: "http://127.0.0.1:4000",
    admin_email: "admin@school.example.org",
    plugin_sources: [],
    sis: null,
    current_step: 0,
    progress: {},
    tokens_saved_at: {},
    current_page: null,
    ticked_items: [],
    checked_at: null,
    watch: { enabled: false, interval_minutes: 30 },
  };
}

const emptySlot = (): TokenSlot => ({ set: false, looks_valid: false, last4: null, saved_at: null });

export interface Backend {
  calls: { cmd: string; args: Record<string, unknown> }[];
  profile: Profile;
  profiles: () => Profile[];
  tokens: TokenState;
  next: Report;
  keyringAvailable: boolean;
  fail: Record<string, { code: string; message: string }>;
  /** Each school's checks, oldest first. */
  history: Record<string, Snapshot[]>;
  /** Schools besides `profile` (the demo), e.g. to open another one and come back. */
  others: Profile[];
}

/** Installs the fake commands; the returned object can be changed by a test. */
export function installBackend(): Backend {
  const b: Backend = {
    calls: [],
    profile: demoProfile(),
    profiles: () => (b.calls.some((c) => c.cmd === "start_demo") ? [b.profile] : []),
    tokens: { opensis: emptySlot(), userkey: emptySlot(), persistent: false, spaces_removed: false },
    next: waitingReport,
    keyringAvailable: true,
    fail: {},
    history: {},
    others: [],
  };
  mockIPC(
    (cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    b.calls.push({ cmd, args });
    const failure = b.fail[cmd];
    if (failure) throw failure;
    switch (cmd) {
      case "step_catalog":
        return steps;
      case "school_summaries":
        // As the Rust command orders them: failing schools first.
        return b.profiles().map((p) => ({
          id: p.id,
          name: p.name,
          url: p.moodle_url,
          last: (b.history[p.id] ?? []).at(-1) ?? null,
          watching: p.watch.enabled,
          interval_minutes: p.watch.interval_minutes,
        })).sort((x, y) => Number((y.last?.failing.length ?? 0) > 0) - Number((x.last?.failing.length ?? 0) > 0));
      case "check_all_schools":
        return b.profiles().map((p) => ({ id: p.id, name: p.name, snapshot: null, events: [], error: null, history_set_aside: null }));
      case "set_watch":
        b.profile = { ...b.profile, watch: { enabled: Boolean(args.enabled), interval_minutes: Number(args.intervalMinutes) } };
        return b.profile;
      case "school_history":
        return { entries: [...(b.history[String(args.profileId)] ?? [])].reverse(), set_aside: null };
      case "app_version":
        return "0.1.0";
      case "required_functions":
        return FUNCTIONS;
      case "list_profiles":
        return b.profiles();
      case "get_profile": {
        if (args.id === b.profile.id) return b.profile;
        const other = b.others.find((p) => p.id === args.id);
        if (!other) throw { code: "profile_not_found", message: `no school ${String(args.id)}` };
        return other;
      }
      case "save_profile": {
        const saved = args.profile as Profile;
        if (saved.id === b.profile.id) b.profile = saved;
        else b.others = b.others.map((p) => (p.id === saved.id ? saved : p));
        return saved;
      }
      case "keyring_status":
        return { available: b.keyringAvailable, session_only: false, problem: b.keyringAvailable ? null : "no Secret Service" };
      case "use_session_secrets":
        return { available: false, session_only: true, problem: "no Secret Service" };
      case "start_demo":
        return b.profile;
      case "token_state":
        return b.tokens;
      case "set_token": {
        const value = String(args.value).replace(/\s/g, "");
        const slot: TokenSlot = { set: true, looks_valid: /^[0-9a-f]{32}$/.test(value), last4: value.slice(-4), saved_at: 1_800_000_000 };
        const spaces = value.length !== String(args.value).trim().length;
        b.tokens = { ...b.tokens, [args.kind === "opensis_token" ? "opensis" : "userkey"]: slot, spaces_removed: spaces };
        return b.tokens;
      }
      case "clear_token":
        b.tokens = { ...b.tokens, [args.kind === "opensis_token" ? "opensis" : "userkey"]: emptySlot() };
        return b.tokens;
      case "reveal_token":
        return "0123456789abcdef0123456789ab2543";
      case "normalize_url": {
        const text = String(args.input).trim();
        if (text === "" || text.includes(" ")) return { url: null, error: "The Moodle address is empty or not an address." };
        const url = (text.includes("://") ? text : `https://${text}`).replace(/\/login\/index\.php$/, "").replace(/\/+$/, "");
        return { url, error: null };
      }
      case "diagnose_profile":
      case "prove_key_lifetime":
        b.profile = { ...b.profile, checked_at: 1_800_000_000 };
        // As the Rust command does: an e-mail looked up is kept when none was given.
        if (!b.profile.admin_email?.trim() && b.next.site?.looked_up_email) {
          b.profile = { ...b.profile, admin_email: b.next.site.looked_up_email };
        }
        return b.next;
      case "demo_site":
        return {
          version: "4.5",
          state: "good",
          front: null,
          url: "http://127.0.0.1:4000",
          versions: [{ id: "4.5", release: "4.5.11+", debugging: false, states: [{ name: "good", description: "as the guide says" }, { name: "rest_disabled", description: "rest off" }] }],
        };
      case "set_demo_site":
        return { version: args.version, state: args.siteState, front: args.front, url: "http://127.0.0.1:4000", versions: [] };
      case "demo_sis":
        return { api_url: "http://127.0.0.1:5000/api/", tenant: "demo", admin_email: "sa@sis.example", password: "pw-123" };
      case "demo_tokens":
        return { opensis: "a".repeat(32), userkey: "b".repeat(32) };
      case "sis_form":
        return { use_api: true, api_url: "http://127.0.0.1:5000/api/", tenant: "demo", admin_email: "sa@sis.example", enable_sync: true, password_remembered: false };
      case "sis_save":
        // As the Rust command does: the save is recorded in the stored profile.
        b.profile = { ...b.profile, progress: { ...b.profile.progress, 16: { ticked: false, last_status: "pass" } } };
        return { saved: true, site_name: "SIS Lab Moodle", release: "4.5.11+", version: "2024100711.02", warnings: ["not https"], log: ["signed in", "saved"] };
      case "report_markdown":
        return "# report";
      case "save_report":
        return "/home/admin/Downloads/report.md";
      default:
        return null;
    }
    },
    { shouldMockEvents: true },
  );
  return b;
}

/** Lets promises and Solid's updates settle. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`no #${id}`);
  return el as T;
}

/** Each test starts on the start screen with an empty store and a fresh fake backend. */
export function freshApp(): Backend {
  resetStore();
  navigate({ name: "start" });
  return installBackend();
}

/** Unmounts the app before the fake backend goes (its listeners are the backend's). */
export function closeApp(): void {
  cleanup();
  clearMocks();
}
