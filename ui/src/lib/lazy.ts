import { afterFirstPaint } from './startup';

/** A part of the UI that Parley does not need to open on the library: its
 * code is a separate file, fetched the first time it is wanted (or when
 * `prefetch` asks) and kept. Parley starts faster for not reading it. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((e: unknown) => {
      // A failed fetch is tried again the next time the view is wanted.
      loading = null;
      throw e;
    });
    return loading;
  };
}

/** Fetches every one of `views` once the window has painted its first
 * frame, so that the first click on any of them waits for nothing. */
export function prefetch(views: Array<() => Promise<unknown>>): void {
  afterFirstPaint(() => {
    for (const view of views) view().catch(() => {});
  });
}
