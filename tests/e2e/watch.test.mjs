// End to end: watching a connection in the real app — a recorded fault between two checks
// raises one desktop notification naming its step (seen by a real notification server,
// dunst), a click on it opens Diagnose for that school, and the start screen lists every
// school with its last check after "Check all".

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chooseDemo, freshDemo, home, invoke as invokeIn, shot, startApp } from "./harness.mjs";

const SLOT = 2;
const display = `:${95 + SLOT}`;
const shots = process.env.SIS_E2E_SCREENSHOTS ?? join(resolve(import.meta.dirname, "../.."), "target/e2e-screenshots");
let d;
let dunst;

const invoke = (command, args = {}) => invokeIn(d, command, args);

/** The notifications dunst showed and closed, newest first. */
const history = () => JSON.parse(execFileSync("dunstctl", ["history"], { encoding: "utf8" })).data[0];
const displayed = () => Number(execFileSync("dunstctl", ["count", "displayed"], { encoding: "utf8" }).trim());

before(async () => {
  d = await startApp(SLOT);
  // A notification server on the app's display and D-Bus session, as a desktop has.
  dunst = spawn("dunst", [], { env: { ...process.env, DISPLAY: display }, stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 800));
});

after(async () => {
  dunst?.kill("SIGTERM");
  await d?.stop();
});

describe("watching a school", () => {
  it("notifies once when a step now fails, and a click opens Diagnose", async () => {
    await freshDemo(d);
    await d.execute("document.getElementById('demo-drawer').open = true");
    await d.click("#demo-fill-tokens");
    await d.idle();
    await d.click("#to-diagnose");
    await d.idle();
    await d.click("#watch-toggle");
    await d.idle();
    assert.equal(await d.execute("return document.getElementById('watch-toggle').checked;"), true);

    // The scheduled check, made now: the first one is the baseline.
    const first = await invoke("watch_now", { profileId: "demo" });
    assert.deepEqual(first.events, []);
    const before = history().length;
    await chooseDemo(d, "4.5", "rest_disabled");
    const broken = await invoke("watch_now", { profileId: "demo" });
    assert.deepEqual(broken.events, [{ kind: "now_failing", step: 13, title: "Enable the REST protocol" }]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(displayed(), 1, "one notification on screen");
    if (existsSync("/usr/bin/import")) {
      mkdirSync(shots, { recursive: true });
      execFileSync("import", ["-display", display, "-window", "root", "-crop", "1120x780+0+0", join(shots, "notification.png")]);
    }
    execFileSync("dunstctl", ["close-all"]);
    await new Promise((r) => setTimeout(r, 300));
    const shown = history().slice(0, history().length - before);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.match(shown[0].summary.data, /Demo school \(simulated Moodle\): step 13 now fails/);
    assert.match(shown[0].body.data, /Enable the REST protocol/);
    // The school's recent checks follow.
    assert.match(await d.text(".history"), /step 13/);
    await d.click("#to-wizard");
    await d.idle();
  });

  it("a click on the notification opens Diagnose for its school", async () => {
    await chooseDemo(d, "4.5", "good");
    const fixed = await invoke("watch_now", { profileId: "demo" });
    assert.deepEqual(fixed.events, [{ kind: "recovered", step: 13, title: "Enable the REST protocol" }]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(displayed(), 1, "the recovery is notified too");
    await home(d);
    execFileSync("dunstctl", ["action", "0"]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(await d.execute("return location.hash;"), /#\/school\/demo\/diagnose$/);
  });
});

describe("the district view", () => {
  it("lists every school with its last check after Check all, failing first", async () => {
    const demo = await invoke("demo_site");
    const tokens = await invoke("demo_tokens");
    for (const [name, withTokens] of [["Lincoln High", true], ["Adams Middle", false]]) {
      const p = await invoke("create_profile", { name });
      p.moodle_url = demo.url;
      p.admin_email = "admin@school.example.org";
      await invoke("save_profile", { profile: p });
      if (withTokens) {
        await invoke("set_token", { profileId: p.id, kind: "opensis_token", value: tokens.opensis });
        await invoke("set_token", { profileId: p.id, kind: "userkey_token", value: tokens.userkey });
        await invoke("set_watch", { profileId: p.id, enabled: true, intervalMinutes: 30 });
      }
    }
    await home(d);
    await d.click("#check-all");
    await d.idle();
    const rows = await d.execute(
      `return [...document.querySelectorAll(".profile-row")].map((r) => [
         r.querySelector(".profile-name").textContent, r.querySelector(".last-check")?.textContent ?? ""]);`,
    );
    assert.equal(rows.length, 3, JSON.stringify(rows));
    for (const [name, last] of rows) assert.match(last, /needs you/, name);
    // Without tokens the doctor cannot get past them (step 15); with them, step 3 fails.
    const adams = rows.find(([n]) => n === "Adams Middle");
    assert.match(adams[1], /step(s)? .*15/);
    // Said to screen readers (the live region is not visible, so read its text directly).
    assert.match(await d.execute("return document.getElementById('announcer').textContent;"), /3 schools checked: 3 need you/);
    assert.match(await d.text(".profile-row .watching"), /watched every 30 min/);
    await shot(d, "district");
  });
});
