// Starts the real desktop app under Xvfb behind tauri-driver and hands out a WebDriver
// session; screenshots and the demo's helpers shared by the E2E files.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { WebDriver } from "./webdriver.mjs";

const repo = resolve(import.meta.dirname, "../..");
const app = process.env.SIS_APP_BIN ?? join(repo, "target/debug/sis-moodle-setup-app");
const shots = process.env.SIS_E2E_SCREENSHOTS ?? join(repo, "target/e2e-screenshots");

export const WIDE = [1120, 780];
export const NARROW = [800, 600];

/** One app per test file; `slot` keeps files apart (display and ports). `env` is added to
 *  the app's environment (its folders, for the secrets audit). */
export async function startApp(slot, env = {}) {
  const display = `:${95 + slot}`;
  const port = 4455 + slot * 10;
  const children = [];
  const start = (cmd, args, env) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let all = "";
    child.stderr.on("data", (b) => {
      stderr = (stderr + b).slice(-4000);
      all += b;
    });
    child.stdout.on("data", (b) => (all += b));
    child.tail = () => stderr;
    child.everything = () => all;
    children.push(child);
    return child;
  };
  start("Xvfb", [display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"]);
  await new Promise((r) => setTimeout(r, 800));
  const driver = start("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
    DISPLAY: display,
    SIS_MOODLE_SETUP_CONFIG_DIR: mkdtempSync(join(tmpdir(), "sis-e2e-")),
    ...env,
  });
  const d = new WebDriver(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`tauri-driver did not start\n${driver.tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    await d.start(app);
  } catch (e) {
    throw new Error(`${e.message}\n${driver.tail()}`);
  }
  await d.setWindow(...WIDE);
  await d.idle();
  // Without a Secret Service here the app says so; the admin's choice is session-only.
  if ((await d.findAll("#keyring-session")).length > 0) {
    await d.click("#keyring-session");
    await d.idle();
  }
  /** Everything the driver and the app it started wrote (standard output and error). */
  d.output = () => driver.everything();
  d.stop = async () => {
    await d.quit();
    for (const c of children.reverse()) c.kill("SIGTERM");
  };
  return d;
}

export async function shot(d, name) {
  mkdirSync(shots, { recursive: true });
  await new Promise((r) => setTimeout(r, 700)); // let WebKit paint
  writeFileSync(join(shots, `${name}.png`), await d.screenshot());
}

/** The tokens the simulated Moodle made, as an admin copies them from Manage tokens. */
export async function demoTokens(d) {
  return d.executeAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke("demo_tokens").then(done, (e) => done({ error: String(e) }));`,
  );
}

/** Calls a command of the app as its UI does; a refusal comes back as `{ failed }`. */
export async function invoke(d, command, args = {}) {
  return d.executeAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ failed: e }));`,
    [command, args],
  );
}

/** Pastes both tokens on their pages, as an admin copies them from Manage tokens. */
export async function pasteTokens(d, tokens) {
  for (const kind of ["opensis", "userkey"]) {
    await openPage(d, `token-${kind}`);
    await d.type(`#token-${kind}_token`, `${tokens[kind]}\uE007`);
    await d.idle();
  }
}

/** Back to the start screen (from wherever the app is). */
export async function home(d) {
  if ((await d.findAll("#home")).length > 0) {
    await d.click("#home");
    await d.idle();
  }
}

/** Back to the start screen, then a fresh demo: Moodle 4.5 as the guide says, no token. */
export async function freshDemo(d) {
  await home(d);
  await d.click("#start-demo");
  await d.idle();
  await d.waitFor("#check-site");
}

export async function railLabel(d, key) {
  return d.attribute(`#rail-${key}`, "aria-label");
}

/** Goes to a wizard page through its address, as a deep link would. */
export async function openPage(d, key) {
  await d.execute(
    `location.hash = location.hash.replace(/\\/(step\\/[^/]+|done|diagnose)$/, arguments[0] === "done" ? "/done" : "/step/" + arguments[0]);`,
    [key],
  );
  await d.idle();
  await d.waitFor("#page-heading");
}

/** Chooses a recorded version and state in the demo drawer. */
export async function chooseDemo(d, version, state) {
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
