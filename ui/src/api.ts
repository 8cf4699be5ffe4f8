// Owns: the typed calls into the Rust commands; argument and result types are the generated
// bindings. Must not: hold state or decide anything.

import { invoke } from "@tauri-apps/api/core";
import type {
  AddressPreview,
  HistoryView,
  SchoolChecked,
  SchoolSummary,
  DemoTokens,
  ErrorPayload,
  DemoSis,
  DemoSite,
  Front,
  SisForm,
  SisSaveResult,
  PluginsSummary,
  KeyringStatus,
  Profile,
  Report,
  RunResult,
  SecretKind,
  SetupOverview,
  SetupPlan,
  Step,
  TokenState,
  UndoResult,
} from "./bindings";

/** A command's failure as the UI shows it. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isPayload(e: unknown): e is ErrorPayload {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isPayload(e)) throw new AppError(e.code, e.message);
    throw new AppError("unexpected", String(e));
  }
}

export const api = {
  listProfiles: () => call<Profile[]>("list_profiles"),
  lastProfile: () => call<Profile | null>("last_profile"),
  createProfile: (name: string) => call<Profile>("create_profile", { name }),
  saveProfile: (profile: Profile) => call<Profile>("save_profile", { profile }),
  renameProfile: (id: string, name: string) => call<Profile>("rename_profile", { id, name }),
  duplicateProfile: (id: string) => call<Profile>("duplicate_profile", { id }),
  deleteProfile: (id: string) => call<null>("delete_profile", { id }),
  keyringStatus: () => call<KeyringStatus>("keyring_status"),
  useSessionSecrets: () => call<KeyringStatus>("use_session_secrets"),
  setToken: (profileId: string, kind: SecretKind, value: string) =>
    call<TokenState>("set_token", { profileId, kind, value }),
  clearToken: (profileId: string, kind: SecretKind) =>
    call<TokenState>("clear_token", { profileId, kind }),
  tokenState: (profileId: string) => call<TokenState>("token_state", { profileId }),
  revealToken: (profileId: string, kind: SecretKind) =>
    call<string>("reveal_token", { profileId, kind }),
  getProfile: (id: string) => call<Profile>("get_profile", { id }),
  normalizeUrl: (input: string) => call<AddressPreview>("normalize_url", { input }),
  diagnoseProfile: (profileId: string, wizard = false) =>
    call<Report>("diagnose_profile", { profileId, wizard }),
  proveKeyLifetime: (profileId: string) => call<Report>("prove_key_lifetime", { profileId }),
  reportMarkdown: (report: Report, title: string, generatedAt: string) =>
    call<string>("report_markdown", { report, title, generatedAt }),
  startDemo: (preloadTokens = false) =>
    call<Profile>("start_demo", { version: null, siteState: null, preloadTokens }),
  demoTokens: () => call<DemoTokens>("demo_tokens"),
  demoSite: () => call<DemoSite>("demo_site"),
  setDemoSite: (version: string, siteState: string, front: Front | null) =>
    call<DemoSite>("set_demo_site", { version, siteState, front }),
  fetchPlugins: (profileId: string, sources: string[], siteVersion: string | null) =>
    call<PluginsSummary>("fetch_plugins", { profileId, sources, siteVersion }),
  cancelPluginFetch: () => call<null>("cancel_plugin_fetch"),
  revealInFolder: (path: string) => call<null>("reveal_in_folder", { path }),
  sisForm: (profileId: string) => call<SisForm>("sis_form", { profileId }),
  sisSave: (profileId: string, form: SisForm, password: string | null, passphrase: string | null, remember: boolean) =>
    call<SisSaveResult>("sis_save", { profileId, form, password, passphrase, remember }),
  sisForgetPassword: (profileId: string) => call<null>("sis_forget_password", { profileId }),
  demoSis: () => call<DemoSis | null>("demo_sis"),
  uiReady: () => call<null>("ui_ready"),
  appVersion: () => call<string>("app_version"),
  schoolSummaries: () => call<SchoolSummary[]>("school_summaries"),
  checkAllSchools: () => call<SchoolChecked[]>("check_all_schools"),
  setWatch: (profileId: string, enabled: boolean, intervalMinutes: number) =>
    call<Profile>("set_watch", { profileId, enabled, intervalMinutes }),
  schoolHistory: (profileId: string, limit = 10) =>
    call<HistoryView>("school_history", { profileId, limit }),
  watchNow: (profileId: string) => call<SchoolChecked>("watch_now", { profileId }),
  setupOverview: (profileId: string) => call<SetupOverview>("setup_overview", { profileId }),
  /** Opens Moodle's sign-in page in its own window; resolves with the site once signed in. */
  setupSignIn: (profileId: string) => call<string>("setup_sign_in", { profileId }),
  setupCancelSignIn: () => call<null>("setup_cancel_sign_in"),
  setupSignOut: () => call<boolean>("setup_sign_out"),
  setupPlan: (profileId: string) => call<SetupPlan>("setup_plan", { profileId }),
  setupApply: (profileId: string) => call<RunResult>("setup_apply", { profileId }),
  setupUndo: (profileId: string) => call<UndoResult>("setup_undo", { profileId }),
  stepCatalog: () => call<Step[]>("step_catalog"),
  requiredFunctions: () => call<string[]>("required_functions"),
  openExternal: (url: string) => call<null>("open_external", { url }),
  copyText: (text: string) => call<null>("copy_text", { text }),
  saveReport: (markdown: string, fileName: string) =>
    call<string>("save_report", { markdown, fileName }),
};
