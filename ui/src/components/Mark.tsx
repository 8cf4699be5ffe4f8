// Owns: the mark of how something is known — a symbol and words, never colour alone.
// Must not: decide the look; model/results.ts does.

import type { Look } from "../model/results";
import { LEGEND } from "../strings";

export function markSymbol(look: Look): string {
  return LEGEND.find(([l]) => l === look)?.[1] ?? "○";
}

export function markWords(look: Look): string {
  return LEGEND.find(([l]) => l === look)?.[2] ?? "";
}

export function Mark(props: { look: Look; words?: string }) {
  return (
    <span class={`mark look-${props.look}`}>
      <span class="mark-symbol" aria-hidden="true">
        {markSymbol(props.look)}
      </span>
      <span class="mark-words">{props.words ?? markWords(props.look)}</span>
    </span>
  );
}
