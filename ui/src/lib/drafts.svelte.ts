// Unsent text outlives the discussion on screen. The discussion is rebuilt
// whenever someone signs in or out, and a session that ends mid-sentence
// (after the idle time-out) must not take the sentence with it. Drafts are
// kept in memory only, per person and article, so one comes back to
// whoever wrote it and to nobody else who signs in on this computer. A
// deliberate sign-out (or deleting the account) forgets that person's
// drafts: nothing they left unsent stays in the window for the next person.

const kept = new Map<string, Record<string, string>>();

const keyOf = (userId: string | null, articleId: string) => `${userId ?? ''}/${articleId}`;

/** The drafts of `userId` (null: signed out) for one article, as a
 * reactive record that lives as long as the window. */
export function draftsFor(userId: string | null, articleId: string): Record<string, string> {
  const key = keyOf(userId, articleId);
  let drafts = kept.get(key);
  if (!drafts) {
    const fresh = $state<Record<string, string>>({});
    drafts = fresh;
    kept.set(key, drafts);
  }
  return drafts;
}

/** Forgets everything `userId` left unsent, on every article. The records
 * handed out earlier are emptied too, in case a view still holds one. */
export function forgetDraftsOf(userId: string): void {
  const prefix = keyOf(userId, '');
  for (const [key, drafts] of kept) {
    if (!key.startsWith(prefix)) continue;
    for (const field of Object.keys(drafts)) delete drafts[field];
    kept.delete(key);
  }
}

/** Forgets every draft (tests start from none). */
export function forgetDrafts(): void {
  kept.clear();
}
