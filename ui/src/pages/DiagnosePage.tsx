// Owns: the doctor's screen for a school — every check at once, the verdict first, failing
// steps first with a way to each, waiting checks grouped, passes folded; and "Fix it" when
// steps fail (the "Set it up for me" flow). Must not: judge.

import { Show } from "solid-js";
import { fixability } from "../model/setup";
import { navigate } from "../router";
import { Results } from "../components/Results";
import { WatchPanel } from "../components/WatchPanel";
import { runChecks } from "../store/actions";
import { store } from "../store/state";
import { S, U } from "../strings";
import { SiteFacts } from "../components/SiteFacts";
import { Timings } from "../components/Timings";

/** "Fix it" when steps fail — unless the site itself fails (step 0), which no change of
 *  Moodle's administration pages fixes (the command line's doctor --fix stops there too). */
function FixIt() {
  const can = () => fixability(store.report);
  return (
    <Show when={store.profile?.id !== "demo" && can().failing.length > 0 && store.stale === null}>
      <Show
        when={can().siteProblems.length === 0}
        fallback={
          <p class="hint" id="not-fixable">
            {U.notFixable(can().siteProblems.join(" "))}
          </p>
        }
      >
        <>
          <button
            type="button"
            class="secondary"
            id="fix-it"
            aria-describedby="fix-it-hint"
            onClick={() => navigate({ name: "setup", id: store.profile?.id ?? "", fix: true })}
          >
            {U.fixIt}
          </button>
          <span class="hint fix-it-hint" id="fix-it-hint">
            {U.fixItHint}
          </span>
        </>
      </Show>
    </Show>
  );
}

export function DiagnosePage() {
  const rerun = () => runChecks(false);
  return (
    <section class="panel diagnose" aria-labelledby="page-heading">
      <h2 id="page-heading" tabindex="-1">
        {S.diagnoseHeading(store.profile?.name ?? "")}
      </h2>
      <SiteFacts />
      <div class="actions">
        <button type="button" class="primary" id="rerun" aria-disabled={store.busy !== null} onClick={() => void rerun()}>
          {store.busy === S.checking ? S.checking : S.checkAll}
        </button>
        <FixIt />
      </div>
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
