// Owns: one door to the string catalogue. Must not: hold strings itself.
export { S } from "./common";
export { PAGES, GROUP_TITLES, KEY_LIFETIME, FUNCTIONS, type ItemText, type PageText } from "./checklists";
export { CHECK_TITLES, checkTitle, DEMO, STATE_LABELS } from "./checks";
export { LEGEND, LOOK_SHORT, P, PLUGIN_NAMES, SIS } from "./forms";
export { W, intervalLabel } from "./watch";
export { U } from "./setup";
