// Owns: building DOM nodes safely — text always goes in as textContent, never as HTML.
// Must not: know about the app's state or commands.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

/** Creates an element: attributes (on* as listeners, booleans as presence) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/** Replaces a container's content, keeping keyboard focus on the element with the same id. */
export function replace(container: HTMLElement, ...children: Node[]): void {
  const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : "";
  container.replaceChildren(...children);
  if (focusedId) {
    const again = document.getElementById(focusedId);
    if (again) again.focus();
  }
}
