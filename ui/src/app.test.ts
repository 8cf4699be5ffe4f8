// The UI against a mocked IPC: what the admin sees and can reach by keyboard, and that every
// action calls the right command.
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { render, start, state, stepStatus, DONE_PAGE } from "./app";
import type { Finding, Profile, Report, Step } from "./bindings";

const steps: Step[] = Array.from({ length: 16 }, (_, n) => ({
  number: n,
  title: `Title ${n}`,
  action: `Do ${n}`,
  admin_path: n === 0 ? null : `admin/page${n}.php`,
  verification: n === 2 ? "manual" : "remote",
  proven_by: n === 2 ? 3 : null,
}));

const demo: Profile = {
  id: "demo",
  name: "Demo school (simulated Moodle)",
  moodle_url: "http://127.0.0.1:4000",
  admin_email: "admin@example.org",
  plugin_sources: [],
  sis: null,
  current_step: 0,
  progress: {},
};

function finding(check: string, step: number, status: Finding["status"]): Finding {
  return {
    check,
    step,
    status,
    summary: `${check} summary`,
    evidence: "seen",
    fix: "do it",
    link: "http://127.0.0.1:4000/admin",
    blocked_by: status === "blocked" ? 13 : null,
  };
}

const report: Report = {
  verdict: { outcome: "failed", headline: "1 step needs you: 13 Enable the REST protocol." },
  checked_from: "lab-laptop",
  site: {
    sitename: "SIS Lab Moodle",
    release: "4.5.11+ (Build: 20260501)",
    version: "2024100711.02",
    branch: "4.5",
    wwwroot: "http://127.0.0.1:4000",
  },
  checks: [
    finding("web_services_enabled", 11, "pass"),
    finding("rest_protocol_enabled", 13, "fail"),
    finding("site_public", 0, "warn"),
    finding("userkey_lifetime", 7, "not_visible"),
    finding("opensis_functions", 14, "blocked"),
  ],
};

const demoSite = (version: string, siteState: string, proxy: boolean) => ({
  version,
  state: siteState,
  front: proxy ? "proxy_page" : null,
  url: siteState === "wwwroot_mismatch" ? "http://127.0.0.1:4001" : "http://127.0.0.1:4000",
  versions: [
    {
      id: "4.5",
      release: "4.5.11+ (Build: 20260501)",
      debugging: false,
      states: [
        { name: "good", description: "the configuration the openSIS guide asks for" },
        { name: "rest_disabled", description: "'rest' removed from webserviceprotocols" },
        { name: "wwwroot_mismatch", description: "the same site also served on 127.0.0.1:8081" },
      ],
    },
    { id: "5.0", release: "5.0 (Build: 20250414)", debugging: false, states: [{ name: "good", description: "good" }] },
  ],
});

let calls: { cmd: string; args: unknown }[] = [];
let keyringAvailable = true;

function mockBackend(): void {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    switch (cmd) {
      case "step_catalog":
        return steps;
      case "list_profiles":
        return calls.some((c) => c.cmd === "start_demo") ? [demo] : [];
      case "keyring_status":
        return { available: keyringAvailable, session_only: false, problem: keyringAvailable ? null : "no Secret Service" };
      case "use_session_secrets":
        return { available: false, session_only: true, problem: "no Secret Service" };
      case "start_demo":
        return demo;
      case "token_state":
        return { opensis: { set: true, looks_valid: true }, userkey: { set: true, looks_valid: true }, persistent: false };
      case "demo_site":
        return demoSite("4.5", "good", false);
      case "set_demo_site": {
        const a = args as { version: string; siteState: string; front: string | null };
        return demoSite(a.version, a.siteState, a.front !== null);
      }
      case "save_profile":
        return (args as { profile: Profile }).profile;
      case "diagnose_profile":
        return report;
      case "fetch_plugins":
        return {
          results: [
            {
              source: "https://sis.example/openSIS-Moodle-User-Authenticator.zip",
              saved_to: "/home/admin/Downloads/openSIS-Moodle-User-Authenticator.zip",
              verdict: {
                file: "openSIS-Moodle-User-Authenticator.zip", sha256: "ab".repeat(32), size: 2048, root_folder: "userkey",
                component: "auth_userkey", expected: "user_authenticator", version: "2022081901", release: null, requires: null,
                supported: [33, 401], maturity: "stable", status: "valid_with_warnings",
                problems: [{ severity: "warning", code: "outside_supported_range", message: "Supports 3.3 to 4.1." }],
              },
              error: null,
            },
            { source: "/tmp/x.zip", saved_to: null, verdict: null, error: { code: "file_unreadable", message: "cannot read /tmp/x.zip" } },
          ],
          missing: ["web_services"],
        };
      case "check_site":
        throw { code: "invalid_input", message: "the Moodle address is empty" };
      default:
        return null;
    }
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`no #${id}`);
  return el as T;
}

beforeEach(async () => {
  calls = [];
  keyringAvailable = true;
  Object.assign(state, { view: "start", profile: null, report: null, demo: null, page: 0, error: null, notice: null });
  document.body.replaceChildren();
  const app = document.createElement("div");
  app.id = "app";
  document.body.append(app);
  mockBackend();
  await start(app);
});

afterEach(() => clearMocks());

describe("start screen", () => {
  it("offers the three ways in as labelled buttons", () => {
    for (const id of ["start-new", "start-diagnose", "start-demo"]) {
      const b = byId<HTMLButtonElement>(id);
      expect(b.tagName).toBe("BUTTON");
      expect(b.textContent?.length).toBeGreaterThan(10);
    }
    expect(document.body.textContent).toContain("No school yet");
  });

  it("creating a school asks for a labelled name", async () => {
    byId("start-new").click();
    const input = byId<HTMLInputElement>("new-school-name");
    expect(document.querySelector('label[for="new-school-name"]')?.textContent).toBe("School name");
    expect(document.activeElement).toBe(input);
  });

  it("an unavailable keyring is said plainly and session-only is a choice", async () => {
    keyringAvailable = false;
    await start(document.getElementById("app") as HTMLElement);
    await settle();
    expect(document.body.textContent).toContain("keyring is not available");
    byId("keyring-session").click();
    await settle();
    expect(calls.map((c) => c.cmd)).toContain("use_session_secrets");
    expect(document.body.textContent).toContain("session only");
  });
});

describe("demo and wizard", () => {
  async function openDemo(): Promise<void> {
    byId("start-demo").click();
    await settle();
  }

  it("the demo opens the wizard with a rail of every step and the simulated Moodle's panel", async () => {
    await openDemo();
    expect(state.view).toBe("wizard");
    const rail = document.querySelectorAll(".rail-item");
    expect(rail).toHaveLength(DONE_PAGE + 1);
    for (const item of rail) expect(item.getAttribute("aria-label")).toMatch(/—/);
    const version = byId<HTMLSelectElement>("demo-version");
    expect(version.value).toBe("4.5");
    expect(document.querySelector('label[for="demo-version"]')?.textContent).toBe("Moodle version");
    const siteState = byId<HTMLSelectElement>("demo-state");
    expect(siteState.value).toBe("good");
    expect([...siteState.options].map((o) => o.textContent)).toContain("REST protocol disabled");
    expect(byId("demo-state-description").textContent).toContain("the openSIS guide asks for");
    expect(byId<HTMLInputElement>("demo-proxy").checked).toBe(false);
    expect(document.querySelector('label[for="demo-proxy"]')?.textContent).toContain("not recorded");
  });

  it("Check runs the diagnosis and the step shows its findings; the rail shows the status", async () => {
    await openDemo();
    byId("rail-13").click();
    await settle();
    expect(byId("page-heading").textContent).toContain("Step 13");
    byId("check-13").click();
    await settle();
    expect(calls.map((c) => c.cmd)).toContain("diagnose_profile");
    expect(document.querySelector(".finding.fail")?.textContent).toContain("rest_protocol_enabled summary");
    expect(stepStatus(13)).toBe("fail");
    expect(byId("rail-13").getAttribute("aria-label")).toContain("failed");
  });

  it("a manual step has a labelled tick that is saved", async () => {
    await openDemo();
    byId("rail-2").click();
    await settle();
    const tick = byId<HTMLInputElement>("tick-2");
    expect(document.querySelector('label[for="tick-2"]')).not.toBeNull();
    tick.click();
    await settle();
    const saved = calls.filter((c) => c.cmd === "save_profile").pop()?.args as { profile: Profile };
    expect(saved.profile.progress[2]?.ticked).toBe(true);
    expect(stepStatus(2)).toBe("pass");
  });

  it("choosing a captured state switches the simulated Moodle and follows its address", async () => {
    await openDemo();
    const select = byId<HTMLSelectElement>("demo-state");
    select.value = "wwwroot_mismatch";
    select.dispatchEvent(new Event("change"));
    await settle();
    expect(calls.find((c) => c.cmd === "set_demo_site")?.args).toEqual({ version: "4.5", siteState: "wwwroot_mismatch", front: null });
    expect(state.profile?.moodle_url).toBe("http://127.0.0.1:4001");
    byId("demo-proxy").click();
    await settle();
    expect(calls.filter((c) => c.cmd === "set_demo_site").pop()?.args).toEqual({ version: "4.5", siteState: "wwwroot_mismatch", front: "proxy_page" });
  });

  it("results open with the verdict, and a tick never hides a check that could not run", async () => {
    await openDemo();
    byId("to-diagnose").click();
    await settle();
    expect(byId("verdict").textContent).toBe("Needs you: 1 step needs you: 13 Enable the REST protocol.");
    expect(stepStatus(14)).toBe("blocked");
    expect(stepStatus(7)).toBe("not_visible");
    const profile = state.profile;
    if (!profile) throw new Error("no profile");
    profile.progress[7] = { ticked: true, last_status: null };
    profile.progress[14] = { ticked: true, last_status: null };
    expect(stepStatus(7)).toBe("pass");
    expect(stepStatus(14)).toBe("blocked");
  });

  it("errors from a command appear as an alert with the message", async () => {
    await openDemo();
    byId("rail-0").click();
    await settle();
    byId("check-site").click();
    await settle();
    expect(document.querySelector('[role="alert"]')?.textContent).toContain("the Moodle address is empty");
  });

  it("step 3 fetches both plugins and shows each verdict and what is missing", async () => {
    await openDemo();
    byId("rail-3").click();
    await settle();
    const first = byId<HTMLInputElement>("plugin-src-0");
    expect(document.querySelector('label[for="plugin-src-0"]')?.textContent).toContain("openSIS-Moodle-User-Authenticator.zip");
    first.value = "https://sis.example/openSIS-Moodle-User-Authenticator.zip";
    first.dispatchEvent(new Event("input"));
    byId("fetch-plugins").click();
    await settle();
    const args = calls.find((c) => c.cmd === "fetch_plugins")?.args as { sources: string[] };
    expect(args.sources).toEqual(["https://sis.example/openSIS-Moodle-User-Authenticator.zip"]);
    const cards = [...document.querySelectorAll(".finding")];
    expect(cards[0]?.textContent).toContain("ready to upload, with warnings");
    expect(cards[0]?.textContent).toContain("Supports 3.3 to 4.1.");
    expect(cards[1]?.classList.contains("fail")).toBe(true);
    expect(cards[1]?.textContent).toContain("cannot read /tmp/x.zip");
    expect(document.body.textContent).toContain("Still missing: openSIS-Web-Services.zip.");
    byId("reveal-plugin-0").click();
    await settle();
    expect(calls.find((c) => c.cmd === "reveal_in_folder")?.args).toEqual({
      path: "/home/admin/Downloads/openSIS-Moodle-User-Authenticator.zip",
    });
  });

  it("diagnose lists failing checks first with their step", async () => {
    await openDemo();
    byId("to-diagnose").click();
    await settle();
    const cards = [...document.querySelectorAll(".finding")];
    expect(cards[0]?.classList.contains("fail")).toBe(true);
    expect(cards[0]?.textContent).toContain("Step 13");
    expect(cards[1]?.classList.contains("warn")).toBe(true);
    expect(document.body.textContent).toContain("SIS Lab Moodle — Moodle 4.5.11+ (Build: 20260501), version 2024100711.02");
  });

  it("token fields are labelled password inputs with reveal and copy", async () => {
    await openDemo();
    byId("rail-15").click();
    await settle();
    const input = byId<HTMLInputElement>("token-opensis_token");
    expect(input.type).toBe("password");
    expect(document.querySelector('label[for="token-opensis_token"]')).not.toBeNull();
    expect(byId("token-opensis_token-reveal").textContent).toBe("Reveal");
    expect(byId("token-opensis_token-copy").textContent).toBe("Copy");
    input.value = "  0123456789abcdef0123456789abcdef ";
    input.dispatchEvent(new Event("change"));
    await settle();
    expect(calls.find((c) => c.cmd === "set_token")?.args).toEqual({
      profileId: "demo",
      kind: "opensis_token",
      value: "  0123456789abcdef0123456789abcdef ",
    });
  });
});

it("render never uses HTML parsing for text", () => {
  Object.assign(state, { error: "<img src=x onerror=alert(1)>" });
  render();
  expect(document.querySelector("img")).toBeNull();
  expect(document.body.textContent).toContain("<img src=x");
});
