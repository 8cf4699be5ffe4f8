// Owns: the line under a verdict — when the results were checked, and why they are out of
// date. Must not: judge, or run a check.

import { Show } from "solid-js";
import { clock } from "../model/time";
import { store } from "../store/state";
import { S } from "../strings";

export function CheckedAt() {
  return (
    <p class="checked-at">
      <Show when={store.checkedAt}>{(t) => <>{S.checkedAt(clock(t()))}</>}</Show>
      <Show when={store.stale}>
        {(why) => (
          <span class="stale-note" role="note">
            {" "}
            {S.outOfDate(why())}
          </span>
        )}
      </Show>
    </p>
  );
}
