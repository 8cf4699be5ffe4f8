// Owns: the demo controls, folded away in a drawer — which recorded Moodle and state the
// simulated site replays, a made-up proxy in front, and the tokens it made. Must not: appear
// for a real school.

import { createResource, For, Show } from "solid-js";
import { api } from "../api";
import { fillDemoTokens, switchDemo } from "../store/demo";
import { store } from "../store/state";
import { DEMO, S, STATE_LABELS } from "../strings";
import { CopyButton } from "./CopyButton";
import { MoodleText } from "./MoodleText";

const isJourney = (name: string) => name.startsWith("journey_");

/** The recorded states in two groups: a complete site broken one way, and a first set-up. */
const STATE_GROUPS = [
  { label: DEMO.brokenStates, holds: (name: string) => !isJourney(name) },
  { label: DEMO.journeyStates, holds: isJourney },
];

/** `journey_app_03_userkey_set` → "The app's order, 3: userkey set". */
export function stateLabel(name: string): string {
  const known = STATE_LABELS[name];
  if (known) return known;
  const m = /^journey_(guide|app)_(\w+?)_(.+)$/.exec(name);
  const [, order, at, what] = m ?? [];
  if (order && at && what) return DEMO.journeyLabel(order === "app", at.replace(/^0/, ""), what.replace(/_/g, " "));
  return name.replace(/^journey_/, "").replace(/_/g, " ");
}

export function DemoDrawer() {
  const demo = () => store.demo;
  const version = () => demo()?.versions.find((v) => v.id === demo()?.version);
  const current = () => version()?.states.find((s) => s.name === demo()?.state);
  const proxy = () => demo()?.front === "proxy_page";
  const [tokens] = createResource(() => store.demo?.version, () => api.demoTokens().catch(() => null));
  return (
    <Show when={demo()}>
      {(d) => (
        <details class="demo-drawer" id="demo-drawer">
          <summary>
            <strong>{DEMO.open}</strong>
            <span class="hint">
              {" "}
              · {DEMO.summary(version()?.release ?? d().version, stateLabel(d().state))}
            </span>
          </summary>
          <div class="demo-body">
            <p class="hint">{DEMO.hint}</p>
            <div class="demo-grid">
              <div>
                <label for="demo-version">{DEMO.version}</label>
                <select
                  id="demo-version"
                  onChange={(e) => {
                    const id = e.currentTarget.value;
                    const next = d().versions.find((v) => v.id === id);
                    const keep = next?.states.some((s) => s.name === d().state) ? d().state : "good";
                    void switchDemo(id, keep, proxy());
                  }}
                >
                  <For each={d().versions}>
                    {(v) => (
                      <option value={v.id} selected={v.id === d().version}>
                        {DEMO.versionLabel(v.release, v.debugging)}
                      </option>
                    )}
                  </For>
                </select>
              </div>
              <div>
                <label for="demo-state">{DEMO.state}</label>
                <select id="demo-state" onChange={(e) => void switchDemo(d().version, e.currentTarget.value, proxy())}>
                  <For each={STATE_GROUPS}>
                    {(group) => (
                      <Show when={(version()?.states ?? []).some((st) => group.holds(st.name))}>
                        <optgroup label={group.label}>
                          <For each={(version()?.states ?? []).filter((st) => group.holds(st.name))}>
                            {(st) => (
                              <option value={st.name} selected={st.name === d().state}>
                                {stateLabel(st.name)}
                              </option>
                            )}
                          </For>
                        </optgroup>
                      </Show>
                    )}
                  </For>
                </select>
              </div>
            </div>
            <Show when={current()}>
              {(c) => (
                <p class="hint" id="demo-state-description">
                  {DEMO.changed(c().description)}
                </p>
              )}
            </Show>
            <p class="choice">
              <input
                type="checkbox"
                id="demo-proxy"
                checked={proxy()}
                onChange={(e) => void switchDemo(d().version, d().state, e.currentTarget.checked)}
              />
              <label for="demo-proxy">{DEMO.proxy}</label>
            </p>
            <h3>{DEMO.tokensHeading}</h3>
            <p class="hint">
              <MoodleText text={DEMO.tokensHint} />
            </p>
            <Show when={tokens()}>
              {(t) => (
                <p class="demo-tokens">
                  <CopyButton id="demo-copy-opensis" label={DEMO.opensisToken} ariaLabel={S.copyNamed(DEMO.opensisToken)} text={() => t().opensis} />
                  <CopyButton id="demo-copy-userkey" label={DEMO.userkeyToken} ariaLabel={S.copyNamed(DEMO.userkeyToken)} text={() => t().userkey} />
                  <button type="button" class="secondary small" id="demo-fill-tokens" onClick={() => void fillDemoTokens()}>
                    {DEMO.fillTokens}
                  </button>
                </p>
              )}
            </Show>
            <p class="hint">{DEMO.noPlugin}</p>
          </div>
        </details>
      )}
    </Show>
  );
}
