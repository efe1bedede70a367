import { api, type NewAccount, type User } from './api';
import { forgetDraftsOf } from './drafts.svelte';

/** Who is signed in, as the backend last said. The backend stays the authority. */
export class Account {
  #user = $state<User | null>(null);

  get user(): User | null {
    return this.#user;
  }

  async refresh(): Promise<void> {
    this.#user = await api.currentUser();
  }

  async signIn(username: string, password: string): Promise<void> {
    this.#user = await api.signIn(username, password);
  }

  /** `code`: on a server, its setup code or an invite's. */
  async create(account: NewAccount, code: string | null = null): Promise<void> {
    this.#user = await api.createAccount(account, code);
  }

  /** Signs out on purpose: what this person left unsent is forgotten, so
   * the next person at the computer cannot find it. */
  async signOut(): Promise<void> {
    const leaving = this.#user;
    await api.signOut();
    this.#user = null;
    if (leaving) forgetDraftsOf(leaving.id);
  }

  /** Resolves once saved; the name shows everywhere at once. */
  async setDisplayName(displayName: string): Promise<void> {
    this.#user = await api.setDisplayName(displayName);
  }

  /** Deletes the account after the backend checks the password; that also signs out. */
  async deleteAccount(password: string): Promise<void> {
    const leaving = this.#user;
    await api.deleteAccount(password);
    this.#user = null;
    if (leaving) forgetDraftsOf(leaving.id);
  }

  /** The backend still has this person signed in, perhaps with another
   * name or role since (the admin promoted or demoted them). */
  update(user: User): void {
    if (this.#user?.id === user.id) this.#user = user;
  }

  /** The backend said the session is gone (e.g. it expired). Drafts stay
   * for this person to find when they sign in again. */
  forget(): void {
    this.#user = null;
  }
}

export const account = new Account();
