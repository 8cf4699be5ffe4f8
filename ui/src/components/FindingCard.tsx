// Owns: one finding as a card — its mark, the sentence for the admin, the fix to act on, a
// way to the step, and what was seen kept behind "Details". Must not: show raw errors or
// HTML as the main text.

import { Show } from "solid-js";
import type { Finding } from "../bindings";
import { TOKEN_USERKEY, pageOfCheck } from "../model/journey";
import { type Look } from "../model/results";
import { goToPage } from "../store/actions";
import { store } from "../store/state";
import { checkTitle, S } from "../strings";
import { FixBlock } from "./FixBlock";
import { KeyLifetimeProof } from "./KeyLifetimeProof";
import { Mark } from "./Mark";
import { OpenInMoodle } from "./OpenInMoodle";

export function lookOf(f: Finding): Look {
  switch (f.status) {
    case "pass":
      return "proven";
    case "not_visible":
      return "manual";
    case "blocked":
    case "waiting":
    case "skipped":
      return "waiting";
    default:
      return f.status;
  }
}

export function FindingCard(props: {
  finding: Finding;
  /** Name the step and offer a way to it (Diagnose, Done, or a finding of another step). */
  showStep: boolean;
  /** The page's own "Open in Moodle" already points here. */
  pageLink?: string | null;
}) {
  const f = () => props.finding;
  const step = () => store.steps.find((s) => s.number === f().step);
  // Opening the site does not help when it does not answer or is the wrong site (step 0).
  const openLink = () =>
    (f().status === "fail" || f().status === "warn") && f().step !== 0 && f().link !== props.pageLink
      ? f().link
      : null;
  return (
    <article
      class={`finding look-${lookOf(f())}`}
      data-check={f().check}
      aria-label={`${S.status[f().status]}: ${checkTitle(f().check)}`}
    >
      <header class="finding-head">
        <Mark look={lookOf(f())} words={S.status[f().status]} />
        <span class="finding-title">{checkTitle(f().check)}</span>
        <Show when={props.showStep && step()}>
          {(s) => (
            <button
              type="button"
              class="link"
              id={`goto-${f().check}`}
              onClick={() => goToPage(pageOfCheck(s().number, f().check))}
            >
              {S.goToStep(s().number)} · {s().title}
            </button>
          )}
        </Show>
      </header>
      <p class="finding-summary">{f().summary}</p>
      <Show when={f().check === "userkey_lifetime" && f().status !== "pass"}>
        <KeyLifetimeProof />
        <Show when={store.keyProofNote}>
          {(note) => (
            <p class="warn-text key-proof-note" id="key-proof-note" tabindex="-1" role="status">
              {note()}{" "}
              <button type="button" class="link" id="key-proof-to-token" onClick={() => goToPage(TOKEN_USERKEY)}>
                {S.keyProofGoToToken} →
              </button>
            </p>
          )}
        </Show>
      </Show>
      <Show when={f().fix !== "" && f().status !== "pass"}>
        <FixBlock fix={f().fix} id={`fix-${f().check}`} />
      </Show>
      <Show when={openLink()}>{(url) => <OpenInMoodle url={url()} />}</Show>
      <Show when={f().evidence !== ""}>
        <details class="evidence">
          <summary>{S.details}</summary>
          <p>{f().evidence}</p>
        </details>
      </Show>
    </article>
  );
}
