// Owns: reading a report for the screens — which findings belong to a page, how each
// checklist item and each page is known (proven, ticked, waiting…), the grouping of a results
// view and the count of proven steps. Pure functions. Must not: call commands or hold state.

import type { Finding, Outcome, Profile, Report, Status } from "../bindings";
import { PAGES, type ItemText } from "../strings/checklists";
import { checkTitle } from "../strings/checks";
import { S } from "../strings/common";
import {
  DONE_PAGE,
  JOURNEY,
  OPENSIS_TOKEN_CHECKS,
  SIS_PAGE,
  SIS_PROGRESS_STEP,
  TOKEN_OPENSIS,
  TOKEN_USERKEY,
  USERKEY_TOKEN_CHECKS,
  type PageKey,
} from "./journey";

/** How a checklist item or a page is known. Each has its own mark and words. */
export type Look = "proven" | "fail" | "warn" | "unknown" | "waiting" | "ticked" | "manual" | "todo";

export const STATUS_RANK: Record<Status, number> = {
  fail: 0,
  unknown: 1,
  warn: 2,
  waiting: 3,
  blocked: 4,
  not_visible: 5,
  skipped: 6,
  pass: 7,
};

export function byRank(a: Finding, b: Finding): number {
  return STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.step - b.step;
}

/** The findings shown on a page of the wizard. */
export function pageFindings(key: PageKey, report: Report | null): Finding[] {
  if (!report || key === SIS_PAGE || key === DONE_PAGE) return [];
  const step15 = report.checks.filter((f) => f.step === 15);
  if (key === TOKEN_OPENSIS || key === TOKEN_USERKEY) {
    const list = key === TOKEN_OPENSIS ? OPENSIS_TOKEN_CHECKS : USERKEY_TOKEN_CHECKS;
    const named = new Set((PAGES[key]?.items ?? []).flatMap((i) => i.checks ?? []));
    return report.checks.filter((f) => (f.step === 15 && list.includes(f.check)) || named.has(f.check));
  }
  const own =
    key === "15"
      ? step15.filter((f) => !OPENSIS_TOKEN_CHECKS.includes(f.check) && !USERKEY_TOKEN_CHECKS.includes(f.check))
      : report.checks.filter((f) => String(f.step) === key);
  // The checks its checklist names (a manual step is proven by a later step's check).
  const named = new Set((PAGES[key]?.items ?? []).flatMap((i) => i.checks ?? []));
  const more = report.checks.filter((f) => named.has(f.check) && !own.includes(f));
  return [...own, ...more];
}

function statusLook(s: Status): Look {
  switch (s) {
    case "pass":
      return "proven";
    case "fail":
      return "fail";
    case "warn":
      return "warn";
    case "unknown":
      return "unknown";
    case "not_visible":
      return "manual";
    default:
      return "waiting";
  }
}

const LOOK_ORDER: Look[] = ["fail", "unknown", "waiting", "warn", "manual", "todo", "ticked", "proven"];

function worst(looks: Look[]): Look | null {
  for (const l of LOOK_ORDER) if (looks.includes(l)) return l;
  return null;
}

/**
 * An item is proven only by its checks passing. A tick stands for what no check can see: it
 * never turns a failed, unknown or not-yet-run check into a pass.
 */
export function itemLook(item: ItemText, report: Report | null, ticked: boolean): Look {
  const found = (item.checks ?? [])
    .map((c) => report?.checks.find((f) => f.check === c))
    .filter((f): f is Finding => f !== undefined);
  if (found.length > 0) {
    const look = worst(found.map((f) => statusLook(f.status))) ?? "todo";
    if ((look === "manual" || look === "waiting") && ticked) return "ticked";
    return look;
  }
  if (ticked) return "ticked";
  return item.checks && !item.tick ? "todo" : "manual";
}

export function isTicked(profile: Profile | null, id: string): boolean {
  return profile?.ticked_items.includes(id) ?? false;
}

/** How a page is known, for the rail and Done. */
export function pageLook(key: PageKey, report: Report | null, profile: Profile | null): Look {
  if (key === SIS_PAGE) {
    const s = profile?.progress[SIS_PROGRESS_STEP]?.last_status;
    return s === "pass" ? "proven" : s === "not_visible" ? "manual" : "todo";
  }
  if (key === DONE_PAGE) return "todo";
  const items = PAGES[key]?.items ?? [];
  const looks = items.map((i) => itemLook(i, report, isTicked(profile, i.id)));
  const findings = pageFindings(key, report);
  const covered = new Set(items.flatMap((i) => i.checks ?? []));
  // Findings no item names (e.g. a reverse proxy in front of the site) still count.
  for (const f of findings) if (!covered.has(f.check)) looks.push(statusLook(f.status));
  const bad = worst(looks.filter((l) => l === "fail" || l === "unknown" || l === "waiting" || l === "warn"));
  if (bad) return bad;
  if (looks.length === 0) return "todo";
  if (looks.every((l) => l === "proven" || l === "ticked")) {
    return looks.includes("proven") ? "proven" : "ticked";
  }
  return looks.some((l) => l === "proven") && !looks.includes("todo") ? "manual" : "todo";
}

/** Steps 1–14 whose checks (or the step that proves them) passed. */
export function provenCount(report: Report | null, profile: Profile | null): number {
  return JOURNEY.filter((p) => p.seed !== null && p.seed >= 1 && p.seed <= 14 && p.key === String(p.seed)).filter(
    (p) => pageLook(p.key, report, profile) === "proven",
  ).length;
}

export interface WaitGroup {
  /** Why they wait, in one sentence. */
  reason: string;
  findings: Finding[];
}

export interface Grouped {
  /** Failed, could not tell, warnings: each its own card, worst first. */
  attention: Finding[];
  /** Not visible from outside: each its own card. */
  toLook: Finding[];
  /** Checks that wait, one group per reason. */
  waiting: WaitGroup[];
  passed: Finding[];
}

const WAIT_PREFIXES = ["Not checked yet: it waits for ", "Waiting for "];

function waitReason(f: Finding): string {
  let text = f.summary;
  for (const p of WAIT_PREFIXES) if (text.startsWith(p)) text = text.slice(p.length);
  return text;
}

/** A results view: what needs the admin first, waiting checks grouped, passes last. */
export function groupFindings(findings: Finding[], blockedReason: (step: number) => string): Grouped {
  const sorted = [...findings].sort(byRank);
  const waiting: WaitGroup[] = [];
  for (const f of sorted.filter((f) => ["blocked", "waiting", "skipped"].includes(f.status))) {
    const reason =
      f.status === "blocked" && f.blocked_by !== null && !f.summary.startsWith(WAIT_PREFIXES[0] ?? "")
        ? blockedReason(f.blocked_by)
        : waitReason(f);
    const group = waiting.find((g) => g.reason === reason);
    if (group) group.findings.push(f);
    else waiting.push({ reason, findings: [f] });
  }
  return {
    attention: sorted.filter((f) => f.status === "fail" || f.status === "unknown" || f.status === "warn"),
    toLook: sorted.filter((f) => f.status === "not_visible"),
    waiting,
    passed: sorted.filter((f) => f.status === "pass"),
  };
}

/** The steps with a failed check, in order, each once. */
export function failingSteps(findings: Finding[]): number[] {
  return [...new Set(findings.filter((f) => f.status === "fail").map((f) => f.step))].sort((a, b) => a - b);
}

/** The one line a step's results open with. */
export function stepVerdict(findings: Finding[]): { outcome: Outcome; headline: string } {
  const count = (...s: Status[]) => findings.filter((f) => s.includes(f.status)).length;
  const failed = findings.filter((f) => f.status === "fail");
  if (failed.length > 0) {
    return { outcome: "failed", headline: S.stepVerdictFail(failed.map((f) => checkTitle(f.check)).join(", ")) };
  }
  if (count("unknown") > 0) return { outcome: "could_not_tell", headline: S.stepVerdictUnknown };
  const waiting = count("blocked", "waiting", "skipped");
  if (waiting > 0) return { outcome: "could_not_tell", headline: S.stepVerdictWaiting(waiting) };
  const look = count("not_visible");
  if (look > 0) return { outcome: "could_not_tell", headline: S.stepVerdictLook(count("pass", "warn"), look) };
  const warns = count("warn");
  if (warns > 0) return { outcome: "passed", headline: S.stepVerdictWarn(warns) };
  return { outcome: "passed", headline: S.stepVerdictPass(findings.length) };
}
