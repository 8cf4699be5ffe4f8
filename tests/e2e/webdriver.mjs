// A minimal W3C WebDriver client over fetch: sessions, elements, clicks, text, screenshots.
// Enough to drive the desktop app through tauri-driver; no browser is downloaded.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }

  async request(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok || (json.value && json.value.error)) {
      const err = new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
      err.webdriver = json.value?.error;
      throw err;
    }
    return json.value;
  }

  async start(application) {
    const value = await this.request("POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    this.session = value.sessionId;
  }

  async quit() {
    if (this.session) await this.request("DELETE", `/session/${this.session}`).catch(() => {});
    this.session = null;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  async find(css) {
    const value = await this.request("POST", this.s("/element"), { using: "css selector", value: css });
    return value[ELEMENT];
  }

  async findAll(css) {
    const value = await this.request("POST", this.s("/elements"), { using: "css selector", value: css });
    return value.map((v) => v[ELEMENT]);
  }

  async click(css) {
    const id = await this.waitFor(css);
    await this.request("POST", this.s(`/element/${id}/click`), {});
  }

  async text(css) {
    const id = await this.waitFor(css);
    return this.request("GET", this.s(`/element/${id}/text`));
  }

  async attribute(css, name) {
    const id = await this.waitFor(css);
    return this.request("GET", this.s(`/element/${id}/attribute/${name}`));
  }

  async execute(script, args = []) {
    return this.request("POST", this.s("/execute/sync"), { script, args });
  }

  /** Runs an async script: its last argument is the callback to call with the result. */
  async executeAsync(script, args = []) {
    return this.request("POST", this.s("/execute/async"), { script, args });
  }

  /** Types text into an element (the element receives focus first). */
  async type(css, text) {
    const id = await this.waitFor(css);
    await this.request("POST", this.s(`/element/${id}/value`), { text });
  }

  /** The handles of the app's windows the driver can reach. */
  async windows() {
    return this.request("GET", this.s("/window/handles"));
  }

  async currentWindow() {
    return this.request("GET", this.s("/window"));
  }

  async switchTo(handle) {
    await this.request("POST", this.s("/window"), { handle });
  }

  async setWindow(width, height) {
    await this.request("POST", this.s("/window/rect"), { width, height });
  }

  /** Polls until an element matching `css` exists; returns its id. */
  async waitFor(css, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.find(css);
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${css}: ${e.message}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  }

  /** Waits until the app is idle (no command running). */
  async idle(timeoutMs = 30000) {
    await this.waitFor('main[aria-busy="false"]', timeoutMs);
  }

  /** Presses one key (a WebDriver key code such as "\uE004" for Tab) on the focused element. */
  async press(key) {
    await this.request("POST", this.s("/actions"), {
      actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: key }, { type: "keyUp", value: key }] }],
    });
  }

  /** Presses Tab until the element with this id has focus (keyboard only). */
  async tabTo(id, max = 120) {
    for (let i = 0; i < max; i++) {
      if ((await this.activeId()) === id) return;
      await this.press("\uE004");
    }
    throw new Error(`Tab never reached #${id}; focus is on #${await this.activeId()}`);
  }

  async activeId() {
    return this.execute("return document.activeElement ? document.activeElement.id : null;");
  }

  async screenshot() {
    const b64 = await this.request("GET", this.s("/screenshot"));
    return Buffer.from(b64, "base64");
  }
}
