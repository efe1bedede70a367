// The window's side of the backend session. The backend ends a session
// after a while without activity (30 minutes unless the admin chose
// otherwise) and then refuses every change with kind "unauthorized". This
// notices that as soon as it can, so the page stops showing someone as
// signed in who no longer is, and it tells the backend the person is still
// there while they type and click. Views that see an action refused with
// "unauthorized" report it through `ended`.
import type { Account } from './account.svelte';
import { api, type User } from './api';

/** How often to ask whether the session is still open. `current_user` does
 * not count as activity, so asking cannot keep an idle session alive. */
export const POLL_EVERY_MS = 30_000;
/** Activity is reported at most this often: well inside the shortest
 * time-out the admin can choose (one minute), so steady typing never lets a
 * session lapse. */
export const KEEP_ALIVE_EVERY_MS = 15_000;
/** What counts as the person being there. */
const ACTIVITY = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

export class Session {
  readonly #account: Account;
  readonly #onEnded: (username: string) => void;
  #lastKeepAlive = -Infinity;
  /** Whose activity was last reported: a new person's is reported at once. */
  #lastFor: string | null = null;

  /** `onEnded` hears, with their username, of anyone signed out because the
   * backend ended their session (not of anyone who signed out themselves). */
  constructor(account: Account, onEnded: (username: string) => void) {
    this.#account = account;
    this.#onEnded = onEnded;
  }

  /** Polls, and listens for activity on `target`, until the returned
   * function is called. */
  watch(target: EventTarget = window): () => void {
    const poll = setInterval(() => void this.#poll(), POLL_EVERY_MS);
    const active = () => this.activity();
    const options = { capture: true, passive: true };
    for (const event of ACTIVITY) target.addEventListener(event, active, options);
    return () => {
      clearInterval(poll);
      for (const event of ACTIVITY) target.removeEventListener(event, active, options);
    };
  }

  /** Someone typed, clicked or scrolled: tells the backend, at most once
   * every KEEP_ALIVE_EVERY_MS. */
  activity(): void {
    const user = this.#account.user;
    if (!user) return;
    const now = Date.now();
    if (this.#lastFor === user.id && now - this.#lastKeepAlive < KEEP_ALIVE_EVERY_MS) return;
    this.#lastKeepAlive = now;
    this.#lastFor = user.id;
    api.keepAlive().then(
      (still) => this.#unless(still, user),
      () => {}, // says nothing about the session; the next poll will tell
    );
  }

  /** The backend no longer knows the person the page shows as signed in:
   * the page signs them out too and says why. Does nothing for nobody. */
  ended(): void {
    const user = this.#account.user;
    if (!user) return;
    this.#account.forget();
    this.#lastKeepAlive = -Infinity;
    this.#onEnded(user.username);
  }

  async #poll(): Promise<void> {
    const user = this.#account.user;
    if (!user) return;
    try {
      this.#unless(await api.currentUser(), user);
    } catch {
      // A failed poll says nothing about the session; ask again next time.
    }
  }

  /** Ends the session unless the backend still has someone, and takes in
   * any change to their name or role; an answer about someone who has
   * since signed out (or in) is old news. */
  #unless(still: User | null, asked: User): void {
    if (this.#account.user?.id !== asked.id) return;
    if (still === null) this.ended();
    else this.#account.update(still);
  }
}
