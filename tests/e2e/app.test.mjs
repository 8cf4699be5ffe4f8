// End to end: the real desktop app under Xvfb, driven over WebDriver (tauri-driver +
// WebKitWebDriver), against its built-in simulated Moodle. Run by scripts/e2e.sh.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { WebDriver } from "./webdriver.mjs";

const repo = resolve(import.meta.dirname, "../..");
const app = process.env.SIS_APP_BIN ?? join(repo, "target/debug/sis-moodle-setup-app");
const shots = process.env.SIS_E2E_SCREENSHOTS ?? join(repo, "target/e2e-screenshots");
const display = process.env.SIS_E2E_DISPLAY ?? ":95";
const port = 4455;
const children = [];
const d = new WebDriver(`http://127.0.0.1:${port}`);

function start(cmd, args, env) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b) => (stderr = (stderr + b).slice(-4000)));
  child.tail = () => stderr;
  children.push(child);
  return child;
}

async function waitForDriver() {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("tauri-driver did not start");
}

async function shot(name) {
  mkdirSync(shots, { recursive: true });
  await new Promise((r) => setTimeout(r, 800)); // let WebKit paint
  writeFileSync(join(shots, `${name}.png`), await d.screenshot());
}

async function railLabel(n) {
  return d.attribute(`#rail-${n}`, "aria-label");
}

before(async () => {
  const config = mkdtempSync(join(tmpdir(), "sis-e2e-"));
  start("Xvfb", [display, "-screen", "0", "1280x860x24", "-nolisten", "tcp"]);
  await new Promise((r) => setTimeout(r, 800));
  const driver = start("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
    DISPLAY: display,
    SIS_MOODLE_SETUP_CONFIG_DIR: config,
  });
  try {
    await waitForDriver();
    await d.start(app);
  } catch (e) {
    throw new Error(`${e.message}\n${driver.tail()}`);
  }
  await d.idle();
  // Without a Secret Service here, the app says so; the admin's choice is session-only.
  const banner = await d.findAll("#keyring-session");
  if (banner.length > 0) {
    await d.click("#keyring-session");
    await d.idle();
  }
});

after(async () => {
  await d.quit();
  for (const c of children.reverse()) c.kill("SIGTERM");
});

describe("keyboard only", () => {
  it("reaches and opens the demo with Tab and Enter, with a visible focus ring", async () => {
    let id = await d.activeId();
    for (let i = 0; i < 12 && id !== "start-demo"; i++) {
      await d.press("\uE004"); // Tab
      id = await d.activeId();
    }
    assert.equal(id, "start-demo");
    const outline = await d.execute("return getComputedStyle(document.activeElement).outlineStyle;");
    assert.notEqual(outline, "none");
    await d.press("\uE007"); // Enter
    await d.idle();
    assert.match(await d.text("#page-heading"), /Step 0/);
    // The page heading takes focus on each step, so screen readers announce it.
    await d.click("#rail-6");
    await d.idle();
    assert.equal(await d.activeId(), "page-heading");
    await d.click("#home");
    await d.idle();
  });
});

describe("the simulated set-up, from Start to Done", () => {
  it("verifies every step but the plugin no recorded site has", async () => {
    await shot("01-start");
    await d.click("#start-demo");
    await d.idle();
    assert.match(await d.text("#page-heading"), /Step 0/);
    await d.click("#check-site");
    await d.idle();
    await shot("02-site");
    assert.equal((await d.findAll(".finding.fail")).length, 0);

    for (let n = 1; n <= 15; n++) {
      await d.click(`#rail-${n}`);
      await d.idle();
      assert.match(await d.text("#page-heading"), new RegExp(`Step ${n}\\b`));
      if ((await d.findAll(`#tick-${n}`)).length > 0) {
        await d.click(`#tick-${n}`);
        await d.idle();
      }
      if ((await d.findAll(`#check-${n}`)).length > 0) {
        await d.click(`#check-${n}`);
        await d.idle();
      }
      if (n === 14) await shot("03-step-functions");
    }
    assert.match(await d.text(".sso-ok"), /Single sign-on works/);
    await shot("04-tokens");

    // The recorded Moodle never had the private openSIS-Web-Services plugin: step 3 fails,
    // and adding its functions (step 14) waits for it. Everything else is verified.
    for (let n = 0; n <= 15; n++) {
      const label = await railLabel(n);
      if (n === 3) assert.match(label, /failed/, label);
      else if (n === 14) assert.match(label, /waits for an earlier step/, label);
      else assert.doesNotMatch(label, /failed|not run yet|could not tell|waits/, `step ${n}: ${label}`);
    }

    await d.click("#rail-16");
    await d.idle();
    assert.match(await d.text("main"), /4\.5\.11\+ \(Build: 20260501\)/);
    // The demo's simulated openSIS: sign in as its Super Administrator and save.
    const demo = await d.text(".banner-inline");
    const password = /the password (\S+) \(/.exec(demo)?.[1];
    assert.ok(password, demo);
    const field = await d.waitFor("#sis-password");
    await d.request("POST", d.s(`/element/${field}/value`), { text: password });
    await d.click("#sis-save");
    await d.idle();
    assert.match(await d.text("[role=status].finding"), /Saved in openSIS and read back/);
    await shot("05-opensis");
    await d.click("#rail-17");
    await d.idle();
    assert.match(await d.text("#verdict"), /1 step needs you: 3 Install the two openSIS plugins/);
    const summary = await d.text(".summary");
    assert.equal((summary.match(/failed/g) ?? []).length, 1, summary);
    await shot("06-done");
  });
});

async function chooseDemo(version, state) {
  await d.execute(
    `const v = document.getElementById("demo-version");
     if (v.value !== arguments[0]) { v.value = arguments[0]; v.dispatchEvent(new Event("change")); }`,
    [version],
  );
  await d.idle();
  await d.execute(
    `const s = document.getElementById("demo-state");
     s.value = arguments[0]; s.dispatchEvent(new Event("change"));`,
    [state],
  );
  await d.idle();
}

describe("diagnose mode names the failing step of each captured state", () => {
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
      await chooseDemo(version, state);
      const verdict = await d.text("#verdict");
      assert.match(verdict, new RegExp(`\\b${step} `), verdict);
      const failing = await d.findAll(".finding.fail");
      assert.ok(failing.length > 0, verdict);
      assert.match(await d.text("main"), new RegExp(`Step ${step} `));
      if (state === "ws_disabled") await shot("07-diagnose-fault");
    });
  }
  it("back to Moodle 4.5 as the guide says", async () => {
    await chooseDemo("4.5", "good");
    assert.match(await d.text("#verdict"), /1 step needs you: 3 /);
  });
});
