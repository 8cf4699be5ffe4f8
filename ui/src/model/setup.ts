// Owns: the shape of "Set it up for me" on screen — the rows of a run or of its undo and how a
// progress event moves them, long values shortened, and whether "Fix it" can help a report.
// Must not: hold words (strings/) or decide a change (the Rust side plans and makes them).

import type { ChangeLine, MadeChange, Report, SetupProgress } from "../bindings";
import { SYNC_REQUESTS_CHECK } from "./journey";

export type RowState = "waiting" | "working" | "made" | "left" | "refused";

/** One change as it is being made or put back. */
export interface ProgressRow {
  step: number;
  what: string;
  /** The value it has now, and the one it is given. */
  from: string;
  to: string;
  state: RowState;
  /** The proof read back from Moodle's page, or why it was refused or left. */
  note: string | null;
}

/** The rows of a plan about to be made, in its order. */
export function applyRows(changes: readonly ChangeLine[]): ProgressRow[] {
  return changes.map((c) => ({ step: c.step, what: c.what, from: c.before, to: c.after, state: "waiting", note: null }));
}

/** The rows of a run about to be put back: newest first, each from what it made back to what was. */
export function undoRows(changes: readonly MadeChange[]): ProgressRow[] {
  return [...changes]
    .reverse()
    .map((c) => ({ step: c.step, what: c.what, from: c.after, to: c.before, state: "waiting", note: null }));
}

/** A progress event, applied to the rows it is about (by its index). */
export function advance(rows: readonly ProgressRow[], e: SetupProgress): ProgressRow[] {
  const set = (state: RowState, note: string | null) =>
    rows.map((r, i) => (i === e.index ? { ...r, state, note } : r));
  switch (e.kind) {
    case "start":
    case "undoing":
      return set("working", null);
    case "made":
      return set("made", e.proof);
    case "put_back":
      return set(e.left ? "left" : "made", e.note);
    case "refused":
    case "not_put_back":
      return set("refused", e.why);
  }
}

/** How far a run is: rows finished (made, left or refused) of all. */
export function finished(rows: readonly ProgressRow[]): number {
  return rows.filter((r) => r.state !== "waiting" && r.state !== "working").length;
}

/** Values longer than this are lists shown folded (the functions to add). */
const LONG = 90;

/** The items of a long comma-separated value (shown counted, the list behind a disclosure);
 *  null for a value shown as it is. */
export function longList(value: string): string[] | null {
  if (value.length <= LONG) return null;
  const items = value.split(", ");
  return items.length > 1 ? items : null;
}

/** Whether "Fix it" can help a report: its failing steps, and failing checks of the site itself
 *  (step 0: its address, a maintenance mode started on the server, a setting forced in
 *  config.php), which no change of Moodle's admin pages fixes — as diagnosis::fixable::
 *  unfixable, which the command line's doctor --fix stops for. Maintenance mode switched on in
 *  the admin pages is switched off there. */
export function fixability(report: Report | null): { failing: number[]; siteProblems: string[] } {
  const fails = (report?.checks ?? []).filter((f) => f.status === "fail");
  const failing = [...new Set(fails.map((f) => f.step))].sort((a, b) => a - b);
  const adminPageMaintenance = (f: (typeof fails)[number]) =>
    f.check === "site_not_in_maintenance" && f.evidence.startsWith("maintenanceenabled = 1");
  return {
    failing,
    // A web server that refuses some of openSIS's sync leaves the admin pages alone: named, not in the way.
    siteProblems: fails
      .filter((f) => f.step === 0 && !adminPageMaintenance(f) && f.check !== SYNC_REQUESTS_CHECK)
      .map((f) => f.summary),
  };
}

/** A message from the Rust side as a sentence: a capital first, a full stop last. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === "") return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?)"”]$/.test(first) ? first : `${first}.`;
}
