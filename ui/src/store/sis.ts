// Owns: the openSIS page's action — Connect preview, then the save through the openSIS API or
// the guided card, the admin's tick for a connection typed in by hand — the remembered
// password, and how far openSIS is for Done. Must not: keep a password in the store.

import { api } from "../api";
import type { Profile, SisForm } from "../bindings";
import { SIS_PROGRESS_STEP, SIS_TYPED_ITEM } from "../model/journey";
import { SIS } from "../strings";
import { reloadProfile, tick } from "./actions";
import { announce, run, setStore, store } from "./state";

/** The profile's ticked item for "I typed it into openSIS and Connect showed the release". */
export { SIS_TYPED_ITEM };

/**
 * How far openSIS is: saved through its API and read back (proven), typed in by the admin
 * (ticked: the app cannot see inside openSIS), Connect checked but not yet typed in, or none.
 */
export type SisState = "saved" | "typed" | "checked" | "none";

export function sisState(profile: Profile | null): SisState {
  const status = profile?.progress[SIS_PROGRESS_STEP]?.last_status;
  if (status === "pass") return "saved";
  if (profile?.ticked_items.includes(SIS_TYPED_ITEM)) return "typed";
  return status === "not_visible" ? "checked" : "none";
}

/** Ticks (or unticks) "I typed the connection into openSIS", remembered in the profile. */
export async function setTypedIntoSis(on: boolean): Promise<void> {
  await tick(SIS_TYPED_ITEM, on);
  announce(on ? SIS.typedTicked : SIS.typedUnticked);
}

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
