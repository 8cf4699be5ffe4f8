// Owns: a results view — one verdict line first (it takes focus after a check), the time it
// was checked and whether it is out of date, what needs the admin, the waiting checks grouped
// by what they wait for, and the passes folded away. Must not: judge.

import { For, Show } from "solid-js";
import type { Finding, Outcome } from "../bindings";
import { pageOfCheck, type PageKey } from "../model/journey";
import { groupFindings } from "../model/results";
import { goToPage } from "../store/actions";
import { store } from "../store/state";
import { checkTitle, S } from "../strings";
import { CheckedAt } from "./CheckedAt";
import { FindingCard } from "./FindingCard";

export const OUTCOME_ICON: Record<Outcome, string> = { passed: "✔", failed: "✖", could_not_tell: "?" };

export function Results(props: {
  findings: Finding[];
  outcome: Outcome;
  headline: string;
  /** Name each finding's step and offer a way to it. */
  showStep: boolean;
  pageLink?: string | null;
  /** Open the verdict with the outcome's mark; a step's own line carries its own. */
  label?: boolean;
  /** The wizard page it is shown on: waits are said from there. */
  page?: PageKey;
}) {
  const grouped = () =>
    groupFindings(
      props.findings,
      (n) => S.blockedBy(n, store.steps.find((s) => s.number === n)?.title ?? ""),
      props.page === undefined ? {} : { page: props.page },
    );
  const hasFailure = () => grouped().attention.some((f) => f.status === "fail");
  return (
    <section class="results" classList={{ stale: store.stale !== null }} aria-label={S.resultsHeading}>
      <p id="verdict" tabindex="-1" class={`verdict ${props.outcome}`}>
        <Show when={props.label !== false}>
          <span aria-hidden="true">{OUTCOME_ICON[props.outcome]} </span>
        </Show>
        {props.headline}
      </p>
      <CheckedAt />
      <For each={grouped().attention}>
        {(f) => <FindingCard finding={f} showStep={props.showStep} pageLink={props.pageLink ?? null} />}
      </For>
      <Show when={hasFailure() && grouped().waiting.length > 0}>
        <p class="hint">{S.fixThenRerun}</p>
      </Show>
      <For each={grouped().toLook}>
        {(f) => <FindingCard finding={f} showStep={props.showStep} pageLink={props.pageLink ?? null} />}
      </For>
      <For each={grouped().waiting}>
        {(g) => (
          <section class="wait-group">
            <h4>
              <span aria-hidden="true">◷ </span>
              {S.waitingGroup(g.findings.length, g.reason)}
            </h4>
            <ul>
              <For each={g.findings}>
                {(f) => (
                  <li data-check={f.check}>
                    <Show when={props.showStep} fallback={checkTitle(f.check)}>
                      <button type="button" class="link" onClick={() => goToPage(pageOfCheck(f.step, f.check))}>
                        {S.stepLabel(f.step)} · {checkTitle(f.check)}
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </For>
      <Show when={grouped().passed.length > 0}>
        <details class="passed">
          <summary>
            <span aria-hidden="true">✔ </span>
            {S.passedCollapsed(grouped().passed.length)}
          </summary>
          <ul>
            <For each={grouped().passed}>
              {(f) => (
                <li data-check={f.check}>
                  <Show when={props.showStep}>{S.stepLabel(f.step)} · </Show>
                  {f.summary}
                </li>
              )}
            </For>
          </ul>
        </details>
      </Show>
    </section>
  );
}
