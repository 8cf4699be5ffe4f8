// Owns: the district and watch actions — every school's last check, "Check all" with its
// progress, "Watch this connection", the open school's history, and following the watch's
// checks as they arrive. Must not: decide what changed (the Rust side does).

import { listen } from "@tauri-apps/api/event";
import { api } from "../api";
import type { CheckAllProgress, SchoolChecked } from "../bindings";
import { navigate } from "../router";
import { W } from "../strings";
import { announce, run, setStore, store } from "./state";

export async function refreshSummaries(): Promise<void> {
  setStore("summaries", await api.schoolSummaries());
}

export async function refreshHistory(): Promise<void> {
  const p = store.profile;
  if (p) setStore("history", await api.schoolHistory(p.id));
}

export async function checkAll(): Promise<void> {
  await run(W.checkingAll, async () => {
    setStore("checkAll", { done: 0, total: store.summaries.length, name: "" });
    try {
      const results = await api.checkAllSchools();
      await refreshSummaries();
      const failing = results.filter((r) => (r.snapshot?.failing.length ?? 0) > 0 || r.error !== null).length;
      announce(W.checkedAll(results.length, failing));
    } finally {
      setStore("checkAll", null);
    }
  });
}

export async function setWatch(enabled: boolean, minutes: number): Promise<void> {
  const p = store.profile;
  if (!p) return;
  await run(W.saving, async () => {
    setStore("profile", await api.setWatch(p.id, enabled, minutes));
    announce(enabled ? W.nowWatching(minutes) : W.notWatching);
  });
}

/** Follows the watch's checks, "Check all"'s progress and a click on a notification. */
export async function followWatch(): Promise<() => void> {
  try {
    const stops = await Promise.all([
      listen<SchoolChecked>("school-checked", (e) => {
        void refreshSummaries().catch(() => {});
        if (store.profile?.id === e.payload.id) void refreshHistory().catch(() => {});
      }),
      listen<CheckAllProgress>("check-all-progress", (e) => setStore("checkAll", e.payload)),
      listen<string>("open-diagnose", (e) => navigate({ name: "diagnose", id: e.payload })),
    ]);
    return () => stops.forEach((stop) => stop());
  } catch {
    return () => {};
  }
}
