// Owns: the screens — start, wizard (side rail + one panel per step), diagnose — and the UI
// state between commands. Must not: judge Moodle; verdicts come from the Rust engine.

import { api, AppError } from "./api";
import type {
  DemoSis,
  DemoSite,
  Finding,
  KeyringStatus,
  Profile,
  Report,
  SecretKind,
  SisForm,
  SisSaveResult,
  SiteFacts,
  Status,
  Step,
  TokenState,
} from "./bindings";
import { h, replace } from "./dom";
import { listenToProgress, pluginsPanel } from "./plugins_panel";
import { S, STATUS_ICON } from "./strings";

/** Wizard pages after the catalog's steps 0–15. */
export const SIS_PAGE = 16;
export const DONE_PAGE = 17;

type View = "start" | "wizard" | "diagnose";

interface UiState {
  view: View;
  profiles: Profile[];
  profile: Profile | null;
  steps: Step[];
  page: number;
  report: Report | null;
  busy: string | null;
  error: string | null;
  notice: string | null;
  keyring: KeyringStatus | null;
  tokens: TokenState | null;
  revealed: Partial<Record<SecretKind, string>>;
  demo: DemoSite | null;
  editing: { id: string; mode: "rename" | "delete" } | null;
  creating: boolean;
  sisForm: SisForm | null;
  sisResult: SisSaveResult | null;
  demoSis: DemoSis | null;
}

export const state: UiState = {
  view: "start",
  profiles: [],
  profile: null,
  steps: [],
  page: 0,
  report: null,
  busy: null,
  error: null,
  notice: null,
  keyring: null,
  tokens: null,
  revealed: {},
  demo: null,
  editing: null,
  creating: false,
  sisForm: null,
  sisResult: null,
  demoSis: null,
};

let root: HTMLElement = document.body;

const STATUS_RANK: Record<Status, number> = {
  fail: 0,
  unknown: 1,
  warn: 2,
  blocked: 3,
  not_visible: 4,
  skipped: 5,
  pass: 6,
};

const STATUSES = Object.keys(STATUS_RANK) as Status[];

/** Runs a command with a visible progress state; errors become a message, never a crash. */
async function run(label: string, work: () => Promise<void>): Promise<void> {
  state.busy = label;
  state.error = null;
  state.notice = null;
  render();
  try {
    await work();
  } catch (e) {
    state.error = e instanceof AppError || e instanceof Error ? e.message : String(e);
  } finally {
    state.busy = null;
    render();
  }
}

function stepTitle(page: number): string {
  if (page === SIS_PAGE) return S.sisStepTitle;
  if (page === DONE_PAGE) return S.doneStepTitle;
  return state.steps.find((s) => s.number === page)?.title ?? "";
}

/** The status shown for a step: the last report, else the remembered verdict or tick. */
export function stepStatus(page: number): Status | null {
  const ticked = state.profile?.progress[page]?.ticked ?? false;
  // A tick stands for the part no probe can see: it settles only what is not visible from
  // outside, never a check that could not run.
  const findings = (state.report?.checks.filter((f) => f.step === page) ?? []).filter(
    (f) => !(ticked && f.status === "not_visible"),
  );
  if (findings.length > 0) {
    return findings.reduce<Status>(
      (worst, f) => (STATUS_RANK[f.status] < STATUS_RANK[worst] ? f.status : worst),
      "pass",
    );
  }
  const progress = state.profile?.progress[page];
  if (ticked) return "pass";
  const last = progress?.last_status;
  return STATUSES.find((s) => s === last) ?? null;
}

/** The site's name with Moodle's release and version when the token could read them. */
export function siteLine(site: SiteFacts): string {
  return site.release && site.version
    ? S.siteFacts(site.sitename, site.release, site.version)
    : `${site.sitename} — ${site.wwwroot}`;
}

function siteLink(path: string | null): string | null {
  const base = state.profile?.moodle_url.trim().replace(/\/+$/, "");
  if (!base || path === null) return null;
  return `${base}/${path}`;
}

function busyBar(): Node | null {
  if (!state.busy) return null;
  return h(
    "div",
    { class: "busy", role: "status" },
    h("progress", { "aria-label": state.busy }),
    ` ${state.busy}`,
  );
}

function messages(): Node[] {
  const out: Node[] = [];
  if (state.error) out.push(h("p", { class: "error", role: "alert" }, state.error));
  if (state.notice) out.push(h("p", { class: "notice", role: "status" }, state.notice));
  return out;
}

function keyringBanner(): Node | null {
  const k = state.keyring;
  if (!k || k.available) return null;
  if (k.session_only) return h("p", { class: "banner" }, S.keyringSessionOnly);
  return h(
    "div",
    { class: "banner", role: "alert" },
    h("p", {}, S.keyringMissing, k.problem ? ` (${k.problem})` : ""),
    h(
      "button",
      {
        id: "keyring-session",
        onclick: () =>
          void run(S.keyringChoice, async () => {
            state.keyring = await api.useSessionSecrets();
          }),
      },
      S.keyringChoice,
    ),
  );
}

function button(id: string, label: string, onclick: () => void, extra: Record<string, string> = {}) {
  return h("button", { id, type: "button", onclick, disabled: state.busy !== null, ...extra }, label);
}

function openLinkButton(id: string, url: string | null, label = S.openInMoodle): Node | null {
  if (!url) return null;
  return button(id, label, () => void run(label, () => api.openExternal(url).then(() => undefined)), {
    title: url,
  });
}

function copyButton(id: string, text: () => Promise<string>, label = S.copy): Node {
  return button(id, label, () =>
    void run(label, async () => {
      await api.copyText(await text());
      state.notice = S.copied;
    }),
  );
}

// ---------------------------------------------------------------- start screen

async function openProfile(profile: Profile, view: View): Promise<void> {
  state.profile = profile;
  state.report = null;
  state.revealed = {};
  state.page = profile.current_step;
  state.view = view;
  state.tokens = await api.tokenState(profile.id).catch(() => null);
  state.demo = profile.id === "demo" ? await api.demoSite().catch(() => null) : null;
  state.demoSis = profile.id === "demo" ? await api.demoSis().catch(() => null) : null;
  state.sisForm = await api.sisForm(profile.id).catch(() => null);
  state.sisResult = null;
  if (view === "diagnose") await diagnoseNow();
}

function startScreen(): Node {
  const createForm = state.creating
    ? h(
        "form",
        {
          class: "inline-form",
          onsubmit: (e: Event) => {
            e.preventDefault();
            const input = document.getElementById("new-school-name") as HTMLInputElement;
            void run(S.create, async () => {
              const profile = await api.createProfile(input.value);
              state.creating = false;
              state.profiles = await api.listProfiles();
              await openProfile(profile, "wizard");
            });
          },
        },
        h("label", { for: "new-school-name" }, S.newSchoolName),
        h("input", { id: "new-school-name", required: true, autocomplete: "off" }),
        h("button", { type: "submit", id: "create-school" }, S.create),
        button("cancel-create", S.cancel, () => {
          state.creating = false;
          render();
        }),
      )
    : null;
  return h(
    "section",
    { class: "start" },
    h("h1", {}, S.appTitle),
    h("p", { class: "tagline" }, S.tagline),
    h(
      "div",
      { class: "start-actions" },
      startCard("start-new", S.startNew, S.startNewHint, () => {
        state.creating = true;
        render();
        document.getElementById("new-school-name")?.focus();
      }),
      startCard("start-diagnose", S.startDiagnose, S.startDiagnoseHint, () => {
        const first = state.profiles.find((p) => p.id !== "demo") ?? state.profiles[0];
        if (first) void run(S.checking, () => openProfile(first, "diagnose"));
        else {
          state.creating = true;
          render();
        }
      }),
      startCard("start-demo", S.startDemo, S.startDemoHint, () =>
        void run(S.startDemo, async () => {
          const profile = await api.startDemo();
          state.profiles = await api.listProfiles();
          await openProfile(profile, "wizard");
        }),
      ),
    ),
    createForm,
    h("h2", {}, S.profilesHeading),
    state.profiles.length === 0
      ? h("p", {}, S.noProfiles)
      : h("ul", { class: "profiles" }, ...state.profiles.map(profileRow)),
  );
}

function startCard(id: string, title: string, hint: string, onclick: () => void): Node {
  return h(
    "button",
    { id, type: "button", class: "start-card", onclick, disabled: state.busy !== null },
    h("strong", {}, title),
    h("span", {}, hint),
  );
}

function profileRow(p: Profile): Node {
  const editing = state.editing?.id === p.id ? state.editing.mode : null;
  if (editing === "rename") {
    return h(
      "li",
      {},
      h(
        "form",
        {
          class: "inline-form",
          onsubmit: (e: Event) => {
            e.preventDefault();
            const input = document.getElementById(`rename-${p.id}`) as HTMLInputElement;
            void run(S.rename, async () => {
              await api.renameProfile(p.id, input.value);
              state.editing = null;
              state.profiles = await api.listProfiles();
            });
          },
        },
        h("label", { for: `rename-${p.id}` }, S.newSchoolName),
        h("input", { id: `rename-${p.id}`, value: p.name, required: true }),
        h("button", { type: "submit", id: `rename-save-${p.id}` }, S.save),
        button(`rename-cancel-${p.id}`, S.cancel, () => {
          state.editing = null;
          render();
        }),
      ),
    );
  }
  if (editing === "delete") {
    return h(
      "li",
      { role: "alert" },
      h("span", {}, S.confirmDelete(p.name)),
      button(`delete-confirm-${p.id}`, S.remove, () =>
        void run(S.remove, async () => {
          await api.deleteProfile(p.id);
          state.editing = null;
          state.profiles = await api.listProfiles();
        }),
      ),
      button(`delete-cancel-${p.id}`, S.cancel, () => {
        state.editing = null;
        render();
      }),
    );
  }
  const isDemo = p.id === "demo";
  return h(
    "li",
    {},
    h("span", { class: "profile-name" }, p.name),
    h("span", { class: "profile-url" }, p.moodle_url || "—"),
    button(`open-${p.id}`, S.open, () => void run(S.open, () => openProfile(p, "wizard")), {
      "aria-label": `${S.open}: ${p.name}`,
    }),
    button(`diagnose-${p.id}`, S.diagnose, () => void run(S.checking, () => openProfile(p, "diagnose")), {
      "aria-label": `${S.diagnose}: ${p.name}`,
    }),
    isDemo
      ? null
      : button(`rename-${p.id}-start`, S.rename, () => {
          state.editing = { id: p.id, mode: "rename" };
          render();
          document.getElementById(`rename-${p.id}`)?.focus();
        }, { "aria-label": `${S.rename}: ${p.name}` }),
    isDemo
      ? null
      : button(`duplicate-${p.id}`, S.duplicate, () =>
          void run(S.duplicate, async () => {
            await api.duplicateProfile(p.id);
            state.profiles = await api.listProfiles();
          }), { "aria-label": `${S.duplicate}: ${p.name}` }),
    isDemo
      ? null
      : button(`delete-${p.id}`, S.remove, () => {
          state.editing = { id: p.id, mode: "delete" };
          render();
          document.getElementById(`delete-cancel-${p.id}`)?.focus();
        }, { "aria-label": `${S.remove}: ${p.name}` }),
  );
}

// ---------------------------------------------------------------- wizard

async function saveProfile(): Promise<void> {
  if (state.profile) state.profile = await api.saveProfile(state.profile);
}

async function goTo(page: number): Promise<void> {
  state.page = page;
  state.revealed = {};
  if (state.profile) {
    state.profile.current_step = Math.min(page, 255);
    await saveProfile();
  }
  render();
  document.getElementById("page-heading")?.focus();
}

async function diagnoseNow(): Promise<void> {
  if (!state.profile) return;
  await saveProfile();
  state.report = await api.diagnoseProfile(state.profile.id);
  const refreshed = await api.listProfiles();
  state.profile = refreshed.find((p) => p.id === state.profile?.id) ?? state.profile;
}

function rail(): Node {
  const pages = [...state.steps.map((s) => s.number), SIS_PAGE, DONE_PAGE];
  return h(
    "nav",
    { class: "rail", "aria-label": S.stepsNav },
    h(
      "ol",
      {},
      ...pages.map((n) => {
        const status = stepStatus(n);
        const label = `${n <= 15 ? `${S.stepLabel(n)}: ` : ""}${stepTitle(n)} — ${status ? S.status[status] : S.notRun}`;
        return h(
          "li",
          {},
          h(
            "button",
            {
              id: `rail-${n}`,
              type: "button",
              class: `rail-item ${status ?? "none"}`,
              "aria-current": n === state.page ? "step" : null,
              "aria-label": label,
              onclick: () => void goTo(n),
            },
            h("span", { class: "rail-icon", "aria-hidden": "true" }, status ? STATUS_ICON[status] : "○"),
            h("span", { class: "rail-number", "aria-hidden": "true" }, n <= 15 ? String(n) : ""),
            h("span", { class: "rail-title", "aria-hidden": "true" }, stepTitle(n)),
          ),
        );
      }),
    ),
  );
}

export function findingCard(f: Finding, withStep = false): Node {
  const step = state.steps.find((s) => s.number === f.step);
  return h(
    "article",
    { class: `finding ${f.status}`, "aria-label": `${S.status[f.status]}: ${f.summary}` },
    h(
      "p",
      { class: "finding-summary" },
      h("span", { class: "finding-icon", "aria-hidden": "true" }, STATUS_ICON[f.status]),
      withStep && step ? h("span", { class: "finding-step" }, `${S.stepLabel(step.number)} · ${step.title}: `) : null,
      f.summary,
    ),
    f.evidence && f.status !== "pass" ? h("p", { class: "finding-evidence" }, h("b", {}, `${S.evidence}: `), f.evidence) : null,
    f.fix && f.status !== "pass" ? h("div", { class: "finding-fix" }, h("b", {}, `${S.fix}: `), h("pre", {}, f.fix)) : null,
    f.link && (f.status === "fail" || f.status === "warn")
      ? openLinkButton(`open-${f.check}`, f.link)
      : null,
  );
}

function findingsFor(page: number): Node | null {
  const findings = state.report?.checks.filter((f) => f.step === page) ?? [];
  if (findings.length === 0) return null;
  return h(
    "section",
    { class: "findings", "aria-label": S.findingsHeading },
    h("h3", {}, S.findingsHeading),
    ...findings.map((f) => findingCard(f)),
  );
}

function checkButton(page: number): Node {
  return button(`check-${page}`, state.busy ? S.checking : S.check, () =>
    void run(S.checking, diagnoseNow),
  );
}

function manualTick(step: Step): Node {
  const ticked = state.profile?.progress[step.number]?.ticked ?? false;
  return h(
    "p",
    { class: "manual" },
    h("input", {
      type: "checkbox",
      id: `tick-${step.number}`,
      checked: ticked,
      onchange: (e: Event) => {
        const on = (e.target as HTMLInputElement).checked;
        if (!state.profile) return;
        const progress = state.profile.progress[step.number] ?? { ticked: false, last_status: null };
        state.profile.progress[step.number] = { ...progress, ticked: on };
        void run(S.save, saveProfile);
      },
    }),
    h("label", { for: `tick-${step.number}` }, S.manualTick),
    h("span", { class: "hint" }, ` ${S.manualNote(step.proven_by)}`),
  );
}

function sitePanel(): Node[] {
  const p = state.profile;
  if (!p) return [];
  const site = state.report?.site;
  return [
    h(
      "form",
      {
        class: "site-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void run(S.checking, async () => {
            await saveProfile();
            state.report = await api.checkSite(p.moodle_url);
          });
        },
      },
      h("label", { for: "moodle-url" }, S.moodleUrl),
      h("input", {
        id: "moodle-url",
        type: "url",
        value: p.moodle_url,
        placeholder: "https://moodle.school.org",
        "aria-describedby": "moodle-url-hint",
        oninput: (e: Event) => {
          p.moodle_url = (e.target as HTMLInputElement).value;
        },
      }),
      h("span", { class: "hint", id: "moodle-url-hint" }, S.moodleUrlHint),
      h("label", { for: "admin-email" }, S.adminEmail),
      h("input", {
        id: "admin-email",
        type: "email",
        value: p.admin_email ?? "",
        "aria-describedby": "admin-email-hint",
        oninput: (e: Event) => {
          const v = (e.target as HTMLInputElement).value.trim();
          p.admin_email = v === "" ? null : v;
        },
      }),
      h("span", { class: "hint", id: "admin-email-hint" }, S.adminEmailHint),
      h("button", { type: "submit", id: "check-site", disabled: state.busy !== null }, S.checkSite),
    ),
    site ? h("p", { class: "site-facts" }, siteLine(site)) : null,
  ].filter((n): n is HTMLFormElement | HTMLParagraphElement => n !== null);
}

function tokenField(kind: SecretKind, label: string, slot: TokenState["opensis"] | undefined): Node {
  const p = state.profile;
  if (!p) return h("div");
  const id = `token-${kind}`;
  const revealed = state.revealed[kind];
  const status = slot?.set
    ? `${S.tokenSaved(state.tokens?.persistent ?? true)}${slot.looks_valid ? "" : ` ${S.tokenLooksWrong}`}`
    : S.tokenNotSet;
  return h(
    "div",
    { class: "token-field" },
    h("label", { for: id }, label),
    h("input", {
      id,
      type: revealed === undefined ? "password" : "text",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: slot?.set ? "••••••••••••••••" : S.tokenPlaceholder,
      value: revealed ?? "",
      "aria-describedby": `${id}-status`,
      onchange: (e: Event) => {
        const value = (e.target as HTMLInputElement).value;
        void run(S.save, async () => {
          state.tokens = await api.setToken(p.id, kind, value);
          state.revealed = {};
        });
      },
    }),
    h("span", { class: "hint", id: `${id}-status`, role: "status" }, status),
    slot?.set
      ? button(`${id}-reveal`, revealed === undefined ? S.reveal : S.hide, () =>
          void run(S.reveal, async () => {
            state.revealed =
              revealed === undefined ? { ...state.revealed, [kind]: await api.revealToken(p.id, kind) } : {};
          }), { "aria-label": `${revealed === undefined ? S.reveal : S.hide}: ${label}` })
      : null,
    slot?.set ? copyButton(`${id}-copy`, () => api.revealToken(p.id, kind)) : null,
    slot?.set
      ? button(`${id}-clear`, S.clear, () =>
          void run(S.clear, async () => {
            state.tokens = await api.clearToken(p.id, kind);
          }), { "aria-label": `${S.clear}: ${label}` })
      : null,
  );
}

function tokensPanel(): Node[] {
  const sso = state.report?.checks.find((f) => f.check === "sso_round_trip");
  return [
    tokenField("opensis_token", S.opensisToken, state.tokens?.opensis),
    tokenField("userkey_token", S.userkeyToken, state.tokens?.userkey),
    sso?.status === "pass" ? h("p", { class: "sso-ok", role: "status" }, `✔ ${S.ssoWorks}`) : null,
  ].filter((n): n is Node => n !== null);
}

function sisFormPanel(p: Profile): Node[] {
  const form = state.sisForm;
  if (!form) return [];
  const field = (id: string, label: string, value: string, set: (v: string) => void, type = "text", hint?: string) =>
    h(
      "div",
      {},
      h("label", { for: id }, label),
      h("input", {
        id,
        type,
        value,
        autocomplete: type === "password" ? "off" : null,
        "aria-describedby": hint ? `${id}-hint` : null,
        oninput: (e: Event) => set((e.target as HTMLInputElement).value),
      }),
      hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null,
    );
  const radio = (id: string, label: string, on: boolean) =>
    h(
      "p",
      { class: "choice" },
      h("input", {
        type: "radio",
        name: "sis-target",
        id,
        checked: form.use_api === on,
        onchange: () => {
          form.use_api = on;
          render();
        },
      }),
      h("label", { for: id }, label),
    );
  let password = "";
  let passphrase = "";
  let remember = false;
  const result = state.sisResult;
  const nodes: (Node | null)[] = [
    h("fieldset", {}, h("legend", {}, S.sisHow), radio("sis-api", S.sisUseApi, true), radio("sis-guided", S.sisUseGuided, false)),
    state.demoSis ? h("p", { class: "banner-inline" }, S.demoSis(state.demoSis.admin_email, state.demoSis.password)) : null,
    ...(form.use_api
      ? [
          field("sis-api-url", S.sisApiUrl, form.api_url, (v) => (form.api_url = v), "url", S.sisApiUrlHint),
          field("sis-tenant", S.sisTenant, form.tenant, (v) => (form.tenant = v)),
          field("sis-admin-email", S.sisAdminEmail, form.admin_email, (v) => (form.admin_email = v), "email"),
          field("sis-password", S.sisPassword, "", (v) => (password = v), "password", form.password_remembered ? S.sisPasswordRemembered : undefined),
          field("sis-passphrase", S.sisPassphrase, "", (v) => (passphrase = v), "password", S.sisPassphraseHint),
          h(
            "p",
            { class: "manual" },
            h("input", { type: "checkbox", id: "sis-remember", onchange: (e: Event) => (remember = (e.target as HTMLInputElement).checked) }),
            h("label", { for: "sis-remember" }, S.sisRemember),
          ),
        ]
      : []),
    h(
      "p",
      { class: "manual" },
      h("input", {
        type: "checkbox",
        id: "sis-sync",
        checked: form.enable_sync,
        onchange: (e: Event) => (form.enable_sync = (e.target as HTMLInputElement).checked),
      }),
      h("label", { for: "sis-sync" }, S.sisEnableSync),
    ),
    h(
      "p",
      { class: "actions" },
      button("sis-save", form.use_api ? S.sisSave : S.sisPrepare, () =>
        void run(S.sisSaving, async () => {
          await saveProfile();
          state.sisResult = await api.sisSave(p.id, form, password || null, passphrase || null, remember);
          state.sisForm = await api.sisForm(p.id);
          p.progress[SIS_PAGE] = { ticked: true, last_status: "pass" };
          await saveProfile();
        }),
      ),
      form.password_remembered
        ? button("sis-forget", S.sisForget, () =>
            void run(S.sisForget, async () => {
              await api.sisForgetPassword(p.id);
              state.sisForm = await api.sisForm(p.id);
            }),
          )
        : null,
    ),
    result
      ? h(
          "div",
          { class: "finding pass", role: "status" },
          h("p", { class: "finding-summary" }, `✔ ${result.saved ? S.sisSaved : S.sisGuidedReady}`),
          result.release
            ? h("p", { class: "site-facts" }, S.siteFacts(result.site_name ?? "", result.release, result.version ?? "?"))
            : null,
          ...result.warnings.map((w) => h("p", { class: "finding-evidence" }, `⚠ ${w}`)),
          result.log.length > 0 ? h("ol", { class: "sis-log" }, ...result.log.map((l) => h("li", {}, l))) : null,
        )
      : null,
  ];
  return nodes.filter((n): n is Node => n !== null);
}

function sisPanel(): Node[] {
  const p = state.profile;
  if (!p) return [];
  const site = state.report?.site;
  const row = (label: string, value: string, copy: () => Promise<string>, id: string) =>
    h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value), h("td", {}, copyButton(id, copy)));
  return [
    h("h3", {}, S.guidedHeading),
    h("ol", { class: "guided" }, ...S.guidedSteps.map((t) => h("li", {}, t))),
    h(
      "table",
      { class: "guided-values" },
      h(
        "tbody",
        {},
        row(S.moodleUrl, site?.wwwroot ?? p.moodle_url, async () => site?.wwwroot ?? p.moodle_url, "copy-url"),
        row(S.opensisToken, "••••••••", () => api.revealToken(p.id, "opensis_token"), "copy-opensis"),
        row(S.userkeyToken, "••••••••", () => api.revealToken(p.id, "userkey_token"), "copy-userkey"),
      ),
    ),
    h("h3", {}, S.connectPreview),
    site?.release
      ? h("p", { class: "site-facts" }, S.siteFacts(site.sitename, site.release, site.version ?? "?"))
      : h("p", {}, S.connectPreviewMissing),
  ];
}

async function reportText(): Promise<string> {
  const p = state.profile;
  if (!state.report || !p) return "";
  return api.reportMarkdown(state.report, S.reportTitle(p.name), new Date().toLocaleString());
}

/** The one line a results view opens with: the verdict of the last check. */
export function verdictLine(report: Report): Node {
  return h(
    "p",
    { class: `verdict ${report.verdict.outcome}`, id: "verdict", role: "status" },
    h("strong", {}, `${S.outcome[report.verdict.outcome]}: `),
    report.verdict.headline,
  );
}

function donePanel(): (Node | null)[] {
  const p = state.profile;
  if (!p) return [];
  const pages = [...state.steps.map((s) => s.number), SIS_PAGE];
  return [
    state.report ? verdictLine(state.report) : null,
    h(
      "table",
      { class: "summary" },
      h(
        "tbody",
        {},
        ...pages.map((n) => {
          const status = stepStatus(n);
          return h(
            "tr",
            {},
            h("th", { scope: "row" }, n <= 15 ? String(n) : "—"),
            h(
              "td",
              {},
              h("div", { class: "summary-title" }, stepTitle(n)),
              ...(state.report?.checks ?? [])
                .filter((f) => f.step === n)
                .map((f) =>
                  h(
                    "div",
                    { class: "evidence-cell" },
                    `${STATUS_ICON[f.status]} ${f.summary}${f.evidence && f.status !== "pass" ? ` (${f.evidence})` : ""}`,
                  ),
                ),
            ),
            h("td", { class: `status-cell ${status ?? "none"}` }, status ? `${STATUS_ICON[status]} ${S.status[status]}` : S.notRun),
          );
        }),
      ),
    ),
    h(
      "p",
      { class: "actions" },
      button("run-all", S.checkAll, () => void run(S.checking, diagnoseNow)),
      button("save-report", S.saveReport, () =>
        void run(S.saveReport, async () => {
          if (!state.report) await diagnoseNow();
          const path = await api.saveReport(await reportText(), `moodle-setup-${p.name}`);
          state.notice = S.reportSaved(path);
        }),
      ),
      copyButton("copy-report", async () => {
        if (!state.report) await diagnoseNow();
        return reportText();
      }, S.copyReport),
    ),
  ];
}

function stepPanel(): Node {
  const page = state.page;
  const step = state.steps.find((s) => s.number === page);
  const body: (Node | null)[] = [];
  if (step) {
    body.push(h("p", { class: "action" }, step.action));
    if (page !== 0) body.push(openLinkButton(`open-step-${page}`, siteLink(step.admin_path)));
    if (page === 0) body.push(...sitePanel());
    if (page === 3 && state.profile)
      body.push(
        ...pluginsPanel({ profile: state.profile, report: state.report, busy: state.busy !== null, run, render }),
      );
    if (page === 15) body.push(...tokensPanel());
    if (step.verification !== "remote" && page !== 0) body.push(manualTick(step));
    if (step.verification !== "manual" && page !== 0) body.push(checkButton(page));
    body.push(findingsFor(page));
  } else if (page === SIS_PAGE && state.profile) {
    body.push(...sisFormPanel(state.profile), ...sisPanel());
  } else if (page === DONE_PAGE) {
    body.push(...donePanel());
  }
  return h(
    "section",
    { class: "panel", "aria-labelledby": "page-heading" },
    h(
      "h2",
      { id: "page-heading", tabindex: "-1" },
      page <= 15 ? `${S.stepLabel(page)} · ${stepTitle(page)}` : stepTitle(page),
    ),
    ...body.filter((n): n is Node => n !== null),
    h(
      "p",
      { class: "nav-buttons" },
      page > 0 ? button("prev", S.back, () => void goTo(page - 1)) : null,
      page < DONE_PAGE ? button("next", S.next, () => void goTo(page + 1)) : null,
    ),
  );
}

// ---------------------------------------------------------------- diagnose and demo

function diagnoseScreen(): Node {
  const report = state.report;
  const sorted = [...(report?.checks ?? [])].sort(
    (a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.step - b.step,
  );
  const failing = sorted.filter((f) => f.status === "fail");
  return h(
    "section",
    { class: "panel", "aria-labelledby": "page-heading" },
    h("h2", { id: "page-heading", tabindex: "-1" }, `${S.diagnose}: ${state.profile?.name ?? ""}`),
    report?.site
      ? h("p", { class: "site-facts" }, siteLine(report.site))
      : null,
    h("p", { class: "actions" }, button("rerun", S.checkAll, () => void run(S.checking, diagnoseNow))),
    report ? verdictLine(report) : null,
    report && failing.length > 0 ? h("h3", {}, S.failingFirst) : null,
    ...sorted.map((f) => findingCard(f, true)),
  );
}

/** Switches the simulated Moodle, keeps the demo profile's address in step, re-checks. */
async function switchDemo(version: string, siteState: string, proxy: boolean): Promise<void> {
  state.demo = await api.setDemoSite(version, siteState, proxy ? "proxy_page" : null);
  if (state.profile?.id === "demo") state.profile.moodle_url = state.demo.url;
  state.report = null;
  if (state.view === "diagnose") await diagnoseNow();
}

function demoPanel(): Node | null {
  const demo = state.demo;
  if (!demo) return null;
  const version = demo.versions.find((v) => v.id === demo.version);
  const current = version?.states.find((s) => s.name === demo.state);
  const proxy = demo.front === "proxy_page";
  return h(
    "aside",
    { class: "demo", "aria-labelledby": "demo-heading" },
    h("h2", { id: "demo-heading" }, S.demoPanel),
    h("p", { class: "hint" }, S.demoPanelHint),
    h("label", { for: "demo-version" }, S.demoVersion),
    h(
      "select",
      {
        id: "demo-version",
        onchange: (e: Event) => {
          const id = (e.target as HTMLSelectElement).value;
          const next = demo.versions.find((v) => v.id === id);
          const keep = next?.states.some((s) => s.name === demo.state) ? demo.state : "good";
          void run(S.checking, () => switchDemo(id, keep, proxy));
        },
      },
      ...demo.versions.map((v) =>
        h("option", { value: v.id, selected: v.id === demo.version }, S.demoVersionLabel(v.release, v.debugging)),
      ),
    ),
    h("label", { for: "demo-state" }, S.demoState),
    h(
      "select",
      {
        id: "demo-state",
        onchange: (e: Event) => {
          const name = (e.target as HTMLSelectElement).value;
          void run(S.checking, () => switchDemo(demo.version, name, proxy));
        },
      },
      ...(version?.states ?? []).map((st) =>
        h("option", { value: st.name, selected: st.name === demo.state }, S.stateLabel[st.name] ?? st.name),
      ),
    ),
    current ? h("p", { class: "hint", id: "demo-state-description" }, S.demoChanged(current.description)) : null,
    h(
      "p",
      {},
      h("input", {
        type: "checkbox",
        id: "demo-proxy",
        checked: proxy,
        onchange: (e: Event) => {
          const on = (e.target as HTMLInputElement).checked;
          void run(S.checking, () => switchDemo(demo.version, demo.state, on));
        },
      }),
      h("label", { for: "demo-proxy" }, S.demoProxy),
    ),
    h("p", { class: "hint" }, S.demoNoPlugin),
  );
}

// ---------------------------------------------------------------- shell

export function render(): void {
  const header = h(
    "header",
    { class: "top" },
    state.view === "start"
      ? h("span", { class: "brand" }, S.appTitle)
      : button("home", S.home, () =>
          void run(S.home, async () => {
            state.view = "start";
            state.profiles = await api.listProfiles();
          }),
        ),
    state.profile && state.view !== "start" ? h("span", { class: "current-profile" }, state.profile.name) : null,
    state.view === "wizard"
      ? button("to-diagnose", S.diagnose, () =>
          void run(S.checking, async () => {
            state.view = "diagnose";
            await diagnoseNow();
          }),
        )
      : null,
    state.view === "diagnose"
      ? button("to-wizard", S.open, () => {
          state.view = "wizard";
          render();
        })
      : null,
  );
  let content: Node;
  if (state.view === "start") content = startScreen();
  else if (state.view === "wizard") content = h("div", { class: "wizard" }, rail(), stepPanel(), demoPanel() ?? h("span"));
  else content = h("div", { class: "diagnose-layout" }, diagnoseScreen(), demoPanel() ?? h("span"));
  const banner = keyringBanner();
  const bar = busyBar();
  replace(
    root,
    header,
    ...(banner ? [banner] : []),
    ...(bar ? [bar] : []),
    ...messages(),
    h("main", { id: "main", "aria-busy": state.busy !== null ? "true" : "false" }, content),
  );
}

/** Loads the catalog, profiles and keyring status, and reopens the last profile. */
export async function start(container: HTMLElement): Promise<void> {
  root = container;
  await listenToProgress(render);
  await run(S.appTitle, async () => {
    const [steps, profiles] = await Promise.all([api.stepCatalog(), api.listProfiles()]);
    state.steps = steps;
    state.profiles = profiles;
  });
  // The keyring may ask to be unlocked first: the window does not wait for it.
  void api
    .keyringStatus()
    .then((keyring) => {
      state.keyring = keyring;
      render();
    })
    .catch(() => {});
}
