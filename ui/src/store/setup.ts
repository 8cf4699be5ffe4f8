// Owns: what "Set it up for me" (and Diagnose's "Fix it") does, phase by phase — the sign-in
// in Moodle's own window, the plan, the changes with their progress events, the proof by every
// check, and Put it back — with the store updated from what the commands return. The admin
// session lives on the Rust side; leaving the screen before the changes signs it out.
// Must not: build DOM, decide a change, or ever see a password.

import { listen } from "@tauri-apps/api/event";
import { createStore } from "solid-js/store";
import { api, AppError } from "../api";
import type { MadeChange, RunResult, SetupOverview, SetupPlan, SetupProgress, UndoResult } from "../bindings";
import { advance, applyRows, sentence, undoRows, type ProgressRow } from "../model/setup";
import { navigate } from "../router";
import { S, U } from "../strings";
import { checkEverything, openProfile, refreshProfiles } from "./actions";
import { announce, message, run, setStore, store } from "./state";

export type Phase =
  /** Before the sign-in: the site, the ZIP, the tokens, a run that can be put back. */
  | "ready"
  /** Moodle's sign-in window is open (for the changes, or to put them back). */
  | "signing-in"
  | "reading"
  | "plan"
  | "applying"
  /** The run made (or stopped), proven by every check. */
  | "done"
  | "confirm-undo"
  | "undoing"
  | "undone";

/** A run that Put it back would undo. */
export interface RunToPutBack {
  site: string;
  /** When it started (seconds since 1970). */
  startedAt: number;
  changes: MadeChange[];
}

export interface SetupState {
  profileId: string | null;
  phase: Phase;
  /** Where Cancel on the Put it back question returns to. */
  before: Phase;
  overview: SetupOverview | null;
  plan: SetupPlan | null;
  /** The changes under way (made or put back), as the progress events move them. */
  rows: ProgressRow[];
  run: RunResult | null;
  undo: UndoResult | null;
  toPutBack: RunToPutBack | null;
  /** Why the work stopped, in a sentence. */
  problem: string | null;
  /** What happened when the admin went back (cancelled, signed out). */
  note: string | null;
}

const initial = (): SetupState => ({
  profileId: null,
  phase: "ready",
  before: "ready",
  overview: null,
  plan: null,
  rows: [],
  run: null,
  undo: null,
  toPutBack: null,
  problem: null,
  note: null,
});

export const [setup, setSetup] = createStore<SetupState>(initial());

/** Back to the first state (tests). */
export function resetSetup(): void {
  setSetup(initial());
}

/** Follows the changes as they are made or put back; returns a function that stops listening. */
export async function listenToSetupProgress(): Promise<() => void> {
  try {
    return await listen<SetupProgress>("setup-progress", (event) => {
      setSetup("rows", (rows) => advance(rows, event.payload));
    });
  } catch {
    return () => {};
  }
}

function lastRunOf(overview: SetupOverview | null): RunToPutBack | null {
  const last = overview?.last_run;
  return last ? { site: last.site, startedAt: last.started_at, changes: last.changes } : null;
}

/** The last overview asked for: an earlier answer arriving later is not shown. */
let asked = 0;

/** What is known before a sign-in, read again (after the address, a ZIP or a run changed). */
export async function refreshOverview(): Promise<void> {
  const id = setup.profileId;
  if (!id) return;
  const mine = ++asked;
  const overview = await api.setupOverview(id);
  if (setup.profileId !== id || mine !== asked) return;
  setSetup({ overview });
  if (setup.phase === "ready") setSetup("toPutBack", lastRunOf(overview));
}

/** Opens the screen for a school: a school other than the last one starts afresh. */
export async function openSetup(profileId: string): Promise<void> {
  // Work under way goes on; anything else starts again (a result stays on Diagnose).
  const underWay = ["signing-in", "reading", "applying", "undoing"].includes(setup.phase);
  if (setup.profileId !== profileId || !underWay) setSetup({ ...initial(), profileId });
  await refreshOverview();
}

/** A command failed: said in the page (a cancelled sign-in as a note), back to the start. */
function stopped(e: unknown): void {
  const code = e instanceof AppError ? e.code : "";
  setSetup({ phase: "ready", plan: null, rows: [] });
  if (code === "sign_in_cancelled") {
    setSetup({ note: U.signInCancelled, problem: null });
    announce(U.signInCancelled);
  } else {
    const text = sentence(message(e));
    setSetup({ problem: text, note: null });
    announce(text);
  }
  void refreshOverview().catch(() => {});
}

/** Opens Moodle's sign-in window, then reads the site and shows the plan. An empty plan signs
 *  out at once: there is nothing to make. */
export async function signInAndPlan(): Promise<void> {
  const id = setup.profileId;
  if (!id) return;
  setSetup({ problem: null, note: null, run: null, undo: null });
  await run(U.waitingForSignIn, async () => {
    setSetup("phase", "signing-in");
    try {
      await api.setupSignIn(id);
      setSetup("phase", "reading");
      setStore("busy", U.reading);
      const plan = await api.setupPlan(id);
      if (plan.changes.length === 0) await api.setupSignOut();
      setSetup({ plan, phase: "plan" });
      announce(U.planHeading(plan.changes.length));
    } catch (e) {
      stopped(e);
    }
  });
}

/** Cancel on the plan: signed out, nothing changed. */
export async function cancelPlan(): Promise<void> {
  await run(U.cancel, async () => {
    await api.setupSignOut().catch(() => false);
    setSetup({ phase: "ready", plan: null, note: U.cancelled, problem: null });
    announce(U.cancelled);
    await refreshOverview();
  });
}

/** Makes the planned changes (each shown as it starts and is made), then proves them with every
 *  check. The session is signed out on the Rust side once the changes are made. */
export async function makeChanges(): Promise<void> {
  const id = setup.profileId;
  const plan = setup.plan;
  if (!id || !plan) return;
  setSetup({ rows: applyRows(plan.changes), phase: "applying", problem: null, note: null });
  await run(U.making, async () => {
    let result: RunResult;
    try {
      result = await api.setupApply(id);
    } catch (e) {
      stopped(e);
      return;
    }
    setStore("profile", result.profile);
    setStore("tokens", await api.tokenState(id).catch(() => store.tokens));
    setSetup({
      run: result,
      toPutBack:
        result.made.length > 0
          ? { site: result.site, startedAt: result.made[0]?.at ?? 0, changes: result.made }
          : null,
    });
    // The proof: every check, as the doctor runs them, with the tokens now kept.
    setStore("busy", U.proving);
    try {
      await checkEverything();
    } catch (e) {
      setStore("error", message(e));
    }
    setSetup("phase", "done");
    announce(U.resultHeading(result.made.length, result.site));
  });
}

/** Put it back…: the question first (what would be undone). */
export function askPutBack(): void {
  const last = setup.toPutBack ?? lastRunOf(setup.overview);
  if (!last) return;
  setSetup({ toPutBack: last, before: setup.phase, phase: "confirm-undo", rows: undoRows(last.changes), problem: null, note: null });
}

/** Keep the changes: back to where the question was asked. */
export function keepChanges(): void {
  setSetup({ phase: setup.before, rows: [] });
}

/** Signs in again (Moodle's window), then puts the last run back, newest change first. */
export async function putBack(): Promise<void> {
  const id = setup.profileId;
  const last = setup.toPutBack;
  if (!id || !last) return;
  await run(U.waitingForSignIn, async () => {
    setSetup("phase", "signing-in");
    let result: UndoResult;
    try {
      await api.setupSignIn(id);
      setSetup({ phase: "undoing", rows: undoRows(last.changes) });
      setStore("busy", U.undoing);
      result = await api.setupUndo(id);
    } catch (e) {
      stopped(e);
      return;
    }
    setStore("profile", result.profile);
    setStore("tokens", await api.tokenState(id).catch(() => store.tokens));
    if (store.report && result.tokens_removed.length > 0) setStore("stale", S.staleToken);
    setSetup({ undo: result, phase: "undone", toPutBack: null });
    announce(U.undoneHeading(result.put_back.filter((l) => l.done).length));
    await refreshOverview().catch(() => {});
  });
}

/** Leaving the screen: a sign-in under way is cancelled, a plan not made is signed out of. */
export function leaveSetup(): void {
  if (setup.phase === "signing-in") void api.setupCancelSignIn().catch(() => {});
  if (setup.phase === "plan" || setup.phase === "reading") {
    void api.setupSignOut().catch(() => {});
    setSetup({ phase: "ready", plan: null });
  }
}

/** The start screen's "Set it up for me": an existing school, or a new one by its name. */
export async function startSetup(existing: string | null, newName: string): Promise<void> {
  await run(U.startCard, async () => {
    let id = existing;
    if (!id) {
      const profile = await api.createProfile(newName);
      await refreshProfiles();
      id = profile.id;
    }
    await openProfile(id);
    navigate({ name: "setup", id, fix: false });
  });
}
