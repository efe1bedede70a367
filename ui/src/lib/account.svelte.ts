import { api, type NewAccount, type User } from './api';

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

  async create(account: NewAccount): Promise<void> {
    this.#user = await api.createAccount(account);
  }

  async signOut(): Promise<void> {
    await api.signOut();
    this.#user = null;
  }

  /** Resolves once saved; the name shows everywhere at once. */
  async setDisplayName(displayName: string): Promise<void> {
    this.#user = await api.setDisplayName(displayName);
  }

  /** Deletes the account after the backend checks the password; that also signs out. */
  async deleteAccount(password: string): Promise<void> {
    await api.deleteAccount(password);
    this.#user = null;
  }

  /** The backend still has this person signed in, perhaps with another
   * name or role since (the admin promoted or demoted them). */
  update(user: User): void {
    if (this.#user?.id === user.id) this.#user = user;
  }

  /** The backend said the session is gone (e.g. it expired). */
  forget(): void {
    this.#user = null;
  }
}

export const account = new Account();
