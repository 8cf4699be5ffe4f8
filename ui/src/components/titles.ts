// Owns: the title and number shown for a wizard page. Must not: hold words (strings/).

import { journeyPage, type PageKey } from "../model/journey";
import { store } from "../store/state";
import { PAGES, S } from "../strings";

export function pageTitle(key: PageKey): string {
  const own = PAGES[key]?.title;
  if (own) return own;
  return store.steps.find((s) => String(s.number) === key)?.title ?? key;
}

/** "Step 7" for the guide's steps (token pages are its step 15); nothing for the rest. */
export function pageNumber(key: PageKey): string | null {
  const seed = journeyPage(key)?.seed;
  return seed === null || seed === undefined ? null : S.stepLabel(seed);
}
