// Which library the window shows (the local one, or a Parley server's),
// whether that server answers, and what changes on it as people write.
// The backend holds the connection; this mirrors it for the header and
// passes each change to whichever view cares.
import { api, type ConnectionView, type Event as ServerEvent, type ServerNews } from './api';

type Listener = (event: ServerEvent | 'reload') => void;

export class Connection {
  #view = $state<ConnectionView>({ server: null });
  /** Counts every switch of library: views keyed on it start afresh. */
  generation = $state(0);
  #listeners = new Set<Listener>();
  #waiting: Array<() => void> = [];

  get server(): ConnectionView['server'] {
    return this.#view.server;
  }

  get online(): boolean {
    return this.#view.server?.online ?? true;
  }

  async refresh(): Promise<void> {
    this.#take(await api.connection());
    await api.watchServer((news) => this.#hear(news));
  }

  async connect(address: string, fingerprint: string | null): Promise<void> {
    this.#take(await api.connectServer(address, fingerprint));
    this.generation++;
    await api.watchServer((news) => this.#hear(news));
  }

  async useLocal(): Promise<void> {
    this.#take(await api.useLocalLibrary());
    this.generation++;
  }

  /** Calls `listener` with every change on the server (and 'reload' when
   * the server cannot say what changed); returns the way to stop. */
  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the server answers again (at once while it does). */
  back(): Promise<void> {
    if (this.online) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** A call failed because the server did not answer. */
  lost(): void {
    if (this.#view.server) this.#view = { server: { ...this.#view.server, online: false } };
  }

  #take(view: ConnectionView) {
    this.#view = view;
    if (this.online) this.#release();
  }

  #release() {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }

  #hear(news: ServerNews) {
    // Only what the backend sends is news: anything else on the channel
    // (its end, say) is not a reason to reload what is on screen.
    switch (news?.type) {
      case 'link': {
        const server = this.#view.server;
        if (server) this.#view = { server: { ...server, online: news.online } };
        if (news.online) this.#release();
        return;
      }
      case 'change':
        this.#tell(news.event);
        return;
      case 'reload':
        this.#tell('reload');
        return;
      default:
        return;
    }
  }

  #tell(event: ServerEvent | 'reload') {
    for (const listener of this.#listeners) listener(event);
  }
}

export const connection = new Connection();
