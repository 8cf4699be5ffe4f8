// Owns: the words of the plugin ZIP panel, the openSIS page and the marks' legend.
// Must not: hold logic beyond filling a value into a sentence.

import type { ExpectedPlugin } from "../bindings";

export const PLUGIN_NAMES: Record<ExpectedPlugin, string> = {
  user_authenticator: "openSIS-Moodle-User-Authenticator.zip",
  web_services: "openSIS-Web-Services.zip",
};

export const P = {
  heading: "First, get and check the two ZIPs",
  source: (zip: string) => `Download link or file for ${zip}`,
  sourcePlaceholder: "https://… or /path/to/file.zip",
  sourceHint: "Copy the link from openSIS’s LMS Settings page, or choose the ZIP you already downloaded.",
  chooseFile: "Choose file…",
  chooseFileFor: (zip: string) => `Choose file for ${zip}`,
  fetch: "Check the ZIPs",
  fetching: "Fetching and checking the plugins…",
  cancel: "Cancel download",
  bothValid: "Both ZIPs are ready to upload as they are.",
  missing: (names: string) => `No valid ZIP yet for: ${names}.`,
  verdict: {
    valid: "ready to upload",
    valid_with_warnings: "ready to upload, with warnings",
    refused: "do not upload",
  },
  details: (component: string, version: string) => `${component}, version ${version}`,
  moodleRange: "Moodle versions",
  rangeSiteUnknown:
    "The app reads your Moodle's version with the opensis token (a later page); press “Check the ZIPs” again after that page to compare.",
  recheckForSite: (release: string) =>
    `These ZIPs were checked before your site's Moodle version was known. It runs Moodle ${release}: press “Check the ZIPs” again to compare them with it.`,
  sha256: "SHA-256",
  file: "File",
  showInFolder: "Show in folder",
  progress: (done: string, total: string | null) => (total ? `${done} of ${total}` : done),
};

export const SIS = {
  how: "How should the connection reach openSIS?",
  useApi: "Save it through the openSIS API (Super Administrator sign-in)",
  useGuided: "I will type it into openSIS myself",
  apiUrl: "openSIS API address",
  apiUrlHint: "The address of openSIS's API, e.g. https://api.school.org/api/",
  tenant: "Tenant",
  tenantHint: "The tenant name of your openSIS, as in its sign-in address (ask your openSIS provider if unsure).",
  adminEmail: "Super Administrator's e-mail",
  password: "Super Administrator's password",
  passwordRemembered: "A password is remembered in the keyring; leave empty to use it.",
  passphrase: "openSIS UI passphrase",
  passphraseHint: "Configured in openSIS's web UI; it encrypts the password at sign-in. Leave empty if your openSIS has none.",
  remember: "Remember the password in the system keyring",
  enableSync: "Switch on «Enable Synchronization»",
  save: "Connect and save",
  saving: "Checking Connect, then saving to openSIS…",
  prepare: "Check Connect",
  saved: "Saved in openSIS and read back: the settings match.",
  guidedReady:
    "Connect works with these values (checked from this computer). Type them into openSIS as listed above, press «Connect» there, then tick the box below.",
  forget: "Forget the password",
  preview: "What openSIS shows after «Connect»",
  previewMissing: "Check the tokens first (page “Prove single sign-on”) to see what openSIS will show.",
  guidedHeading: "In openSIS: LMS Settings (Super Administrator only)",
  guidedSteps: [
    "Open openSIS and log in as the Super Administrator.",
    "Go to Main Menu → LMS → LMS Settings.",
    "Enter the three values below, each with its copy button.",
    "Press «Connect»: openSIS shows Moodle’s release and version, as in the preview at the top of this page.",
    "Switch on «Enable Synchronization» and save.",
  ],
  valueUrl: "Moodle URL",
  valueOpensis: "Moodle token",
  valueUserkey: "User key token",
  notEntered: "not entered yet",
  tokenMissingHint: "Enter it on its token page first.",
  logHeading: "What was done",
  typedLabel: "I typed the address and both tokens into openSIS and «Connect» showed Moodle’s release",
  typedHint:
    "The app cannot see inside openSIS, so this stays “ticked by you”; saving through the openSIS API instead proves it.",
  typedTicked: "Ticked: the connection was typed into openSIS.",
  typedUnticked: "Unticked: the connection is not marked as typed into openSIS.",
  done: {
    saved: "Connection ready in openSIS: saved through its API and read back.",
    typed:
      "Connection ready in openSIS, ticked by you: you typed it in and «Connect» showed Moodle’s release. The app cannot see inside openSIS to prove it.",
    checked:
      "Connect works with these values, but openSIS has not been told yet: type them into openSIS, then tick it on the openSIS page.",
  },
  /** The Done table's line and mark words for the openSIS page. */
  doneLine: {
    saved: "Saved through the openSIS API and read back",
    typed: "Typed into openSIS by you; «Connect» showed Moodle’s release",
    checked: "Connect works with these values; not typed into openSIS yet",
    none: "",
  },
  doneMark: {
    saved: "proven",
    typed: "ticked by you",
    checked: "type it into openSIS",
    none: "not done yet",
  },
  goToSis: "Open the openSIS page",
};

/** The rail's marks: symbol and meaning, in the order of the legend. */
export const LEGEND: [string, string, string][] = [
  ["proven", "✔", "proven by a check"],
  ["ticked", "☑", "ticked by you"],
  ["fail", "✖", "needs you"],
  ["warn", "⚠", "passed with a warning"],
  ["waiting", "◷", "waits for a token or an earlier step"],
  ["unknown", "?", "could not tell"],
  ["manual", "◌", "check it in Moodle (or openSIS), then tick it"],
  ["todo", "○", "not checked yet"],
];

/** The marks' words where space is short (the summary table). */
export const LOOK_SHORT: Record<string, string> = {
  proven: "proven",
  ticked: "ticked by you",
  fail: "needs you",
  warn: "warning",
  waiting: "waits",
  unknown: "could not tell",
  manual: "check in Moodle",
  todo: "not checked yet",
};
