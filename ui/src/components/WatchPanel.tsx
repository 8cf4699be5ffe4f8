// Owns: "Watch this connection" for the open school — on or off, how often, what it does —
// and its recent checks. Must not: schedule anything (the Rust side watches).

import { createResource, For, Show } from "solid-js";
import { refreshHistory, setWatch } from "../store/district";
import { store } from "../store/state";
import { intervalLabel, W } from "../strings";
import { LastCheck } from "./LastCheck";

export function WatchPanel() {
  const watch = () => store.profile?.watch ?? { enabled: false, interval_minutes: 30 };
  createResource(() => store.profile?.id, () => refreshHistory().catch(() => {}));
  return (
    <section class="watch" aria-labelledby="watch-heading">
      <h3 id="watch-heading">{W.heading}</h3>
      <div class="watch-controls">
        <p class="choice">
          <input
            type="checkbox"
            id="watch-toggle"
            checked={watch().enabled}
            aria-describedby="watch-explain"
            onChange={(e) => void setWatch(e.currentTarget.checked, watch().interval_minutes)}
          />
          <label for="watch-toggle">{W.toggle}</label>
        </p>
        <label for="watch-interval" class="inline-label">
          {W.every}
        </label>
        <select
          id="watch-interval"
          onChange={(e) => void setWatch(watch().enabled, Number(e.currentTarget.value))}
        >
          <For each={W.intervals}>
            {(m) => (
              <option value={m} selected={m === watch().interval_minutes}>
                {intervalLabel(m)}
              </option>
            )}
          </For>
        </select>
      </div>
      <p class="hint" id="watch-explain">
        {W.explain}
      </p>
      <Show when={store.history?.set_aside}>{(path) => <p class="warn-text">⚠ {W.setAside(path())}</p>}</Show>
      <h4>{W.historyHeading}</h4>
      <Show when={(store.history?.entries.length ?? 0) > 0} fallback={<p class="hint">{W.noHistory}</p>}>
        <ol class="history">
          <For each={store.history?.entries ?? []}>
            {(s) => (
              <li>
                <LastCheck snapshot={s} />
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
