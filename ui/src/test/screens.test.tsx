// The start screen, the doctor's screen, Done, the rail and the demo drawer against mocked
// commands: what the admin sees, where notices appear, and that every action calls the right
// command.
import { render } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { navigate, route } from "../router";
import { byId, closeApp, freshApp, demoProfile, failingReport, finding, report, settle, type Backend } from "./backend";

let b: Backend;

beforeEach(() => {
  b = freshApp();
});

afterEach(closeApp);

async function show(): Promise<void> {
  render(() => <App />);
  await settle();
}

describe("start screen", () => {
  it("offers one primary way in, what to have ready, and the doctor and the demo", async () => {
    await show();
    expect(byId("start-new").className).toContain("primary-card");
    for (const id of ["start-diagnose", "start-demo"]) expect(byId(id).textContent?.length).toBeGreaterThan(20);
    expect(document.body.textContent).toContain("Have these ready");
    expect(byId("app-version").textContent).toMatch(/^SIS Moodle Setup 0\.1\.0 · /);
    byId("start-new").click();
    await settle();
    expect(document.activeElement?.id).toBe("new-school-name");
    expect(document.querySelector('label[for="new-school-name"]')?.textContent).toBe("School name");
  });

  it("B18: with several schools, Diagnose asks which one", async () => {
    const a = { ...demoProfile(), id: "a1", name: "Lincoln High" };
    const c = { ...demoProfile(), id: "c3", name: "Adams Middle" };
    b.profiles = () => [a, c];
    await show();
    byId("start-diagnose").click();
    await settle();
    expect(byId("profiles-heading").textContent).toBe("Which school?");
    expect(route().name).toBe("start");
    expect(byId("diagnose-c3").className).toContain("primary");
  });

  it("an unavailable keyring is said plainly and session-only is a choice", async () => {
    b.keyringAvailable = false;
    await show();
    expect(document.body.textContent).toContain("keyring is not available");
    byId("keyring-session").click();
    await settle();
    expect(b.calls.map((c) => c.cmd)).toContain("use_session_secrets");
    expect(document.body.textContent).toContain("session only");
  });
});

describe("the doctor's screen", () => {
  beforeEach(() => {
    b.next = failingReport;
  });

  it("checks at once, opens with the verdict, failing first, waiting checks grouped under their step", async () => {
    await show();
    navigate({ name: "diagnose", id: "demo" });
    await settle();
    expect(b.calls.find((c) => c.cmd === "diagnose_profile")?.args.wizard).toBe(false);
    const results = document.querySelector(".results");
    expect(results?.firstElementChild?.id).toBe("verdict");
    expect(byId("verdict").textContent).toBe(`✖ ${failingReport.verdict.headline}`);
    expect(document.activeElement?.id).toBe("verdict");
    const cards = [...document.querySelectorAll(".finding")].map((c) => c.getAttribute("data-check"));
    expect(cards).toEqual(["userkey_enabled", "rest_protocol_enabled"]);
    const groups = document.querySelectorAll(".wait-group");
    expect(groups).toHaveLength(1);
    expect(groups[0]?.textContent).toContain("2 checks wait: until step 13 (Title 13) passes");
    const passed = document.querySelector("details.passed");
    expect(passed?.hasAttribute("open")).toBe(false);
    expect(passed?.textContent).toContain("2 checks passed");
  });

  it("each failing card has its fix's command in a copyable block and a way to its step", async () => {
    await show();
    navigate({ name: "diagnose", id: "demo" });
    await settle();
    const card = document.querySelector('[data-check="rest_protocol_enabled"]');
    expect(card?.querySelector(".command pre code")?.textContent).toBe("php admin/cli/cfg.php --name=x --set=1");
    expect(card?.querySelector(".command button")?.getAttribute("aria-label")).toBe("Copy the command");
    expect(card?.querySelector("details.evidence")?.hasAttribute("open")).toBe(false);
    byId("goto-rest_protocol_enabled").click();
    await settle();
    expect(route()).toEqual({ name: "wizard", id: "demo", page: "13" });
    expect(byId("page-heading").textContent).toBe("Title 13");
  });

  it("says how long each part took behind Details, and when Moodle was slow", async () => {
    await show();
    navigate({ name: "diagnose", id: "demo" });
    await settle();
    const details = document.querySelector<HTMLDetailsElement>("details.timings");
    expect(details?.open).toBe(false);
    expect(details?.querySelector("summary")?.textContent).toBe("Details: how long each part took");
    const values = [...(details?.querySelectorAll("dd") ?? [])].map((d) => d.textContent);
    expect(values).toEqual(["120 ms", "340 ms", "410 ms", "780 ms"]);
    expect(details?.textContent).not.toContain("slow");
    b.next = { ...failingReport, timings: { site_ms: 9000, tokens_ms: 12000, sso_ms: null, total_ms: 21400 } };
    byId("rerun").click();
    await settle();
    expect(document.querySelector("details.timings")?.textContent).toContain("Moodle took 21.4 s to answer");
    expect([...document.querySelectorAll("details.timings dd")].map((d) => d.textContent)).toEqual(["9.0 s", "12.0 s", "not run", "21.4 s"]);
  });

  it("B14: no Open in Moodle on the site's own findings, and none repeated on a step's page", async () => {
    b.next = report([finding("site_reachable", 0, "fail"), finding("rest_protocol_enabled", 13, "fail")]);
    await show();
    navigate({ name: "diagnose", id: "demo" });
    await settle();
    expect(document.querySelector('[data-check="site_reachable"] button[title^="Opens"]')).toBeNull();
    expect(document.querySelector('[data-check="rest_protocol_enabled"] button[title^="Opens"]')).not.toBeNull();
    navigate({ name: "wizard", id: "demo", page: "13" });
    await settle();
    expect(document.querySelectorAll('button[title^="Opens"]')).toHaveLength(1);
  });
});

describe("the wizard's frame", () => {
  it("groups the rail, shows the progress and a legend", async () => {
    await show();
    byId("start-demo").click();
    await settle();
    const groups = [...document.querySelectorAll(".rail .rail-group-title")].map((h) => h.textContent);
    expect(groups).toEqual(["Site", "Plugins", "Authentication", "Web services", "Tokens", "openSIS", "What the marks mean"]);
    expect(document.querySelector(".rail .rail-progress")?.textContent).toBe("0 of 14 Moodle steps proven");
    expect(document.querySelectorAll(".legend li")).toHaveLength(8);
    // The token pages sit where their tokens first become useful: the opensis token once the
    // service has its functions (14), else Moodle refuses every call of it.
    const order = [...document.querySelectorAll(".rail-item")].map((e) => e.id.replace("rail-", ""));
    expect(order.indexOf("token-opensis")).toBe(order.indexOf("14") + 1);
    expect(order.indexOf("token-userkey")).toBe(order.indexOf("12") + 1);
  });

  it("the demo controls are folded away; switching the recorded state marks results out of date", async () => {
    await show();
    byId("start-demo").click();
    await settle();
    byId("check-site").click();
    await settle();
    const drawer = byId<HTMLDetailsElement>("demo-drawer");
    expect(drawer.open).toBe(false);
    const select = byId<HTMLSelectElement>("demo-state");
    select.value = "rest_disabled";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(b.calls.find((c) => c.cmd === "set_demo_site")?.args.siteState).toBe("rest_disabled");
    expect(document.querySelector(".stale-note")?.textContent).toContain("the simulated Moodle changed");
  });

  it("Done opens with the verdict and its actions; a saved report is said beside its button", async () => {
    b.next = failingReport;
    await show();
    byId("start-demo").click();
    await settle();
    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    expect(byId("verdict").textContent).toContain("Not checked yet");
    byId("run-all").click();
    await settle();
    expect(byId("verdict").textContent).toContain("2 steps need you");
    byId("save-report").click();
    await settle();
    expect(document.querySelector("#save-report + .toast")?.textContent).toBe("Saved to /home/admin/Downloads/report.md");
    const name = String(b.calls.find((c) => c.cmd === "save_report")?.args.fileName);
    expect(name).toMatch(/^moodle-setup Demo school \(simulated Moodle\) \d{4}-\d\d-\d\d$/);
    const row = document.querySelector('tr[data-page="13"]');
    expect(row?.className).toContain("look-fail");
  });
});
