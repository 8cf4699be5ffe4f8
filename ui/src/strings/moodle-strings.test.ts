// The checklists' Moodle labels are Moodle's own words, per version: every «…» label a page shows
// is a string recorded from that version's language files (moodle-strings.json, recorded by
// scripts/lab/moodle-strings.php), never text written by hand.

import type { Report } from "../bindings";
import { setStore } from "../store/state";
import {
  DEFAULT_VERSION,
  KEY_LIFETIME,
  MOODLE_STRINGS,
  MOODLE_VERSIONS,
  PAGES,
  TYPED_NAMES,
  checklistKeys,
  moodleLabel,
  pagesFor,
  type MoodleVersion,
  type PageText,
} from "./checklists";

/** Every text of a page that is shown through MoodleText. */
function texts(page: PageText): string[] {
  const out = [page.title, page.subtitle, page.intro, page.caution, page.tip];
  for (const item of page.items) out.push(item.text, item.where);
  return out.filter((t): t is string => t !== undefined);
}

const labelsIn = (text: string) => [...text.matchAll(/«([^»]*)»/g)].map((x) => x[1] ?? "");

function allLabels(v: MoodleVersion | null): { page: string; label: string }[] {
  return Object.entries(pagesFor(v)).flatMap(([page, p]) => texts(p).flatMap((t) => labelsIn(t).map((label) => ({ page, label }))));
}

function item(v: MoodleVersion | null, page: string, id: string): string {
  const found = pagesFor(v)[page]?.items.find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id} on page ${page} for ${v ?? "unknown version"}`);
  return `${found.text}${found.where ? ` (${found.where})` : ""}`;
}

function withBranch(branch: string | null, run: () => void) {
  setStore("report", branch === null ? null : ({ site: { branch } } as unknown as Report));
  try {
    run();
  } finally {
    setStore("report", null);
  }
}

describe("Moodle's words in the checklists", () => {
  it("records the three versions, each with every key the checklists name (4.1 without the token's name)", () => {
    expect(Object.keys(MOODLE_STRINGS).sort()).toEqual([...MOODLE_VERSIONS].sort());
    const keys = checklistKeys();
    for (const v of MOODLE_VERSIONS) {
      const missing = keys.filter((k) => MOODLE_STRINGS[v][k] === undefined);
      expect(missing, `keys missing in Moodle ${v}`).toEqual(v === "4.1" ? ["webservice:tokenname"] : []);
      // Only what the checklists use is recorded.
      expect(Object.keys(MOODLE_STRINGS[v]).filter((k) => !keys.includes(k)), `unused keys in ${v}`).toEqual([]);
    }
  });

  for (const v of [...MOODLE_VERSIONS, null]) {
    it(`shows only Moodle ${v ?? `${DEFAULT_VERSION} (version not known)`}'s own labels`, () => {
      const own = new Set<string>(TYPED_NAMES);
      for (const o of v === null ? MOODLE_VERSIONS : [v]) for (const s of Object.values(MOODLE_STRINGS[o])) own.add(s);
      const foreign = allLabels(v).filter(({ label }) => !own.has(label));
      expect(foreign, "labels that are not this version's Moodle strings").toEqual([]);
      expect(allLabels(v).length).toBeGreaterThan(80);
    });
  }

  it("shows an unknown key as «?key», which the check above rejects", () => {
    expect(moodleLabel("webservice:tokenname", "4.1")).toBe("«?webservice:tokenname»");
    expect(moodleLabel("moodle:nosuchstring", null)).toBe("«?moodle:nosuchstring»");
  });

  for (const v of [...MOODLE_VERSIONS, null]) {
    it(`writes the four words the walk found as Moodle ${v ?? "4.5"} does`, () => {
      expect(item(v, "4", "s4-valid")).toContain("«Validation successful, installation can continue»");
      expect(item(v, "4", "s4-drop")).toContain("«Choose a file...»");
      expect(item(v, "10", "s10-download")).toContain("«Show more...»");
      expect(item(v, "10", "s10-upload")).toContain("«Show more...»");
      expect(item(v, "7", "s7-update")).toContain("«Update user?»");
      const shown = Object.values(pagesFor(v)).flatMap(texts).join("\n");
      expect(shown).not.toContain("Validation passed");
      expect(shown).not.toMatch(/«[^»]*…»/);
      expect(shown).not.toContain("«Update user»");
    });

    it(`walks step 3 through every page Moodle ${v ?? "4.5"} shows after the ZIP's validation`, () => {
      const ids = pagesFor(v)["3"]?.items.map((i) => i.id);
      expect(ids).toEqual(["s3-release", "s3-upgrade", "s3-userkey", "s3-ws", "s3-newsettings"]);
      expect(item(v, "3", "s3-release")).toMatch(/«Current release information».*«Your server environment meets all minimum requirements\.».*press «Continue»$/);
      expect(item(v, "3", "s3-upgrade")).toMatch(/^On «Plugins check», press «Upgrade Moodle database now»; on «Upgrading to new version», .*«Success», press «Continue»$/);
      expect(item(v, "3", "s3-newsettings")).toMatch(/«New settings» for «User key authentication».*press «Save changes»$/);
    });
  }

  it("asks for the token's name only where Moodle's Create token form has one", () => {
    const has = (v: MoodleVersion | null, page: string, id: string) => pagesFor(v)[page]?.items.some((i) => i.id === id);
    expect(has("4.1", "token-opensis", "t1-name")).toBe(false);
    expect(has("4.1", "token-userkey", "t2-name")).toBe(false);
    expect(item("4.5", "token-opensis", "t1-name")).toBe("«Name»: opensis");
    expect(item("5.0", "token-userkey", "t2-name")).toBe("«Name»: opensis single sign-on");
    expect(item(null, "token-opensis", "t1-name")).toBe("«Name»: opensis (Moodle 4.5 and 5.0 ask for one)");
  });

  it("follows the site's version once step 0 has read it", () => {
    withBranch("4.1", () => {
      expect(PAGES["token-opensis"]?.items.map((i) => i.id)).not.toContain("t1-name");
      expect(KEY_LIFETIME.explain).toContain("«User key life time»");
    });
    withBranch("5.0", () => expect(PAGES["token-opensis"]?.items.map((i) => i.id)).toContain("t1-name"));
    withBranch("4.4", () => expect(PAGES["token-opensis"]?.items[0]?.text).toContain("(Moodle 4.5 and 5.0 ask for one)"));
    withBranch(null, () => expect(Object.keys(PAGES)).toEqual(Object.keys(pagesFor(null))));
  });
});
