// Owns: where each plugin ZIP comes from (a link or a file), the download progress and the
// installer-style verdict of each ZIP. Must not: judge a ZIP; the Rust validator does.

import { open as chooseFile } from "@tauri-apps/plugin-dialog";
import { For, Show } from "solid-js";
import { api } from "../api";
import type { PluginResult } from "../bindings";
import { checkedBeforeSiteKnown, EXPECTED, fetchPlugins, setSource, siteRelease, siteVersion } from "../store/plugins";
import { run, store } from "../store/state";
import { P, PLUGIN_NAMES } from "../strings";

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function ResultCard(props: { result: PluginResult; index: number }) {
  const v = () => props.result.verdict;
  const look = () =>
    v()?.status === "valid" ? "proven" : v()?.status === "valid_with_warnings" ? "warn" : "fail";
  const icon = () => (look() === "proven" ? "✔" : look() === "warn" ? "⚠" : "✖");
  const title = () => {
    const verdict = v();
    return verdict
      ? `${verdict.file}: ${P.verdict[verdict.status]}`
      : `${props.result.source}: ${props.result.error?.message ?? ""}`;
  };
  return (
    <article class={`finding look-${look()}`} aria-label={title()}>
      <p class="finding-summary">
        <span aria-hidden="true">{icon()} </span>
        {title()}
      </p>
      <Show when={v()?.component}>
        {(c) => (
          <p>
            {P.details(c(), v()?.version ?? "?")}
            {v()?.expected ? ` — ${PLUGIN_NAMES[v()?.expected ?? "web_services"]}` : ""}
          </p>
        )}
      </Show>
      <Show when={v()?.supported_note}>
        {(note) => (
          <p class="moodle-range" id={`plugin-range-${props.index}`}>
            {`${P.moodleRange}: ${note()}`}
            {siteVersion() === null ? ` ${P.rangeSiteUnknown}` : ""}
          </p>
        )}
      </Show>
      <Show when={(v()?.problems.length ?? 0) > 0}>
        <ul class="problems">
          <For each={v()?.problems ?? []}>
            {(p) => <li class={p.severity}>{`${p.severity === "error" ? "✖" : "⚠"} ${p.message}`}</li>}
          </For>
        </ul>
      </Show>
      <Show when={v()}>
        {(verdict) => (
          <details class="evidence">
            <summary>{`${P.sha256}, ${P.file}`}</summary>
            <p>{`${P.sha256}: ${verdict().sha256} (${size(verdict().size)})`}</p>
            <Show when={props.result.saved_to}>
              {(path) => (
                <p>
                  {`${P.file}: ${path()} `}
                  <button
                    type="button"
                    class="secondary small"
                    id={`reveal-plugin-${props.index}`}
                    onClick={() => void run(P.file, () => api.revealInFolder(path()).then(() => undefined))}
                  >
                    {P.showInFolder}
                  </button>
                </p>
              )}
            </Show>
          </details>
        )}
      </Show>
    </article>
  );
}

export function PluginsPanel() {
  const sources = () => store.profile?.plugin_sources ?? [];
  const choose = async (i: number) => {
    const picked = await chooseFile({ multiple: false, filters: [{ name: "ZIP", extensions: ["zip"] }] });
    if (typeof picked === "string") await setSource(i, picked);
  };
  return (
    <section class="plugins" aria-labelledby="plugins-heading">
      <h3 id="plugins-heading">{P.heading}</h3>
      <For each={EXPECTED}>
        {(expected, i) => (
          <div class="plugin-source">
            <label for={`plugin-src-${i()}`}>{P.source(PLUGIN_NAMES[expected])}</label>
            <div class="field-row">
              <input
                id={`plugin-src-${i()}`}
                type="text"
                value={sources()[i()] ?? ""}
                placeholder={P.sourcePlaceholder}
                aria-describedby="plugin-src-hint"
                onChange={(e) => void setSource(i(), e.currentTarget.value)}
              />
              <button
                type="button"
                class="secondary"
                id={`choose-${i()}`}
                aria-label={P.chooseFileFor(PLUGIN_NAMES[expected])}
                onClick={() => void run(P.chooseFile, () => choose(i()))}
              >
                {P.chooseFile}
              </button>
            </div>
          </div>
        )}
      </For>
      <p class="hint" id="plugin-src-hint">
        {P.sourceHint}
      </p>
      <p class="actions">
        <button type="button" class="secondary" id="fetch-plugins" onClick={() => void fetchPlugins()}>
          {P.fetch}
        </button>
        <Show when={store.busy === P.fetching}>
          <button type="button" class="secondary" id="cancel-fetch" onClick={() => void api.cancelPluginFetch()}>
            {P.cancel}
          </button>
        </Show>
      </p>
      <For each={Object.values(store.plugins.progress)}>
        {(pr) => (
          <p class="download-progress">
            <progress
              value={pr.downloaded}
              max={pr.total ?? pr.downloaded + 1}
              aria-label={`${pr.source}: ${P.progress(size(pr.downloaded), pr.total === null ? null : size(pr.total))}`}
            />
            {` ${P.progress(size(pr.downloaded), pr.total === null ? null : size(pr.total))} · ${size(pr.bytes_per_second)}/s`}
          </p>
        )}
      </For>
      <Show when={store.plugins.summary}>
        {(summary) => (
          <>
            <For each={summary().results}>{(r, i) => <ResultCard result={r} index={i()} />}</For>
            <p role="status">
              {summary().missing.length > 0
                ? P.missing(summary().missing.map((m) => PLUGIN_NAMES[m]).join(", "))
                : P.bothValid}
            </p>
            <Show when={checkedBeforeSiteKnown()}>
              <p class="hint" id="plugins-recheck">
                {P.recheckForSite(siteRelease() ?? "")}
              </p>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
