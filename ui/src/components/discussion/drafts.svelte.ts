// Unsent text outlives the discussion on screen. The discussion is rebuilt
// whenever someone signs in or out, and a session that ends mid-sentence
// (after the idle time-out) must not take the sentence with it. Drafts are
// kept in memory only, per person and article, so one comes back to
// whoever wrote it and to nobody else who signs in on this computer.

const kept = new Map<string, Record<string, string>>();

/** The drafts of `userId` (null: signed out) for one article, as a
 * reactive record that lives as long as the window. */
export function draftsFor(userId: string | null, articleId: string): Record<string, string> {
  const key = `${userId ?? ''}/${articleId}`;
  let drafts = kept.get(key);
  if (!drafts) {
    const fresh = $state<Record<string, string>>({});
    drafts = fresh;
    kept.set(key, drafts);
  }
  return drafts;
}

/** Forgets every draft (tests start from none). */
export function forgetDrafts(): void {
  kept.clear();
}
