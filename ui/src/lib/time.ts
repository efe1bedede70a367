import { afterFirstPaint } from './startup';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** Made once the window has painted its first frame, or when first wanted
 * if that is sooner: building an ICU formatter loads its locale data, which
 * costs several milliseconds, too many to spend before the library is on
 * screen and too many to add to opening the first discussion
 * (scripts/measure). */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  const get = () => (made ??= make());
  afterFirstPaint(() => void get());
  return get;
}

const relative = once(() => new Intl.RelativeTimeFormat('en', { numeric: 'auto' }));

/** "just now", "3 minutes ago", "yesterday", "2 weeks ago". */
export function timeAgo(then: number, now: number): string {
  const seconds = Math.round((now - then) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative().format(-Math.round(seconds / size), unit);
  }
  return relative().format(-Math.round(seconds / 60), 'minute');
}

// Formatters are made once: building one per call costs more than
// formatting, and a long thread formats thousands of times.
const exact = once(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' }));

/** The exact local date and time, for tooltips. */
export function exactTime(ms: number): string {
  return exact().format(ms);
}

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** A publication date in the reader's time zone: "26 November 2026".
 * Written out by hand rather than through ICU: every card in the library
 * shows one, and the library is the first thing Parley paints. */
export function longDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
}
