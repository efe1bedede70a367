// Parley's start, as the parts of the UI that can wait see it: what is
// not on the first screen (the jobs' channel, the filters' choices, the
// other views' code) waits until the library has been painted, so that
// none of it stands between launch and the first frame.

let reportShown: () => void = () => {};

/** Resolves once the UI is in the document and its first frame painted. */
const shown = new Promise<void>((resolve) => (reportShown = resolve));

/** main.ts: the UI is now in the document (its first frame comes next). */
export function uiAttached(): void {
  requestAnimationFrame(() => setTimeout(reportShown, 0));
}

/** Runs `task` once the first frame is painted: at once (in a microtask)
 * when it already has been. */
export function afterFirstPaint(task: () => void): void {
  void shown.then(task);
}
