// Owns: how long each part of a check took (site, tokens, single sign-on), folded behind
// "Details", with a sentence when Moodle was slow. Must not: judge the site.

import { For, Show } from "solid-js";
import type { Timings as TimingsOf } from "../bindings";
import { S } from "../strings";

/// A check that takes longer than this in all is slow for an admin to wait on.
export const SLOW_MS = 10_000;

/** "840 ms" under a second, "2.4 s" from there. */
export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function Timings(props: { timings: TimingsOf }) {
  const rows = () => [
    { label: S.timingsSite, ms: props.timings.site_ms },
    { label: S.timingsTokens, ms: props.timings.tokens_ms },
    { label: S.timingsSso, ms: props.timings.sso_ms },
    { label: S.timingsTotal, ms: props.timings.total_ms },
  ];
  return (
    <details class="timings">
      <summary>{S.timingsSummary}</summary>
      <dl>
        <For each={rows()}>
          {(r) => (
            <>
              <dt>{r.label}</dt>
              <dd>{r.ms === null ? S.timingsNotRun : duration(r.ms)}</dd>
            </>
          )}
        </For>
      </dl>
      <Show when={props.timings.total_ms >= SLOW_MS}>
        <p class="hint">{S.timingsSlow(duration(props.timings.total_ms))}</p>
      </Show>
    </details>
  );
}
