// Owns: the order of the wizard's pages — the guide's steps regrouped so that each can be
// proven as soon as it is done, the two token pages where the tokens first become useful —
// and the rail's groups. Must not: hold words (strings/) or judge anything.

/** A page of the wizard, by the key its route uses. */
export type PageKey = string;

export type GroupId = "site" | "plugins" | "authentication" | "web_services" | "tokens" | "opensis";

export interface JourneyPage {
  key: PageKey;
  /** The guide's step number shown beside it (token pages are the guide's step 15). */
  seed: number | null;
  group: GroupId;
}

export const TOKEN_OPENSIS = "token-opensis";
export const TOKEN_USERKEY = "token-userkey";
export const SIS_PAGE = "opensis";
export const DONE_PAGE = "done";
/** The openSIS page's tick for the type-it-myself path: the admin typed the connection in. */
export const SIS_TYPED_ITEM = "opensis-typed-in";
/** The openSIS page's place in the profile's progress (after the catalog's 0–15). */
export const SIS_PROGRESS_STEP = 16;

const page = (key: PageKey, seed: number | null, group: GroupId): JourneyPage => ({ key, seed, group });

/**
 * Web services (11) and REST (13) come before the service (9, 10): every token check needs
 * both. The opensis token is asked for once the service is whole — created (9, 10) and given
 * its functions (14) — because Moodle refuses every call of a service without functions; so
 * the token proves steps 1, 3, 9, 10 and 14 the moment it is pasted. The user-key token comes
 * right after the admin is authorised on its service (12) and proves steps 7 and 12.
 */
export const JOURNEY: readonly JourneyPage[] = [
  page("0", 0, "site"),
  page("1", 1, "site"),
  page("2", 2, "plugins"),
  page("4", 4, "plugins"),
  page("3", 3, "plugins"),
  page("5", 5, "authentication"),
  page("6", 6, "authentication"),
  page("7", 7, "authentication"),
  page("8", 8, "authentication"),
  page("11", 11, "web_services"),
  page("13", 13, "web_services"),
  page("9", 9, "web_services"),
  page("10", 10, "web_services"),
  page("14", 14, "web_services"),
  page(TOKEN_OPENSIS, 15, "tokens"),
  page("12", 12, "tokens"),
  page(TOKEN_USERKEY, 15, "tokens"),
  page("15", 15, "tokens"),
  page(SIS_PAGE, null, "opensis"),
  page(DONE_PAGE, null, "opensis"),
];

export const GROUPS: readonly GroupId[] = ["site", "plugins", "authentication", "web_services", "tokens", "opensis"];

export function pageIndex(key: PageKey): number {
  return JOURNEY.findIndex((p) => p.key === key);
}

export function journeyPage(key: PageKey): JourneyPage | undefined {
  return JOURNEY.find((p) => p.key === key);
}

export function isPageKey(key: string): boolean {
  return pageIndex(key) >= 0;
}

/** Requests shaped like openSIS's sync reach Moodle (a step-0 check that needs the opensis token). */
export const SYNC_REQUESTS_CHECK = "site_sync_requests";

/** The page where a check's step is done (step 15 is spread over three pages). */
export function pageOfCheck(step: number, check: string): PageKey {
  // The site's own check that can only run with a working opensis token: openSIS's sync
  // requests, shaped, get through the web server (step 0, judged the moment the token works).
  if (check === SYNC_REQUESTS_CHECK) return TOKEN_OPENSIS;
  if (step !== 15) return String(step);
  if (OPENSIS_TOKEN_CHECKS.includes(check)) return TOKEN_OPENSIS;
  if (USERKEY_TOKEN_CHECKS.includes(check)) return TOKEN_USERKEY;
  return "15";
}

/** The checks shown on each token page; the rest of step 15 is on page "15". */
export const OPENSIS_TOKEN_CHECKS = [
  "opensis_token",
  "opensis_token_expired",
  "opensis_token_ip_restricted",
  "opensis_token_admin",
  "token_user_account",
  "token_user_password_change",
  "token_user_profile_incomplete",
  "token_user_site_policy",
  "token_user_refused",
];
export const USERKEY_TOKEN_CHECKS = ["userkey_token", "userkey_token_expired", "tokens_in_right_fields"];

/** The steps a token page proves the moment its token is pasted (all on earlier pages). */
export const PROVEN_BY_TOKEN: Record<string, number[]> = {
  [TOKEN_OPENSIS]: [1, 3, 9, 10, 14],
  [TOKEN_USERKEY]: [7, 12],
};

/** The token a page asks for, by the token's page. */
export type TokenPage = typeof TOKEN_OPENSIS | typeof TOKEN_USERKEY;

/** The guide's step right before a token's page ("asked for right after step 14"). */
export function stepBefore(key: PageKey): number | null {
  return JOURNEY[pageIndex(key) - 1]?.seed ?? null;
}

/** Whether page `a` comes after page `b` in the journey. */
export function isAfter(a: PageKey, b: PageKey): boolean {
  return pageIndex(a) > pageIndex(b);
}
