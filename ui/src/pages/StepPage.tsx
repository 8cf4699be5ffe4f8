// Owns: one wizard page for a guide step or a token — its title with the guide's number,
// what to do in Moodle, its checklist, its special parts (address, ZIPs, functions, token),
// one primary button, and its results. Must not: judge; the report does.

import { For, Show } from "solid-js";
import { CheckedAt } from "../components/CheckedAt";
import { ChecklistItem } from "../components/ChecklistItem";
import { FunctionsList } from "../components/FunctionsList";
import { markSymbol, markWords } from "../components/Mark";
import { MoodleText } from "../components/MoodleText";
import { OpenInMoodle, siteLink } from "../components/OpenInMoodle";
import { PluginsPanel } from "../components/PluginsPanel";
import { Results } from "../components/Results";
import { pageNumber, pageTitle } from "../components/titles";
import { TokenField } from "../components/TokenField";
import { JOURNEY, PROVEN_BY_TOKEN, TOKEN_OPENSIS, TOKEN_USERKEY, pageIndex, type PageKey } from "../model/journey";
import {
  isTicked,
  itemLook,
  laterVerdict,
  pageFindings,
  pageLook,
  provingPages,
  stepVerdict,
} from "../model/results";
import { goToPage, runChecks, tick } from "../store/actions";
import { store } from "../store/state";
import { GROUP_TITLES, PAGES, S, type ItemText } from "../strings";
import { SiteForm } from "./SiteForm";

/** "step 3 (Install the two openSIS plugins)" for a page, in a sentence. */
function proverName(key: PageKey): string {
  const number = pageNumber(key);
  return S.proverName(number ? number.toLowerCase() : "", pageTitle(key));
}

/** Said before the admin meets it: Moodle refuses the opensis token while the service is
 *  restricted to authorised users (Moodle 4.5's own words). */
function TokenRefusedNote() {
  return (
    <div class="tip token-refused" role="note" aria-labelledby="token-refused-heading">
      <p id="token-refused-heading">
        <strong>{S.tokenRefusedHeading}</strong>
      </p>
      <p>
        <q class="moodle-says">{S.tokenRefusedMoodle}</q>
      </p>
      <p>
        <MoodleText text={S.tokenRefusedFix} />{" "}
        <button type="button" class="link" id="token-refused-step-10" onClick={() => goToPage("10")}>
          {S.tokenRefusedGoTo} →
        </button>
      </p>
    </div>
  );
}

/** The results of a page with no check of its own: which later step proves it. */
function LaterProof(props: { page: PageKey; provers: PageKey[] }) {
  const names = () => props.provers.map(proverName).join(", ");
  const verdict = () => laterVerdict(pageFindings(props.page, store.report), names());
  return (
    <section class="results" classList={{ stale: store.stale !== null }} aria-label={S.resultsHeading}>
      <p id="verdict" tabindex="-1" class={`verdict ${verdict().outcome}`}>
        {verdict().headline}
      </p>
      <CheckedAt />
      <Show when={verdict().outcome !== "passed"}>
        <ul class="provers also-proves">
          <For each={props.provers}>
            {(k) => (
              <li>
                <button type="button" class="link" id={`prover-${k}`} onClick={() => goToPage(k)}>
                  {S.goToProver(pageNumber(k) ?? pageTitle(k))} · {pageTitle(k)} →
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}

/** When an item's checks were proven: the 65-s proof keeps its own time. */
function provenAt(item: ItemText): { at: number | null; proof: boolean } {
  if ((item.checks ?? []).includes("userkey_lifetime") && store.keyProofAt !== null) {
    return { at: store.keyProofAt, proof: true };
  }
  return { at: store.checkedAt, proof: false };
}

function ProvenByToken(props: { page: PageKey }) {
  return (
    <div class="also-proves">
      <h3>{S.alsoProves}</h3>
      <ul>
        <For each={PROVEN_BY_TOKEN[props.page] ?? []}>
          {(n) => {
            const look = () => pageLook(String(n), store.report, store.profile);
            return (
              <li class={`look-${look()}`}>
                <span aria-hidden="true">{markSymbol(look())} </span>
                <button type="button" class="link" onClick={() => goToPage(String(n))}>
                  {S.stepLabel(n)} · {pageTitle(String(n))}
                </button>
                <span class="hint"> — {markWords(look())}</span>
              </li>
            );
          }}
        </For>
      </ul>
    </div>
  );
}

export function StepPage(props: { page: PageKey }) {
  const text = () => PAGES[props.page];
  const step = () => store.steps.find((s) => String(s.number) === props.page);
  const journey = () => JOURNEY[pageIndex(props.page)];
  const link = () => {
    const path = props.page === TOKEN_OPENSIS || props.page === TOKEN_USERKEY ? "admin/webservice/tokens.php" : step()?.admin_path;
    return props.page === "0" ? null : siteLink(store.profile?.moodle_url, path);
  };
  const findings = () => pageFindings(props.page, store.report);
  // The steps a token page also proves, as its list above the results shows them: the line
  // counts them too, so it never says "nothing failed" under a ✖.
  const alsoLooks = () =>
    (PROVEN_BY_TOKEN[props.page] ?? []).map((n) => ({ n, look: pageLook(String(n), store.report, store.profile) }));
  const also = (look: string) =>
    alsoLooks()
      .filter((a) => a.look === look)
      .map((a) => proverName(String(a.n)));
  const verdict = () => stepVerdict(findings(), also("fail"), also("unknown"));
  const provers = () => provingPages(props.page, store.report);
  const proven = () => pageLook(props.page, store.report, store.profile) === "proven";
  const prev = () => JOURNEY[pageIndex(props.page) - 1];
  const next = () => JOURNEY[pageIndex(props.page) + 1];
  return (
    <section class="panel" aria-labelledby="page-heading">
      <p class="page-number">
        {pageNumber(props.page)}
        <Show when={journey()}>{(j) => <>{` · ${GROUP_TITLES[j().group] ?? ""}`}</>}</Show>
      </p>
      <h2 id="page-heading" tabindex="-1">
        {pageTitle(props.page)}
      </h2>
      <Show when={text()?.subtitle}>{(s) => <p class="subtitle">{s()}</p>}</Show>
      <p class="action">
        <MoodleText text={text()?.intro ?? step()?.action ?? ""} />
      </p>
      <Show when={link()}>
        {(url) => (
          <p class="page-actions">
            <OpenInMoodle url={url()} id={`open-step-${props.page}`} />
          </p>
        )}
      </Show>
      <Show when={props.page === "0"}>
        <SiteForm primary={!proven()} />
      </Show>
      <Show when={props.page === "4"}>
        <PluginsPanel />
      </Show>
      <Show when={(text()?.items.length ?? 0) > 0}>
        <ul class="checklist" aria-label={pageTitle(props.page)}>
          <For each={text()?.items ?? []}>
            {(item) => (
              <ChecklistItem
                item={item}
                look={itemLook(item, store.report, isTicked(store.profile, item.id), props.page)}
                ticked={isTicked(store.profile, item.id)}
                checkedAt={provenAt(item).at}
                byProof={provenAt(item).proof}
                notVisible={(item.checks ?? []).some(
                  (c) => store.report?.checks.find((f) => f.check === c)?.status === "not_visible",
                )}
                onTick={(on) => void tick(item.id, on)}
              />
            )}
          </For>
        </ul>
      </Show>
      <Show when={text()?.tip}>
        {(t) => (
          <p class="tip">
            <strong>{S.tip}:</strong> <MoodleText text={t()} />
          </p>
        )}
      </Show>
      <Show when={text()?.caution}>
        {(c) => (
          <p class="caution" role="note">
            <strong>
              ⚠ <MoodleText text={S.caution} />:
            </strong>{" "}
            <MoodleText text={c()} />
          </p>
        )}
      </Show>
      <Show when={props.page === "14"}>
        <FunctionsList />
      </Show>
      <Show when={props.page === TOKEN_OPENSIS}>
        <TokenRefusedNote />
        <TokenField kind="opensis_token" label={S.opensisToken} />
      </Show>
      <Show when={props.page === TOKEN_USERKEY}>
        <TokenField kind="userkey_token" label={S.userkeyToken} />
      </Show>
      <Show when={props.page !== "0"}>
        <p class="check-row">
          <button
            type="button"
            class={proven() ? "secondary" : "primary"}
            id={`check-${props.page}`}
            aria-disabled={store.busy !== null}
            onClick={() => void runChecks(true)}
          >
            {store.busy === S.checking ? S.checking : store.report ? S.checkAgain : S.check}
          </button>
        </p>
      </Show>
      <Show when={PROVEN_BY_TOKEN[props.page] && store.report}>
        <ProvenByToken page={props.page} />
      </Show>
      <Show when={store.report && findings().length > 0} fallback={<p class="hint not-checked">{S.nothingYet}</p>}>
        <Show
          when={provers().length === 0}
          fallback={<LaterProof page={props.page} provers={provers()} />}
        >
          <Results
            findings={findings()}
            outcome={verdict().outcome}
            headline={verdict().headline}
            showStep={false}
            pageLink={link()}
            label={false}
            page={props.page}
          />
        </Show>
      </Show>
      <nav class="page-nav" aria-label={S.stepsNav}>
        <Show when={prev()}>
          {(p) => (
            <button type="button" class="secondary" id="prev" onClick={() => goToPage(p().key)}>
              ← {S.back}
            </button>
          )}
        </Show>
        <Show when={next()}>
          {(n) => (
            <button type="button" class={proven() ? "primary" : "secondary"} id="next" onClick={() => goToPage(n().key)}>
              {S.next}: {pageTitle(n().key)} →
            </button>
          )}
        </Show>
      </nav>
    </section>
  );
}
