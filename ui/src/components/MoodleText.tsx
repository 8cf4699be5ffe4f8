// Owns: showing a catalogue sentence with Moodle's own labels («…») set apart, so the admin
// can find them on Moodle's page. The labels arrive already in the words of the site's Moodle
// version (strings/checklists.ts, from moodle-strings.json). Must not: render anything as HTML.

import { For, Show } from "solid-js";

export function MoodleText(props: { text: string }) {
  const parts = () => props.text.split(/«([^»]*)»/);
  return (
    <For each={parts()}>
      {(part, i) => (
        <Show when={i() % 2 === 1} fallback={part}>
          <strong class="moodle-label">{part}</strong>
        </Show>
      )}
    </For>
  );
}
