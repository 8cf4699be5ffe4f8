// The pure reading of reports: how items and pages are known, how results are grouped, and
// how fixes are split into commands.
import { describe, expect, it } from "vitest";
import { failingReport, finding, report, waitingReport, demoProfile } from "../test/backend";
import type { ItemText } from "../strings";
import { splitFix } from "./fix";
import { groupFindings, itemLook, pageFindings, pageLook, provenCount, stepVerdict } from "./results";

const item = (checks?: string[], tick = false): ItemText => ({
  id: "i",
  text: "x",
  ...(checks ? { checks } : {}),
  ...(tick ? { tick } : {}),
});

describe("checklist items", () => {
  it("are proven only by passing checks", () => {
    const r = report([finding("a", 3, "pass"), finding("b", 3, "pass")]);
    expect(itemLook(item(["a", "b"]), r, false)).toBe("proven");
    expect(itemLook(item(["a", "b"]), report([finding("a", 3, "pass"), finding("b", 3, "fail")]), true)).toBe("fail");
  });

  it("a tick never hides a check that failed or could not tell, and shows as a tick, not a proof", () => {
    expect(itemLook(item(["a"], true), report([finding("a", 7, "unknown")]), true)).toBe("unknown");
    expect(itemLook(item(["a"], true), report([finding("a", 7, "blocked")]), true)).toBe("ticked");
    expect(itemLook(item(["a"], true), report([finding("a", 7, "blocked")]), false)).toBe("waiting");
  });

  it("what no check sees is 'not checkable' until ticked", () => {
    expect(itemLook(item(undefined, true), null, false)).toBe("manual");
    expect(itemLook(item(undefined, true), null, true)).toBe("ticked");
    expect(itemLook(item(["userkey_lifetime"], true), report([finding("userkey_lifetime", 7, "not_visible")]), false)).toBe("manual");
    expect(itemLook(item(["a"]), null, false)).toBe("todo");
  });
});

describe("pages", () => {
  it("step 15 is spread over the two token pages and the single sign-on page", () => {
    const r = report([finding("opensis_token", 15, "pass"), finding("userkey_token", 15, "pass"), finding("sso_round_trip", 15, "fail")]);
    expect(pageFindings("token-opensis", r).map((f) => f.check)).toEqual(["opensis_token"]);
    expect(pageFindings("token-userkey", r).map((f) => f.check)).toEqual(["userkey_token"]);
    expect(pageFindings("15", r).map((f) => f.check)).toEqual(["sso_round_trip"]);
  });

  it("a page waits while a token is missing and is proven once its checks pass", () => {
    const p = demoProfile();
    expect(pageLook("9", waitingReport, p)).toBe("waiting");
    expect(pageLook("6", waitingReport, p)).toBe("proven");
    expect(pageLook("13", failingReport, p)).toBe("fail");
    // Step 5 has no check of its own: step 6's check proves it.
    expect(pageLook("5", waitingReport, p)).toBe("proven");
    expect(pageLook("opensis", null, { ...p, progress: { 16: { ticked: false, last_status: "pass" } } })).toBe("proven");
  });

  it("counts the guide's steps 1–14 that are proven", () => {
    // 5 and 6 (user key enabled), 13 (REST); step 2 and 4 wait for step 3.
    expect(provenCount(waitingReport, demoProfile())).toBe(3);
    expect(provenCount(null, demoProfile())).toBe(0);
  });
});

describe("results views", () => {
  it("put what needs the admin first, group the waiting checks by reason, fold the passes", () => {
    const g = groupFindings(failingReport.checks, (n) => `until step ${n} passes`);
    expect(g.attention.map((f) => f.check)).toEqual(["userkey_enabled", "rest_protocol_enabled"]);
    expect(g.waiting).toHaveLength(1);
    expect(g.waiting[0]?.reason).toBe("until step 13 passes");
    expect(g.waiting[0]?.findings.map((f) => f.check)).toEqual(["opensis_service_files", "opensis_functions"]);
    expect(g.passed.map((f) => f.check)).toEqual(["site_reachable", "web_services_enabled"]);
  });

  it("say once which checks wait for which token", () => {
    const g = groupFindings(waitingReport.checks, () => "never");
    const reasons = g.waiting.map((w) => w.reason);
    expect(reasons).toEqual([
      "the opensis token (the wizard asks for it right after step 10).",
      "the user-key token (the wizard asks for it right after step 12).",
    ]);
    expect(g.waiting[0]?.findings.map((f) => f.check)).toEqual(["opensis_token", "opensis_service_exists", "opensis_functions"]);
  });

  it("a step's verdict line names what failed, else what waits", () => {
    expect(stepVerdict([finding("rest_protocol_enabled", 13, "fail")]).headline).toContain("REST protocol enabled");
    expect(stepVerdict([finding("a", 9, "blocked")]).outcome).toBe("could_not_tell");
    expect(stepVerdict([finding("a", 9, "pass"), finding("b", 9, "pass")]).headline).toContain("all 2 checks passed");
  });
});

describe("fixes", () => {
  it("keep each shell command whole, in its own block, apart from the sentences", () => {
    const parts = splitFix(
      "Enable REST in Manage protocols.\nOn the server: php admin/cli/cfg.php --name=webserviceprotocols   # shows the list; then:\nphp admin/cli/cfg.php --name=webserviceprotocols --set=rest",
    );
    expect(parts).toEqual([
      { kind: "text", text: "Enable REST in Manage protocols." },
      { kind: "text", text: "On the server:" },
      {
        kind: "command",
        text: "php admin/cli/cfg.php --name=webserviceprotocols   # shows the list; then:\nphp admin/cli/cfg.php --name=webserviceprotocols --set=rest",
      },
    ]);
  });
});
