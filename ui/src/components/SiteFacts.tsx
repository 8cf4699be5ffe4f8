// Owns: the one line that names the site checked — its name with Moodle's release and version
// (what openSIS shows after Connect), or its name and address. Must not: judge.

import { Show } from "solid-js";
import { store } from "../store/state";
import { S } from "../strings";

export function SiteFacts() {
  return (
    <Show when={store.report?.site}>
      {(site) => (
        <p class="site-facts">
          {site().release && site().version
            ? S.siteFacts(site().sitename, site().release ?? "", site().version ?? "")
            : S.siteAt(site().sitename, site().wwwroot)}
        </p>
      )}
    </Show>
  );
}
