// Owns: the openSIS page's action — Connect preview, then the save through the openSIS API or
// the guided card — and the remembered password. Must not: keep a password in the store.

import { api } from "../api";
import type { SisForm } from "../bindings";
import { SIS } from "../strings";
import { reloadProfile } from "./actions";
import { announce, run, setStore, store } from "./state";

export async function saveToSis(
  form: SisForm,
  password: string,
  passphrase: string,
  remember: boolean,
): Promise<boolean> {
  const p = store.profile;
  if (!p) return false;
  return run(SIS.saving, async () => {
    const result = await api.sisSave(p.id, form, password || null, passphrase || null, remember);
    setStore({ sisResult: result, sisForm: await api.sisForm(p.id) });
    // The save is recorded in the stored profile itself: read it back for the rail and Done.
    await reloadProfile();
    announce(result.saved ? SIS.saved : SIS.guidedReady);
  });
}

export async function forgetSisPassword(): Promise<void> {
  const p = store.profile;
  if (!p) return;
  await run(SIS.forget, async () => {
    await api.sisForgetPassword(p.id);
    setStore("sisForm", await api.sisForm(p.id));
  });
}
