// Owns: what the admin's actions do — open a school, save it, run the checks, tick an item,
// save or clear a token — each through api.ts, with the store updated from what the
// commands return. Must not: build DOM or judge Moodle.

import { api } from "../api";
import type { Profile, Report, SecretKind } from "../bindings";
import { SIS_TYPED_ITEM, pageIndex } from "../model/journey";
import { withJourneyWords } from "../model/results";
import { navigate } from "../router";
import { S } from "../strings";
import { announce, run, setStore, store, type KeptResults } from "./state";

/** The open school's results, to be shown again when it is reopened in this run. */
function keepResults(): void {
  const p = store.profile;
  if (!p) return;
  const kept: KeptResults = {
    report: store.report,
    checkedAt: store.checkedAt,
    stale: store.stale,
    keyProofAt: store.keyProofAt,
  };
  setStore("kept", p.id, kept);
}

/** Forgets a school's results of this run (deleted, or the demo restarted). */
export function forgetResults(id: string): void {
  setStore("kept", (k) => Object.fromEntries(Object.entries(k).filter(([key]) => key !== id)));
}

/** Loads the step catalog, the function list, the schools and (in the background) the keyring. */
export async function loadApp(): Promise<void> {
  await run(S.appTitle, async () => {
    const [steps, functions, profiles, version] = await Promise.all([
      api.stepCatalog(),
      api.requiredFunctions(),
      api.listProfiles(),
      api.appVersion(),
    ]);
    setStore({ steps, functions, profiles, version });
  });
  // The keyring may ask to be unlocked first: the window does not wait for it.
  void api
    .keyringStatus()
    .then((keyring) => setStore("keyring", keyring))
    .catch(() => {});
}

export async function refreshProfiles(): Promise<void> {
  setStore("profiles", await api.listProfiles());
}

/**
 * Makes a school the open one: its tokens, its openSIS form, the demo's controls, and its
 * results — those of this run when it was checked since the app started, else the last
 * session's time, marked as such.
 */
export async function openProfile(id: string): Promise<void> {
  if (store.profile?.id === id) return;
  const profile = await api.getProfile(id);
  const isDemo = id === "demo";
  const [tokens, demo, demoSis, sisForm] = await Promise.all([
    api.tokenState(id).catch(() => null),
    isDemo ? api.demoSite().catch(() => null) : Promise.resolve(null),
    isDemo ? api.demoSis().catch(() => null) : Promise.resolve(null),
    api.sisForm(id).catch(() => null),
  ]);
  keepResults();
  const kept = store.kept[id];
  const results = kept ?? {
    report: null,
    checkedAt: profile.checked_at === null ? null : profile.checked_at * 1000,
    stale: profile.checked_at === null ? null : S.staleRestored,
    keyProofAt: null,
  };
  setStore({
    profile,
    tokens,
    demo,
    demoSis,
    sisForm,
    sisResult: null,
    ...results,
    keyProofNote: null,
    plugins: { summary: null, progress: {} },
  });
}

/** Saves the open school as changed by `change`, and keeps what the command returned. */
export async function saveProfile(change: (p: Profile) => Profile): Promise<void> {
  const current = store.profile;
  if (!current) return;
  const saved = await api.saveProfile(change(current));
  setStore("profile", saved);
}

/** Reads the open school back (after a command changed it on the Rust side). */
export async function reloadProfile(): Promise<void> {
  const current = store.profile;
  if (current) setStore("profile", await api.getProfile(current.id));
}

export async function createSchool(name: string): Promise<void> {
  await run(S.create, async () => {
    const profile = await api.createProfile(name);
    await refreshProfiles();
    await openProfile(profile.id);
    navigate({ name: "wizard", id: profile.id, page: "0" });
  });
}

export async function startDemo(): Promise<void> {
  await run(S.startDemo, async () => {
    const profile = await api.startDemo(false);
    // A new simulated Moodle: nothing of the last one's results holds.
    setStore("profile", null);
    forgetResults(profile.id);
    await refreshProfiles();
    await openProfile(profile.id);
    navigate({ name: "wizard", id: profile.id, page: "0" });
  });
}

/** When the key life-time proof of `report` holds: from the proof that just ran, else from
 *  the kept one (the app put it back into the report: nothing it depends on changed). */
function keyProofTime(report: Report, proving: boolean, now: number): number | null {
  const passed = report.checks.some((f) => f.check === "userkey_lifetime" && f.status === "pass");
  if (!passed) return null;
  return proving ? now : (store.keyProofAt ?? now);
}

/** The checks, inside a run: the report, the profile as the command left it, the verdict
 *  announced and focused — all before the progress line goes, so nothing sees a gap. */
async function check(load: (id: string) => Promise<Report>, proving = false): Promise<void> {
  const p = store.profile;
  if (!p) return;
  const report = withJourneyWords(await load(p.id));
  const now = Date.now();
  setStore({ report, checkedAt: now, stale: null, keyProofAt: keyProofTime(report, proving, now), keyProofNote: null });
  keepResults();
  await reloadProfile();
  announce(report.verdict.headline);
  document.getElementById("verdict")?.focus();
}

/** Every check, as the doctor runs them, inside a run the caller started (the proof after
 *  "Set it up for me" made its changes). */
export async function checkEverything(): Promise<void> {
  await check((id) => api.diagnoseProfile(id, false));
}

/** Every check; the wizard waits for tokens it has not asked for yet. */
export async function runChecks(wizard: boolean): Promise<boolean> {
  return run(S.checking, () => check((id) => api.diagnoseProfile(id, wizard)));
}

/** Saves the address (as the engine will read it) and the e-mail, then checks — inside a run
 *  the caller started (step 0's form starts it before it reads the address). */
export async function saveSiteAndCheck(url: string, email: string | null): Promise<void> {
  await saveSite(url, email);
  await check((id) => api.diagnoseProfile(id, true));
}

/** The 65-second proof of "User key life time". It opens a login key asked for with the
 *  user-key token: without that token it says so beside the button instead of running. */
export async function proveKeyLifetime(): Promise<boolean> {
  if (!store.tokens?.userkey.set) {
    setStore("keyProofNote", S.keyProofNeedsToken);
    announce(S.keyProofNeedsToken);
    // The button gives way to the countdown for a moment: the note keeps the focus nearby.
    setTimeout(() => document.getElementById("key-proof-note")?.focus(), 0);
    return false;
  }
  return run(S.checking, () => check((id) => api.proveKeyLifetime(id), true));
}

export async function tick(itemId: string, on: boolean): Promise<void> {
  await run(S.save, () =>
    saveProfile((p) => {
      const rest = p.ticked_items.filter((i) => i !== itemId);
      return { ...p, ticked_items: on ? [...rest, itemId].sort() : rest };
    }),
  );
}

/**
 * What the admin typed into openSIS by hand no longer matches once the address or a token
 * changes: the type-it-myself tick is taken back (openSIS must be given the new values).
 */
async function forgetTypedIntoSis(): Promise<void> {
  if (!store.profile?.ticked_items.includes(SIS_TYPED_ITEM)) return;
  await saveProfile((p) => ({ ...p, ticked_items: p.ticked_items.filter((i) => i !== SIS_TYPED_ITEM) }));
}

/** Saves the address (as the engine will read it) and the e-mail; results go out of date. */
export async function saveSite(url: string, email: string | null): Promise<void> {
  const before = store.profile;
  if (!before) return;
  await saveProfile((p) => ({ ...p, moodle_url: url, admin_email: email }));
  if (before.moodle_url !== url) await forgetTypedIntoSis();
  if (store.report && (before.moodle_url !== url || before.admin_email !== email)) {
    setStore("stale", S.staleAddress);
  }
}

export async function setToken(kind: SecretKind, value: string): Promise<boolean> {
  const p = store.profile;
  if (!p) return false;
  return run(S.save, async () => {
    const tokens = await api.setToken(p.id, kind, value);
    setStore("tokens", tokens);
    if (kind === "userkey_token") setStore("keyProofNote", null);
    if (store.report) setStore("stale", S.staleToken);
    await reloadProfile();
    await forgetTypedIntoSis();
  });
}

export async function clearToken(kind: SecretKind): Promise<boolean> {
  const p = store.profile;
  if (!p) return false;
  return run(S.clear, async () => {
    setStore("tokens", await api.clearToken(p.id, kind));
    if (store.report) setStore("stale", S.staleToken);
    await reloadProfile();
    await forgetTypedIntoSis();
  });
}

/** Goes to a wizard page (the wizard remembers it: `rememberPage`). */
export function goToPage(page: string): void {
  const p = store.profile;
  if (!p) return;
  navigate({ name: "wizard", id: p.id, page });
}

/**
 * Remembers the wizard page the admin is on as the school's current page, and how far the
 * admin has gone (`current_step`: the furthest page's place in the journey), so the rail never
 * paints a page ahead of the admin as failing. Called for every page shown, however reached
 * (Next, the rail, a link, Back in history).
 */
export function rememberPage(page: string): void {
  const p = store.profile;
  if (!p || pageIndex(page) < 0) return;
  const from = p.current_page ? pageIndex(p.current_page) : 0;
  const furthest = Math.max(p.current_step, from, pageIndex(page));
  if (p.current_page !== page || p.current_step !== furthest) {
    void saveProfile((q) => ({ ...q, current_page: page, current_step: furthest })).catch(() => {});
  }
}
