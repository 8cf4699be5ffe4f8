// Owns: the screen of "Set it up for me" (and of Diagnose's "Fix it"): before the sign-in (the
// site, the ZIP, the tokens, how the sign-in works), the wait for Moodle's sign-in window, the
// plan with one primary button, each change as it is made with its proof, the result proven by
// every check, and Put it back with its own question and progress. Each phase's heading takes
// the focus. Must not: decide a change or see a password (the Rust side and Moodle's own page).

import { createEffect, createSignal, For, Match, on, onCleanup, Show, Switch } from "solid-js";
import { api } from "../api";
import type { AddressPreview, RunResult } from "../bindings";
import { PluginsPanel } from "../components/PluginsPanel";
import { Results } from "../components/Results";
import { SiteFacts } from "../components/SiteFacts";
import { finished, fixability, longList, type ProgressRow, type RowState } from "../model/setup";
import { when } from "../model/time";
import { navigate } from "../router";
import { saveSite } from "../store/actions";
import {
  askPutBack,
  cancelPlan,
  keepChanges,
  leaveSetup,
  makeChanges,
  putBack,
  refreshOverview,
  setup,
  signInAndPlan,
} from "../store/setup";
import { run, store } from "../store/state";
import { S, U } from "../strings";

const MARK: Record<RowState, string> = { waiting: "◷", working: "…", made: "✔", left: "◌", refused: "✖" };

/** "off → on", with the arrow said as words; a long list folded behind a disclosure. */
function Value(props: { text: string }) {
  const items = () => longList(props.text);
  return (
    <Show when={items()} fallback={<span class="value">{props.text}</span>}>
      {(list) => (
        <details class="value-list">
          <summary>{U.items(list().length)}</summary>
          <ul>
            <For each={list()}>{(i) => <li class="mono">{i}</li>}</For>
          </ul>
        </details>
      )}
    </Show>
  );
}

function Change(props: { step: number; what: string; from: string; to: string }) {
  return (
    <>
      <span class="change-step">{U.stepLabel(props.step)}</span>
      <span class="change-what">{props.what}: </span>
      <span class="change-values">
        <Value text={props.from} />
        <span aria-hidden="true"> → </span>
        <span class="sr-only"> {U.becomes} </span>
        <Value text={props.to} />
      </span>
    </>
  );
}

function Rows(props: { rows: ProgressRow[]; undo: boolean }) {
  const words = () => (props.undo ? U.undoRow : U.row);
  return (
    <ol class="progress-list">
      <For each={props.rows}>
        {(r) => (
          <li class={`change row-${r.state}`} aria-current={r.state === "working" ? "step" : undefined}>
            <span class="row-mark" aria-hidden="true">
              {MARK[r.state]}
            </span>
            <span class="row-body">
              <Change step={r.step} what={r.what} from={r.from} to={r.to} />
              <span class="row-state">
                {" — "}
                {words()[r.state]}
                <Show when={r.note}>{(n) => <span class="row-note">: {n()}</span>}</Show>
              </span>
            </span>
          </li>
        )}
      </For>
    </ol>
  );
}

/** The Moodle address, asked as step 0's form asks it (previewed as the engine reads it), saved
 *  without a check: the sign-in is the first exchange with the site. */
function AddressForm() {
  const [typed, setTyped] = createSignal(store.profile?.moodle_url ?? "");
  const [email, setEmail] = createSignal(store.profile?.admin_email ?? "");
  const [preview, setPreview] = createSignal<AddressPreview | null>(null);
  const [showError, setShowError] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let field: HTMLInputElement | undefined;
  onCleanup(() => clearTimeout(timer));
  const refresh = async (text: string) => setPreview(await api.normalizeUrl(text).catch(() => null));
  const submit = async (e: Event) => {
    e.preventDefault();
    let invalid = false;
    await run(S.save, async () => {
      const p = await api.normalizeUrl(typed());
      setPreview(p);
      if (!p.url) {
        invalid = true;
        return;
      }
      const mail = email().trim();
      await saveSite(p.url, mail === "" ? null : mail);
      await refreshOverview();
    });
    if (invalid) {
      setShowError(true);
      field?.focus();
    } else {
      queueMicrotask(() => document.getElementById("sign-in")?.focus());
    }
  };
  return (
    <form class="site-form" novalidate onSubmit={(e) => void submit(e)}>
      <p>{U.addressNeeded}</p>
      <label for="setup-url">{S.moodleUrl}</label>
      <input
        id="setup-url"
        ref={field}
        type="text"
        inputmode="url"
        autocomplete="url"
        spellcheck={false}
        value={typed()}
        placeholder={S.moodleUrlPlaceholder}
        aria-invalid={showError() ? "true" : "false"}
        aria-describedby="setup-url-hint setup-url-preview"
        onInput={(e) => {
          const text = e.currentTarget.value;
          setTyped(text);
          setShowError(false);
          clearTimeout(timer);
          timer = setTimeout(() => void refresh(text), 150);
        }}
      />
      <span class="hint" id="setup-url-hint">
        {S.moodleUrlHint}
      </span>
      <span id="setup-url-preview" class="preview" role="status">
        <Show when={preview()?.url}>{(u) => <>{S.willCheck(u())}</>}</Show>
        <Show when={showError() || (typed().trim() !== "" && preview()?.error)}>
          <span class="field-error">{preview()?.error ?? ""}</span>
        </Show>
      </span>
      <label for="setup-email">{S.adminEmail}</label>
      <input id="setup-email" type="email" autocomplete="email" value={email()} aria-describedby="setup-email-hint" onInput={(e) => setEmail(e.currentTarget.value)} />
      <span class="hint" id="setup-email-hint">
        {S.adminEmailHint}
      </span>
      <p class="actions">
        <button type="submit" class="primary" id="save-address" aria-disabled={store.busy !== null}>
          {U.saveAddress}
        </button>
      </p>
    </form>
  );
}

function PhaseHeading(props: { text: string }) {
  return (
    <h3 id="setup-phase" tabindex="-1">
      {props.text}
    </h3>
  );
}

function Ready(props: { fix: boolean }) {
  const o = () => setup.overview;
  const failing = () => fixability(store.report).failing;
  const failingWords = () =>
    failing()
      .map((n) => S.stepFailing(n, store.steps.find((s) => s.number === n)?.title ?? ""))
      .join("; ");
  // A ZIP checked on the panel below counts at once.
  createEffect(
    on(
      () => store.plugins.summary,
      (summary) => {
        if (summary) void refreshOverview().catch(() => {});
      },
      { defer: true },
    ),
  );
  return (
    <>
      <p class="lead">{props.fix && failing().length > 0 ? U.fixLead(failingWords()) : U.lead}</p>
      <Show when={setup.note}>{(n) => <p class="banner-inline" role="status" id="setup-note">{n()}</p>}</Show>
      <Show when={setup.problem}>
        {(p) => (
          <div class="confirm setup-problem" role="alert" id="setup-problem">
            <p>
              <strong>{U.problemHeading}:</strong> {p()}
            </p>
          </div>
        )}
      </Show>
      <Show when={o()?.site} fallback={<AddressForm />}>
        {(site) => (
          <>
            <dl class="setup-facts">
              <dt>{U.factSite}</dt>
              <dd id="setup-site">{site()}</dd>
              <dt>{U.factZip}</dt>
              <dd id="setup-zip">{o()?.userkey_zip ? U.zipReady(o()?.userkey_zip ?? "") : U.zipMissing}</dd>
              <dt>{U.factTokens}</dt>
              <dd id="setup-tokens">
                <Show when={o()?.tokens} fallback={U.tokensNowhere}>
                  {(t) => <>{U.tokensKept(t().opensis, t().userkey)}</>}
                </Show>
              </dd>
            </dl>
            <Show when={!o()?.userkey_zip}>
              <details class="give-zip" id="give-zip">
                <summary>{U.zipGive}</summary>
                <PluginsPanel />
              </details>
            </Show>
            <h4>{U.howHeading}</h4>
            <p>{U.how}</p>
            <p class="actions">
              <button type="button" class="primary" id="sign-in" aria-disabled={store.busy !== null} onClick={() => void signInAndPlan()}>
                {setup.problem ? U.tryAgain : U.signIn}
              </button>
            </p>
            <Show when={setup.toPutBack}>
              {(last) => (
                <p class="last-run">
                  {U.lastRun(last().changes.length, when(last().startedAt * 1000), last().site)}{" "}
                  <button type="button" class="secondary" id="put-back-offer" onClick={askPutBack}>
                    {U.putBackOffer}
                  </button>
                </p>
              )}
            </Show>
          </>
        )}
      </Show>
    </>
  );
}

function Waiting() {
  const title = () => U.windowTitle(store.profile?.name ?? "");
  return (
    <>
      <PhaseHeading text={U.waitingForSignIn} />
      <p>
        <progress aria-label={U.waitingForSignIn} /> {U.waitingHint(title())}
      </p>
      <p class="hint">{U.how}</p>
      <p class="actions">
        <button type="button" class="secondary" id="cancel-sign-in" onClick={() => void api.setupCancelSignIn()}>
          {U.cancelSignIn}
        </button>
      </p>
    </>
  );
}

function Plan(props: { fix: boolean }) {
  const plan = () => setup.plan;
  const n = () => plan()?.changes.length ?? 0;
  return (
    <Show when={plan()}>
      {(p) => (
        <>
          <PhaseHeading text={U.planHeading(n())} />
          <Show
            when={n() > 0}
            fallback={<p class="banner-ok" id="plan-empty">{props.fix ? U.emptyFix : U.emptyPlan(p().site)}</p>}
          >
            <p>{U.planLead(p().site)}</p>
            <ol class="plan-list" id="plan-list">
              <For each={p().changes}>
                {(c) => (
                  <li class="change">
                    <Change step={c.step} what={c.what} from={c.before} to={c.after} />
                  </li>
                )}
              </For>
            </ol>
            <Show when={p().userkey_zip}>{(z) => <p class="hint">{U.zipUsed(z())}</p>}</Show>
          </Show>
          <Show when={p().cannot.length > 0}>
            <h4>{U.cannotHeading}</h4>
            <ul class="cannot-list" id="cannot-list">
              <For each={p().cannot}>
                {(c) => (
                  <li>
                    <span class="change-step">{U.stepLabel(c.step)}</span> {c.why}
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <p class="actions" classList={{ "sticky-actions": n() > 0 }}>
            <Show
              when={n() > 0}
              fallback={
                <>
                  <button type="button" class="primary" id="plan-run-checks" onClick={() => navigate({ name: "diagnose", id: setup.profileId ?? "" })}>
                    {U.runChecks}
                  </button>
                  <button type="button" class="secondary" id="plan-all-schools" onClick={() => navigate({ name: "start" })}>
                    {U.allSchools}
                  </button>
                  <Show when={setup.toPutBack}>
                    <button type="button" class="danger" id="plan-put-back" onClick={askPutBack}>
                      {U.putBackOffer}
                    </button>
                  </Show>
                </>
              }
            >
              <button type="button" class="primary" id="make-changes" aria-disabled={store.busy !== null} onClick={() => void makeChanges()}>
                {U.make(n())}
              </button>
              <button type="button" class="secondary" id="cancel-plan" onClick={() => void cancelPlan()}>
                {U.cancel}
              </button>
            </Show>
          </p>
        </>
      )}
    </Show>
  );
}

function Progress(props: { undo: boolean }) {
  const total = () => setup.rows.length;
  return (
    <>
      <PhaseHeading text={props.undo ? U.undoProgress(total()) : U.progressHeading(total())} />
      <p class="setup-progress">
        <progress max={total() || 1} value={finished(setup.rows)} aria-hidden="true" /> {U.progressCount(finished(setup.rows), total())}
      </p>
      <Rows rows={setup.rows} undo={props.undo} />
    </>
  );
}

/** The rows of a run as its progress left them; what the result says when no event came. */
function madeRows(r: RunResult, rows: ProgressRow[]): ProgressRow[] {
  if (rows.some((row) => row.state !== "waiting")) return rows;
  return r.made.map((m) => ({ step: m.step, what: m.what, from: m.before, to: m.after, state: "made", note: m.proof }));
}

function Done() {
  return (
    <Show when={setup.run}>
      {(r) => (
        <>
          <PhaseHeading text={U.resultHeading(r().made.length, r().site)} />
          <Show when={r().stopped}>
            {(s) => (
              <p class="confirm" role="alert" id="run-stopped">
                {U.stopped(s().step, s().what, s().why)}
              </p>
            )}
          </Show>
          <ul class="run-facts">
            <Show when={r().made.length > 0}>
              <li>{U.recorded(store.profile?.name ?? "")}</li>
            </Show>
            <Show when={r().tokens_kept.length > 0}>
              <li id="tokens-kept">{U.tokensSaved(r().tokens_kept.length, r().persistent)}</li>
            </Show>
            <Show when={r().token_problem}>{(t) => <li class="field-error">{t()}</li>}</Show>
            <Show when={r().not_on_site.length > 0}>
              <li>{U.notOnSite(r().not_on_site.join(", "))}</li>
            </Show>
          </ul>
          <Show when={r().made.length > 0 || r().stopped}>
            <details class="made-list" id="made-list" open={r().stopped !== null}>
              <summary>{U.madeList(r().made.length)}</summary>
              <Rows rows={madeRows(r(), setup.rows)} undo={false} />
            </details>
          </Show>
          <p class="actions">
            <button
              type="button"
              class="primary"
              id="to-opensis"
              onClick={() => navigate({ name: "wizard", id: setup.profileId ?? "", page: "opensis" })}
            >
              {U.toOpensis}
            </button>
            <Show when={setup.toPutBack}>
              <button type="button" class="danger" id="put-back" onClick={askPutBack}>
                {U.putBackOffer}
              </button>
            </Show>
          </p>
          <h4 id="proof-heading">{U.proofHeading}</h4>
          <SiteFacts />
          <Show when={store.report}>
            {(rep) => <Results findings={rep().checks} outcome={rep().verdict.outcome} headline={rep().verdict.headline} showStep={true} />}
          </Show>
        </>
      )}
    </Show>
  );
}

function ConfirmUndo() {
  return (
    <Show when={setup.toPutBack}>
      {(last) => (
        <div class="confirm put-back" role="group" aria-labelledby="setup-phase">
          <PhaseHeading text={U.undoHeading(last().changes.length)} />
          <p>{U.undoLead(when(last().startedAt * 1000), last().site)}</p>
          <Rows rows={setup.rows} undo={true} />
          <p class="actions sticky-actions">
            <button type="button" class="danger" id="put-back-confirm" aria-disabled={store.busy !== null} onClick={() => void putBack()}>
              {U.undoConfirm(last().changes.length)}
            </button>
            <button type="button" class="secondary" id="put-back-cancel" onClick={keepChanges}>
              {U.cancel}
            </button>
          </p>
        </div>
      )}
    </Show>
  );
}

function Undone() {
  return (
    <Show when={setup.undo}>
      {(u) => {
        const done = () => u().put_back.filter((l) => l.done);
        const left = () => u().put_back.filter((l) => !l.done);
        return (
          <>
            <PhaseHeading text={U.undoneHeading(done().length)} />
            <Show when={u().stopped}>
              {(s) => (
                <p class="confirm" role="alert" id="undo-stopped">
                  {U.undoStopped(s().step, s().what, s().why)}
                </p>
              )}
            </Show>
            <Show when={left().length > 0}>
              <p>{U.undoneLeft(left().length)}</p>
              <ul id="undo-left">
                <For each={left()}>{(l) => <li>{l.note}</li>}</For>
              </ul>
            </Show>
            <Show when={u().tokens_removed.length > 0}>
              <p>{U.undoneTokens(u().tokens_removed.length)}</p>
            </Show>
            <Show when={!u().stopped}>
              <p class="banner-ok" id="undo-all">
                {U.undoneAll}
              </p>
            </Show>
            <p class="actions">
              <button type="button" class="primary" id="undone-run-checks" onClick={() => navigate({ name: "diagnose", id: setup.profileId ?? "" })}>
                {U.runChecks}
              </button>
              <button type="button" class="secondary" id="undone-all-schools" onClick={() => navigate({ name: "start" })}>
                {U.allSchools}
              </button>
            </p>
            <details class="made-list" id="put-back-list" open={u().stopped !== null}>
              <summary>{U.putBackList(u().put_back.length)}</summary>
              <Rows rows={setup.rows} undo={true} />
            </details>
          </>
        );
      }}
    </Show>
  );
}

export function SetupPage(props: { fix: boolean }) {
  // Each phase's heading takes the focus, so the keyboard and screen readers follow the work.
  createEffect(
    on(
      () => setup.phase,
      (phase) => {
        if (phase === "ready") return;
        queueMicrotask(() => document.getElementById("setup-phase")?.focus());
      },
      { defer: true },
    ),
  );
  onCleanup(leaveSetup);
  const name = () => store.profile?.name ?? "";
  return (
    <section class="panel setup" aria-labelledby="page-heading">
      <h2 id="page-heading" tabindex="-1">
        {props.fix ? U.fixHeading(name()) : U.heading(name())}
      </h2>
      <Switch>
        <Match when={setup.phase === "ready"}>
          <Ready fix={props.fix} />
        </Match>
        <Match when={setup.phase === "signing-in"}>
          <Waiting />
        </Match>
        <Match when={setup.phase === "reading"}>
          <PhaseHeading text={U.reading} />
          <p>
            <progress aria-label={U.reading} /> {U.reading}
          </p>
        </Match>
        <Match when={setup.phase === "plan"}>
          <Plan fix={props.fix} />
        </Match>
        <Match when={setup.phase === "applying"}>
          <Progress undo={false} />
        </Match>
        <Match when={setup.phase === "done"}>
          <Done />
        </Match>
        <Match when={setup.phase === "confirm-undo"}>
          <ConfirmUndo />
        </Match>
        <Match when={setup.phase === "undoing"}>
          <Progress undo={true} />
        </Match>
        <Match when={setup.phase === "undone"}>
          <Undone />
        </Match>
      </Switch>
    </section>
  );
}
