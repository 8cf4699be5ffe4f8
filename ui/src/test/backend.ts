// Owns: a fake of the Rust commands for the UI's tests (mockIPC): a demo school, reports in
// the engine's shape, tokens, the openSIS save — and a log of every call. Must not: be
// imported by the app.

import { cleanup } from "@solidjs/testing-library";
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { navigate } from "../router";
import { resetSetup } from "../store/setup";
import { resetStore } from "../store/state";
import type {
  ChangeLine,
  Finding,
  MadeChange,
  Profile,
  Report,
  RunResult,
  SetupPlan,
  SetupProgress,
  Snapshot,
  Status,
  Step,
  TokenSlot,
  TokenState,
  UndoResult,
} from "../bindings";

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
    setup_runs: [],
  };
}

/** A fresh site's plan, short: the plugin, REST, the functions (a long list), a token. */
export const PLAN_CHANGES: ChangeLine[] = [
  { step: 3, what: "plugin auth_userkey (openSIS-Moodle-User-Authenticator.zip)", before: "not installed", after: "installed" },
  { step: 13, what: "REST protocol", before: "off", after: "on" },
  { step: 14, what: "25 functions to add to opensis", before: "0 of 31", after: FUNCTIONS.slice(0, 25).join(", ") },
  { step: 15, what: "token for opensis (the admin, no expiry)", before: "none", after: "created, kept in the keyring" },
];

export function plan(changes: ChangeLine[] = PLAN_CHANGES): SetupPlan {
  return {
    site: "https://moodle.school.org",
    changes,
    cannot: [{ step: 3, why: "6 of the 31 functions are not on this site (their plugin, step 3, is not installed): local_get_25, …" }],
    userkey_zip: changes.some((c) => c.step === 3) ? "openSIS-Moodle-User-Authenticator.zip" : null,
  };
}

/** The fake of "Set it up for me" on the Rust side. */
export interface SetupBackend {
  plan: SetupPlan;
  zip: string | null;
  /** Hold the sign-in (the window stays open) until `release` is called. */
  holdSignIn: boolean;
  release: ((outcome: "signed-in" | "cancelled") => void) | null;
  /** The changes stop at this index, refused. */
  refuseAt: number | null;
  signOuts: number;
  /** The runs made (not put back), oldest first. */
  runs: { started_at: number; changes: MadeChange[]; undone: boolean }[];
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
  setup: SetupBackend;
}

const CANCELLED = { code: "sign_in_cancelled", message: "the sign-in window was closed before the sign-in ended; nothing was changed" };

async function progress(events: SetupProgress[]): Promise<void> {
  for (const e of events) await emit("setup-progress", e);
}

function madeOf(c: ChangeLine, i: number): MadeChange {
  return { ...c, at: 1_800_000_000 + i, proof: `Moodle's page shows ${c.what}: ${c.after}` };
}

async function applyRun(b: Backend): Promise<RunResult> {
  const changes = b.setup.plan.changes;
  const made: MadeChange[] = [];
  let stopped: RunResult["stopped"] = null;
  for (const [i, c] of changes.entries()) {
    await progress([{ kind: "start", index: i, total: changes.length, step: c.step, what: c.what }]);
    if (b.setup.refuseAt === i) {
      const why = "Moodle refused admin/webservice/tokens.php: the user is not allowed";
      await progress([{ kind: "refused", index: i, why }]);
      stopped = { step: c.step, what: c.what, why };
      break;
    }
    const m = madeOf(c, i);
    made.push(m);
    await progress([{ kind: "made", index: i, proof: m.proof }]);
  }
  if (made.length > 0) b.setup.runs.push({ started_at: 1_800_000_000, changes: made, undone: false });
  const tokens = made.some((m) => m.step === 15) ? (["opensis_token"] as const) : [];
  if (tokens.length > 0) b.tokens = { ...b.tokens, opensis: { set: true, looks_valid: true, last4: "a001", saved_at: 1_800_000_000 } };
  return {
    site: b.setup.plan.site,
    made,
    stopped,
    not_on_site: ["local_get_25", "local_get_26"],
    tokens_kept: [...tokens],
    persistent: true,
    token_problem: null,
    requests: 88,
    profile: b.profile,
  };
}

async function undoRun(b: Backend): Promise<UndoResult> {
  const run = [...b.setup.runs].reverse().find((r) => !r.undone);
  if (!run) throw { code: "nothing_to_put_back", message: "there is nothing to put back" };
  const back = [...run.changes].reverse();
  const lines: UndoResult["put_back"] = [];
  for (const [i, c] of back.entries()) {
    await progress([{ kind: "undoing", index: i, total: back.length, step: c.step, what: c.what }]);
    const left = c.step === 3;
    const note = left ? "auth_userkey stays installed (uninstalling it would delete its data)" : `${c.what}: ${c.before}`;
    await progress([{ kind: "put_back", index: i, note, left }]);
    lines.push({ step: c.step, what: c.what, from: c.after, to: c.before, done: !left, note });
  }
  run.undone = true;
  b.tokens = { ...b.tokens, opensis: emptySlot() };
  return { site: b.setup.plan.site, put_back: lines, stopped: null, tokens_removed: ["opensis_token"], profile: b.profile };
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
    setup: { plan: plan(), zip: "openSIS-Moodle-User-Authenticator.zip", holdSignIn: false, release: null, refuseAt: null, signOuts: 0, runs: [] },
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
      case "create_profile":
        // A new school becomes the backend's school (its id kept, so tests can name it).
        b.profile = { ...demoProfile(), id: b.profile.id === "demo" ? "new" : b.profile.id, name: String(args.name), moodle_url: "" };
        return b.profile;
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
      case "setup_overview": {
        const last = [...b.setup.runs].reverse().find((r) => !r.undone) ?? null;
        return {
          site: b.profile.moodle_url.trim() === "" ? null : b.profile.moodle_url,
          userkey_zip: b.setup.zip,
          tokens: { opensis: b.tokens.opensis.set, userkey: b.tokens.userkey.set },
          last_run: last ? { site: b.setup.plan.site, started_at: last.started_at, changes: last.changes } : null,
          signed_in: false,
        };
      }
      case "setup_sign_in":
        if (!b.setup.holdSignIn) return b.setup.plan.site;
        return new Promise((resolve, reject) => {
          b.setup.release = (outcome) => (outcome === "signed-in" ? resolve(b.setup.plan.site) : reject(CANCELLED));
        });
      case "setup_cancel_sign_in":
        b.setup.release?.("cancelled");
        b.setup.release = null;
        return null;
      case "setup_sign_out":
        b.setup.signOuts += 1;
        return true;
      case "setup_plan":
        return b.setup.plan;
      case "setup_apply":
        return applyRun(b);
      case "setup_undo":
        return undoRun(b);
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
  resetSetup();
  navigate({ name: "start" });
  return installBackend();
}

/** Unmounts the app before the fake backend goes (its listeners are the backend's). */
export function closeApp(): void {
  cleanup();
  clearMocks();
}
