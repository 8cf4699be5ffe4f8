// Owns: step 14's list of the 31 functions, each with its mark (in the service, missing, not
// checked yet) and a copy button, and "Copy all". Must not: decide what is required; the
// list comes from the Rust side.

import { For, Show } from "solid-js";
import type { Look } from "../model/results";
import { store } from "../store/state";
import { FUNCTIONS, S } from "../strings";
import { CopyButton } from "./CopyButton";
import { Mark } from "./Mark";

export function FunctionsList() {
  /** The service's functions as the opensis token sees them; null before that check ran. */
  const inService = (): string[] | null => {
    const fns = store.report?.site?.functions ?? [];
    return fns.length > 0 ? fns : null;
  };
  const look = (name: string): Look => {
    const have = inService();
    if (have === null) return "todo";
    return have.includes(name) ? "proven" : "fail";
  };
  const words = (l: Look) => (l === "proven" ? FUNCTIONS.present : l === "fail" ? FUNCTIONS.missing : FUNCTIONS.unknown);
  const present = () => store.functions.filter((f) => look(f) === "proven").length;
  return (
    <section class="functions" aria-labelledby="functions-heading">
      <div class="functions-head">
        <h3 id="functions-heading">{FUNCTIONS.heading}</h3>
        <Show when={inService()}>
          <span class="functions-count">{FUNCTIONS.count(present(), store.functions.length)}</span>
        </Show>
        <CopyButton id="copy-all-functions" label={S.copyAll} text={() => store.functions.join("\n")} />
      </div>
      <ol class="function-list">
        <For each={store.functions}>
          {(name, i) => (
            <li class={`function look-${look(name)}`} data-function={name}>
              <Mark look={look(name)} words={words(look(name))} />
              <code>{name}</code>
              <Show when={name.startsWith("local_")}>
                <span class="hint"> {FUNCTIONS.fromPlugin}</span>
              </Show>
              <CopyButton id={`copy-fn-${i()}`} ariaLabel={S.copyNamed(name)} text={() => name} />
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
