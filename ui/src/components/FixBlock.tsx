// Owns: a fix as the admin acts on it — sentences as text, each shell command in its own
// non-wrapping block with a copy button. Must not: run anything.

import { For, Match, Switch } from "solid-js";
import { splitFix } from "../model/fix";
import { S } from "../strings";
import { CopyButton } from "./CopyButton";

export function FixBlock(props: { fix: string; id: string }) {
  return (
    <div class="fix">
      <strong class="fix-label">{S.fix}:</strong>
      <For each={splitFix(props.fix)}>
        {(part, i) => (
          <Switch>
            <Match when={part.kind === "text"}>
              <p class="fix-text">{part.text}</p>
            </Match>
            <Match when={part.kind === "command"}>
              <div class="command">
                <pre>
                  <code>{part.text}</code>
                </pre>
                <CopyButton
                  id={`${props.id}-cmd-${i()}`}
                  text={() => part.text}
                  ariaLabel={S.copyNamed("the command")}
                />
              </div>
            </Match>
          </Switch>
        )}
      </For>
    </div>
  );
}
