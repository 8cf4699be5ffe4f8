// Owns: the start screen — one primary way in (set up a new school, or "Set it up for me"
// beside it), what to have ready, the doctor and the demo, and the list of schools with their
// last state. Must not: guess which school to diagnose when there are several.

import { createSignal, For, Show } from "solid-js";
import { api } from "../api";
import type { Profile } from "../bindings";
import { navigate } from "../router";
import { LastCheck } from "../components/LastCheck";
import { createSchool, forgetResults, refreshProfiles, startDemo } from "../store/actions";
import { checkAll } from "../store/district";
import { startSetup } from "../store/setup";
import { run, store } from "../store/state";
import { S, U, W } from "../strings";

/** "Set it up for me": which school (one of them, or a new one by its name). */
function AutoForm(props: { onCancel: () => void }) {
  const schools = () => store.profiles.filter((p) => p.id !== "demo");
  const [chosen, setChosen] = createSignal<string>(schools()[0]?.id ?? "");
  const [name, setName] = createSignal("");
  return (
    <form
      class="inline-form new-school"
      id="auto-form"
      onSubmit={(e) => {
        e.preventDefault();
        void startSetup(chosen() === "" ? null : chosen(), name());
      }}
    >
      <Show when={schools().length > 0}>
        <label for="auto-school">{U.chooseSchool}</label>
        <select
          id="auto-school"
          ref={(el) => queueMicrotask(() => el.focus())}
          onChange={(e) => setChosen(e.currentTarget.value)}
        >
          <For each={schools()}>
            {(p) => (
              <option value={p.id} selected={chosen() === p.id}>
                {p.moodle_url ? `${p.name} — ${p.moodle_url}` : p.name}
              </option>
            )}
          </For>
          <option value="" selected={chosen() === ""}>
            {U.newSchool}
          </option>
        </select>
      </Show>
      <Show when={chosen() === ""}>
        <label for="auto-school-name">{S.newSchoolName}</label>
        <input
          id="auto-school-name"
          required
          autocomplete="off"
          aria-describedby="auto-school-hint"
          value={name()}
          ref={(el) => {
            if (schools().length === 0) queueMicrotask(() => el.focus());
          }}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Show>
      <button type="submit" class="primary" id="auto-continue">
        {U.continue}
      </button>
      <button type="button" class="secondary" id="auto-cancel" onClick={() => props.onCancel()}>
        {S.cancel}
      </button>
      <Show when={chosen() === ""}>
        <span class="hint" id="auto-school-hint">
          {S.newSchoolHint}
        </span>
      </Show>
    </form>
  );
}

function ProfileRow(props: { profile: Profile; chooser: boolean }) {
  const p = () => props.profile;
  const [mode, setMode] = createSignal<"view" | "rename" | "delete">("view");
  const [name, setName] = createSignal(p().name);
  const isDemo = () => p().id === "demo";
  const summary = () => store.summaries.find((s) => s.id === p().id);
  return (
    <li class="profile-row" classList={{ chooser: props.chooser }}>
      <Show when={mode() === "view"}>
        <span class="profile-name">{p().name}</span>
        <span class="profile-url">{p().moodle_url || "—"}</span>
        <span class="profile-last">
          <LastCheck snapshot={summary()?.last ?? null} />
          <Show when={summary()?.watching}>
            <span class="watching">{` · ◉ ${W.watchingEvery(summary()?.interval_minutes ?? 30)}`}</span>
          </Show>
        </span>
        <span class="profile-actions">
          <button
            type="button"
            class="secondary"
            id={`open-${p().id}`}
            aria-label={`${S.open}: ${p().name}`}
            onClick={() => navigate({ name: "wizard", id: p().id, page: p().current_page ?? "0" })}
          >
            {S.open}
          </button>
          <button
            type="button"
            class={props.chooser ? "primary" : "secondary"}
            id={`diagnose-${p().id}`}
            aria-label={`${S.diagnose}: ${p().name}`}
            onClick={() => navigate({ name: "diagnose", id: p().id })}
          >
            {S.diagnose}
          </button>
          <Show when={!isDemo()}>
            <button type="button" class="secondary" id={`rename-${p().id}-start`} aria-label={`${S.rename}: ${p().name}`} onClick={() => setMode("rename")}>
              {S.rename}
            </button>
            <button
              type="button"
              class="secondary"
              id={`duplicate-${p().id}`}
              aria-label={`${S.duplicate}: ${p().name}`}
              onClick={() => void run(S.duplicate, async () => {
                await api.duplicateProfile(p().id);
                await refreshProfiles();
              })}
            >
              {S.duplicate}
            </button>
            <button type="button" class="danger" id={`delete-${p().id}`} aria-label={`${S.remove}: ${p().name}`} onClick={() => setMode("delete")}>
              {S.remove}
            </button>
          </Show>
        </span>
      </Show>
      <Show when={mode() === "rename"}>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(S.rename, async () => {
              await api.renameProfile(p().id, name());
              setMode("view");
              await refreshProfiles();
            });
          }}
        >
          <label for={`rename-${p().id}`}>{S.newSchoolName}</label>
          <input id={`rename-${p().id}`} value={name()} required ref={(el) => queueMicrotask(() => el.focus())} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="primary" id={`rename-save-${p().id}`}>
            {S.save}
          </button>
          <button type="button" class="secondary" id={`rename-cancel-${p().id}`} onClick={() => setMode("view")}>
            {S.cancel}
          </button>
        </form>
      </Show>
      <Show when={mode() === "delete"}>
        <div class="confirm" role="group" aria-label={S.confirmDelete(p().name)}>
          <p>{S.confirmDelete(p().name)}</p>
          <button
            type="button"
            class="danger"
            id={`delete-confirm-${p().id}`}
            onClick={() => void run(S.remove, async () => {
              await api.deleteProfile(p().id);
              forgetResults(p().id);
              await refreshProfiles();
            })}
          >
            {S.remove}
          </button>
          <button type="button" class="secondary" id={`delete-cancel-${p().id}`} ref={(el) => queueMicrotask(() => el.focus())} onClick={() => setMode("view")}>
            {S.keep}
          </button>
        </div>
      </Show>
    </li>
  );
}

export function StartPage() {
  const [creating, setCreating] = createSignal(false);
  const [auto, setAuto] = createSignal(false);
  const [choosing, setChoosing] = createSignal(false);
  const [name, setName] = createSignal("");
  const schools = () => store.profiles.filter((p) => p.id !== "demo");
  /** Failing schools first, as the last checks say (the Rust side orders the summaries). */
  const ordered = () => {
    const rank = (id: string) => {
      const i = store.summaries.findIndex((s) => s.id === id);
      return i < 0 ? store.summaries.length : i;
    };
    return [...store.profiles].sort((a, b) => rank(a.id) - rank(b.id));
  };
  const diagnose = () => {
    const list = schools();
    const only = list[0];
    if (list.length === 1 && only) navigate({ name: "diagnose", id: only.id });
    else if (list.length === 0) setCreating(true);
    else {
      setChoosing(true);
      queueMicrotask(() => document.getElementById("profiles-heading")?.focus());
    }
  };
  return (
    <section class="start" aria-labelledby="start-heading">
      <h1 id="start-heading">{S.startHeading}</h1>
      <p class="tagline">{S.tagline}</p>
      <div class="start-grid">
        <div class="start-main">
          <div class="start-ways">
            <button type="button" class="start-card primary-card" id="start-new" onClick={() => { setAuto(false); setCreating(true); }}>
              <strong>{S.startNew}</strong>
              <span>{S.startNewHint}</span>
            </button>
            <button type="button" class="start-card" id="start-auto" onClick={() => { setCreating(false); setAuto(true); }}>
              <strong>{U.startCard}</strong>
              <span>{U.startCardHint}</span>
            </button>
          </div>
          <Show when={auto()}>
            <AutoForm onCancel={() => setAuto(false)} />
          </Show>
          <Show when={creating()}>
            <form class="inline-form new-school" onSubmit={(e) => { e.preventDefault(); void createSchool(name()); }}>
              <label for="new-school-name">{S.newSchoolName}</label>
              <input id="new-school-name" required autocomplete="off" aria-describedby="new-school-hint" value={name()} ref={(el) => queueMicrotask(() => el.focus())} onInput={(e) => setName(e.currentTarget.value)} />
              <button type="submit" class="primary" id="create-school">{S.create}</button>
              <button type="button" class="secondary" id="cancel-create" onClick={() => setCreating(false)}>{S.cancel}</button>
              <span class="hint" id="new-school-hint">{S.newSchoolHint}</span>
            </form>
          </Show>
          <div class="you-need">
            <p>{S.youNeed}</p>
            <ul>
              <For each={S.youNeedItems}>{(t) => <li>{t}</li>}</For>
            </ul>
          </div>
        </div>
        <div class="start-side">
          <button type="button" class="start-card" id="start-diagnose" onClick={diagnose}>
            <strong>{S.startDiagnose}</strong>
            <span>{S.startDiagnoseHint}</span>
          </button>
          <button type="button" class="start-card" id="start-demo" onClick={() => void startDemo()}>
            <strong>{S.startDemo}</strong>
            <span>{S.startDemoHint}</span>
          </button>
        </div>
      </div>
      <div class="profiles-head">
        <h2 id="profiles-heading" tabindex="-1">{choosing() ? S.chooseSchool : S.profilesHeading}</h2>
        <Show when={store.profiles.length > 1}>
          <button type="button" class="secondary" id="check-all" aria-disabled={store.busy !== null} onClick={() => void checkAll()}>
            {W.checkAll}
          </button>
        </Show>
        <span class="check-all-progress" role="status">
          <Show when={store.checkAll}>
            {(c) => (
              <>
                <progress max={c().total || 1} value={c().done} aria-hidden="true" /> {W.checkAllProgress(c().done, c().total, c().name)}
              </>
            )}
          </Show>
        </span>
      </div>
      <Show when={store.profiles.length > 0} fallback={<p>{S.noProfiles}</p>}>
        <ul class="profiles">
          <For each={ordered()}>{(p) => <ProfileRow profile={p} chooser={choosing() && p.id !== "demo"} />}</For>
        </ul>
      </Show>
    </section>
  );
}
