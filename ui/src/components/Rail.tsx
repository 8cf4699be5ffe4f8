// Owns: the side rail — the pages grouped (Site · Plugins · Authentication · Web services ·
// Tokens · openSIS), each with its mark, the overall progress and the legend; and the compact
// stepper that replaces it in a narrow window. Must not: decide a page's look (a page ahead of
// the admin is never painted failing: model/results.ts railLook).

import { For } from "solid-js";
import { GROUPS, JOURNEY, pageIndex, type PageKey } from "../model/journey";
import { provenCount, railLook, reachedIndex, type Look } from "../model/results";
import { goToPage } from "../store/actions";
import { store } from "../store/state";
import { GROUP_TITLES, LEGEND, S } from "../strings";
import { markSymbol, markWords } from "./Mark";
import { pageNumber, pageTitle } from "./titles";

/** How a page shows here, the admin being on `current`. */
function lookOn(key: PageKey, current: PageKey): Look {
  return railLook(key, store.report, store.profile, reachedIndex(store.profile, current));
}

function label(key: PageKey, current: PageKey): string {
  const number = pageNumber(key);
  const look = lookOn(key, current);
  const stale = store.stale !== null && look !== "todo" ? ` (${S.outOfDate(store.stale)})` : "";
  return `${number ? `${number}: ` : ""}${pageTitle(key)} — ${markWords(look)}${stale}`;
}

function Progress() {
  const proven = () => provenCount(store.report, store.profile);
  return (
    <p class="rail-progress">
      <progress max={14} value={proven()} aria-hidden="true" />
      <span>{S.progress(proven())}</span>
    </p>
  );
}

export function Rail(props: { current: PageKey }) {
  return (
    <nav class="rail" aria-label={S.stepsNav}>
      <Progress />
      <For each={GROUPS}>
        {(group) => (
          <div class="rail-group">
            <h3 class="rail-group-title" id={`group-${group}`}>
              {GROUP_TITLES[group]}
            </h3>
            <ol aria-labelledby={`group-${group}`}>
              <For each={JOURNEY.filter((p) => p.group === group)}>
                {(page) => {
                  const look = () => lookOn(page.key, props.current);
                  return (
                    <li>
                      <button
                        type="button"
                        id={`rail-${page.key}`}
                        class={`rail-item look-${look()}`}
                        classList={{ stale: store.stale !== null }}
                        aria-current={page.key === props.current ? "step" : undefined}
                        aria-label={label(page.key, props.current)}
                        onClick={() => goToPage(page.key)}
                      >
                        <span class="rail-icon" aria-hidden="true">
                          {markSymbol(look())}
                        </span>
                        <span class="rail-number" aria-hidden="true">
                          {page.seed ?? ""}
                        </span>
                        <span class="rail-title" aria-hidden="true">
                          {pageTitle(page.key)}
                        </span>
                      </button>
                    </li>
                  );
                }}
              </For>
            </ol>
          </div>
        )}
      </For>
      <div class="legend">
        <h3 class="rail-group-title">{S.legendHeading}</h3>
        <ul>
          <For each={LEGEND}>
            {([look, symbol, words]) => (
              <li class={`look-${look}`}>
                <span class="rail-icon" aria-hidden="true">
                  {symbol}
                </span>{" "}
                {words}
              </li>
            )}
          </For>
        </ul>
      </div>
    </nav>
  );
}

/** In a narrow window: one line with the page list and the progress, above the page. */
export function Stepper(props: { current: PageKey }) {
  return (
    <div class="stepper">
      <label for="stepper-select">{S.pageOf(pageIndex(props.current) + 1, JOURNEY.length)}</label>
      <select id="stepper-select" onChange={(e) => goToPage(e.currentTarget.value)}>
        <For each={JOURNEY}>
          {(page) => (
            <option value={page.key} selected={page.key === props.current}>
              {`${markSymbol(lookOn(page.key, props.current))} ${label(page.key, props.current)}`}
            </option>
          )}
        </For>
      </select>
      <Progress />
    </div>
  );
}
