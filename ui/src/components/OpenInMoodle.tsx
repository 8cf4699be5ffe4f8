// Owns: the button that opens a Moodle admin page in the browser. Must not: open anything
// but a web address (the Rust command refuses the rest).

import { api } from "../api";
import { run } from "../store/state";
import { S } from "../strings";

export function OpenInMoodle(props: { url: string; id?: string; primary?: boolean }) {
  return (
    <button
      type="button"
      class={props.primary ? "primary" : "secondary"}
      id={props.id}
      title={S.openInMoodleTitle(props.url)}
      onClick={() => void run(S.openInMoodle, () => api.openExternal(props.url).then(() => undefined))}
    >
      {S.openInMoodle} ↗
    </button>
  );
}

/** The admin page of a step on this school's site, if both are known. */
export function siteLink(base: string | undefined, path: string | null | undefined): string | null {
  const root = base?.trim().replace(/\/+$/, "");
  if (!root || !path) return null;
  return `${root}/${path}`;
}
