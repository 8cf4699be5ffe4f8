// Owns: the 65-second proof of "User key life time" as a button with a countdown (what the
// command line calls --check-key-lifetime). Must not: pretend the demo can prove it.

import { createSignal, onCleanup, Show } from "solid-js";
import { proveKeyLifetime } from "../store/actions";
import { store } from "../store/state";
import { KEY_LIFETIME } from "../strings";
import { MoodleText } from "./MoodleText";

const SECONDS = 65;

export function KeyLifetimeProof() {
  const [left, setLeft] = createSignal<number | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(timer));
  const start = async () => {
    setLeft(SECONDS);
    timer = setInterval(() => setLeft((s) => (s === null ? null : Math.max(0, s - 1))), 1000);
    await proveKeyLifetime();
    clearInterval(timer);
    setLeft(null);
  };
  return (
    <div class="key-lifetime">
      <p class="hint">
        <MoodleText text={KEY_LIFETIME.explain} />
      </p>
      <Show when={store.profile?.id === "demo"}>
        <p class="hint">{KEY_LIFETIME.demo}</p>
      </Show>
      <Show
        when={left() !== null}
        fallback={
          <button
            type="button"
            class="secondary"
            id="prove-key-lifetime"
            aria-disabled={store.busy !== null}
            onClick={() => void start()}
          >
            {KEY_LIFETIME.prove}
          </button>
        }
      >
        <p class="countdown">
          <progress max={SECONDS} value={SECONDS - (left() ?? 0)} aria-label={KEY_LIFETIME.proving(left() ?? 0)} />{" "}
          {KEY_LIFETIME.proving(left() ?? 0)}
        </p>
      </Show>
    </div>
  );
}
