// Owns: the summary an admin can hand over — the verdict first, the actions at the top, a
// compact table (page · mark · one line, details on demand) that never overflows, the
// openSIS state (saved through its API and proven, or typed in and ticked by the admin), and
// the report saved or copied as Markdown. Must not: judge.

import { createSignal, For, Match, Show, Switch } from "solid-js";
import { api } from "../api";
import { CopyButton } from "../components/CopyButton";
import { OUTCOME_ICON } from "../components/Results";
import { Mark } from "../components/Mark";
import { MoodleText } from "../components/MoodleText";
import { pageTitle } from "../components/titles";
import { DONE_PAGE, JOURNEY, SIS_PAGE, type PageKey } from "../model/journey";
import { byRank, pageFindings, pageLook, type Look } from "../model/results";
import { clock, isoDate } from "../model/time";
import { goToPage, runChecks } from "../store/actions";
import { sisState, type SisState } from "../store/sis";
import { message, store } from "../store/state";
import { LOOK_SHORT, S, SIS } from "../strings";

/** The openSIS page's mark on Done: proven only through the API; typed in is the admin's tick. */
const SIS_LOOK: Record<SisState, Look> = { saved: "proven", typed: "ticked", checked: "manual", none: "todo" };

function rowLook(key: PageKey): Look {
  return key === SIS_PAGE ? SIS_LOOK[sisState(store.profile)] : pageLook(key, store.report, store.profile);
}

function rowWords(key: PageKey, look: Look): string {
  return key === SIS_PAGE ? SIS.doneMark[sisState(store.profile)] : (LOOK_SHORT[look] ?? "");
}

function oneLine(key: PageKey): string {
  if (key === SIS_PAGE) return SIS.doneLine[sisState(store.profile)];
  const findings = [...pageFindings(key, store.report)].sort(byRank);
  const first = findings[0];
  if (!first) {
    const by = store.steps.find((s) => String(s.number) === key)?.proven_by;
    return by === null || by === undefined ? "" : S.doneConfirmedBy(by);
  }
  if (first.status === "pass") return S.doneChecksPassed(findings.length);
  return first.summary;
}

export async function reportText(): Promise<string> {
  const p = store.profile;
  if (!store.report || !p) return "";
  return api.reportMarkdown(store.report, S.reportTitle(p.name), new Date().toLocaleString());
}

export function DonePage() {
  const [saved, setSaved] = createSignal<string | null>(null);
  const runAll = () => runChecks(false);
  const save = async () => {
    const p = store.profile;
    if (!p) return;
    try {
      if (!store.report) await runChecks(false);
      const name = `moodle-setup ${p.name} ${isoDate(Date.now())}`;
      setSaved(S.reportSaved(await api.saveReport(await reportText(), name)));
    } catch (e) {
      setSaved(message(e));
    }
  };
  const sis = () => sisState(store.profile);
  return (
    <section class="panel done" aria-labelledby="page-heading">
      <h2 id="page-heading" tabindex="-1">
        {pageTitle(DONE_PAGE)}
      </h2>
      <Show
        when={store.report}
        fallback={
          <p id="verdict" tabindex="-1" class="verdict could_not_tell">
            {S.doneNotChecked}
          </p>
        }
      >
        {(r) => (
          <p id="verdict" tabindex="-1" class={`verdict ${r().verdict.outcome}`}>
            <span aria-hidden="true">{OUTCOME_ICON[r().verdict.outcome]} </span>
            {r().verdict.headline}
          </p>
        )}
      </Show>
      <p class="checked-at">
        <Show when={store.checkedAt}>{(t) => <>{S.checkedAt(clock(t()))}</>}</Show>
        <Show when={store.stale}>{(why) => <span class="stale-note"> {S.outOfDate(why())}</span>}</Show>
      </p>
      <Switch>
        <Match when={sis() === "saved"}>
          <p class="banner-ok" id="done-sis">{`✔ ${SIS.done.saved}`}</p>
        </Match>
        <Match when={sis() === "typed"}>
          <p class="banner-ok banner-ticked" id="done-sis">
            <span aria-hidden="true">☑ </span>
            <MoodleText text={SIS.done.typed} />
          </p>
        </Match>
        <Match when={sis() === "checked"}>
          <p class="hint" id="done-sis">
            {SIS.done.checked}{" "}
            <button type="button" class="link" id="done-goto-sis" onClick={() => goToPage(SIS_PAGE)}>
              {SIS.goToSis}
            </button>
          </p>
        </Match>
        <Match when={sis() === "none"}>
          <p class="hint" id="done-sis">
            {S.doneNotReady}
          </p>
        </Match>
      </Switch>
      <div class="actions">
        <button type="button" class="primary" id="run-all" aria-disabled={store.busy !== null} onClick={() => void runAll()}>
          {store.busy === S.checking ? S.checking : S.checkAll}
        </button>
        <span class="copy">
          <button type="button" class="secondary" id="save-report" onClick={() => void save()}>
            {S.saveReport}
          </button>
          <span class="toast" role="status">
            {saved() ?? ""}
          </span>
        </span>
        <CopyButton id="copy-report" label={S.copyReport} text={reportText} disabled={!store.report} small={false} />
      </div>
      <table class="summary">
        <thead>
          <tr>
            <th scope="col" class="col-step">{S.doneTableStep}</th>
            <th scope="col">{S.doneTableWhat}</th>
            <th scope="col" class="col-result">{S.doneTableResult}</th>
          </tr>
        </thead>
        <tbody>
          <For each={JOURNEY.filter((p) => p.key !== DONE_PAGE)}>
            {(page) => {
              const look = () => rowLook(page.key);
              return (
                <tr class={`look-${look()}`} data-page={page.key}>
                  <td class="col-step">{page.seed ?? "—"}</td>
                  <td>
                    <button type="button" class="link summary-title" onClick={() => goToPage(page.key)}>
                      {pageTitle(page.key)}
                    </button>
                    <div class="summary-line">{oneLine(page.key)}</div>
                  </td>
                  <td class="col-result">
                    <Mark look={look()} words={rowWords(page.key, look())} />
                  </td>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
    </section>
  );
}
