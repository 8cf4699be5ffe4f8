// Owns: the plugin ZIP actions — where each ZIP comes from, fetching and checking them with
// progress, cancelling. Must not: judge a ZIP; verdicts come from the Rust validator.

import { listen } from "@tauri-apps/api/event";
import { createSignal } from "solid-js";
import { api } from "../api";
import type { PluginProgress } from "../bindings";
import { P } from "../strings";
import { saveProfile } from "./actions";
import { run, setStore, store } from "./state";

export const EXPECTED = ["user_authenticator", "web_services"] as const;

/** Follows download progress events; returns a function that stops listening. */
export async function listenToProgress(): Promise<() => void> {
  try {
    return await listen<PluginProgress>("plugin-progress", (event) => {
      setStore("plugins", "progress", event.payload.source, event.payload);
    });
  } catch {
    return () => {};
  }
}

/** The last source being saved: Fetch waits for it, so a source typed just before is used. */
let saving: Promise<void> = Promise.resolve();

export async function setSource(index: number, value: string): Promise<void> {
  saving = saveProfile((p) => {
    const sources = [...p.plugin_sources];
    while (sources.length < EXPECTED.length) sources.push("");
    sources[index] = value;
    return { ...p, plugin_sources: sources };
  });
  await saving;
}

/**
 * The site's Moodle, as the ZIPs are compared with it: its version number, else its release
 * (the validator reads either), from the last check; null until a token could read it.
 */
export function siteVersion(): string | null {
  const site = store.report?.site;
  return site?.version ?? site?.release ?? null;
}

/** The release the site runs, for sentences ("4.5.11+ (Build: 20260501)"). */
export function siteRelease(): string | null {
  const site = store.report?.site;
  return site?.release ?? site?.version ?? null;
}

/** What the ZIPs on screen were compared with (null: the site's version was not known). */
const [checkedFor, setCheckedFor] = createSignal<string | null>(null);

/** Whether the site's version became known (or changed) after the ZIPs were checked. */
export function checkedBeforeSiteKnown(): boolean {
  return store.plugins.summary !== null && siteVersion() !== null && checkedFor() !== siteVersion();
}

export async function fetchPlugins(): Promise<void> {
  await saving.catch(() => {});
  const p = store.profile;
  if (!p) return;
  await run(P.fetching, async () => {
    setStore("plugins", { summary: null, progress: {} });
    const sources = p.plugin_sources.filter((s) => s.trim() !== "");
    const site = siteVersion();
    const summary = await api.fetchPlugins(p.id, sources, site);
    setCheckedFor(site);
    setStore("plugins", "summary", summary);
  });
}
