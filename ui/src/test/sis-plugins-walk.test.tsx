// The first-time-admin walk's findings on the ZIP step and the openSIS page, against mocked
// commands: W4 (the ZIP's declared Moodle range), W9 (where the values are), W10 (a tick for
// the typed-in path, read by Done) and B15 (a result stays with its path).
import { render } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import type { PluginsSummary, PluginVerdict, Report, SisSaveResult } from "../bindings";
import { navigate } from "../router";
import { byId, closeApp, freshApp, settle, waitingReport, type Backend } from "./backend";

let b: Backend;

type Handler = (args: Record<string, unknown>) => unknown;

/** Answers some commands here and leaves the others to the shared fake backend. */
function answer(handlers: Record<string, Handler>): void {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (...a: unknown[]) => Promise<unknown> } })
    .__TAURI_INTERNALS__;
  const inner = internals.invoke;
  internals.invoke = async (cmd: unknown, args: unknown, options: unknown) => {
    const handler = handlers[String(cmd)];
    if (!handler) return inner(cmd, args, options);
    const a = (args ?? {}) as Record<string, unknown>;
    b.calls.push({ cmd: String(cmd), args: a });
    return handler(a);
  };
}

async function openDemoAt(page: string): Promise<void> {
  render(() => <App />);
  await settle();
  byId("start-demo").click();
  await settle();
  navigate({ name: "wizard", id: "demo", page });
  await settle();
}

/** The walk's Moodle 4.5 site before any token: its version not read yet. */
const noVersionYet: Report = { ...waitingReport, site: waitingReport.site ? { ...waitingReport.site, release: null, version: null, branch: null } : null };

function userkeyVerdict(extra: Partial<PluginVerdict>): PluginVerdict {
  return {
    file: "openSIS-Moodle-User-Authenticator.zip",
    sha256: "ab".repeat(32),
    size: 30_000,
    root_folder: "userkey",
    component: "auth_userkey",
    expected: "user_authenticator",
    version: "2022081901",
    release: "2022081901",
    requires: "2017051500",
    supported: [33, 401],
    supported_note: null,
    maturity: "stable",
    status: "valid",
    problems: [],
    ...extra,
  };
}

const summaryOf = (verdict: PluginVerdict): PluginsSummary => ({
  results: [{ source: "/home/admin/Downloads/openSIS-Moodle-User-Authenticator.zip", saved_to: null, verdict, error: null }],
  missing: ["web_services"],
});

const guidedResult: SisSaveResult = {
  saved: false,
  site_name: "SIS Lab Moodle",
  release: "4.5.11+",
  version: "2024100711.02",
  warnings: [],
  log: [],
};

beforeEach(() => {
  b = freshApp();
});

afterEach(closeApp);

describe("W4: the ZIP's declared Moodle range at the ZIP step", () => {
  it("compares with the site's release when its version number is not known, and shows the warning in Moodle's words", async () => {
    b.next = { ...waitingReport, site: waitingReport.site ? { ...waitingReport.site, version: null } : null };
    const warning =
      "It declares Moodle 3.3 to 4.1 ($plugin->supported = [33, 401]), and the site runs Moodle 4.5.11+ (Build: 20260501), a later Moodle. Moodle's Plugins check will list it with “Moodle 33 - 401” under Requires, in grey and without a “Fails” mark: the range is a declaration, not a block, so “Upgrade Moodle database now” stays available and installs it.";
    answer({
      fetch_plugins: () =>
        summaryOf(
          userkeyVerdict({
            status: "valid_with_warnings",
            problems: [{ severity: "warning", code: "outside_supported_range", message: warning }],
          }),
        ),
    });
    await openDemoAt("0");
    byId("check-site").click();
    await settle();
    navigate({ name: "wizard", id: "demo", page: "4" });
    await settle();
    byId("fetch-plugins").click();
    await settle();
    const call = b.calls.find((c) => c.cmd === "fetch_plugins");
    expect(call?.args.siteVersion).toBe("4.5.11+ (Build: 20260501)");
    const card = document.querySelector(".plugins .finding");
    expect(card?.textContent).toContain("ready to upload, with warnings");
    expect(card?.textContent).toContain("“Moodle 33 - 401” under Requires");
    expect(card?.textContent).toContain("“Upgrade Moodle database now” stays available");
    expect(document.getElementById("plugins-recheck")).toBeNull();
  });

  it("says the declared range when the site is not known yet, and asks for a second check once it is", async () => {
    b.next = noVersionYet;
    const note =
      "It declares Moodle 3.3 to 4.1 ($plugin->supported = [33, 401]). The site's Moodle version is not known here, so the two cannot be compared yet.";
    answer({ fetch_plugins: () => summaryOf(userkeyVerdict({ supported_note: note })) });
    await openDemoAt("0");
    byId("check-site").click();
    await settle();
    navigate({ name: "wizard", id: "demo", page: "4" });
    await settle();
    byId("fetch-plugins").click();
    await settle();
    expect(b.calls.find((c) => c.cmd === "fetch_plugins")?.args.siteVersion).toBeNull();
    const range = byId("plugin-range-0").textContent ?? "";
    expect(range).toContain("Moodle 3.3 to 4.1");
    expect(range).toContain("press “Check the ZIPs” again");
    // The opensis token then reads the site's version: the ZIPs are to be compared again.
    b.next = waitingReport;
    navigate({ name: "wizard", id: "demo", page: "0" });
    await settle();
    byId("check-site").click();
    await settle();
    navigate({ name: "wizard", id: "demo", page: "4" });
    await settle();
    expect(byId("plugins-recheck").textContent).toContain("It runs Moodle 4.5.11+ (Build: 20260501)");
    byId("fetch-plugins").click();
    await settle();
    expect(b.calls.filter((c) => c.cmd === "fetch_plugins").at(-1)?.args.siteVersion).toBe("2024100711.02");
    expect(document.getElementById("plugins-recheck")).toBeNull();
  });
});

describe("the openSIS page, typed in by hand", () => {
  it("W9: the result points up to the values, which come before it", async () => {
    answer({ sis_save: () => guidedResult });
    await openDemoAt("opensis");
    byId("sis-guided").click();
    await settle();
    byId("sis-save").click();
    await settle();
    const result = byId("sis-result");
    expect(result.textContent).toContain("as listed above");
    expect(result.textContent).not.toContain("below:");
    const values = document.querySelector(".guided-values");
    expect(values).not.toBeNull();
    expect(values?.compareDocumentPosition(result) ?? 0).toBe(Node.DOCUMENT_POSITION_FOLLOWING);
    // The tick the result mentions ("tick the box below") is below it.
    expect(result.compareDocumentPosition(byId("sis-typed")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    // «Enable Synchronization» is set in openSIS on this path (the card's last step), not here.
    expect(document.getElementById("sis-sync")).toBeNull();
    expect(document.querySelector(".connect-preview")?.compareDocumentPosition(values as Node)).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING,
    );
    expect(document.querySelector(".guided ol")?.textContent).toContain("the preview at the top of this page");
  });

  it("B15: the typed-in result does not stay after switching to the API", async () => {
    answer({ sis_save: () => guidedResult });
    await openDemoAt("opensis");
    byId("sis-guided").click();
    await settle();
    byId("sis-save").click();
    await settle();
    expect(byId("sis-result").textContent).toContain("Connect works with these values");
    byId("sis-api").click();
    await settle();
    expect(document.getElementById("sis-result")).toBeNull();
    expect(document.getElementById("sis-typed")).toBeNull();
    byId("sis-guided").click();
    await settle();
    expect(byId("sis-result").textContent).toContain("Connect works with these values");
  });

  it("W10: a real tick, remembered in the profile, that Done reads as ticked, not proven, and taken back when a token changes", async () => {
    answer({
      sis_save: () => {
        // As the Rust command does for the typed-in path.
        b.profile = { ...b.profile, progress: { ...b.profile.progress, 16: { ticked: false, last_status: "not_visible" } } };
        return guidedResult;
      },
      // As the Rust command does: the path chosen is remembered with the save.
      sis_form: () => ({ use_api: false, api_url: "", tenant: "", admin_email: "", enable_sync: true, password_remembered: false }),
    });
    await openDemoAt("opensis");
    byId("sis-guided").click();
    await settle();
    byId("sis-save").click();
    await settle();
    // Before the tick, Done says what is left, not "not given yet" forever.
    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    expect(byId("done-sis").textContent).toContain("openSIS has not been told yet");
    expect(document.querySelector('tr[data-page="opensis"] .col-result')?.textContent).toContain("type it into openSIS");

    navigate({ name: "wizard", id: "demo", page: "opensis" });
    await settle();
    const box = byId<HTMLInputElement>("sis-typed");
    expect(box.checked).toBe(false);
    expect(document.querySelector('label[for="sis-typed"]')?.textContent).toBe(
      "I typed the address and both tokens into openSIS and Connect showed Moodle’s release",
    );
    box.click();
    await settle();
    expect(b.profile.ticked_items).toContain("opensis-typed-in");
    expect(byId<HTMLInputElement>("sis-typed").checked).toBe(true);

    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    const done = byId("done-sis").textContent ?? "";
    expect(done).toContain("Connection ready in openSIS, ticked by you");
    expect(done).not.toContain("has not been given");
    const row = document.querySelector('tr[data-page="opensis"]');
    expect(row?.className).toContain("look-ticked");
    expect(row?.textContent).toContain("ticked by you");
    expect(row?.textContent).not.toContain("proven");

    // Unticking is remembered too.
    navigate({ name: "wizard", id: "demo", page: "opensis" });
    await settle();
    byId("sis-typed").click();
    await settle();
    expect(b.profile.ticked_items).not.toContain("opensis-typed-in");

    // A token changed after the tick: what openSIS was given no longer matches, so the tick goes.
    byId("sis-typed").click();
    await settle();
    expect(b.profile.ticked_items).toContain("opensis-typed-in");
    const { setToken } = await import("../store/actions");
    await setToken("opensis_token", "0123456789abcdef0123456789abcdef");
    await settle();
    expect(b.profile.ticked_items).not.toContain("opensis-typed-in");
  });

  it("W10: a connection saved through openSIS's API is proven, and Done says so apart from a tick", async () => {
    await openDemoAt("opensis");
    byId("sis-save").click();
    await settle();
    navigate({ name: "wizard", id: "demo", page: "done" });
    await settle();
    expect(byId("done-sis").textContent).toBe("✔ Connection ready in openSIS: saved through its API and read back.");
    const row = document.querySelector('tr[data-page="opensis"]');
    expect(row?.className).toContain("look-proven");
    expect(row?.textContent).toContain("Saved through the openSIS API and read back");
  });
});
