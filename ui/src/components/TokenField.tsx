// Owns: one token's field — pasted and saved at once (spaces removed, and said so), shown as
// "•••• last 4 · saved at", revealed in monospace for 30 s at most, cleared only after a
// confirmation (Moodle shows a token once). Must not: keep the token anywhere but the keyring.

import { createSignal, onCleanup, Show } from "solid-js";
import { api } from "../api";
import type { SecretKind, TokenSlot } from "../bindings";
import { when } from "../model/time";
import { clearToken, setToken } from "../store/actions";
import { message, store } from "../store/state";
import { S } from "../strings";
import { CopyButton } from "./CopyButton";

const REVEAL_SECONDS = 30;

export function TokenField(props: { kind: SecretKind; label: string }) {
  const id = () => `token-${props.kind}`;
  const slot = (): TokenSlot | undefined =>
    props.kind === "opensis_token" ? store.tokens?.opensis : store.tokens?.userkey;
  const [revealed, setRevealed] = createSignal<string | null>(null);
  const [hidesIn, setHidesIn] = createSignal(0);
  const [confirming, setConfirming] = createSignal(false);
  const [note, setNote] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;
  let input: HTMLInputElement | undefined;
  onCleanup(() => clearInterval(timer));

  const hide = () => {
    clearInterval(timer);
    setRevealed(null);
  };
  const reveal = async () => {
    const p = store.profile;
    if (!p) return;
    try {
      setRevealed(await api.revealToken(p.id, props.kind));
      setHidesIn(REVEAL_SECONDS);
      clearInterval(timer);
      timer = setInterval(() => {
        const left = hidesIn() - 1;
        setHidesIn(left);
        if (left <= 0) hide();
      }, 1000);
    } catch (e) {
      setNote(message(e));
    }
  };
  const save = async () => {
    const value = input?.value ?? "";
    if (value.trim() === "") return;
    hide();
    if (await setToken(props.kind, value)) {
      if (input) input.value = "";
      setNote(store.tokens?.spaces_removed ? S.tokenSpacesRemoved : null);
    }
  };
  const clear = async () => {
    setConfirming(false);
    hide();
    await clearToken(props.kind);
    setNote(null);
  };

  return (
    <div class="token-field">
      <label for={id()}>{props.label}</label>
      <p class="token-state" id={`${id()}-state`}>
        <Show when={slot()?.set} fallback={S.tokenNotSet}>
          <code class="masked">{S.tokenMasked(slot()?.last4 ?? "")}</code>
          <Show when={slot()?.saved_at}>{(t) => <>{` · ${S.tokenSavedAt(when(t() * 1000))}`}</>}</Show>
          {` · ${S.tokenWhere(store.tokens?.persistent ?? true)}`}
        </Show>
      </p>
      <Show when={slot()?.set && !slot()?.looks_valid}>
        <p class="warn-text">⚠ {S.tokenLooksWrong}</p>
      </Show>
      <Show when={revealed()}>
        {(value) => (
          <p class="revealed">
            <code class="mono">{value()}</code> <span class="hint">{S.tokenHidesIn(hidesIn())}</span>
          </p>
        )}
      </Show>
      <input
        id={id()}
        ref={input}
        type="password"
        class="token-input"
        autocomplete="off"
        spellcheck={false}
        placeholder={S.tokenPaste}
        aria-describedby={`${id()}-state ${id()}-hint`}
        onPaste={() => setTimeout(() => void save(), 0)}
        onChange={() => void save()}
        onKeyDown={(e) => {
          if (e.key === "Enter") void save();
        }}
      />
      <p class="hint" id={`${id()}-hint`}>
        {S.tokenPasteHint}
      </p>
      <p class="token-note" role="status">
        {note() ?? ""}
      </p>
      <Show when={slot()?.set}>
        <div class="token-actions">
          <button
            type="button"
            class="secondary small"
            id={`${id()}-reveal`}
            aria-label={`${revealed() ? S.hide : S.reveal}: ${props.label}`}
            onClick={() => (revealed() ? hide() : void reveal())}
          >
            {revealed() ? S.hide : S.reveal}
          </button>
          <CopyButton
            id={`${id()}-copy`}
            ariaLabel={`${S.copy}: ${props.label}`}
            text={() => api.revealToken(store.profile?.id ?? "", props.kind)}
          />
          <button
            type="button"
            class="danger small"
            id={`${id()}-clear`}
            aria-label={`${S.clear}: ${props.label}`}
            onClick={() => setConfirming(true)}
          >
            {S.clear}
          </button>
        </div>
      </Show>
      <Show when={confirming()}>
        <div class="confirm" role="group" aria-label={S.clearConfirm}>
          <p>{S.clearConfirm}</p>
          <button type="button" class="danger" id={`${id()}-clear-yes`} onClick={() => void clear()}>
            {S.clearYes}
          </button>
          <button
            type="button"
            class="secondary"
            id={`${id()}-clear-no`}
            ref={(el) => queueMicrotask(() => el.focus())}
            onClick={() => setConfirming(false)}
          >
            {S.keep}
          </button>
        </div>
      </Show>
    </div>
  );
}
