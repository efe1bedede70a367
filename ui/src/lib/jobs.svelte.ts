import { api, type JobView } from './api';

/** How long a job that went well stays on screen once finished. */
const AUTO_DISMISS_MS = 10_000;

/** The library's background jobs, as the backend reports them: one list
 * for the whole window, kept current through a channel. */
export class Jobs {
  #jobs = $state<JobView[]>([]);
  #dismissed = $state<number[]>([]);
  /** Goes up each time a job adds articles: the library listens to it. */
  added = $state(0);
  #watching = false;

  /** Jobs to show: newest first, without the ones dismissed. */
  get shown(): JobView[] {
    return this.#jobs.filter((j) => !this.#dismissed.includes(j.id));
  }

  get running(): boolean {
    return this.#jobs.some((j) => !j.finished);
  }

  /** Loads the jobs so far and follows every change. Once per window. */
  async watch(): Promise<void> {
    if (this.#watching) return;
    this.#watching = true;
    await api.watchJobs((job) => this.#update(job));
    for (const job of await api.jobs()) this.#update(job);
  }

  /** Someone else signed in (or out): show the jobs they may see, not
   * the last person's. */
  async reload(): Promise<void> {
    const visible = await api.jobs();
    this.#jobs = [];
    for (const job of visible.reverse()) this.#update(job);
  }

  #update(job: JobView): void {
    const at = this.#jobs.findIndex((j) => j.id === job.id);
    const before = at >= 0 ? this.#jobs[at] : undefined;
    if (before && before.done > job.done) return; // an older report, overtaken
    if (job.added > (before?.added ?? 0)) this.added += 1;
    if (at >= 0) this.#jobs[at] = job;
    else this.#jobs = [job, ...this.#jobs];
    // A job that went well steps aside after a while; one with failures
    // stays until dismissed, so its Retry is not missed.
    if (job.finished && !before?.finished && job.failed === 0 && !job.cancelled) {
      setTimeout(() => this.dismiss(job.id), AUTO_DISMISS_MS);
    }
  }

  /** Shows a job the page just started, before its first report. */
  started(id: number, title: string): void {
    if (this.#jobs.some((j) => j.id === id)) return;
    this.#jobs = [
      { id, title, total: 0, done: 0, failed: 0, added: 0, current: null, items: [], finished: false, cancelled: false },
      ...this.#jobs,
    ];
  }

  dismiss(id: number): void {
    if (!this.#dismissed.includes(id)) this.#dismissed = [...this.#dismissed, id];
  }
}

export const jobs = new Jobs();
