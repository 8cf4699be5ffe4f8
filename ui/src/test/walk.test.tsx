// What the first-time admin's walk on a real Moodle 4.5 found (walk-real-4.5), against mocked
// commands: the page order, the token page's warning, done pages never red, a verdict that
// counts what the page shows, results kept when a school is reopened, and the kept 65-s proof.
import { render } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { navigate, route } from "../router";
import { store } from "../store/state";
import { byId, closeApp, demoProfile, finding, freshApp, report, settle, waitingReport, type Backend } from "./backend";

let b: Backend;

beforeEach(() => {
  b = freshApp();
});

afterEach(closeApp);

async function openDemo(): Promise<void> {
  render(() => <App />);
  await settle();
  byId("start-demo").click();
  await settle();
}

const railLabel = (key: string) => byId(`rail-${key}`).getAttribute("aria-label") ?? "";
const text = (css: string) => document.querySelector(css)?.textContent ?? "";

/** What a first check on page 0 of a fresh Moodle sees: the plugins are not there yet. */
const freshSite = report(
  [
    finding("site_reachable", 0, "pass"),
    finding("userkey_plugin_installed", 3, "fail"),
    finding("web_services_plugin_installed", 3, "fail"),
    finding("userkey_enabled", 6, "fail"),
    finding("web_services_enabled", 11, "fail"),
  ],
  "failed",
  "3 steps need you",
);

describe("1. the page order", () => {
  it("the rail and Next go 10 → 14 → the opensis token → 12; step 14 waits for the token of the next page", async () => {
    await openDemo();
    const order = [...document.querySelectorAll(".rail-item")].map((e) => e.id.replace("rail-", ""));
    expect(order.slice(order.indexOf("10"), order.indexOf("10") + 4)).toEqual(["10", "14", "token-opensis", "12"]);
    navigate({ name: "wizard", id: "demo", page: "14" });
    await settle();
    expect(byId("next").textContent).toContain("Create the token for");
    b.next = {
      ...waitingReport,
      checks: waitingReport.checks.map((f) =>
        f.check === "opensis_functions" ? { ...f, summary: "Not checked yet: it waits for the opensis token (the wizard asks for it right after step 10)." } : f,
      ),
    };
    byId("check-14").click();
    await settle();
    expect(text(".wait-group h4")).toContain("the opensis token, given on the next page.");
    expect(byId("verdict").textContent).not.toMatch(/Needs you/);
    expect(railLabel("14")).not.toMatch(/needs you/);
  });
});

describe("2. the opensis token page when Moodle refuses to create the token", () => {
  it("says Moodle's exact words before the admin meets them, and how to get out: untick on step 10", async () => {
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "token-opensis" });
    await settle();
    const note = document.querySelector(".token-refused");
    expect(note?.textContent).toContain(
      "The user is not allowed for this service. First you need to allow this user on the opensis's allowed users administration page.",
    );
    expect(note?.textContent).toContain("Authorised users only");
    expect(note?.textContent).toContain("create the token again");
    // Before the field where the token is pasted.
    const field = byId("token-opensis_token");
    expect(note && note.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    byId("token-refused-step-10").click();
    await settle();
    expect(route()).toEqual({ name: "wizard", id: "demo", page: "10" });
  });
});

describe("3. W2/B8: done pages never show ✖", () => {
  it("step 0's check paints no page ahead of the admin ✖; Done still shows every failure", async () => {
    b.next = freshSite;
    await openDemo();
    byId("check-site").click();
    await settle();
    for (const key of ["2", "3", "4", "6", "11"]) expect(railLabel(key), key).not.toMatch(/needs you/);
    expect(railLabel("3")).toMatch(/not checked yet/);
    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    expect(document.querySelector('tr[data-page="3"]')?.className).toContain("look-fail");
    expect(document.querySelector('tr[data-page="11"]')?.className).toContain("look-fail");
  });

  it("an 'Open …' page, done, says which later step proves it, never 'The check failed'", async () => {
    b.next = freshSite;
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "2" });
    await settle();
    byId<HTMLInputElement>("tick-s2-open").click();
    await settle();
    byId("check-2").click();
    await settle();
    expect(document.body.textContent).not.toContain("The check failed");
    expect(byId("verdict").textContent).not.toMatch(/Needs you|✖/);
    expect(byId("verdict").textContent).toContain("step 3");
    expect(document.querySelector(".finding.look-fail")).toBeNull();
    expect(railLabel("2")).toMatch(/ticked by you/);
    byId("prover-3").click();
    await settle();
    expect(route()).toEqual({ name: "wizard", id: "demo", page: "3" });
    // Now at step 3, its failure is shown there and on the rail — also after going back.
    expect(railLabel("3")).toMatch(/needs you/);
    byId("rail-0").click();
    await settle();
    expect(b.profile.current_page).toBe("0");
    expect(railLabel("3")).toMatch(/needs you/);
    expect(railLabel("6")).toMatch(/not checked yet/);
  });
});

describe("4. W5: the verdict counts what the page shows as failing", () => {
  it("the opensis token page never says 'Nothing failed' under ✖ step 3", async () => {
    b.next = report(
      [
        finding("opensis_token", 15, "pass"),
        finding("web_services_plugin_installed", 3, "fail"),
        finding("opensis_service_exists", 9, "pass"),
        finding("opensis_service_open", 10, "pass"),
        finding("opensis_functions", 14, "blocked", { blocked_by: 3 }),
        finding("token_user_account", 15, "blocked", { blocked_by: 15 }),
      ],
      "failed",
      "1 step needs you: 3",
    );
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "token-opensis" });
    await settle();
    byId("check-token-opensis").click();
    await settle();
    expect(text(".also-proves li.look-fail")).toContain("Step 3");
    expect(byId("verdict").textContent).not.toMatch(/Nothing failed/);
    expect(byId("verdict").textContent).toMatch(/Needs you: .*step 3/);
  });
});

describe("5. W8: a ticked life time does not make step 7 proven", () => {
  it("the rail says 'ticked by you' for step 7 until the 65-s proof passes", async () => {
    b.next = report(
      ["userkey_mapping_email", "userkey_ip_restriction_off", "userkey_update_user_off"].map((c) => finding(c, 7, "pass")).concat([
        finding("userkey_lifetime", 7, "not_visible"),
      ]),
      "passed",
      "ok",
    );
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "7" });
    await settle();
    byId<HTMLInputElement>("tick-s7-lifetime").click();
    await settle();
    byId<HTMLInputElement>("tick-s7-save").click();
    await settle();
    byId("check-7").click();
    await settle();
    expect(railLabel("7")).toMatch(/ticked by you/);
    expect(railLabel("7")).not.toMatch(/proven/);
    expect(text(".rail-progress")).toBe("0 of 14 Moodle steps proven");
  });
});

describe("6. W11: results are kept when a school is reopened in the same run", () => {
  it("shows this run's results again, and 'from the last session' only for an earlier run's", async () => {
    b.next = report([finding("site_reachable", 0, "pass"), finding("rest_protocol_enabled", 13, "pass"), finding("userkey_enabled", 6, "pass")], "passed", "ok");
    const lincoln = { ...demoProfile(), id: "a1", name: "Lincoln High", checked_at: 1_700_000_000 };
    b.others = [lincoln];
    await openDemo();
    byId("check-site").click();
    await settle();
    const proven = text(".rail-progress");
    expect(proven).not.toBe("0 of 14 Moodle steps proven");
    // All schools → another school, checked in an earlier run of the app.
    byId("home").click();
    await settle();
    navigate({ name: "wizard", id: "a1", page: "0" });
    await settle();
    expect(store.profile?.id).toBe("a1");
    expect(store.stale).toBe("these results are from the last session");
    // Back to the first school: its results of this run, not "from the last session".
    byId("home").click();
    await settle();
    navigate({ name: "wizard", id: "demo", page: "0" });
    await settle();
    expect(store.profile?.id).toBe("demo");
    expect(text(".rail-progress")).toBe(proven);
    expect(document.body.textContent).not.toContain("from the last session");
    expect(store.report).not.toBeNull();
  });
});

describe("7. the 65-s key life-time proof", () => {
  const step7 = (lifetime: "pass" | "not_visible") =>
    report(
      ["userkey_mapping_email", "userkey_ip_restriction_off", "userkey_update_user_off"]
        .map((c) => finding(c, 7, "pass"))
        .concat([finding("userkey_lifetime", 7, lifetime)]),
      "passed",
      "ok",
    );

  it("before the user-key token exists, Prove it says why it cannot run, beside the button", async () => {
    b.next = step7("not_visible");
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "7" });
    await settle();
    byId("check-7").click();
    await settle();
    byId("prove-key-lifetime").click();
    await settle();
    expect(b.calls.some((c) => c.cmd === "prove_key_lifetime")).toBe(false);
    expect(byId("key-proof-note").textContent).toContain("needs the user-key token");
    expect(document.activeElement?.id).toBe("key-proof-note");
    byId("key-proof-to-token").click();
    await settle();
    expect(route()).toEqual({ name: "wizard", id: "demo", page: "token-userkey" });
  });

  it("keeps the proof's time through 'Run every check' while the report keeps the proof", async () => {
    b.tokens.userkey = { set: true, looks_valid: true, last4: "2543", saved_at: 1_800_000_000 };
    b.next = step7("not_visible");
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "7" });
    await settle();
    byId("check-7").click();
    await settle();
    byId<HTMLInputElement>("tick-s7-save").click();
    await settle();
    b.next = step7("pass");
    byId("prove-key-lifetime").click();
    await settle();
    expect(b.calls.some((c) => c.cmd === "prove_key_lifetime")).toBe(true);
    const words = () => text('[data-item="s7-lifetime"] .mark-words');
    expect(words()).toMatch(/^Proven at .* by the 65-s proof$/);
    expect(railLabel("7")).toMatch(/proven by a check/);
    const provedAt = store.keyProofAt;
    // The app keeps the proof in the next reports (the Rust side puts it back): its time stays.
    await new Promise((r) => setTimeout(r, 5));
    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    byId("run-all").click();
    await settle();
    expect(store.keyProofAt).toBe(provedAt);
    expect(store.checkedAt).not.toBe(provedAt);
    // When it is no longer kept (the address, the token or step 7 changed), it is gone.
    b.next = step7("not_visible");
    byId("run-all").click();
    await settle();
    expect(store.keyProofAt).toBeNull();
  });
});
