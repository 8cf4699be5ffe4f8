// Owns: the wizard's frame — the rail (or the compact stepper in a narrow window) beside the
// current page, the heading taking focus on each page so screen readers announce it, and the
// page remembered as where the admin is. Must not: hold a page's content.

import { createEffect, Match, on, Switch } from "solid-js";
import { Rail, Stepper } from "../components/Rail";
import { pageTitle } from "../components/titles";
import { DONE_PAGE, JOURNEY, SIS_PAGE, pageIndex, type PageKey } from "../model/journey";
import { goToPage, rememberPage } from "../store/actions";
import { GROUP_TITLES, PAGES, S } from "../strings";
import { DonePage } from "./DonePage";
import { SisPage } from "./SisPage";
import { StepPage } from "./StepPage";

function SisPanel() {
  return (
    <section class="panel" aria-labelledby="page-heading">
      <p class="page-number">{GROUP_TITLES.opensis}</p>
      <h2 id="page-heading" tabindex="-1">
        {pageTitle(SIS_PAGE)}
      </h2>
      <p class="subtitle">{PAGES[SIS_PAGE]?.subtitle}</p>
      <SisPage onSaved={() => document.getElementById("sis-result")?.focus()} />
      <nav class="page-nav" aria-label={S.stepsNav}>
        <button type="button" class="secondary" id="prev" onClick={() => goToPage(JOURNEY[pageIndex(SIS_PAGE) - 1]?.key ?? "15")}>
          ← {S.back}
        </button>
        <button type="button" class="secondary" id="next" onClick={() => goToPage(DONE_PAGE)}>
          {S.next}: {pageTitle(DONE_PAGE)} →
        </button>
      </nav>
    </section>
  );
}

export function WizardPage(props: { page: PageKey }) {
  // Where the admin is, and how far they went, however the page was reached.
  createEffect(on(() => props.page, (page) => rememberPage(page)));
  createEffect(
    on(
      () => props.page,
      () => queueMicrotask(() => document.getElementById("page-heading")?.focus()),
      { defer: true },
    ),
  );
  return (
    <div class="wizard">
      <Rail current={props.page} />
      <div class="wizard-main">
        <Stepper current={props.page} />
        <Switch fallback={<StepPage page={props.page} />}>
          <Match when={props.page === SIS_PAGE}>
            <SisPanel />
          </Match>
          <Match when={props.page === DONE_PAGE}>
            <DonePage />
          </Match>
        </Switch>
      </div>
    </div>
  );
}
