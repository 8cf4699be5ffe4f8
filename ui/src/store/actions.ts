// Owns: what the admin's actions do — open a school, save it, run the checks, tick an item,
// save or clear a token — each through api.ts, with the store updated from what the
// commands return. Must not: build DOM or judge Moodle.

import { api } from "../api";
import type { Profile, Report, SecretKind } from "../bindings";
import { navigate } from "../router";
import { S } from "../strings";
import { announce, run, setStore, store } from "./state";

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

/** Makes a school the open one: its tokens, its openSIS form, the demo's controls. */
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
  setStore({
    profile,
    tokens,
    demo,
    demoSis,
    sisForm,
    sisResult: null,
    report: null,
    checkedAt: profile.checked_at === null ? null : profile.checked_at * 1000,
    stale: profile.checked_at === null ? null : S.staleRestored,
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
    setStore("profile", null);
    await refreshProfiles();
    await openProfile(profile.id);
    navigate({ name: "wizard", id: profile.id, page: "0" });
  });
}

/** The checks, inside a run: the report, the profile as the command left it, the verdict
 *  announced and focused — all before the progress line goes, so nothing sees a gap. */
async function check(load: (id: string) => Promise<Report>): Promise<void> {
  const p = store.profile;
  if (!p) return;
  const report = await load(p.id);
  setStore({ report, checkedAt: Date.now(), stale: null });
  await reloadProfile();
  announce(report.verdict.headline);
  document.getElementById("verdict")?.focus();
}

/** Every check; the wizard waits for tokens it has not asked for yet. */
export async function runChecks(wizard: boolean): Promise<boolean> {
  return run(S.checking, () => check((id) => api.diagnoseProfile(id, wizard)));
}

/** Saves the address (as the engine will read it) and the e-mail, then checks. */
export async function checkSite(url: string, email: string | null): Promise<boolean> {
  return run(S.checking, async () => {
    await saveSite(url, email);
    await check((id) => api.diagnoseProfile(id, true));
  });
}

/** The 65-second proof of "User key life time". */
export async function proveKeyLifetime(): Promise<boolean> {
  return run(S.checking, () => check((id) => api.proveKeyLifetime(id)));
}

export async function tick(itemId: string, on: boolean): Promise<void> {
  await run(S.save, () =>
    saveProfile((p) => {
      const rest = p.ticked_items.filter((i) => i !== itemId);
      return { ...p, ticked_items: on ? [...rest, itemId].sort() : rest };
    }),
  );
}

/** Saves the address (as the engine will read it) and the e-mail; results go out of date. */
export async function saveSite(url: string, email: string | null): Promise<void> {
  const before = store.profile;
  if (!before) return;
  await saveProfile((p) => ({ ...p, moodle_url: url, admin_email: email }));
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
    if (store.report) setStore("stale", S.staleToken);
    await reloadProfile();
  });
}

export async function clearToken(kind: SecretKind): Promise<boolean> {
  const p = store.profile;
  if (!p) return false;
  return run(S.clear, async () => {
    setStore("tokens", await api.clearToken(p.id, kind));
    if (store.report) setStore("stale", S.staleToken);
    await reloadProfile();
  });
}

/** Goes to a wizard page and remembers it as the school's current page. */
export function goToPage(page: string): void {
  const p = store.profile;
  if (!p) return;
  navigate({ name: "wizard", id: p.id, page });
  if (p.current_page !== page) void saveProfile((q) => ({ ...q, current_page: page })).catch(() => {});
}
