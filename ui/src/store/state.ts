// Owns: the app's one store — what the commands returned (catalog, schools, the open school,
// its last report, tokens, demo) and what is under way — and the small helpers that run a
// command with progress. Must not: build DOM; components read the store and call actions.

import { createStore } from "solid-js/store";
import { AppError } from "../api";
import type {
  CheckAllProgress,
  DemoSis,
  HistoryView,
  SchoolSummary,
  DemoSite,
  KeyringStatus,
  PluginProgress,
  PluginsSummary,
  Profile,
  Report,
  SisForm,
  SisSaveResult,
  Step,
  TokenState,
} from "../bindings";

/** A school's results as this run of the app last showed them, kept while another is open. */
export interface KeptResults {
  report: Report | null;
  checkedAt: number | null;
  stale: string | null;
  keyProofAt: number | null;
}

export interface AppState {
  steps: Step[];
  functions: string[];
  /** The app's version, as its packages and the command line carry it. */
  version: string;
  profiles: Profile[];
  profile: Profile | null;
  report: Report | null;
  /** When the report was made (ms since 1970). */
  checkedAt: number | null;
  /** Why the report no longer matches what is typed or switched, if it does not. */
  stale: string | null;
  /** When the 65-s proof of "User key life time" passed (ms), while the report still shows
   *  it (the app keeps the proof until the address, the user-key token or step 7 changes). */
  keyProofAt: number | null;
  /** Why "Prove it" could not run, said beside it. */
  keyProofNote: string | null;
  /** Each school's results made in this run, by school id: reopening a school shows them. */
  kept: Record<string, KeptResults>;
  /** What is under way, for the progress line; null when idle. */
  busy: string | null;
  error: string | null;
  keyring: KeyringStatus | null;
  tokens: TokenState | null;
  demo: DemoSite | null;
  demoSis: DemoSis | null;
  sisForm: SisForm | null;
  sisResult: SisSaveResult | null;
  plugins: { summary: PluginsSummary | null; progress: Record<string, PluginProgress> };
  /** The last thing said to screen readers (the live region). */
  announcement: string;
  /** Every school's last check, for the start screen (failing first). */
  summaries: SchoolSummary[];
  /** "Check all" under way. */
  checkAll: CheckAllProgress | null;
  /** The open school's recent checks. */
  history: HistoryView | null;
}

export const initialState = (): AppState => ({
  steps: [],
  functions: [],
  version: "",
  profiles: [],
  profile: null,
  report: null,
  checkedAt: null,
  stale: null,
  keyProofAt: null,
  keyProofNote: null,
  kept: {},
  busy: null,
  error: null,
  keyring: null,
  tokens: null,
  demo: null,
  demoSis: null,
  sisForm: null,
  sisResult: null,
  plugins: { summary: null, progress: {} },
  announcement: "",
  summaries: [],
  checkAll: null,
  history: null,
});

export const [store, setStore] = createStore<AppState>(initialState());

/** Back to the first state (tests). */
export function resetStore(): void {
  setStore(initialState());
}

export function message(e: unknown): string {
  return e instanceof AppError || e instanceof Error ? e.message : String(e);
}

/**
 * Runs a command with a visible progress line; a failure becomes a message, never a crash.
 * Returns false when it failed. One at a time: a second press while busy does nothing.
 */
export async function run(label: string, work: () => Promise<void>): Promise<boolean> {
  if (store.busy !== null) return false;
  setStore({ busy: label, error: null });
  try {
    await work();
    return true;
  } catch (e) {
    setStore("error", message(e));
    return false;
  } finally {
    setStore("busy", null);
  }
}

/** Says something to screen readers through the one live region. */
export function announce(text: string): void {
  // A repeated text must be announced again: clear first.
  setStore("announcement", "");
  queueMicrotask(() => setStore("announcement", text));
}
