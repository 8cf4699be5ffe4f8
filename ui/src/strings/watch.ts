// Owns: the words of watching and of the district view. Must not: hold logic beyond filling
// a value into a sentence.

export const W = {
  checkAll: "Check all schools",
  checkingAll: "Checking every school…",
  checkAllProgress: (done: number, total: number, name: string) =>
    `${done} of ${total} checked${name ? ` (last: ${name})` : ""}`,
  checkedAll: (n: number, failing: number) =>
    `${n} ${n === 1 ? "school" : "schools"} checked: ${failing === 0 ? "none needs you" : `${failing} ${failing === 1 ? "needs" : "need"} you`}.`,
  failingSteps: (steps: number[]) => (steps.length === 1 ? `step ${steps[0]}` : `steps ${steps.join(", ")}`),
  watchingEvery: (minutes: number) => `watched every ${interval(minutes)}`,
  heading: "Watch this connection",
  toggle: "Check it again on its own",
  every: "Every",
  explain:
    "While the app runs — also with its window closed, from the tray icon — it checks this school again and notifies you when a step fails or works again. Quit from the tray icon to stop.",
  nowWatching: (minutes: number) => `Watching this school every ${interval(minutes)}.`,
  notWatching: "No longer watching this school.",
  saving: "Saving…",
  historyHeading: "Recent checks",
  noHistory: "No check kept yet.",
  setAside: (path: string) => `The history file could not be read and was set aside (${path}); it starts again.`,
  intervals: [15, 30, 60, 240] as const,
};

function interval(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "hour" : `${minutes / 60} hours`;
  return `${minutes} min`;
}

export const intervalLabel = interval;
