// The pure reading of reports: how items and pages are known, how results are grouped, and
// how fixes are split into commands.
import { describe, expect, it } from "vitest";
import { failingReport, finding, report, waitingReport, demoProfile } from "../test/backend";
import { PAGES, type ItemText } from "../strings";
import { splitFix } from "./fix";
import { JOURNEY, PROVEN_BY_TOKEN, SIS_PAGE, SIS_PROGRESS_STEP, SIS_TYPED_ITEM, pageIndex } from "./journey";
import {
  groupFindings,
  itemLook,
  pageFindings,
  pageLook,
  provenCount,
  provingPages,
  railLook,
  reachedIndex,
  stepVerdict,
  withJourneyWords,
} from "./results";

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

  it("the site's check of openSIS's sync requests is shown where the opensis token is asked, not on the site's page", () => {
    const waiting = { blocked_by: 15, summary: "Not checked yet: it waits for the opensis token." };
    const r = report([finding("site_is_moodle", 0, "pass"), finding("site_sync_requests", 0, "blocked", waiting), finding("opensis_token", 15, "pass")]);
    expect(pageFindings("0", r).map((f) => f.check)).toEqual(["site_is_moodle"]);
    expect(pageFindings("token-opensis", r).map((f) => f.check)).toEqual(["site_sync_requests", "opensis_token"]);
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
      "the opensis token (the wizard asks for it right after step 14).",
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

describe("the page order (the walk on a real Moodle 4.5)", () => {
  it("asks for the opensis token after step 14, so the service has its functions when the token is first checked", () => {
    const keys = JOURNEY.map((p) => p.key);
    expect(keys.slice(keys.indexOf("11"))).toEqual(["11", "13", "9", "10", "14", "token-opensis", "12", "token-userkey", "15", "opensis", "done"]);
    // Each token proves only steps the admin has already done.
    for (const [token, steps] of Object.entries(PROVEN_BY_TOKEN)) {
      for (const n of steps) expect(pageIndex(String(n)), `${token} proves ${n}`).toBeLessThan(pageIndex(token));
    }
    expect(PROVEN_BY_TOKEN["token-opensis"]).toEqual([1, 3, 9, 10, 14]);
  });

  it("step 14 waits for the opensis token given on the next page; other pages name the step it follows", () => {
    const waits = (page?: string) =>
      groupFindings(waitingReport.checks, () => "never", page === undefined ? {} : { page }).waiting.map((w) => w.reason);
    expect(waits("14")[0]).toBe("the opensis token, given on the next page.");
    expect(waits("9")[0]).toBe("the opensis token (the wizard asks for it right after step 14).");
    expect(waits("token-opensis")[0]).toBe("the opensis token: paste it on this page.");
    expect(waits("12")[1]).toBe("the user-key token, given on the next page.");
  });

  it("the engine's words for a pending token follow the journey's order", () => {
    const r = withJourneyWords(
      report(
        [finding("opensis_functions", 14, "blocked", { blocked_by: 15, summary: "Not checked yet: it waits for the opensis token (the wizard asks for it right after step 10)." })],
        "could_not_tell",
        "Nothing failed so far. Waiting for the opensis token (the wizard asks for it right after step 10): 1 check waits for it.",
      ),
    );
    expect(r.verdict.headline).toContain("right after step 14)");
    expect(r.checks[0]?.summary).toBe("Not checked yet: it waits for the opensis token (the wizard asks for it right after step 14).");
  });
});

describe("W2/B8: done pages are never painted as failing", () => {
  const notInstalled = report([finding("site_reachable", 0, "pass"), finding("userkey_plugin_installed", 3, "fail"), finding("userkey_enabled", 6, "fail")]);

  it("a page with no check of its own (\"Open …\") is to be ticked, not failed, while a later step's check fails", () => {
    const p = demoProfile();
    const open2: ItemText = { id: "s2-open", text: "Open", tick: true, checks: ["userkey_plugin_installed"] };
    expect(itemLook(open2, notInstalled, false, "2")).toBe("manual");
    expect(itemLook(open2, notInstalled, true, "2")).toBe("ticked");
    expect(pageLook("2", notInstalled, p)).not.toBe("fail");
    expect(pageLook("5", notInstalled, p)).not.toBe("fail");
    expect(provingPages("2", notInstalled)).toEqual(["3"]);
    // The step that owns the check still fails, on its page, on Done and on the rail once reached.
    expect(pageLook("3", notInstalled, p)).toBe("fail");
    expect(provingPages("3", notInstalled)).toEqual([]);
  });

  it("a page ahead of the admin is never painted ✖ on the rail; once reached it is", () => {
    const p = demoProfile();
    expect(reachedIndex(p, "0")).toBe(0);
    expect(railLook("3", notInstalled, p, reachedIndex(p, "0"))).toBe("todo");
    expect(railLook("6", notInstalled, p, reachedIndex(p, "0"))).toBe("todo");
    expect(railLook("0", notInstalled, p, 0)).toBe(pageLook("0", notInstalled, p));
    const there = { ...p, current_page: "3" };
    expect(railLook("3", notInstalled, there, reachedIndex(there))).toBe("fail");
    // How far the admin went is kept when going back.
    const back = { ...p, current_page: "0", current_step: pageIndex("6") };
    expect(railLook("6", notInstalled, back, reachedIndex(back, "0"))).toBe("fail");
  });
});

describe("W5: a page's verdict counts what the page shows as failing", () => {
  it("a token page's line names the steps it proves that fail", () => {
    const v = stepVerdict([finding("opensis_token", 15, "pass"), finding("x", 15, "blocked")], ["step 3 (Install)", "step 10 (Service)"]);
    expect(v.outcome).toBe("failed");
    expect(v.headline).toContain("step 3 (Install)");
    expect(v.headline).not.toMatch(/Nothing failed/);
  });
});

describe("W8: a step is proven only when every item a check can prove is proven", () => {
  const step7 = (lifetime: "not_visible" | "pass") =>
    report([
      finding("userkey_enabled", 6, "pass"),
      finding("userkey_mapping_email", 7, "pass"),
      finding("userkey_lifetime", 7, lifetime),
      finding("userkey_ip_restriction_off", 7, "pass"),
      finding("userkey_update_user_off", 7, "pass"),
    ]);

  it("a ticked life time makes step 7 'ticked by you', not proven, and it is not counted", () => {
    const p = { ...demoProfile(), ticked_items: ["s7-lifetime", "s7-save"] };
    expect(pageLook("7", step7("not_visible"), p)).toBe("ticked");
    expect(provenCount(step7("not_visible"), p)).toBe(2);
    expect(pageLook("7", step7("pass"), p)).toBe("proven");
    expect(provenCount(step7("pass"), p)).toBe(3);
  });
});

describe("B11: no self-referential waits", () => {
  const r = report([
    finding("userkey_mapping_email", 7, "fail"),
    finding("userkey_ip_restriction_off", 7, "blocked", { blocked_by: 7 }),
    finding("opensis_functions", 14, "blocked", { blocked_by: 3 }),
  ]);
  const until = (n: number) => `until step ${n} passes`;

  it("a check waiting on its own step names the check above on that step's page", () => {
    const own = groupFindings(r.checks, until, { page: "7" }).waiting.map((w) => w.reason);
    expect(own).toEqual(["until the check above passes: Mapping field is Email address", "until step 3 passes"]);
    expect(own.join(" ")).not.toContain("until step 7");
    // Elsewhere (Diagnose, Done) the step is named.
    expect(groupFindings(r.checks, until).waiting.map((w) => w.reason)).toContain("until step 7 passes");
  });
});

describe("W10: the openSIS page on the type-it-myself path", () => {
  it("is ticked on the rail once the admin ticks that they typed it in, and proven only through the API", () => {
    const profile = demoProfile();
    expect(pageLook(SIS_PAGE, null, profile)).toBe("todo");
    profile.ticked_items = [SIS_TYPED_ITEM];
    expect(pageLook(SIS_PAGE, null, profile)).toBe("ticked");
    profile.progress = { [SIS_PROGRESS_STEP]: { last_status: "pass" } as never };
    expect(pageLook(SIS_PAGE, null, profile)).toBe("proven");
  });
});

describe("W7: what step 10's check proves about Authorised users only", () => {
  it("claims that the service lets the administrator in, not that the box is unticked", () => {
    const item = PAGES["10"]?.items.find((i) => i.id === "s10-authorised");
    expect(item?.checks).toEqual(["opensis_service_open"]);
    expect(item?.text).toMatch(/^The service lets the site administrator in/);
    expect(item?.text).toContain("Authorised users");
  });
});
