// End to end: one test per bug the first-time admin's review found, each against the real
// app and its simulated Moodle, and the doctor naming the failing step of recorded states.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NARROW, WIDE, chooseDemo, demoTokens, freshDemo, home, invoke, openPage, pasteTokens, railLabel, shot, startApp } from "./harness.mjs";

let d;
before(async () => {
  d = await startApp(1);
});
after(async () => d?.stop());

/** Replaces what a field holds by typing (the app sees each key). */
async function retype(css, text) {
  await d.execute("document.querySelector(arguments[0]).value = ''", [css]);
  await d.type(css, text);
}

const inViewport = (css) =>
  d.execute(
    `const r = document.querySelector(arguments[0]).getBoundingClientRect();
     return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;`,
    [css],
  );

describe("the review's bugs", () => {
  it("B1: after a successful save the openSIS step is done, in the rail and on Done", async () => {
    await freshDemo(d);
    const tokens = await demoTokens(d);
    await pasteTokens(d, tokens);
    await openPage(d, "opensis");
    assert.match(await railLabel(d, "opensis"), /not checked yet/);
    const password = /the password (\S+) \(/.exec(await d.text(".banner-inline"))?.[1];
    await d.type("#sis-password", password);
    await d.click("#sis-save");
    await d.idle();
    assert.match(await d.text("#sis-result"), /Saved in openSIS and read back/);
    assert.match(await railLabel(d, "opensis"), /proven by a check/);
    // B10: each warning once.
    const warnings = await d.execute("return [...document.querySelectorAll('.sis-result .warn-text')].map((e) => e.textContent);");
    assert.equal(new Set(warnings).size, warnings.length, warnings.join("\n"));
    await openPage(d, "done");
    assert.match(await d.text(".banner-ok"), /Connection ready in openSIS/);
  });

  it("B2: a bare host name or a pasted login page is accepted and shown as it will be checked", async () => {
    await freshDemo(d);
    const demoUrl = await d.execute("return document.getElementById('moodle-url').value;");
    await retype("#moodle-url", "moodle.school.org/login/index.php");
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await d.text("#moodle-url-preview"), "Will check https://moodle.school.org");
    await retype("#moodle-url", "ftp://moodle");
    await d.click("#check-site");
    await d.idle();
    assert.equal(await d.attribute("#moodle-url", "aria-invalid"), "true");
    assert.match(await d.text("#moodle-url-preview"), /must start with https/);
    assert.equal(await d.activeId(), "moodle-url");
    await retype("#moodle-url", demoUrl);
    await d.click("#check-site");
    await d.idle();
  });

  it("B3: focus moves to the verdict after Check and after Run every check", async () => {
    await freshDemo(d);
    await openPage(d, "13");
    const enterOn = async (id) => {
      await d.execute("document.getElementById(arguments[0]).focus()", [id]);
      await d.press("\uE007");
      await d.idle();
      assert.equal(await d.activeId(), "verdict", `after ${id}`);
    };
    await enterOn("check-13");
    await d.click("#to-diagnose");
    await d.idle();
    await enterOn("rerun");
    await d.click("#to-wizard");
    await d.idle();
  });

  it("B4: the Done table stays inside its panel at both window sizes", async () => {
    await freshDemo(d);
    await openPage(d, "done");
    await d.click("#run-all");
    await d.idle();
    for (const size of [WIDE, NARROW]) {
      await d.setWindow(...size);
      await new Promise((r) => setTimeout(r, 400));
      const overflow = await d.execute(
        `const panel = document.querySelector(".panel.done").getBoundingClientRect();
         const cells = [...document.querySelectorAll(".summary td, .summary th, .summary")];
         return cells.filter((c) => c.getBoundingClientRect().right > panel.right + 0.5 || c.scrollWidth > c.clientWidth + 1)
           .map((c) => c.className || c.tagName);`,
      );
      assert.deepEqual(overflow, [], `overflow at ${size}`);
      assert.equal(await d.execute("return document.documentElement.scrollWidth <= window.innerWidth;"), true);
    }
    await d.setWindow(...WIDE);
  });

  it("B5: notices appear beside the button that caused them, inside the window", async () => {
    await openPage(d, "done");
    await d.execute("document.getElementById('copy-report').scrollIntoView({ block: 'end' })");
    await d.click("#copy-report");
    await new Promise((r) => setTimeout(r, 300));
    assert.match(await d.text("#copy-report + .toast"), /Copied|clipboard/i);
    assert.equal(await inViewport("#copy-report + .toast"), true);
    await openPage(d, "14");
    await d.execute("document.getElementById('copy-fn-30').scrollIntoView({ block: 'end' })");
    await d.click("#copy-fn-30");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await inViewport("#copy-fn-30 + .toast"), true);
  });

  it("B8 and the loopback warning: checking the site in the demo leaves step 15 waiting and step 0 proven", async () => {
    await freshDemo(d);
    await d.click("#check-site");
    await d.idle();
    assert.match(await railLabel(d, "15"), /waits for a token/);
    assert.match(await railLabel(d, "0"), /proven by a check/);
    assert.equal((await d.findAll(".finding.look-warn, .finding.look-fail")).length, 0);
  });

  it("W2/B8: step 0's check paints no page ahead ✖; an 'Open …' page done is never 'The check failed'", async () => {
    await freshDemo(d);
    await chooseDemo(d, "4.5", "userkey_uninstalled");
    await d.click("#check-site");
    await d.idle();
    for (const key of ["2", "3", "4", "5", "6"]) assert.doesNotMatch(await railLabel(d, key), /needs you/, key);
    await openPage(d, "2");
    await d.click("#tick-s2-open");
    await d.idle();
    await d.click("#check-2");
    await d.idle();
    assert.equal(await d.activeId(), "verdict");
    assert.doesNotMatch(await d.text("#verdict"), /Needs you|✖/);
    assert.doesNotMatch(await d.text("main"), /The check failed/);
    // Step 3 owns the failure: shown there once the admin reaches it, and on Done.
    await openPage(d, "3");
    assert.match(await railLabel(d, "3"), /needs you/);
    await chooseDemo(d, "4.5", "good");
  });

  it("the opensis token page says what to do if Moodle refuses to create the token; step 14 comes first", async () => {
    await freshDemo(d);
    await openPage(d, "token-opensis");
    assert.match(await d.text(".token-refused"), /The user is not allowed for this service\. First you need to allow this user on the opensis's allowed users administration page\./);
    await d.click("#prev");
    await d.idle();
    assert.match(await d.attribute("#rail-14", "aria-current"), /step/);
    await d.click("#check-14");
    await d.idle();
    assert.match(await d.text(".wait-group"), /the opensis token, given on the next page/);
  });

  it("W11: reopening a school in the same run keeps its results", async () => {
    await freshDemo(d);
    const site = await invoke(d, "demo_site");
    await home(d);
    await d.click("#start-new");
    await d.type("#new-school-name", "Reopen High\uE007");
    await d.idle();
    await d.waitFor("#moodle-url");
    await d.type("#moodle-url", site.url);
    await d.click("#check-site");
    await d.idle();
    const progress = await d.text(".rail .rail-progress");
    const step0 = await railLabel(d, "0");
    assert.match(step0, /proven by a check|passed with a warning/);
    const school = (await invoke(d, "list_profiles")).find((p) => p.name === "Reopen High");
    await home(d);
    await d.click(`#open-${school.id}`);
    await d.idle();
    await d.waitFor(".rail .rail-progress");
    assert.equal(await d.text(".rail .rail-progress"), progress);
    assert.equal(await railLabel(d, "0"), step0);
    assert.doesNotMatch(await d.text("main"), /from the last session/);
  });

  it("Prove it (65 s) before the user-key token says why it cannot run", async () => {
    await freshDemo(d);
    await openPage(d, "7");
    await d.click("#check-7");
    await d.idle();
    await d.click("#prove-key-lifetime");
    await d.idle();
    assert.match(await d.text("#key-proof-note"), /needs the user-key token/);
  });

  it("B9: the guided card shows no dots and no copy for a token never set", async () => {
    await freshDemo(d);
    await openPage(d, "opensis");
    await d.click("#sis-guided");
    await d.idle();
    const card = await d.text(".guided");
    assert.doesNotMatch(card, /••••/);
    assert.match(card, /not entered yet/);
    assert.equal((await d.findAll("#copy-opensis")).length, 0);
    await d.click("#sis-api");
  });

  it("B14: one Open in Moodle on a failing step, none on the site's own findings", async () => {
    await freshDemo(d);
    await chooseDemo(d, "4.5", "rest_disabled");
    await openPage(d, "13");
    await d.click("#check-13");
    await d.idle();
    assert.equal((await d.findAll('button[title^="Opens"]')).length, 1);
    await d.click("#to-diagnose");
    await d.idle();
    assert.equal((await d.findAll('.finding[data-check^="site_"] button[title^="Opens"]')).length, 0);
    await chooseDemo(d, "4.5", "good");
    await d.click("#to-wizard");
    await d.idle();
  });
});

describe("diagnose mode names the failing step of each recorded state", () => {
  before(async () => {
    await freshDemo(d);
    await d.execute("document.getElementById('demo-drawer').open = true");
    await d.click("#demo-fill-tokens");
    await d.idle();
    await d.execute("document.getElementById('demo-drawer').open = false");
  });
  for (const [version, state, step] of [
    ["4.5", "ws_disabled", 11],
    ["4.5", "userkey_disabled", 6],
    ["4.5", "functions_missing", 14],
    ["5.0", "rest_disabled", 13],
    ["4.1", "wwwroot_mismatch", 0],
  ]) {
    it(`Moodle ${version}, ${state} → step ${step}`, async () => {
      if ((await d.findAll("#to-diagnose")).length > 0) {
        await d.click("#to-diagnose");
        await d.idle();
      }
      await chooseDemo(d, version, state);
      await d.click("#rerun");
      await d.idle();
      const verdict = await d.text("#verdict");
      assert.match(verdict, new RegExp(`\\b${step} `), verdict);
      assert.ok((await d.findAll(".finding.look-fail")).length > 0, verdict);
      assert.ok((await d.findAll(`button[id^="goto-"]`)).length > 0);
      if (state === "ws_disabled") await shot(d, "doctor-ws-disabled");
    });
  }
});
