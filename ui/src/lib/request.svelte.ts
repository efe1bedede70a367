import type { ApiError } from './api';

/**
 * One form's (or list's) conversation with the backend: whether a request
 * is in flight, and how the last one ended, as a message to show. A refusal
 * of kind "unauthorized" also reports that the session has ended, so the
 * window can ask the person to sign in again.
 */
export class Request {
  busy = $state(false);
  error = $state('');
  done = $state('');
  readonly #onSessionEnded: () => void;

  constructor(onSessionEnded: () => void) {
    this.#onSessionEnded = onSessionEnded;
  }

  /** Runs `action` after clearing the last outcome. A string it resolves to
   * is shown as done; a failure's message as the error. Resolves to whether
   * the action succeeded. */
  async run(action: () => Promise<string | void>): Promise<boolean> {
    this.error = '';
    this.done = '';
    this.busy = true;
    try {
      const message = await action();
      if (message) this.done = message;
      return true;
    } catch (e) {
      if ((e as ApiError).kind === 'unauthorized') this.#onSessionEnded();
      this.error = (e as Error).message;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Forgets how the last request ended. */
  reset(): void {
    this.done = '';
    this.error = '';
  }

  /** Shows a problem found before asking the backend. */
  refuse(message: string): void {
    this.done = '';
    this.error = message;
  }
}
