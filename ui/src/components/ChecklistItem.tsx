// Owns: one line of a step's checklist and how it is known — proven by a check (with the
// time), ticked by you, or not checkable from outside — three looks that cannot be confused.
// Must not: let a tick stand for a check that did not pass.

import { Show } from "solid-js";
import type { Look } from "../model/results";
import { clock } from "../model/time";
import { S, type ItemText } from "../strings";
import { Mark } from "./Mark";
import { MoodleText } from "./MoodleText";

function words(item: ItemText, look: Look, checkedAt: number | null, notVisible: boolean, byProof: boolean): string {
  switch (look) {
    case "proven":
      if (checkedAt === null) return S.item.todo;
      return byProof ? S.keyProofKept(clock(checkedAt)) : S.item.proven(clock(checkedAt));
    case "ticked":
      return item.checks ? S.item.tickedNotProven : S.item.ticked;
    case "manual":
      return notVisible ? S.item.notVisible : item.checks ? S.item.manualLater : S.item.manual;
    default:
      return S.item[look];
  }
}

export function ChecklistItem(props: {
  item: ItemText;
  look: Look;
  ticked: boolean;
  checkedAt: number | null;
  /** Its check ran and says Moodle does not show this from outside. */
  notVisible: boolean;
  /** Proven by the 65-s proof (kept across checks), at `checkedAt`. */
  byProof?: boolean;
  onTick: (on: boolean) => void;
}) {
  const id = () => `tick-${props.item.id}`;
  const canTick = () => props.item.tick === true && props.look !== "proven";
  return (
    <li class={`item look-${props.look}`} data-item={props.item.id}>
      <span class="item-control">
        <Show
          when={canTick()}
          fallback={<span class="item-symbol" aria-hidden="true">•</span>}
        >
          <input
            type="checkbox"
            id={id()}
            checked={props.ticked}
            aria-label={S.tickLabel(props.item.text.replace(/[«»]/g, ""))}
            onChange={(e) => props.onTick(e.currentTarget.checked)}
          />
        </Show>
      </span>
      <span class="item-text">
        <Show when={canTick()} fallback={<MoodleText text={props.item.text} />}>
          <label for={id()}>
            <MoodleText text={props.item.text} />
          </label>
        </Show>
        <Show when={props.item.where}>{(w) => <span class="item-where"> ({<MoodleText text={w()} />})</span>}</Show>
      </span>
      <Mark look={props.look} words={words(props.item, props.look, props.checkedAt, props.notVisible, props.byProof === true)} />
    </li>
  );
}
