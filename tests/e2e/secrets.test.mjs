// End to end: the secrets audit of the desktop app. A whole demo set-up in the real app —
// both tokens typed on their pages, every check, openSIS saved through its API, the report
// saved, the connection watched with its history — then every secret of the demo is looked
// for everywhere it could have leaked:
//   * every file the app wrote under its own folders (settings, history, saved report, the
//     WebView's data and caches; in UTF-8 and in UTF-16, as WebKit stores local storage),
//   * the WebView's local and session storage,
//   * every address the simulated Moodle and openSIS were asked for,
//   * everything the app (and its driver) printed.
// Secrets: both Moodle tokens, the openSIS password and passphrase, every one-time login key
// Moodle issued and every sign-in token openSIS issued. A login key travels in its own login
// link by design (auth/userkey/login.php?key=…) and nowhere else.
// Then the audit is shown to catch a token planted in each of those places.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoTokens, freshDemo, invoke as invokeIn, openPage, pasteTokens, startApp } from "./harness.mjs";

const SLOT = 3;
const root = mkdtempSync(join(tmpdir(), "sis-audit-"));
const folder = (name) => {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
};
const FOLDERS = {
  SIS_MOODLE_SETUP_CONFIG_DIR: folder("config"),
  HOME: folder("home"),
  XDG_CONFIG_HOME: folder("xdg-config"),
  XDG_DATA_HOME: folder("xdg-data"),
  XDG_CACHE_HOME: folder("xdg-cache"),
};

let d;
before(async () => {
  d = await startApp(SLOT, FOLDERS);
});
after(async () => {
  await d?.stop();
  rmSync(root, { recursive: true, force: true });
});

const invoke = (command, args = {}) => invokeIn(d, command, args);

function filesUnder(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Every place a secret could have gone, as `{ place, text }` (files also as UTF-16). */
async function places() {
  const found = [];
  for (const file of filesUnder(root)) {
    const bytes = readFileSync(file);
    found.push({ place: `file ${file.slice(root.length)}`, text: bytes.toString("latin1") });
    found.push({ place: `file ${file.slice(root.length)} (UTF-16)`, text: bytes.toString("utf16le") });
    if (bytes.length > 1) {
      found.push({ place: `file ${file.slice(root.length)} (UTF-16, odd)`, text: bytes.subarray(1).toString("utf16le") });
    }
  }
  const storage = await d.execute(
    `const all = [];
     for (const s of [localStorage, sessionStorage])
       for (let i = 0; i < s.length; i++) all.push(s.key(i) + "=" + s.getItem(s.key(i)));
     return all;`,
  );
  found.push({ place: "the WebView's storage", text: storage.join("\n") });
  const audit = await invoke("demo_audit");
  assert.equal(audit.failed, undefined, JSON.stringify(audit.failed));
  for (const url of audit.moodle_urls) found.push({ place: `an address Moodle was asked for: ${url.slice(0, 60)}`, text: url, moodle: true });
  for (const url of audit.opensis_urls) found.push({ place: `an address openSIS was asked for: ${url.slice(0, 60)}`, text: url });
  found.push({ place: "what the app printed", text: d.output() });
  return { found, secrets: audit.secrets };
}

/** Every secret found where it must not be: "kind in place". */
function leaks(secrets, found) {
  const out = [];
  for (const { kind, value } of secrets) {
    for (const { place, text, moodle } of found) {
      if (kind === "login key" && moodle && text.startsWith(`/auth/userkey/login.php?key=${value}`)) continue;
      if (text.includes(value)) out.push(`${kind} in ${place}`);
    }
  }
  return out;
}

describe("secrets audit", () => {
  it("a whole demo set-up leaves no secret in a file, the WebView's storage, an address or the output", async () => {
    await freshDemo(d);
    const tokens = await demoTokens(d);
    await pasteTokens(d, tokens);
    for (const kind of ["opensis", "userkey"]) {
      await openPage(d, `token-${kind}`);
      assert.match(await d.text(`#token-${kind}_token-state`), new RegExp(`^•••• ${tokens[kind].slice(-4)} · saved`));
    }
    await openPage(d, "opensis");
    const password = /the password (\S+) \(/.exec(await d.text(".banner-inline"))?.[1];
    assert.ok(password);
    await d.type("#sis-password", password);
    await d.click("#sis-save");
    await d.idle();
    await openPage(d, "done");
    await d.click("#run-all");
    await d.idle();
    assert.match(await d.text("#verdict"), /1 step needs you: 3 Install the two openSIS plugins/);
    await d.click("#save-report");
    await d.idle();
    let saved = "";
    for (let i = 0; i < 100 && saved === ""; i++) {
      saved = await d.execute("return document.querySelector('#save-report + .toast').textContent;");
      if (saved === "") await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(saved, /^Saved to /);
    await d.click("#to-diagnose");
    await d.idle();
    await d.click("#watch-toggle");
    await d.idle();
    for (let i = 0; i < 2; i++) assert.equal((await invoke("watch_now", { profileId: "demo" })).error, null);
    const history = await invoke("school_history", { profileId: "demo" });
    assert.ok(history.entries.length >= 3, JSON.stringify(history).slice(0, 200));

    // The demo keeps its school in memory: the same set-up once more as a real school (its
    // settings, history and tokens on disk and in the keyring), against the simulated sites.
    const site = await invoke("demo_site");
    await d.click("#home");
    await d.idle();
    await d.click("#start-new");
    await d.type("#new-school-name", "Audit High\uE007");
    await d.idle();
    await d.waitFor("#moodle-url");
    await d.type("#moodle-url", site.url);
    await d.click("#check-site");
    await d.idle();
    await pasteTokens(d, tokens);
    await openPage(d, "opensis");
    // Guided: the app's form has no tenant id, which the simulated openSIS asks for at sign-in.
    await d.click("#sis-guided");
    await d.idle();
    await d.click("#sis-save");
    await d.idle();
    assert.ok((await d.findAll("#sis-result")).length > 0, await d.execute("return document.querySelector('.panel').innerText.slice(0, 1500);"));
    await d.click("#to-diagnose");
    await d.idle();
    await d.click("#watch-toggle");
    await d.idle();
    const school = (await invoke("list_profiles")).find((p) => p.name === "Audit High");
    assert.ok(school, "the school was saved");
    for (let i = 0; i < 2; i++) assert.equal((await invoke("watch_now", { profileId: school.id })).error, null);
    assert.ok((await invoke("school_history", { profileId: school.id })).entries.length >= 3);

    const { found, secrets } = await places();
    const kinds = new Set(secrets.map((s) => s.kind));
    for (const kind of ["opensis token", "user-key token", "login key", "openSIS password", "openSIS passphrase", "openSIS sign-in token"]) {
      assert.ok(kinds.has(kind), `no ${kind} to look for`);
    }
    assert.ok(secrets.every((s) => s.value.length >= 8));
    // The set-up did write where it is looked for.
    const files = found.filter((p) => p.place.startsWith("file ") && !p.place.includes("UTF-16")).map((p) => p.place);
    for (const wrote of ["/config/profiles.json", "/config/history/", "/home/"]) {
      assert.ok(files.some((f) => f.includes(wrote)), `${wrote} not written: ${files.join(", ")}`);
    }
    assert.ok(found.filter((p) => p.place.startsWith("an address Moodle")).length >= 20);
    assert.ok(found.some((p) => p.place.startsWith("an address openSIS")));
    assert.deepEqual(leaks(secrets, found), []);
  });

  it("the audit catches a token planted in each of those places", async () => {
    const tokens = await demoTokens(d);
    const { secrets } = await places();
    const password = secrets.find((s) => s.kind === "openSIS password").value;
    // A file (UTF-8), a file as WebKit writes (UTF-16), the WebView's storage, an address each
    // site was asked for.
    writeFileSync(join(FOLDERS.SIS_MOODLE_SETUP_CONFIG_DIR, "planted.json"), JSON.stringify({ t: tokens.opensis }));
    writeFileSync(join(FOLDERS.XDG_DATA_HOME, "planted.db"), Buffer.concat([Buffer.from([7]), Buffer.from(tokens.userkey, "utf16le")]));
    await d.execute("localStorage.setItem('planted', arguments[0]);", [tokens.userkey]);
    const site = await invoke("demo_site");
    const sis = await invoke("demo_sis");
    await fetch(`${site.url}/login/index.php?planted=${tokens.opensis}`);
    await fetch(`${sis.api_url}planted?p=${encodeURIComponent(password)}`);
    const leaked = leaks(secrets, (await places()).found);
    for (const want of [
      "opensis token in file /config/planted.json",
      "user-key token in file /xdg-data/planted.db (UTF-16, odd)",
      "user-key token in the WebView's storage",
      "opensis token in an address Moodle was asked for: /login/index.php?planted=",
      "openSIS password in an address openSIS was asked for:",
    ]) {
      assert.ok(leaked.some((l) => l.startsWith(want)), `not caught: ${want}\n${leaked.join("\n")}`);
    }
    await d.execute("localStorage.removeItem('planted');");
    assert.ok(statSync(join(FOLDERS.SIS_MOODLE_SETUP_CONFIG_DIR, "planted.json")).isFile());
  });
});
