// Owns: a copy button that says "Copied" right beside itself (never far away on the page),
// and the reason when copying failed. Must not: keep what it copied.

import { createSignal, onCleanup, Show } from "solid-js";
import { api } from "../api";
import { message } from "../store/state";
import { S } from "../strings";

export function CopyButton(props: {
  id?: string;
  text: () => string | Promise<string>;
  label?: string;
  ariaLabel?: string;
  disabled?: boolean;
  small?: boolean;
}) {
  const [note, setNote] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await api.copyText(await props.text());
      setNote(S.copied);
    } catch (e) {
      setNote(message(e));
    }
    clearTimeout(timer);
    timer = setTimeout(() => setNote(null), 2500);
  };
  return (
    <span class="copy">
      <button
        type="button"
        class={props.small === false ? "secondary" : "secondary small"}
        id={props.id}
        aria-label={props.ariaLabel}
        disabled={props.disabled}
        onClick={() => void copy()}
      >
        {props.label ?? S.copy}
      </button>
      <span class="toast" role="status">
        <Show when={note()}>{(n) => <>{n()}</>}</Show>
      </span>
    </span>
  );
}
