// Owns: the openSIS page — what openSIS will show after Connect, the choice between saving
// through the openSIS API and typing it in (only the chosen path and its result are shown),
// and, on the typed-in path, the admin's tick. Must not: keep the password after the save.

import { createSignal, For, Show } from "solid-js";
import { api } from "../api";
import type { SisForm, TokenSlot } from "../bindings";
import { CopyButton } from "../components/CopyButton";
import { MoodleText } from "../components/MoodleText";
import { forgetSisPassword, saveToSis, setTypedIntoSis, SIS_TYPED_ITEM } from "../store/sis";
import { isTicked } from "../model/results";
import { store } from "../store/state";
import { DEMO, S, SIS } from "../strings";

function Field(props: {
  id: string;
  label: string;
  value: string;
  type?: string;
  hint?: string | undefined;
  onInput: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? "text"}
        value={props.value}
        autocomplete={props.type === "password" ? "off" : undefined}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <Show when={props.hint}>
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      </Show>
    </div>
  );
}

function TokenValue(props: { slot: TokenSlot | undefined; kind: "opensis_token" | "userkey_token"; id: string; label: string }) {
  return (
    <Show when={props.slot?.set} fallback={<span class="hint">{`${SIS.notEntered}. ${SIS.tokenMissingHint}`}</span>}>
      <code class="masked">{S.tokenMasked(props.slot?.last4 ?? "")}</code>{" "}
      <CopyButton
        id={props.id}
        ariaLabel={S.copyNamed(props.label)}
        text={() => api.revealToken(store.profile?.id ?? "", props.kind)}
      />
    </Show>
  );
}

function GuidedCard() {
  const url = () => store.report?.site?.wwwroot ?? store.profile?.moodle_url ?? "";
  return (
    <section class="guided" aria-labelledby="guided-heading">
      <h3 id="guided-heading">{SIS.guidedHeading}</h3>
      <ol>
        <For each={SIS.guidedSteps}>
          {(t) => (
            <li>
              <MoodleText text={t} />
            </li>
          )}
        </For>
      </ol>
      <table class="guided-values">
        <tbody>
          <tr>
            <th scope="row">{SIS.valueUrl}</th>
            <td>
              <code>{url()}</code> <CopyButton id="copy-url" ariaLabel={S.copyNamed(SIS.valueUrl)} text={url} />
            </td>
          </tr>
          <tr>
            <th scope="row">{SIS.valueOpensis}</th>
            <td>
              <TokenValue slot={store.tokens?.opensis} kind="opensis_token" id="copy-opensis" label={SIS.valueOpensis} />
            </td>
          </tr>
          <tr>
            <th scope="row">{SIS.valueUserkey}</th>
            <td>
              <TokenValue slot={store.tokens?.userkey} kind="userkey_token" id="copy-userkey" label={SIS.valueUserkey} />
            </td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

export function SisPage(props: { onSaved: () => void }) {
  const initial = (): SisForm =>
    store.sisForm ?? { use_api: false, api_url: "", tenant: "", admin_email: "", enable_sync: true, password_remembered: false };
  const [form, setForm] = createSignal<SisForm>(initial());
  const [password, setPassword] = createSignal("");
  const [passphrase, setPassphrase] = createSignal("");
  const [remember, setRemember] = createSignal(false);
  const set = (patch: Partial<SisForm>) => setForm({ ...form(), ...patch });
  const site = () => store.report?.site ?? null;
  const typed = () => isTicked(store.profile, SIS_TYPED_ITEM);
  const save = async () => {
    if (await saveToSis(form(), password(), passphrase(), remember())) {
      setPassword("");
      setPassphrase("");
      props.onSaved();
    }
  };
  return (
    <div class="sis">
      <section class="connect-preview" aria-labelledby="preview-heading">
        <h3 id="preview-heading">
          <MoodleText text={SIS.preview} />
        </h3>
        <Show when={site()?.release} fallback={<p class="hint">{SIS.previewMissing}</p>}>
          <p class="site-facts">{S.siteFacts(site()?.sitename ?? "", site()?.release ?? "", site()?.version ?? "?")}</p>
        </Show>
      </section>
      <fieldset>
        <legend>{SIS.how}</legend>
        <p class="choice">
          <input type="radio" name="sis-target" id="sis-api" checked={form().use_api} onChange={() => set({ use_api: true })} />
          <label for="sis-api">{SIS.useApi}</label>
        </p>
        <p class="choice">
          <input type="radio" name="sis-target" id="sis-guided" checked={!form().use_api} onChange={() => set({ use_api: false })} />
          <label for="sis-guided">{SIS.useGuided}</label>
        </p>
      </fieldset>
      <Show when={store.demoSis}>{(d) => <p class="banner-inline">{DEMO.sis(d().admin_email, d().password)}</p>}</Show>
      <Show when={form().use_api} fallback={<GuidedCard />}>
        <Field id="sis-api-url" label={SIS.apiUrl} value={form().api_url} hint={SIS.apiUrlHint} onInput={(v) => set({ api_url: v })} />
        <Field id="sis-tenant" label={SIS.tenant} value={form().tenant} hint={SIS.tenantHint} onInput={(v) => set({ tenant: v })} />
        <Field id="sis-admin-email" label={SIS.adminEmail} type="email" value={form().admin_email} onInput={(v) => set({ admin_email: v })} />
        <Field
          id="sis-password"
          label={SIS.password}
          type="password"
          value={password()}
          hint={form().password_remembered ? SIS.passwordRemembered : undefined}
          onInput={setPassword}
        />
        <Field id="sis-passphrase" label={SIS.passphrase} type="password" value={passphrase()} hint={SIS.passphraseHint} onInput={setPassphrase} />
        <p class="choice">
          <input type="checkbox" id="sis-remember" checked={remember()} onChange={(e) => setRemember(e.currentTarget.checked)} />
          <label for="sis-remember">{SIS.remember}</label>
        </p>
        {/* On the typed-in path the card's last step says it: «Enable Synchronization» is set in openSIS. */}
        <p class="choice">
          <input type="checkbox" id="sis-sync" checked={form().enable_sync} onChange={(e) => set({ enable_sync: e.currentTarget.checked })} />
          <label for="sis-sync">
            <MoodleText text={SIS.enableSync} />
          </label>
        </p>
      </Show>
      <p class="actions">
        <button type="button" class="primary" id="sis-save" aria-disabled={store.busy !== null} onClick={() => void save()}>
          {form().use_api ? SIS.save : SIS.prepare}
        </button>
        <Show when={form().password_remembered}>
          <button type="button" class="secondary" id="sis-forget" onClick={() => void forgetSisPassword()}>
            {SIS.forget}
          </button>
        </Show>
      </p>
      {/* B15: a result belongs to the path it came from (saved: the API; not saved: typed in). */}
      <Show when={store.sisResult && store.sisResult.saved === form().use_api ? store.sisResult : null}>
        {(r) => (
          <section class="finding look-proven sis-result" id="sis-result" tabindex="-1">
            <p class="finding-summary">
              <span aria-hidden="true">✔ </span>
              {r().saved ? SIS.saved : SIS.guidedReady}
            </p>
            <Show when={r().release}>
              <p class="site-facts">{S.siteFacts(r().site_name ?? "", r().release ?? "", r().version ?? "?")}</p>
            </Show>
            <For each={r().warnings}>{(w) => <p class="warn-text">⚠ {w}</p>}</For>
            <Show when={r().log.length > 0}>
              <details class="evidence">
                <summary>{SIS.logHeading}</summary>
                <ol class="sis-log">
                  <For each={r().log}>{(l) => <li>{l}</li>}</For>
                </ol>
              </details>
            </Show>
          </section>
        )}
      </Show>
      <Show when={!form().use_api}>
        <p class="choice sis-typed">
          <input
            type="checkbox"
            id="sis-typed"
            checked={typed()}
            aria-describedby="sis-typed-hint"
            onChange={(e) => void setTypedIntoSis(e.currentTarget.checked)}
          />
          <label for="sis-typed">
            <MoodleText text={SIS.typedLabel} />
          </label>
          <span class="hint" id="sis-typed-hint">
            {SIS.typedHint}
          </span>
        </p>
      </Show>
    </div>
  );
}
