// The district view and watching, against mocked commands: each school's last check on the
// start screen, failing first; "Check all" with its progress; "Watch this connection" and a
// school's recent checks; a click on a notification opening Diagnose.
import { render } from "@solidjs/testing-library";
import { emit } from "@tauri-apps/api/event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import type { Snapshot } from "../bindings";
import { navigate, route } from "../router";
import { byId, closeApp, demoProfile, failingReport, freshApp, settle, type Backend } from "./backend";

let b: Backend;

beforeEach(() => {
  b = freshApp();
});

afterEach(closeApp);

const snapshot = (at: number, failing: number[]): Snapshot => ({
  at,
  outcome: failing.length > 0 ? "failed" : "passed",
  headline: failing.length > 0 ? `1 step needs you: ${failing[0]} Enable the REST protocol.` : "Every check passed.",
  failing,
  steps: {},
});

function twoSchools(): void {
  const adams = { ...demoProfile(), id: "a1", name: "Adams Middle", watch: { enabled: true, interval_minutes: 60 } };
  const burr = { ...demoProfile(), id: "b2", name: "Burr High" };
  b.profiles = () => [adams, burr];
  b.history = { a1: [snapshot(1_800_000_000, [])], b2: [snapshot(1_800_000_000, [13])] };
}

describe("the school list", () => {
  it("shows each school's last verdict, time and failing steps, failing schools first", async () => {
    twoSchools();
    render(() => <App />);
    await settle();
    const rows = [...document.querySelectorAll(".profile-row")];
    expect(rows.map((r) => r.querySelector(".profile-name")?.textContent)).toEqual(["Burr High", "Adams Middle"]);
    expect(rows[0]?.querySelector(".last-check .mark-words")?.textContent).toBe("needs you");
    expect(rows[0]?.querySelector(".last-steps")?.textContent).toBe(" · step 13");
    expect(rows[1]?.querySelector(".last-check .mark-words")?.textContent).toBe("proven");
    expect(rows[1]?.querySelector(".watching")?.textContent).toContain("watched every hour");
  });

  it("Check all runs every school at once and shows its progress", async () => {
    twoSchools();
    render(() => <App />);
    await settle();
    byId("check-all").click();
    await emit("check-all-progress", { done: 1, total: 2, name: "Burr High" });
    await settle();
    expect(b.calls.some((c) => c.cmd === "check_all_schools")).toBe(true);
    expect(byId("announcer").textContent).toBe("2 schools checked: none needs you.");
  });
});

describe("watching a school", () => {
  it("is switched on from Diagnose with its interval, and its recent checks are listed", async () => {
    b.next = failingReport;
    b.history = { demo: [snapshot(1_800_000_000, []), snapshot(1_800_001_800, [13])] };
    render(() => <App />);
    await settle();
    byId("start-demo").click();
    await settle();
    navigate({ name: "diagnose", id: "demo" });
    await settle();
    const toggle = byId<HTMLInputElement>("watch-toggle");
    expect(toggle.checked).toBe(false);
    const select = byId<HTMLSelectElement>("watch-interval");
    select.value = "60";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    toggle.click();
    await settle();
    const call = b.calls.filter((c) => c.cmd === "set_watch").at(-1);
    expect(call?.args).toEqual({ profileId: "demo", enabled: true, intervalMinutes: 60 });
    expect(byId<HTMLInputElement>("watch-toggle").checked).toBe(true);
    const items = [...document.querySelectorAll(".history li")].map((li) => li.textContent ?? "");
    expect(items).toHaveLength(2);
    expect(items[0]).toContain("step 13");
  });

  it("a click on a notification opens Diagnose for its school", async () => {
    render(() => <App />);
    await settle();
    byId("start-demo").click();
    await settle();
    await emit("open-diagnose", "demo");
    await settle();
    expect(route()).toEqual({ name: "diagnose", id: "demo" });
  });
});
