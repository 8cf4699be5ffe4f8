// Owns: the doctor's screen for a school — every check at once, the verdict first, failing
// steps first with a way to each, waiting checks grouped, passes folded. Must not: judge.

import { Show } from "solid-js";
import { Results } from "../components/Results";
import { WatchPanel } from "../components/WatchPanel";
import { runChecks } from "../store/actions";
import { store } from "../store/state";
import { S } from "../strings";
import { SiteFacts } from "../components/SiteFacts";
import { Timings } from "../components/Timings";

export function DiagnosePage() {
  const rerun = () => runChecks(false);
  return (
    <section class="panel diagnose" aria-labelledby="page-heading">
      <h2 id="page-heading" tabindex="-1">
        {S.diagnoseHeading(store.profile?.name ?? "")}
      </h2>
      <SiteFacts />
      <p class="actions">
        <button type="button" class="primary" id="rerun" aria-disabled={store.busy !== null} onClick={() => void rerun()}>
          {store.busy === S.checking ? S.checking : S.checkAll}
        </button>
      </p>
      <Show when={store.report} fallback={<p class="hint">{S.neverChecked}</p>}>
        {(r) => (
          <>
            <Results findings={r().checks} outcome={r().verdict.outcome} headline={r().verdict.headline} showStep={true} />
            <Show when={r().checked_from}>{(host) => <p class="hint">{S.checkedFrom(host())}</p>}</Show>
            <Show when={r().timings}>{(t) => <Timings timings={t()} />}</Show>
          </>
        )}
      </Show>
      <WatchPanel />
    </section>
  );
}
