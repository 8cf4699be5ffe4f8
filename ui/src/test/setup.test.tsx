// "Set it up for me" and "Fix it" against mocked commands: the start card, the address asked
// when the school has none, the sign-in window waited for (and cancelled, and refused), the
// plan with one primary button, each change shown as it is made with its proof, the proof by
// every check, and Put it back with its own question and progress.
import { render } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { navigate, route } from "../router";
import { byId, closeApp, demoProfile, failingReport, finding, freshApp, plan, report, settle, type Backend } from "./backend";

let b: Backend;

beforeEach(() => {
  b = freshApp();
  b.profile = { ...demoProfile(), id: "s1", name: "Lincoln High", moodle_url: "https://moodle.school.org" };
  b.profiles = () => [b.profile];
});

afterEach(closeApp);

async function show(): Promise<void> {
  render(() => <App />);
  await settle();
}

async function openSetup(fix = false): Promise<void> {
  await show();
  navigate({ name: "setup", id: "s1", fix });
  await settle();
}

const cmds = () => b.calls.map((c) => c.cmd);
const text = (id: string) => byId(id).textContent ?? "";

describe("the start screen", () => {
  it("offers Set it up for me beside the guided set-up, for a school or a new one", async () => {
    await show();
    expect(byId("start-auto").textContent).toContain("Set it up for me");
    expect(byId("start-auto").parentElement).toBe(byId("start-new").parentElement);
    byId("start-auto").click();
    await settle();
    expect(document.activeElement?.id).toBe("auto-school");
    expect(document.querySelector('label[for="auto-school"]')?.textContent).toBe("School");
    byId("auto-continue").click();
    await settle();
    expect(route()).toEqual({ name: "setup", id: "s1", fix: false });
    expect(text("page-heading")).toBe("Set it up for me: Lincoln High");
  });

  it("a new school is named first, then its Moodle address is asked as step 0 asks it", async () => {
    b.profiles = () => b.calls.some((c) => c.cmd === "create_profile") ? [b.profile] : [];
    await show();
    byId("start-auto").click();
    await settle();
    expect(document.activeElement?.id).toBe("auto-school-name");
    const name = byId<HTMLInputElement>("auto-school-name");
    name.value = "Lincoln High";
    name.dispatchEvent(new Event("input", { bubbles: true }));
    byId("auto-continue").click();
    await settle();
    expect(b.calls.find((c) => c.cmd === "create_profile")?.args.name).toBe("Lincoln High");
    expect(route()).toEqual({ name: "setup", id: "s1", fix: false });
    expect(document.getElementById("sign-in")).toBeNull();
    const url = byId<HTMLInputElement>("setup-url");
    url.value = "moodle.school.org/login/index.php";
    url.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((r) => setTimeout(r, 200));
    await settle();
    expect(text("setup-url-preview")).toBe("Will check https://moodle.school.org");
    byId("save-address").click();
    await settle();
    expect(b.profile.moodle_url).toBe("https://moodle.school.org");
    expect(text("setup-site")).toBe("https://moodle.school.org");
    expect(byId("sign-in").className).toContain("primary");
    // Nothing was asked of Moodle: the sign-in is the first exchange with the site.
    expect(cmds()).not.toContain("diagnose_profile");
  });
});

describe("set it up for me", () => {
  it("says what it knows before the sign-in: the site, the ZIP, the tokens, how the sign-in works", async () => {
    await openSetup();
    expect(text("setup-site")).toBe("https://moodle.school.org");
    expect(text("setup-zip")).toContain("openSIS-Moodle-User-Authenticator.zip, checked");
    expect(text("setup-tokens")).toContain("None kept yet");
    expect(document.body.textContent).toContain("The app never sees your password");
    expect(document.querySelectorAll("main button.primary")).toHaveLength(1);
  });

  it("without the ZIP, says what waits for it and offers the plugin panel", async () => {
    b.setup.zip = null;
    await openSetup();
    expect(text("setup-zip")).toContain("step 3 and the steps that need it (6, 7, 12 and the user-key token) wait for it");
    expect(byId("give-zip").querySelector("#fetch-plugins")).not.toBeNull();
    // A file named and fetched at once is the one checked (the source is saved first).
    const source = byId<HTMLInputElement>("plugin-src-0");
    source.value = "/home/admin/Downloads/openSIS-Moodle-User-Authenticator.zip";
    source.dispatchEvent(new Event("change", { bubbles: true }));
    byId("fetch-plugins").click();
    await settle();
    expect(b.calls.find((c) => c.cmd === "fetch_plugins")?.args.sources).toEqual([
      "/home/admin/Downloads/openSIS-Moodle-User-Authenticator.zip",
    ]);
    expect(cmds().filter((c) => c === "setup_overview").length).toBeGreaterThan(1);
  });

  it("waits for the sign-in window, shows the plan, makes it with progress, and proves it", async () => {
    b.setup.holdSignIn = true;
    b.next = report([finding("site_reachable", 0, "pass"), finding("opensis_functions", 3, "fail")], "failed", "1 step needs you: 3 Install the two openSIS plugins.");
    await openSetup();
    byId("sign-in").click();
    await settle();
    expect(text("setup-phase")).toBe("Waiting for you to sign in to Moodle, in its own window…");
    expect(document.activeElement?.id).toBe("setup-phase");
    expect(document.body.textContent).toContain("Sign in to Moodle for Lincoln High — SIS Moodle Setup");
    expect(document.querySelector("main")?.getAttribute("aria-busy")).toBe("true");
    b.setup.release?.("signed-in");
    await settle();

    // The plan, step by step, with one primary button.
    expect(text("setup-phase")).toBe("The plan: 4 changes");
    expect(document.activeElement?.id).toBe("setup-phase");
    const lines = [...document.querySelectorAll("#plan-list li")].map((l) => l.textContent?.replace(/\s+/g, " ").trim());
    expect(lines[1]).toBe("Step 13REST protocol: off → becomes on");
    expect(byId("plan-list").querySelector("details.value-list summary")?.textContent).toBe("25 items");
    expect(text("cannot-list")).toContain("6 of the 31 functions are not on this site");
    expect(document.body.textContent).toContain("The plugin is installed from openSIS-Moodle-User-Authenticator.zip.");
    expect(text("make-changes")).toBe("Make these 4 changes");
    expect(document.querySelectorAll("main button.primary")).toHaveLength(1);

    byId("make-changes").click();
    await settle();
    expect(cmds()).toContain("setup_apply");
    // The proof: every check as the doctor runs them, after the changes.
    const diagnose = b.calls.filter((c) => c.cmd === "diagnose_profile");
    expect(diagnose.at(-1)?.args.wizard).toBe(false);
    expect(b.calls.findIndex((c) => c.cmd === "diagnose_profile")).toBeGreaterThan(b.calls.findIndex((c) => c.cmd === "setup_apply"));
    expect(text("setup-phase")).toBe("4 changes made on https://moodle.school.org");
    expect(document.activeElement?.id).toBe("setup-phase");
    expect(text("tokens-kept")).toBe("The new token is kept in the system keyring; give it to openSIS on its page.");
    expect(document.body.textContent).toContain("Not on this site (step 3: the openSIS-Web-Services plugin brings them): local_get_25, local_get_26.");
    const made = [...byId("made-list").querySelectorAll("li.change")];
    expect(made).toHaveLength(4);
    expect(made.every((li) => li.classList.contains("row-made"))).toBe(true);
    expect(made[1]?.textContent).toContain("made: Moodle's page shows REST protocol: on");
    expect(text("verdict")).toBe("✖ 1 step needs you: 3 Install the two openSIS plugins.");
    expect(byId("to-opensis").className).toContain("primary");
    expect(byId("announcer").textContent).toBe("4 changes made on https://moodle.school.org");
  });

  it("a refused change stops the run and says where and why", async () => {
    b.setup.refuseAt = 3;
    await openSetup();
    byId("sign-in").click();
    await settle();
    byId("make-changes").click();
    await settle();
    expect(text("setup-phase")).toBe("3 changes made on https://moodle.school.org");
    expect(text("run-stopped")).toBe(
      "Stopped at step 15 (token for opensis (the admin, no expiry)): Moodle refused admin/webservice/tokens.php: the user is not allowed",
    );
    const rows = [...byId("made-list").querySelectorAll("li.change")].map((li) => li.className);
    expect(rows.at(-1)).toContain("row-refused");
    expect(byId("made-list").hasAttribute("open")).toBe(true);
  });

  it("Put it back asks first, signs in again and undoes newest first; the plugin stays", async () => {
    await openSetup();
    byId("sign-in").click();
    await settle();
    byId("make-changes").click();
    await settle();
    byId("put-back").click();
    await settle();
    expect(text("setup-phase")).toBe("Put back 4 changes?");
    expect(document.activeElement?.id).toBe("setup-phase");
    const rows = [...document.querySelectorAll(".put-back li.change")].map((l) => l.textContent?.replace(/\s+/g, " "));
    expect(rows[0]).toContain("Step 15token for opensis (the admin, no expiry): created, kept in the keyring → becomes none");
    expect(document.body.textContent).toContain("auth_userkey stays installed");
    // Cancel keeps them.
    byId("put-back-cancel").click();
    await settle();
    expect(text("setup-phase")).toBe("4 changes made on https://moodle.school.org");
    byId("put-back").click();
    await settle();
    const signIns = b.calls.filter((c) => c.cmd === "setup_sign_in").length;
    byId("put-back-confirm").click();
    await settle();
    expect(b.calls.filter((c) => c.cmd === "setup_sign_in").length).toBe(signIns + 1);
    expect(cmds()).toContain("setup_undo");
    expect(text("setup-phase")).toBe("3 changes put back");
    expect(text("undo-left")).toContain("auth_userkey stays installed");
    expect(document.body.textContent).toContain("The token the run created was deleted from this school.");
    expect(b.tokens.opensis.set).toBe(false);
  });

  it("a run kept from before is offered to be put back before any sign-in", async () => {
    b.setup.runs = [{ started_at: 1_800_000_000, changes: [{ step: 13, what: "REST protocol", before: "off", after: "on", at: 1_800_000_000, proof: "p" }], undone: false }];
    await openSetup();
    expect(document.body.textContent).toContain("made 1 change: Put it back undoes them.");
    byId("put-back-offer").click();
    await settle();
    expect(text("setup-phase")).toBe("Put back 1 change?");
    byId("put-back-cancel").click();
    await settle();
    expect(document.getElementById("sign-in")).not.toBeNull();
  });

  it("Cancel on the plan signs out and changes nothing", async () => {
    await openSetup();
    byId("sign-in").click();
    await settle();
    byId("cancel-plan").click();
    await settle();
    expect(b.setup.signOuts).toBe(1);
    expect(cmds()).not.toContain("setup_apply");
    expect(text("setup-note")).toBe("Nothing was changed; the app signed out of Moodle.");
  });

  it("leaving the plan signs out too", async () => {
    await openSetup();
    byId("sign-in").click();
    await settle();
    navigate({ name: "start" });
    await settle();
    expect(b.setup.signOuts).toBe(1);
  });

  it("a sign-in window closed or cancelled is a note, not an error", async () => {
    b.setup.holdSignIn = true;
    await openSetup();
    byId("sign-in").click();
    await settle();
    byId("cancel-sign-in").click();
    await settle();
    expect(cmds()).toContain("setup_cancel_sign_in");
    expect(text("setup-note")).toBe("The sign-in window was closed before the sign-in ended. Nothing was changed.");
    expect(document.querySelector(".error-toast")).toBeNull();
    expect(document.getElementById("sign-in")).not.toBeNull();
  });

  it("a refused sign-in is said in Moodle's terms, in the page", async () => {
    b.fail.setup_sign_in = {
      code: "sign_in_refused",
      message:
        "this account signed in but is not a site administrator of this Moodle; sign in with an account listed under Site administration → Users → Permissions → Site administrators. Nothing was changed.",
    };
    await openSetup();
    byId("sign-in").click();
    await settle();
    expect(byId("setup-problem").getAttribute("role")).toBe("alert");
    expect(text("setup-problem")).toContain("This account signed in but is not a site administrator of this Moodle");
    expect(text("sign-in")).toBe("Sign in again");
    expect(document.querySelector(".error-toast")).toBeNull();
  });

  it("an empty plan says every step the app can do is done, signed out at once", async () => {
    b.setup.plan = { ...plan([]), cannot: [] };
    await openSetup();
    byId("sign-in").click();
    await settle();
    expect(text("setup-phase")).toBe("Nothing to change");
    expect(text("plan-empty")).toContain("Every step the app can do is done on https://moodle.school.org");
    expect(b.setup.signOuts).toBe(1);
    expect(document.getElementById("make-changes")).toBeNull();
    byId("plan-run-checks").click();
    await settle();
    expect(route()).toEqual({ name: "diagnose", id: "s1" });
  });

  it("is walked with the keyboard: Tab reaches the sign-in, then the plan's primary button", async () => {
    await openSetup();
    const focusable = [...document.querySelectorAll("main button, main input, main select, main summary")];
    expect(focusable.map((e) => e.id)).toContain("sign-in");
    for (const el of focusable) expect(el.getAttribute("tabindex")).not.toBe("-1");
  });
});

describe("Fix it on Diagnose", () => {
  it("is offered when steps fail and runs the same flow, naming what failed", async () => {
    b.next = failingReport;
    await show();
    navigate({ name: "diagnose", id: "s1" });
    await settle();
    expect(text("fix-it")).toBe("Fix it");
    byId("fix-it").click();
    await settle();
    expect(route()).toEqual({ name: "setup", id: "s1", fix: true });
    expect(text("page-heading")).toBe("Fix it: Lincoln High");
    expect(document.body.textContent).toContain("These steps failed: step 6 (Title 6); step 13 (Title 13).");
    byId("sign-in").click();
    await settle();
    expect(text("make-changes")).toBe("Make these 4 changes");
  });

  it("an empty plan says what still fails needs the admin", async () => {
    b.next = failingReport;
    b.setup.plan = { ...plan([]), cannot: [] };
    await show();
    navigate({ name: "setup", id: "s1", fix: true });
    await settle();
    byId("sign-in").click();
    await settle();
    expect(text("plan-empty")).toContain("what still fails needs you");
  });

  it("is not offered when the site itself fails, nor when everything passes", async () => {
    b.next = report([finding("site_not_in_maintenance", 0, "fail", { summary: "The site is in maintenance mode." }), finding("rest_protocol_enabled", 13, "fail")]);
    await show();
    navigate({ name: "diagnose", id: "s1" });
    await settle();
    expect(document.getElementById("fix-it")).toBeNull();
    expect(text("not-fixable")).toContain("Not fixable from Moodle's administration pages: The site is in maintenance mode.");
    b.next = report([finding("site_reachable", 0, "pass")], "passed", "Every check passed.");
    byId("rerun").click();
    await settle();
    expect(document.getElementById("fix-it")).toBeNull();
    expect(document.getElementById("not-fixable")).toBeNull();
  });
});
