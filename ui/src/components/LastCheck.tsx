// Owns: one check in a line — its mark, its verdict, when, and the failing steps — for the
// school list and a school's history. Must not: judge.

import { Show } from "solid-js";
import type { Snapshot } from "../bindings";
import type { Look } from "../model/results";
import { when } from "../model/time";
import { LOOK_SHORT, S, W } from "../strings";
import { Mark } from "./Mark";

export function lookOfSnapshot(s: Snapshot): Look {
  if (s.failing.length > 0 || s.outcome === "failed") return "fail";
  if (s.outcome === "could_not_tell") return "unknown";
  return "proven";
}

export function LastCheck(props: { snapshot: Snapshot | null }) {
  return (
    <Show when={props.snapshot} fallback={<span class="hint">{S.neverChecked}</span>}>
      {(s) => (
        <span class="last-check">
          <Mark look={lookOfSnapshot(s())} words={LOOK_SHORT[lookOfSnapshot(s())] ?? ""} />{" "}
          <span class="last-when">{when(s().at * 1000)}</span>
          <Show when={s().failing.length > 0}>
            <span class="last-steps">{` · ${W.failingSteps(s().failing)}`}</span>
          </Show>
          <span class="last-headline">{` · ${s().headline}`}</span>
        </span>
      )}
    </Show>
  );
}
