// The wizard against mocked commands: the address field, checks that focus their verdict,
// checklist looks, tokens, stale results, the functions list and the openSIS step.
import { render } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { navigate } from "../router";
import { byId, closeApp, freshApp, FUNCTIONS, report, finding, settle, waitingReport, type Backend } from "./backend";

let b: Backend;

async function openDemo(): Promise<void> {
  render(() => <App />);
  await settle();
  byId("start-demo").click();
  await settle();
}

async function input(id: string, value: string): Promise<void> {
  const el = byId<HTMLInputElement>(id);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
  await new Promise((r) => setTimeout(r, 200));
  await settle();
}

beforeEach(() => {
  b = freshApp();
});

afterEach(closeApp);

describe("a first set-up in the demo", () => {
  it("starts without tokens and runs the wizard's checks, which wait for them", async () => {
    await openDemo();
    expect(b.calls.find((c) => c.cmd === "start_demo")?.args.preloadTokens).toBe(false);
    expect(byId("page-heading").textContent).toBe("Title 0");
    byId("check-site").click();
    await settle();
    // B8: the site check does not fail step 15 for tokens it was never given.
    expect(b.calls.find((c) => c.cmd === "diagnose_profile")?.args.wizard).toBe(true);
    expect(byId("rail-15").getAttribute("aria-label")).not.toMatch(/needs you/);
    expect(byId("rail-9").getAttribute("aria-label")).toMatch(/waits for a token/);
  });

  it("B2: a bare host name is accepted and previewed; a bad one is an inline error, not a dead button", async () => {
    await openDemo();
    await input("moodle-url", "moodle.school.org/login/index.php");
    expect(byId("moodle-url-preview").textContent).toBe("Will check https://moodle.school.org");
    await input("moodle-url", "not an address");
    byId("check-site").click();
    await settle();
    expect(byId("moodle-url").getAttribute("aria-invalid")).toBe("true");
    expect(byId("moodle-url-preview").textContent).toContain("not an address");
    expect(document.activeElement?.id).toBe("moodle-url");
    expect(b.calls.some((c) => c.cmd === "diagnose_profile")).toBe(false);
  });

  it("an e-mail the check looked up is shown in the field, said where it came from, and stays editable", async () => {
    b.profile = { ...b.profile, admin_email: null };
    const base = waitingReport;
    b.next = { ...base, site: base.site ? { ...base.site, looked_up_email: "admin@lab.example" } : null };
    await openDemo();
    expect(byId<HTMLInputElement>("admin-email").value).toBe("");
    byId("check-site").click();
    await settle();
    expect(byId<HTMLInputElement>("admin-email").value).toBe("admin@lab.example");
    expect(byId("admin-email-hint").textContent).toContain("admin@lab.example was looked up from the opensis token's owner");
    await input("admin-email", "sso@lab.example");
    expect(byId<HTMLInputElement>("admin-email").value).toBe("sso@lab.example");
  });

  it("B3: focus moves to the verdict after Check, and the verdict is announced", async () => {
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "13" });
    await settle();
    const check = byId("check-13");
    check.focus();
    check.click();
    await settle();
    expect(document.activeElement?.id).toBe("verdict");
    expect(byId("announcer").textContent).toBe(b.next.verdict.headline);
    // The button kept its place in the page (not rebuilt), so Tab continues from here.
    expect(byId("check-13")).toBe(check);
  });

  it("checklist items show proven, ticked by you and not checkable in three different looks", async () => {
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "7" });
    await settle();
    byId("check-7").click();
    await settle();
    const look = (id: string) => document.querySelector(`[data-item="${id}"]`)?.className ?? "";
    expect(look("s7-mapping")).toContain("look-waiting");
    expect(look("s7-lifetime")).toContain("look-manual");
    expect(look("s7-save")).toContain("look-manual");
    byId<HTMLInputElement>("tick-s7-save").click();
    await settle();
    expect(b.profile.ticked_items).toEqual(["s7-save"]);
    expect(look("s7-save")).toContain("look-ticked");
    expect(document.querySelector('[data-item="s7-save"] .mark-words')?.textContent).toBe("Ticked by you");
    // The mapping field's check did not run: no tick can make it look proven.
    expect(document.querySelector('[data-item="s7-mapping"] input')).toBeNull();
    b.next = report([finding("userkey_mapping_email", 7, "pass")], "passed", "ok");
    byId("check-7").click();
    await settle();
    expect(look("s7-mapping")).toContain("look-proven");
    expect(document.querySelector('[data-item="s7-mapping"] .mark-words')?.textContent).toMatch(/^Proven at /);
  });

  it("B6: results go out of date when the address changes, and are fresh again after a check", async () => {
    await openDemo();
    byId("check-site").click();
    await settle();
    expect(document.querySelector(".stale-note")).toBeNull();
    await input("moodle-url", "moodle.other.org");
    expect(document.querySelector(".stale-note")?.textContent).toContain("the Moodle address changed");
    expect(byId("rail-0").getAttribute("aria-label")).toContain("Out of date");
    byId("check-site").click();
    await settle();
    expect(b.profile.moodle_url).toBe("https://moodle.other.org");
    expect(document.querySelector(".stale-note")).toBeNull();
  });

  it("step 14 lists the 31 functions with their marks, one copy button each and Copy all", async () => {
    b.next = report([finding("opensis_functions", 14, "fail")], "failed", "x");
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "14" });
    await settle();
    byId("check-14").click();
    await settle();
    const rows = document.querySelectorAll(".function");
    expect(rows).toHaveLength(31);
    expect(document.querySelectorAll(".function.look-proven")).toHaveLength(25);
    expect(document.querySelectorAll(".function.look-fail")).toHaveLength(6);
    byId("copy-all-functions").click();
    await settle();
    const copied = b.calls.find((c) => c.cmd === "copy_text")?.args.text;
    expect(copied).toBe(FUNCTIONS.join("\n"));
    expect(document.querySelector("#copy-all-functions + .toast")?.textContent).toBe("Copied");
  });
});

describe("tokens", () => {
  it("a pasted token is saved at once, spaces removed and said; shown as last 4 and time", async () => {
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "token-opensis" });
    await settle();
    expect(document.getElementById("token-opensis_token-reveal")).toBeNull();
    await input("token-opensis_token", "0123456789abcdef 0123456789ab2543");
    expect(b.calls.find((c) => c.cmd === "set_token")?.args.kind).toBe("opensis_token");
    expect(byId("token-opensis_token-state").textContent).toMatch(/^•••• 2543 · saved /);
    expect(document.querySelector(".token-note")?.textContent).toContain("Spaces and line breaks");
    expect(byId<HTMLInputElement>("token-opensis_token").value).toBe("");
  });

  it("a revealed token hides itself after 30 s; Clear asks first", async () => {
    b.tokens.opensis = { set: true, looks_valid: true, last4: "2543", saved_at: 1_800_000_000 };
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "token-opensis" });
    await settle();
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      byId("token-opensis_token-reveal").click();
      await vi.advanceTimersByTimeAsync(10);
      expect(document.querySelector(".revealed code")?.textContent).toBe("0123456789abcdef0123456789ab2543");
      await vi.advanceTimersByTimeAsync(31_000);
      expect(document.querySelector(".revealed")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
    byId("token-opensis_token-clear").click();
    await settle();
    expect(b.calls.some((c) => c.cmd === "clear_token")).toBe(false);
    expect(document.activeElement?.id).toBe("token-opensis_token-clear-no");
    byId("token-opensis_token-clear-yes").click();
    await settle();
    expect(b.calls.some((c) => c.cmd === "clear_token")).toBe(true);
    expect(byId("token-opensis_token-state").textContent).toBe("Not entered yet.");
  });
});

describe("openSIS", () => {
  it("B1: after a successful save the rail and Done say the openSIS step is done", async () => {
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "opensis" });
    await settle();
    expect(byId("rail-opensis").getAttribute("aria-label")).toMatch(/not checked yet/);
    await input("sis-password", "pw-123");
    byId("sis-save").click();
    await settle();
    expect(byId("rail-opensis").getAttribute("aria-label")).toMatch(/proven by a check/);
    // B10: each warning once.
    expect(document.querySelectorAll(".sis-result .warn-text")).toHaveLength(1);
    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    expect(document.querySelector(".banner-ok")?.textContent).toContain("Connection ready in openSIS");
  });

  it("B9 and B15: the guided card shows only when chosen, and no copy for a token never set", async () => {
    await openDemo();
    navigate({ name: "wizard", id: "demo", page: "opensis" });
    await settle();
    expect(document.querySelector(".guided")).toBeNull();
    byId("sis-guided").click();
    await settle();
    expect(document.querySelector(".guided")).not.toBeNull();
    expect(document.getElementById("copy-opensis")).toBeNull();
    expect(document.querySelector(".guided")?.textContent).toContain("not entered yet");
    expect(document.querySelector(".guided")?.textContent).not.toContain("••••••••");
  });
});
