// End to end: a first set-up in the real app against its simulated Moodle, without
// preloaded tokens — each step proven right after it is done — then the same walk with the
// keyboard only, then a screenshot of every screen at 1120×780 and 800×600.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NARROW, WIDE, chooseDemo, demoTokens, freshDemo, home, openPage, railLabel, shot, startApp } from "./harness.mjs";

let d;
before(async () => {
  d = await startApp(0);
});
after(async () => d?.stop());

// The opensis token comes after step 14: a service without functions refuses every call.
const JOURNEY = ["0", "1", "2", "4", "3", "5", "6", "7", "8", "11", "13", "9", "10", "14", "token-opensis", "12", "token-userkey", "15", "opensis", "done"];

/** What the rail says right after a page's check, in the recorded Moodle (which lacks the
 *  private openSIS-Web-Services plugin: step 3 fails once the opensis token can see it). */
const RIGHT_AFTER = {
  "0": "proven by a check",
  "1": "ticked by you",
  "2": "proven by a check",
  "4": "ticked by you",
  "3": "waits for a token",
  "5": "proven by a check",
  "6": "proven by a check",
  "7": "waits for a token",
  "8": "proven by a check",
  "11": "proven by a check",
  "13": "proven by a check",
  "9": "waits for a token",
  "10": "waits for a token",
  "14": "waits for a token",
  "token-opensis": "proven by a check",
  "12": "waits for a token",
  "token-userkey": "proven by a check",
  "15": "proven by a check",
};

/** Pages a token proves the moment it is pasted and checked (step 7's key life time is only
 *  ticked: the demo cannot prove it, so step 7 is "ticked by you", never "proven"). */
const PROVEN_BY = { "token-opensis": ["1", "9", "10"], "token-userkey": ["12"] };
const TICKED_BY = { "token-userkey": ["7"] };

const expectLook = async (key, words) => {
  const label = await railLabel(d, key);
  assert.match(label, new RegExp(`— ${words}`), `${key}: ${label}`);
};

describe("a first set-up, without preloaded tokens", () => {
  it("proves each step right after it is done", async () => {
    await freshDemo(d);
    const tokens = await demoTokens(d);
    assert.match(tokens.opensis, /^[0-9a-f]{32}$/);
    for (const key of JOURNEY) {
      assert.match(await d.attribute(`#rail-${key}`, "aria-current"), /step/, key);
      for (const box of await d.findAll(".checklist input[type=checkbox]:not(:checked)")) {
        await d.request("POST", d.s(`/element/${box}/click`), {});
        await d.idle();
      }
      if (key === "token-opensis" || key === "token-userkey") {
        const kind = key === "token-opensis" ? "opensis" : "userkey";
        await d.type(`#token-${kind}_token`, `${tokens[kind]}\uE007`);
        await d.idle();
        assert.match(await d.text(`#token-${kind}_token-state`), new RegExp(`^•••• ${tokens[kind].slice(-4)} · saved`));
      }
      if (key === "0") await d.click("#check-site");
      else if (key === "opensis") {
        const demo = await d.text(".banner-inline");
        const password = /the password (\S+) \(/.exec(demo)?.[1];
        await d.type("#sis-password", password);
        await d.click("#sis-save");
      } else if (key !== "done") await d.click(`#check-${key}`);
      await d.idle();
      if (RIGHT_AFTER[key]) {
        assert.equal(await d.activeId(), "verdict", key);
        await expectLook(key, RIGHT_AFTER[key]);
      }
      for (const proven of PROVEN_BY[key] ?? []) await expectLook(proven, "proven by a check");
      for (const ticked of TICKED_BY[key] ?? []) await expectLook(ticked, "ticked by you");
      if (key === "opensis") await expectLook("opensis", "proven by a check");
      if (key !== "done") {
        await d.click("#next");
        await d.idle();
        assert.equal(await d.activeId(), "page-heading");
      }
    }
    await d.click("#run-all");
    await d.idle();
    assert.match(await d.text("#verdict"), /1 step needs you: 3 Install the two openSIS plugins/);
    // Step 4 ("upload the ZIPs") has no check of its own: the missing plugin is step 3's failure.
    const at = { "3": "needs you", "4": "ticked by you", "7": "ticked by you", "14": "waits for a token or an earlier step" };
    for (const key of JOURNEY.slice(0, -1)) await expectLook(key, at[key] ?? "proven by a check");
    assert.match(await d.text(".rail .rail-progress"), /10 of 14 Moodle steps proven/);
  });
});

describe("keyboard only", () => {
  it("walks the whole demo with Tab, Space, Enter and typing, with a visible focus ring", async () => {
    await home(d);
    await d.idle();
    await d.execute("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
    await d.tabTo("start-demo");
    const outline = await d.execute("return getComputedStyle(document.activeElement).outlineStyle;");
    assert.notEqual(outline, "none");
    await d.press("\uE007");
    await d.idle();
    const tokens = await demoTokens(d);
    for (const key of JOURNEY) {
      for (const id of await d.execute(
        "return [...document.querySelectorAll('.checklist input[type=checkbox]:not(:checked)')].map((e) => e.id);",
      )) {
        await d.tabTo(id);
        await d.press("\uE00D"); // Space
        await d.idle();
      }
      if (key === "token-opensis" || key === "token-userkey") {
        const kind = key === "token-opensis" ? "opensis" : "userkey";
        await d.tabTo(`token-${kind}_token`);
        await d.type(`#token-${kind}_token`, `${tokens[kind]}\uE007`);
        await d.idle();
      }
      const action = key === "0" ? "check-site" : key === "opensis" ? null : key === "done" ? "run-all" : `check-${key}`;
      if (key === "opensis") {
        const password = /the password (\S+) \(/.exec(await d.text(".banner-inline"))?.[1];
        await d.tabTo("sis-password");
        await d.type("#sis-password", password);
        await d.tabTo("sis-save");
        await d.press("\uE007");
        await d.idle();
      } else {
        await d.tabTo(action);
        await d.press("\uE007");
        await d.idle();
        assert.equal(await d.activeId(), "verdict", `focus after ${action}`);
      }
      if (key !== "done") {
        await d.tabTo("next");
        await d.press("\uE007");
        await d.idle();
        assert.equal(await d.activeId(), "page-heading", `after Next from ${key}`);
      }
    }
    assert.match(await d.text("#verdict"), /1 step needs you: 3 Install the two openSIS plugins/);
    assert.match(await d.text(".banner-ok"), /Connection ready in openSIS/);
  });
});

describe("the app's version", () => {
  it("is shown in the footer, and is the package's when the app was installed from one", async () => {
    const shown = await d.text("#app-version");
    assert.match(shown, /^SIS Moodle Setup \d+\.\d+\.\d+ · /);
    if (process.env.SIS_EXPECT_VERSION) {
      assert.ok(shown.startsWith(`SIS Moodle Setup ${process.env.SIS_EXPECT_VERSION} `), shown);
      await home(d);
      await shot(d, "installed-app-start");
    }
  });
});

describe("screenshots", () => {
  it("of each screen at 1120×780 and 800×600", async () => {
    for (const [w, h] of [WIDE, NARROW]) {
      await d.setWindow(w, h);
      const size = `${w}x${h}`;
      await home(d);
      await d.execute("window.scrollTo(0, 0)");
      await shot(d, `${size}-01-start`);
      await d.click("#start-demo");
      await d.idle();
      await d.click("#check-site");
      await d.idle();
      await d.execute("window.scrollTo(0, 0)");
      await shot(d, `${size}-02-site`);
      for (const [key, name] of [["7", "03-step-checklist"], ["token-opensis", "04-token"]]) {
        await openPage(d, key);
        await d.click(`#check-${key}`);
        await d.idle();
        await d.execute("document.getElementById('page-heading').scrollIntoView()");
        await shot(d, `${size}-${name}`);
      }
      const tokens = await demoTokens(d);
      await d.type("#token-opensis_token", `${tokens.opensis}\uE007`);
      await d.idle();
      await openPage(d, "14");
      await d.click("#check-14");
      await d.idle();
      await d.execute("document.querySelector('.functions').scrollIntoView()");
      await shot(d, `${size}-05-functions`);
      await openPage(d, "opensis");
      await shot(d, `${size}-06-opensis`);
      await openPage(d, "done");
      await d.click("#run-all");
      await d.idle();
      await d.execute("window.scrollTo(0, 0)");
      await shot(d, `${size}-07-done`);
      await d.click("#to-diagnose");
      await d.idle();
      await d.execute("document.getElementById('demo-drawer').open = true");
      await chooseDemo(d, "4.5", "rest_disabled");
      await d.click("#rerun");
      await d.idle();
      await d.execute("window.scrollTo(0, 0)");
      await shot(d, `${size}-08-diagnose-demo-drawer`);
      await d.execute("document.getElementById('demo-drawer').open = false");
      await chooseDemo(d, "4.5", "good");
      await d.click("#rerun");
      await d.idle();
      await d.execute("const t = document.querySelector('details.timings'); t.open = true; t.scrollIntoView({ block: 'center' });");
      assert.match(await d.text("details.timings"), /In all \(parts run at the same time where they can\)\s*\d+ ms/);
      await shot(d, `${size}-09-diagnose-timings`);
    }
    await d.setWindow(...WIDE);
  });
});
