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
  SIS_PAGE,
  SIS_PROGRESS_STEP,
  SIS_TYPED_ITEM,
  TOKEN_OPENSIS,
  TOKEN_USERKEY,
  journeyPage,
  pageIndex,
  pageOfCheck,
  stepBefore,
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

/** The findings of the checks a page's own step runs (none for "Open …" pages, whose items
 *  a later step's check proves). */
export function ownFindings(key: PageKey, report: Report | null): Finding[] {
  if (!report || key === SIS_PAGE || key === DONE_PAGE) return [];
  return report.checks.filter((f) => pageOfCheck(f.step, f.check) === key);
}

/** The findings shown on a page of the wizard: its own checks (a check's page, as
 *  `pageOfCheck` says), then the checks its checklist names (a manual step is proven by a
 *  later step's check). */
export function pageFindings(key: PageKey, report: Report | null): Finding[] {
  if (!report || key === SIS_PAGE || key === DONE_PAGE) return [];
  const own = ownFindings(key, report);
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
 * never turns a failed, unknown or not-yet-run check into a pass. On a page with no check of
 * its own (`page` given, e.g. "Open «Install plugins»"), a later step's check that has not
 * passed yet is that step's failure, shown there: here the item is still to be ticked.
 */
export function itemLook(item: ItemText, report: Report | null, ticked: boolean, page?: PageKey): Look {
  const found = (item.checks ?? [])
    .map((c) => report?.checks.find((f) => f.check === c))
    .filter((f): f is Finding => f !== undefined);
  if (found.length > 0) {
    let look = worst(found.map((f) => statusLook(f.status))) ?? "todo";
    if ((look === "fail" || look === "unknown") && page !== undefined && ownFindings(page, report).length === 0) {
      look = "manual";
    }
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
    if (s === "pass") return "proven";
    if (isTicked(profile, SIS_TYPED_ITEM)) return "ticked";
    return s === "not_visible" ? "manual" : "todo";
  }
  if (key === DONE_PAGE) return "todo";
  const items = PAGES[key]?.items ?? [];
  const itemLooks = items.map((i) => itemLook(i, report, isTicked(profile, i.id), key));
  const looks = [...itemLooks];
  const findings = pageFindings(key, report);
  const covered = new Set(items.flatMap((i) => i.checks ?? []));
  // Findings no item names (e.g. a reverse proxy in front of the site) still count.
  for (const f of findings) if (!covered.has(f.check)) looks.push(statusLook(f.status));
  const bad = worst(looks.filter((l) => l === "fail" || l === "unknown" || l === "waiting" || l === "warn"));
  if (bad) return bad;
  if (looks.length === 0) return "todo";
  if (looks.every((l) => l === "proven" || l === "ticked")) {
    // A step is proven only when every item a check can prove is proven: an item only
    // ticked (e.g. the key life time before its 65-s proof) leaves it "ticked by you".
    const tickedOnly = items.some((i, n) => (i.checks?.length ?? 0) > 0 && itemLooks[n] === "ticked");
    return looks.includes("proven") && !tickedOnly ? "proven" : "ticked";
  }
  return looks.some((l) => l === "proven") && !looks.includes("todo") ? "manual" : "todo";
}

/** How far the admin has gone in the journey: the furthest page visited (its index). */
export function reachedIndex(profile: Profile | null, current?: PageKey): number {
  const stored = profile?.current_step ?? 0;
  const at = profile?.current_page ? pageIndex(profile.current_page) : -1;
  const here = current === undefined ? -1 : pageIndex(current);
  return Math.max(stored, at, here);
}

/**
 * How a page shows on the rail: as on Done, except that a page the admin has not reached yet
 * is never "needs you" (nor "could not tell"): what the checks saw there is not done yet.
 */
export function railLook(key: PageKey, report: Report | null, profile: Profile | null, reached: number): Look {
  const look = pageLook(key, report, profile);
  if (pageIndex(key) > reached && (look === "fail" || look === "unknown")) return "todo";
  return look;
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

/** The token a "waits for …" sentence names, by its page. */
function tokenNamed(reason: string): PageKey | null {
  if (reason.startsWith("the opensis token")) return TOKEN_OPENSIS;
  if (reason.startsWith("the user-key token")) return TOKEN_USERKEY;
  return null;
}

/** Why a check waits for a token, said from where the admin is: on the token's own page,
 *  on the page right before it, or elsewhere (with the step it comes after). */
export function tokenWait(token: PageKey, here?: PageKey): string {
  const name = token === TOKEN_OPENSIS ? S.tokenNameOpensis : S.tokenNameUserkey;
  if (here === token) return S.waitsForTokenHere(name);
  if (here !== undefined && pageIndex(here) + 1 === pageIndex(token)) return S.waitsForTokenNext(name);
  return S.waitsForTokenAfter(name, stepBefore(token) ?? 15);
}

function waitReason(f: Finding, here?: PageKey): string {
  let text = f.summary;
  for (const p of WAIT_PREFIXES) if (text.startsWith(p)) text = text.slice(p.length);
  const token = tokenNamed(text);
  return token ? tokenWait(token, here) : text;
}

/**
 * The engine names the page each pending token is asked on by the step before it; the
 * journey decides that order, so its words are put right here (they said "after step 10"
 * while the opensis token came after step 14). Only the wizard's pending-token words change.
 */
export function withJourneyWords(report: Report): Report {
  const after = (token: PageKey) => `(the wizard asks for it right after step ${stepBefore(token) ?? 15})`;
  const fix = (text: string) =>
    text
      .replace(/(the opensis token) \(the wizard asks for it right after step \d+\)/g, (_, t: string) => `${t} ${after(TOKEN_OPENSIS)}`)
      .replace(/(the user-key token) \(the wizard asks for it right after step \d+\)/g, (_, t: string) => `${t} ${after(TOKEN_USERKEY)}`);
  return {
    ...report,
    verdict: { ...report.verdict, headline: fix(report.verdict.headline) },
    checks: report.checks.map((f) => ({ ...f, summary: fix(f.summary) })),
  };
}

export interface GroupOptions {
  /** The wizard page the view is on: waits are then said from there (no "until step 7
   *  passes" on step 7's own page; "given on the next page" right before a token's page). */
  page?: PageKey;
}

/** A results view: what needs the admin first, waiting checks grouped, passes last. */
export function groupFindings(
  findings: Finding[],
  blockedReason: (step: number) => string,
  options: GroupOptions = {},
): Grouped {
  const sorted = [...findings].sort(byRank);
  const waiting: WaitGroup[] = [];
  const here = options.page;
  const ownSeed = here === undefined ? undefined : journeyPage(here)?.seed;
  const ownReason = (step: number) => {
    const first = sorted.filter((f) => f.step === step && (f.status === "fail" || f.status === "unknown"));
    return first.length > 0 ? S.blockedByAbove(first.map((f) => checkTitle(f.check)).join(", ")) : S.blockedByThisStep;
  };
  for (const f of sorted.filter((f) => ["blocked", "waiting", "skipped"].includes(f.status))) {
    const byStep = f.status === "blocked" && f.blocked_by !== null && !f.summary.startsWith(WAIT_PREFIXES[0] ?? "");
    const reason =
      byStep && f.blocked_by !== null
        ? f.blocked_by === ownSeed
          ? ownReason(f.blocked_by)
          : blockedReason(f.blocked_by)
        : waitReason(f, here);
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

/** The pages whose checks prove a page that has none of its own ("Open …" pages), in order. */
export function provingPages(key: PageKey, report: Report | null): PageKey[] {
  if (ownFindings(key, report).length > 0) return [];
  const homes = pageFindings(key, report).map((f) => pageOfCheck(f.step, f.check));
  return [...new Set(homes)].filter((k) => k !== key).sort((a, b) => pageIndex(a) - pageIndex(b));
}

/** The line of a page with no check of its own: proven when the later checks passed, else
 *  what proves it — never "failed" (the failure is the later step's, shown there). */
export function laterVerdict(findings: Finding[], provers: string): { outcome: Outcome; headline: string } {
  const passed = findings.length > 0 && findings.every((f) => f.status === "pass" || f.status === "warn");
  return passed
    ? { outcome: "passed", headline: S.laterVerdictPass(provers) }
    : { outcome: "could_not_tell", headline: S.laterVerdictWait(provers) };
}

/**
 * The one line a step's results open with. `alsoFailing`: what else the page shows as failing
 * (the steps a token page proves), so the line never says "nothing failed" under a ✖.
 */
export function stepVerdict(
  findings: Finding[],
  alsoFailing: string[] = [],
  alsoUnknown: string[] = [],
): { outcome: Outcome; headline: string } {
  const count = (...s: Status[]) => findings.filter((f) => s.includes(f.status)).length;
  const failed = findings.filter((f) => f.status === "fail");
  if (failed.length > 0 || alsoFailing.length > 0) {
    const names = [...failed.map((f) => checkTitle(f.check)), ...alsoFailing];
    return { outcome: "failed", headline: S.stepVerdictFail([...new Set(names)].join(", ")) };
  }
  if (count("unknown") > 0 || alsoUnknown.length > 0) return { outcome: "could_not_tell", headline: S.stepVerdictUnknown };
  const waiting = count("blocked", "waiting", "skipped");
  if (waiting > 0) return { outcome: "could_not_tell", headline: S.stepVerdictWaiting(waiting) };
  const look = count("not_visible");
  if (look > 0) return { outcome: "could_not_tell", headline: S.stepVerdictLook(count("pass", "warn"), look) };
  const warns = count("warn");
  if (warns > 0) return { outcome: "passed", headline: S.stepVerdictWarn(warns) };
  return { outcome: "passed", headline: S.stepVerdictPass(findings.length) };
}
