// Owns: the app's frame — the header, the keyring banner, the progress line, errors in view,
// the demo drawer, the one live region for screen readers, and the screen for the route.
// Must not: hold a screen's content.

import { createEffect, Match, on, onCleanup, onMount, Show, Switch } from "solid-js";
import { api } from "./api";
import { DemoDrawer } from "./components/DemoDrawer";
import { DiagnosePage } from "./pages/DiagnosePage";
import { SetupPage } from "./pages/SetupPage";
import { StartPage } from "./pages/StartPage";
import { WizardPage } from "./pages/WizardPage";
import { navigate, route } from "./router";
import { loadApp, openProfile, refreshProfiles, runChecks } from "./store/actions";
import { followWatch, refreshSummaries } from "./store/district";
import { listenToProgress } from "./store/plugins";
import { listenToSetupProgress, openSetup } from "./store/setup";
import { message, run, setStore, store } from "./store/state";
import { S } from "./strings";

function KeyringBanner() {
  return (
    <Show when={store.keyring && !store.keyring.available ? store.keyring : null}>
      {(k) => (
        <Show when={!k().session_only} fallback={<p class="banner">{S.keyringSessionOnly}</p>}>
          <div class="banner" role="alert">
            <p>
              {S.keyringMissing}
              {k().problem ? ` (${k().problem})` : ""}
            </p>
            <button
              type="button"
              class="secondary"
              id="keyring-session"
              onClick={() => void run(S.keyringChoice, async () => setStore("keyring", await api.useSessionSecrets()))}
            >
              {S.keyringChoice}
            </button>
          </div>
        </Show>
      )}
    </Show>
  );
}

function Header() {
  const r = route;
  return (
    <header class="top">
      <Show when={r().name !== "start"} fallback={<span class="brand">{S.appTitle}</span>}>
        <button type="button" class="header-button" id="home" onClick={() => navigate({ name: "start" })}>
          ← {S.home}
        </button>
      </Show>
      <span class="current-profile">{r().name !== "start" ? (store.profile?.name ?? "") : ""}</span>
      <Show when={store.profile && (r().name === "wizard" || r().name === "setup")}>
        <button type="button" class="header-button" id="to-diagnose" onClick={() => navigate({ name: "diagnose", id: store.profile?.id ?? "" })}>
          {S.diagnose}
        </button>
      </Show>
      <Show when={store.profile && r().name === "diagnose"}>
        <button
          type="button"
          class="header-button"
          id="to-wizard"
          onClick={() => navigate({ name: "wizard", id: store.profile?.id ?? "", page: store.profile?.current_page ?? "0" })}
        >
          {S.open}
        </button>
      </Show>
    </header>
  );
}

export function App() {
  let main: HTMLElement | undefined;
  onMount(() => {
    // Start-up is measured to the first painted start screen: two frames after it rendered.
    void loadApp().then(() =>
      requestAnimationFrame(() => requestAnimationFrame(() => void api.uiReady().catch(() => {}))),
    );
    const stops: (() => void)[] = [];
    void listenToProgress().then((s) => stops.push(s));
    void listenToSetupProgress().then((s) => stops.push(s));
    void followWatch().then((s) => stops.push(s));
    onCleanup(() => stops.forEach((stop) => stop()));
  });
  // A route names a school: open it; the doctor's screen checks at once.
  createEffect(
    on(route, (r) => {
      if (r.name === "start") {
        void refreshProfiles().catch(() => {});
        void refreshSummaries().catch(() => {});
        return;
      }
      void (async () => {
        const opened = store.profile?.id === r.id || (await run(S.opening, () => openProfile(r.id)));
        if (!opened) {
          navigate({ name: "start" });
          return;
        }
        if (r.name === "diagnose" && store.busy === null) await runChecks(false);
        if (r.name === "setup") await openSetup(r.id).catch((e: unknown) => setStore("error", message(e)));
      })();
    }),
  );
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); main?.focus(); }}>
        {S.skipToContent}
      </a>
      <Header />
      <KeyringBanner />
      <div class="busy" classList={{ visible: store.busy !== null }} aria-hidden={store.busy === null ? "true" : undefined}>
        <Show when={store.busy}>
          {(label) => (
            <>
              <progress aria-label={label()} /> {label()}
            </>
          )}
        </Show>
      </div>
      <Show when={store.profile?.id === "demo" && route().name !== "start"}>
        <DemoDrawer />
      </Show>
      <main id="main" ref={main} tabindex="-1" aria-busy={store.busy !== null ? "true" : "false"}>
        <Switch>
          <Match when={route().name === "start"}>
            <StartPage />
          </Match>
          <Match when={(() => { const r = route(); return r.name === "wizard" && store.profile?.id === r.id ? r : null; })()}>
            {(r) => <WizardPage page={r().page} />}
          </Match>
          <Match when={route().name === "diagnose" && store.profile}>
            <DiagnosePage />
          </Match>
          <Match when={(() => { const r = route(); return r.name === "setup" && store.profile?.id === r.id ? r : null; })()}>
            {(r) => <SetupPage fix={r().fix} />}
          </Match>
        </Switch>
      </main>
      <Show when={store.error}>
        {(e) => (
          <div class="error-toast" role="alert">
            <p>
              <strong>{S.error}:</strong> {e()}
            </p>
            <button type="button" class="secondary small" id="dismiss-error" onClick={() => setStore("error", null)}>
              {S.dismiss}
            </button>
          </div>
        )}
      </Show>
      <footer class="app-footer">
        <span id="app-version">{S.about(store.version)}</span>
      </footer>
      <div class="sr-only" role="status" aria-live="polite" id="announcer">
        {store.announcement}
      </div>
    </>
  );
}
