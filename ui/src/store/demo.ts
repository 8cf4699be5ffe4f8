// Owns: the demo's actions — switching the simulated Moodle's recorded version, state and
// the condition in front of it, and handing the admin the tokens it made. Must not: build DOM.

import { api } from "../api";
import type { SecretKind } from "../bindings";
import { S } from "../strings";
import { reloadProfile } from "./actions";
import { run, setStore, store } from "./state";

/** Switches the simulated Moodle; the demo profile follows its address; results go stale. */
export async function switchDemo(version: string, siteState: string, proxy: boolean): Promise<void> {
  await run(S.checking, async () => {
    const demo = await api.setDemoSite(version, siteState, proxy ? "proxy_page" : null);
    setStore("demo", demo);
    await reloadProfile();
    if (store.report) setStore("stale", S.staleDemo);
  });
}

/** Enters both tokens the simulated Moodle made, as if pasted. */
export async function fillDemoTokens(): Promise<void> {
  const p = store.profile;
  if (!p) return;
  await run(S.save, async () => {
    const tokens = await api.demoTokens();
    const pairs: [SecretKind, string][] = [
      ["opensis_token", tokens.opensis],
      ["userkey_token", tokens.userkey],
    ];
    for (const [kind, value] of pairs) setStore("tokens", await api.setToken(p.id, kind, value));
    if (store.report) setStore("stale", S.staleToken);
    await reloadProfile();
  });
}
