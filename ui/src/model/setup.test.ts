import { describe, expect, it } from "vitest";
import type { Finding, Report } from "../bindings";
import { advance, applyRows, finished, fixability, longList, sentence, undoRows } from "./setup";

const changes = [
  { step: 11, what: "Enable web services", before: "off", after: "on" },
  { step: 13, what: "REST protocol", before: "off", after: "on" },
];

describe("the rows of a run", () => {
  it("move with each change as it starts, is made or is refused", () => {
    let rows = applyRows(changes);
    expect(rows.map((r) => r.state)).toEqual(["waiting", "waiting"]);
    rows = advance(rows, { kind: "start", index: 0, total: 2, step: 11, what: "Enable web services" });
    expect(rows[0]?.state).toBe("working");
    rows = advance(rows, { kind: "made", index: 0, proof: "optionalsubsystems shows s__enablewebservices = 1" });
    expect(rows[0]).toMatchObject({ state: "made", note: "optionalsubsystems shows s__enablewebservices = 1" });
    expect(finished(rows)).toBe(1);
    rows = advance(rows, { kind: "start", index: 1, total: 2, step: 13, what: "REST protocol" });
    rows = advance(rows, { kind: "refused", index: 1, why: "Moodle did not keep the change" });
    expect(rows[1]).toMatchObject({ state: "refused", note: "Moodle did not keep the change" });
    expect(finished(rows)).toBe(2);
  });

  it("of Put it back are newest first, each from what it made back to what was", () => {
    const made = changes.map((c, i) => ({ ...c, at: i, proof: "p" }));
    let rows = undoRows(made);
    expect(rows.map((r) => [r.what, r.from, r.to])).toEqual([
      ["REST protocol", "on", "off"],
      ["Enable web services", "on", "off"],
    ]);
    rows = advance(rows, { kind: "undoing", index: 0, total: 2, step: 13, what: "REST protocol" });
    rows = advance(rows, { kind: "put_back", index: 0, note: "rest disabled", left: false });
    rows = advance(rows, { kind: "put_back", index: 1, note: "stays installed", left: true });
    expect(rows.map((r) => r.state)).toEqual(["made", "left"]);
    rows = advance(rows, { kind: "not_put_back", index: 1, why: "refused" });
    expect(rows[1]?.state).toBe("refused");
  });
});

describe("values", () => {
  it("a long list is counted and folded; anything else is shown as it is", () => {
    expect(longList("off")).toBeNull();
    const names = Array.from({ length: 25 }, (_, i) => `core_function_${i}`).join(", ");
    expect(longList(names)).toHaveLength(25);
    expect(longList("x".repeat(200))).toBeNull();
  });

  it("messages from the Rust side become sentences", () => {
    expect(sentence("the sign-in window was closed; nothing was changed")).toBe(
      "The sign-in window was closed; nothing was changed.",
    );
    expect(sentence("Moodle refused the sign-in (\"Invalid login\").")).toBe("Moodle refused the sign-in (\"Invalid login\").");
    expect(sentence("  ")).toBe("");
  });
});

describe("Fix it", () => {
  const f = (step: number, status: Finding["status"], summary = `s${step}`): Finding => ({
    check: `c${step}`,
    step,
    status,
    summary,
    evidence: "",
    fix: "",
    link: null,
    blocked_by: null,
  });
  const rep = (checks: Finding[]): Report => ({
    verdict: { outcome: "failed", headline: "h" },
    checked_from: null,
    site: null,
    timings: null,
    checks,
  });

  it("names the failing steps, and the site's own problems, which no admin page fixes", () => {
    expect(fixability(null)).toEqual({ failing: [], siteProblems: [] });
    expect(fixability(rep([f(13, "fail"), f(6, "fail"), f(13, "fail"), f(9, "pass")]))).toEqual({
      failing: [6, 13],
      siteProblems: [],
    });
    expect(fixability(rep([f(0, "fail", "The site is in maintenance mode."), f(13, "fail")])).siteProblems).toEqual([
      "The site is in maintenance mode.",
    ]);
  });

  it("counts maintenance mode switched on in the admin pages as fixable there", () => {
    const inAdminPages = {
      ...f(0, "fail", "The site is in maintenance mode."),
      check: "site_not_in_maintenance",
      evidence: "maintenanceenabled = 1",
    };
    const fromServer = { ...inAdminPages, summary: "Started on the server.", evidence: "HTTP 503" };
    expect(fixability(rep([inAdminPages])).siteProblems).toEqual([]);
    expect(fixability(rep([fromServer])).siteProblems).toEqual(["Started on the server."]);
  });

  it("does not count a firewall that refuses some of openSIS's sync as in the way of the admin pages", () => {
    const waf = { ...f(0, "fail", "A web application firewall refuses …"), check: "site_sync_requests" };
    expect(fixability(rep([waf, f(13, "fail")]))).toEqual({ failing: [0, 13], siteProblems: [] });
  });
});
