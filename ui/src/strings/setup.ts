// Owns: the words of "Set it up for me" and "Fix it" — the start card, the sign-in, the plan,
// the progress, the proof and Put it back. Must not: hold logic beyond filling a value into a
// sentence.

const changes = (n: number) => `${n} ${n === 1 ? "change" : "changes"}`;

export const U = {
  startCard: "Set it up for me",
  startCardHint: "Sign in to Moodle as its administrator; the app shows every change it would make, makes them when you agree, and proves them.",
  chooseSchool: "School",
  newSchool: "A new school…",
  continue: "Continue",
  heading: (name: string) => `Set it up for me: ${name}`,
  fixHeading: (name: string) => `Fix it: ${name}`,
  lead:
    "The app signs in to your Moodle as you, reads its administration pages and shows you every change it would make. Nothing is changed until you agree.",
  fixLead: (steps: string) =>
    `These steps failed: ${steps}. The app signs in to your Moodle as you, reads its administration pages and shows you what it would change to fix them. Nothing is changed until you agree.`,
  siteHeading: "Your Moodle",
  addressNeeded: "Give the school's Moodle address first: the sign-in opens its login page.",
  saveAddress: "Save address",
  factSite: "Moodle",
  factZip: "auth_userkey",
  zipReady: (file: string) => `✔ ${file}, checked: the app installs it if Moodle does not have it yet.`,
  zipMissing:
    "No checked openSIS-Moodle-User-Authenticator.zip yet. If Moodle does not have the plugin, step 3 and the steps that need it (6, 7, 12 and the user-key token) wait for it. Give the ZIP below, or read the plan first.",
  zipGive: "Give the plugin ZIPs",
  factTokens: "Tokens",
  tokensKept: (opensis: boolean, userkey: boolean) =>
    opensis && userkey
      ? "Both are kept already: the app does not create new ones."
      : opensis
        ? "The opensis token is kept already; the app creates the user-key token if it can."
        : userkey
          ? "The user-key token is kept already; the app creates the opensis token."
          : "None kept yet: the app creates both and keeps them for this school.",
  tokensNowhere: "Tokens cannot be kept until you choose where (see the note at the top).",
  howHeading: "How the sign-in works",
  how:
    "Moodle's own sign-in page opens in a window of its own. Sign in there as a site administrator, as you always do — with your password, a second factor or your school's sign-in. The app never sees your password: it closes the window once you are signed in, and signs out of Moodle when the work is done or cancelled.",
  signIn: "Sign in to Moodle",
  waitingForSignIn: "Waiting for you to sign in to Moodle, in its own window…",
  waitingHint: (title: string) =>
    `Moodle's page is in the window “${title}”; it closes by itself once Moodle has signed you in.`,
  /** The sign-in window's title, as the Rust side sets it (commands/setup.rs). */
  windowTitle: (school: string) => `Sign in to Moodle for ${school} — SIS Moodle Setup`,
  cancelSignIn: "Cancel sign-in",
  signInCancelled: "The sign-in window was closed before the sign-in ended. Nothing was changed.",
  reading: "Reading Moodle's administration pages…",
  lastRun: (n: number, when: string, site: string) =>
    `The app's last run on ${site}, at ${when}, made ${changes(n)}: Put it back undoes them.`,
  putBackOffer: "Put it back…",
  // The plan
  planHeading: (n: number) => (n === 0 ? "Nothing to change" : `The plan: ${changes(n)}`),
  planLead: (site: string) =>
    `Read just now from the administration pages of ${site}. Each change is made through Moodle's own form and read back from its page; every change is recorded, so Put it back can undo it.`,
  stepLabel: (n: number) => `Step ${n}`,
  becomes: "becomes",
  items: (n: number) => `${n} items`,
  showList: "Show the list",
  zipUsed: (file: string) => `The plugin is installed from ${file}.`,
  cannotHeading: "What the app cannot do",
  make: (n: number) => `Make these ${changes(n)}`,
  making: "Making the changes…",
  cancel: "Cancel",
  cancelled: "Nothing was changed; the app signed out of Moodle.",
  emptyPlan: (site: string) =>
    `Every step the app can do is done on ${site}: its administration pages show each setting as the set-up needs it. Nothing was changed, and the app signed out of Moodle.`,
  emptyFix:
    "Moodle's administration pages show every setting the app can change as it should be: what still fails needs you (see the fixes on Diagnose). Nothing was changed, and the app signed out of Moodle.",
  runChecks: "Run every check",
  allSchools: "All schools",
  // Progress and result
  progressHeading: (n: number) => `Making ${changes(n)}`,
  progressCount: (done: number, total: number) => `${done} of ${total} done`,
  row: {
    waiting: "waits",
    working: "under way…",
    made: "made",
    left: "left as it is",
    refused: "stopped",
  },
  undoRow: {
    waiting: "waits",
    working: "under way…",
    made: "put back",
    left: "left as it is",
    refused: "stopped",
  },
  resultHeading: (n: number, site: string) => (n === 0 ? `Nothing was changed on ${site}` : `${changes(n)} made on ${site}`),
  recorded: (school: string) => `Recorded in “${school}”: Put it back undoes them, newest first.`,
  tokensSaved: (n: number, persistent: boolean) =>
    `${n === 1 ? "The new token is" : "Both new tokens are"} kept ${persistent ? "in the system keyring" : "for this session only"}; give ${n === 1 ? "it" : "them"} to openSIS on its page.`,
  notOnSite: (names: string) =>
    `Not on this site (step 3: the openSIS-Web-Services plugin brings them): ${names}.`,
  stopped: (step: number, what: string, why: string) => `Stopped at step ${step} (${what}): ${why}`,
  madeList: (n: number) => `What was made, with what Moodle's page showed after each (${n})`,
  proofHeading: "The proof: every check, run now",
  proving: "Checking…",
  toOpensis: "Continue: give the connection to openSIS",
  // Put it back
  undoHeading: (n: number) => `Put back ${changes(n)}?`,
  undoLead: (when: string, site: string) =>
    `The app signs in to ${site} again and undoes the changes of its run at ${when}, newest first, each through the same administration page. The plugin auth_userkey stays installed (uninstalling it would delete its data). Tokens the run created are deleted in Moodle and here: openSIS cannot connect with them any more.`,
  undoConfirm: (n: number) => `Sign in and put back ${changes(n)}`,
  undoing: "Putting the changes back…",
  undoProgress: (n: number) => `Putting back ${changes(n)}`,
  undoneHeading: (n: number) => `${changes(n)} put back`,
  undoneLeft: (n: number) => `${n} left as ${n === 1 ? "it is" : "they are"}:`,
  undoneTokens: (n: number) =>
    `${n === 1 ? "The token the run created was" : "The tokens the run created were"} deleted from this school.`,
  undoneAll: "Moodle is as it was before that run, but for what is left as it is above.",
  putBackList: (n: number) => `Each change, with what Moodle's page showed after it was put back (${n})`,
  undoStopped: (step: number, what: string, why: string) =>
    `Stopped putting back step ${step} (${what}): ${why} The changes before it in the list were put back; the run stays recorded, so Put it back can go on later.`,
  // Fix it on Diagnose
  fixIt: "Fix it",
  fixItHint: "Sign in to Moodle; the app shows what it would change to fix the failing steps, and changes it when you agree.",
  notFixable: (problems: string) =>
    `Not fixable from Moodle's administration pages: ${problems} Fix the site itself first.`,
  // Problems
  problemHeading: "The app could not go on",
  tryAgain: "Sign in again",
};
