// One ticking clock for every relative time on screen, so "3 minutes ago"
// stays true without each comment running its own timer.
class Now {
  #value = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;

  get value(): number {
    this.#timer ??= setInterval(() => (this.#value = Date.now()), 30_000);
    return this.#value;
  }
}

export const now = new Now();
