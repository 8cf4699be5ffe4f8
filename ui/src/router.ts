// Owns: the app's routes in the address's hash — start, a school's wizard page, its
// diagnosis, "Set it up for me" (or "Fix it") — so Back and Forward work and each screen has an
// address. Must not: load data.

import { createSignal } from "solid-js";
import { DONE_PAGE, isPageKey } from "./model/journey";

export type Route =
  | { name: "start" }
  | { name: "wizard"; id: string; page: string }
  | { name: "diagnose"; id: string }
  /** "Set it up for me"; `fix`: reached from Diagnose's "Fix it". */
  | { name: "setup"; id: string; fix: boolean };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "school" && parts[1]) {
    const id = parts[1];
    if (parts[2] === "step" && parts[3] && isPageKey(parts[3])) return { name: "wizard", id, page: parts[3] };
    if (parts[2] === "done") return { name: "wizard", id, page: DONE_PAGE };
    if (parts[2] === "diagnose") return { name: "diagnose", id };
    if (parts[2] === "setup" || parts[2] === "fix") return { name: "setup", id, fix: parts[2] === "fix" };
  }
  return { name: "start" };
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case "start":
      return "#/";
    case "wizard":
      return route.page === DONE_PAGE
        ? `#/school/${encodeURIComponent(route.id)}/done`
        : `#/school/${encodeURIComponent(route.id)}/step/${encodeURIComponent(route.page)}`;
    case "diagnose":
      return `#/school/${encodeURIComponent(route.id)}/diagnose`;
    case "setup":
      return `#/school/${encodeURIComponent(route.id)}/${route.fix ? "fix" : "setup"}`;
  }
}

const [route, setRoute] = createSignal<Route>(parseRoute(window.location.hash));

window.addEventListener("hashchange", () => setRoute(parseRoute(window.location.hash)));

export { route };

export function navigate(to: Route): void {
  const hash = routeHash(to);
  if (window.location.hash !== hash) window.location.hash = hash;
  setRoute(to);
}
