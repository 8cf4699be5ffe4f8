// Owns: the plugin ZIP actions — where each ZIP comes from, fetching and checking them with
// progress, cancelling. Must not: judge a ZIP; verdicts come from the Rust validator.

import { listen } from "@tauri-apps/api/event";
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

export async function setSource(index: number, value: string): Promise<void> {
  await saveProfile((p) => {
    const sources = [...p.plugin_sources];
    while (sources.length < EXPECTED.length) sources.push("");
    sources[index] = value;
    return { ...p, plugin_sources: sources };
  });
}

export async function fetchPlugins(): Promise<void> {
  const p = store.profile;
  if (!p) return;
  await run(P.fetching, async () => {
    setStore("plugins", { summary: null, progress: {} });
    const sources = p.plugin_sources.filter((s) => s.trim() !== "");
    const summary = await api.fetchPlugins(p.id, sources, store.report?.site?.version ?? null);
    setStore("plugins", "summary", summary);
  });
}
