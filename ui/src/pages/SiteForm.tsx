// Owns: step 0's form — the Moodle address, accepted however it is pasted and previewed live
// as the engine will read it (errors inline, never a silent dead button), and the admin's
// e-mail. Must not: normalise addresses itself; the Rust normaliser does.

import { createEffect, createSignal, on, onCleanup, Show } from "solid-js";
import { api } from "../api";
import type { AddressPreview } from "../bindings";
import { saveSiteAndCheck } from "../store/actions";
import { run, setStore, store } from "../store/state";
import { S } from "../strings";
import { SiteFacts } from "../components/SiteFacts";

export function SiteForm(props: { primary: boolean }) {
  const initial = store.profile?.moodle_url ?? "";
  const [typed, setTyped] = createSignal(initial);
  const [email, setEmail] = createSignal(store.profile?.admin_email ?? "");
  let emailEdited = false;
  // An e-mail a check looked up (the field was empty) is shown here, still editable.
  createEffect(
    on(
      () => store.profile?.admin_email,
      (kept) => {
        if (!emailEdited && email().trim() === "" && kept) setEmail(kept);
      },
      { defer: true },
    ),
  );
  const [preview, setPreview] = createSignal<AddressPreview | null>(null);
  const [showError, setShowError] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let field: HTMLInputElement | undefined;
  onCleanup(() => clearTimeout(timer));

  const refresh = async (text: string) => {
    try {
      const p = await api.normalizeUrl(text);
      setPreview(p);
      // Results of another address are out of date from the moment it is typed.
      if (store.report && p.url && p.url !== store.profile?.moodle_url) setStore("stale", S.staleAddress);
    } catch {
      setPreview(null);
    }
  };
  if (initial.trim() !== "") void refresh(initial);

  const onInput = (text: string) => {
    setTyped(text);
    setShowError(false);
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(text), 150);
  };

  // Busy from the key press on: the address is read, saved and checked in one run, so the
  // progress shows at once and nothing sees the app idle before the check has started.
  const submit = async (e: Event) => {
    e.preventDefault();
    let invalid = false;
    await run(S.checking, async () => {
      const p = await api.normalizeUrl(typed());
      setPreview(p);
      if (!p.url) {
        invalid = true;
        return;
      }
      const mail = email().trim();
      await saveSiteAndCheck(p.url, mail === "" ? null : mail);
    });
    if (invalid) {
      setShowError(true);
      field?.focus();
    }
  };

  return (
    <form class="site-form" novalidate onSubmit={(e) => void submit(e)}>
      <label for="moodle-url">{S.moodleUrl}</label>
      <input
        id="moodle-url"
        ref={field}
        type="text"
        inputmode="url"
        autocomplete="url"
        spellcheck={false}
        value={typed()}
        placeholder={S.moodleUrlPlaceholder}
        aria-invalid={showError() ? "true" : "false"}
        aria-describedby="moodle-url-hint moodle-url-preview"
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <span class="hint" id="moodle-url-hint">
        {S.moodleUrlHint}
      </span>
      <span id="moodle-url-preview" class="preview" role="status">
        <Show when={preview()?.url}>{(u) => <>{S.willCheck(u())}</>}</Show>
        <Show when={showError() || (typed().trim() !== "" && preview()?.error)}>
          <span class="field-error">{preview()?.error ?? ""}</span>
        </Show>
      </span>
      <label for="admin-email">{S.adminEmail}</label>
      <input
        id="admin-email"
        type="email"
        autocomplete="email"
        value={email()}
        aria-describedby="admin-email-hint"
        onInput={(e) => {
          emailEdited = true;
          setEmail(e.currentTarget.value);
        }}
      />
      <span class="hint" id="admin-email-hint">
        <Show when={store.report?.site?.looked_up_email} fallback={S.adminEmailHint}>
          {(found) => <>{S.adminEmailLookedUp(found())}</>}
        </Show>
      </span>
      <p class="actions">
        <button type="submit" class={props.primary ? "primary" : "secondary"} id="check-site" aria-disabled={store.busy !== null}>
          {store.busy === S.checking ? S.checking : S.checkSite}
        </button>
      </p>
      <SiteFacts />
    </form>
  );
}
