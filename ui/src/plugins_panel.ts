// Owns: the step-3 panel — where each plugin ZIP comes from, the download progress and the
// installer-style verdicts. Must not: judge a ZIP; verdicts come from the Rust validator.

import { listen } from "@tauri-apps/api/event";
import { open as chooseFile } from "@tauri-apps/plugin-dialog";
import { api } from "./api";
import type { PluginProgress, PluginResult, PluginsSummary, Profile, Report } from "./bindings";
import { h } from "./dom";
import { PLUGIN_NAMES, S } from "./strings";

export interface PluginsUi {
  summary: PluginsSummary | null;
  progress: Record<string, PluginProgress>;
}

export const pluginsUi: PluginsUi = { summary: null, progress: {} };

const EXPECTED = ["user_authenticator", "web_services"] as const;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Subscribes to download progress; returns a function that stops listening. */
export async function listenToProgress(onChange: () => void): Promise<() => void> {
  try {
    return await listen<PluginProgress>("plugin-progress", (event) => {
      pluginsUi.progress[event.payload.source] = event.payload;
      onChange();
    });
  } catch {
    return () => {};
  }
}

interface PanelDeps {
  profile: Profile;
  report: Report | null;
  busy: boolean;
  run: (label: string, work: () => Promise<void>) => Promise<void>;
  render: () => void;
}

export async function fetchAll(deps: PanelDeps): Promise<void> {
  pluginsUi.progress = {};
  const sources = deps.profile.plugin_sources.filter((s) => s.trim() !== "");
  pluginsUi.summary = await api.fetchPlugins(deps.profile.id, sources, deps.report?.site?.version ?? null);
}

function resultCard(r: PluginResult, deps: PanelDeps, index: number): Node {
  const v = r.verdict;
  const status = v ? v.status : "refused";
  const icon = status === "valid" ? "✔" : status === "valid_with_warnings" ? "⚠" : "✖";
  const cls = status === "valid" ? "pass" : status === "valid_with_warnings" ? "warn" : "fail";
  const title = v ? `${v.file}: ${S.pluginVerdict[v.status]}` : `${r.source}: ${r.error?.message ?? ""}`;
  return h(
    "article",
    { class: `finding ${cls}`, "aria-label": title },
    h("p", { class: "finding-summary" }, h("span", { class: "finding-icon", "aria-hidden": "true" }, icon), title),
    v?.component ? h("p", {}, S.pluginDetails(v.component, v.version ?? "?"), v.expected ? ` — ${PLUGIN_NAMES[v.expected]}` : "") : null,
    v && v.problems.length > 0
      ? h(
          "ul",
          { class: "problems" },
          ...v.problems.map((p) => h("li", { class: p.severity }, `${p.severity === "error" ? "✖" : "⚠"} ${p.message}`)),
        )
      : null,
    v ? h("p", { class: "finding-evidence" }, `${S.sha256}: ${v.sha256} (${size(v.size)})`) : null,
    r.saved_to
      ? h(
          "p",
          {},
          `${S.savedAt}: ${r.saved_to} `,
          h(
            "button",
            {
              type: "button",
              id: `reveal-plugin-${index}`,
              disabled: deps.busy,
              onclick: () => {
                const path = r.saved_to;
                if (path) void deps.run(S.showInFolder, () => api.revealInFolder(path).then(() => undefined));
              },
            },
            S.showInFolder,
          ),
        )
      : null,
  );
}

export function pluginsPanel(deps: PanelDeps): Node[] {
  const p = deps.profile;
  const rows = EXPECTED.map((expected, i) => {
    const id = `plugin-src-${i}`;
    return h(
      "div",
      { class: "plugin-source" },
      h("label", { for: id }, S.pluginSource(PLUGIN_NAMES[expected])),
      h("input", {
        id,
        type: "text",
        value: p.plugin_sources[i] ?? "",
        placeholder: "https://… or /path/to/file.zip",
        "aria-describedby": "plugin-src-hint",
        oninput: (e: Event) => {
          const sources = [...p.plugin_sources];
          while (sources.length < EXPECTED.length) sources.push("");
          sources[i] = (e.target as HTMLInputElement).value;
          p.plugin_sources = sources;
        },
      }),
      h(
        "button",
        {
          type: "button",
          id: `choose-${i}`,
          disabled: deps.busy,
          "aria-label": `${S.chooseFile} ${PLUGIN_NAMES[expected]}`,
          onclick: () =>
            void deps.run(S.chooseFile, async () => {
              const picked = await chooseFile({ multiple: false, filters: [{ name: "ZIP", extensions: ["zip"] }] });
              if (typeof picked === "string") {
                const sources = [...p.plugin_sources];
                while (sources.length < EXPECTED.length) sources.push("");
                sources[i] = picked;
                p.plugin_sources = sources;
              }
            }),
        },
        S.chooseFile,
      ),
    );
  });
  const progress = Object.values(pluginsUi.progress).map((pr) =>
    h(
      "p",
      { class: "download-progress" },
      h("progress", {
        value: pr.downloaded,
        max: pr.total ?? pr.downloaded + 1,
        "aria-label": `${pr.source}: ${S.progress(size(pr.downloaded), pr.total === null ? null : size(pr.total))}`,
      }),
      ` ${S.progress(size(pr.downloaded), pr.total === null ? null : size(pr.total))} · ${size(pr.bytes_per_second)}/s`,
    ),
  );
  const summary = pluginsUi.summary;
  return [
    ...rows,
    h("span", { class: "hint", id: "plugin-src-hint" }, S.pluginSourceHint),
    h(
      "p",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          id: "fetch-plugins",
          disabled: deps.busy,
          onclick: () => void deps.run(S.fetching, () => fetchAll(deps)),
        },
        S.fetchPlugins,
      ),
      deps.busy
        ? h(
            "button",
            { type: "button", id: "cancel-fetch", onclick: () => void api.cancelPluginFetch() },
            S.cancelFetch,
          )
        : null,
    ),
    ...progress,
    ...(summary ? summary.results.map((r, i) => resultCard(r, deps, i)) : []),
    summary
      ? h(
          "p",
          { role: "status" },
          summary.missing.length > 0
            ? S.pluginsMissing(summary.missing.map((m) => PLUGIN_NAMES[m]).join(", "))
            : S.pluginsBothValid,
        )
      : null,
  ].filter((n): n is HTMLElement => n !== null);
}
