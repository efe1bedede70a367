const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "just now", "3 minutes ago", "yesterday", "2 weeks ago". */
export function timeAgo(then: number, now: number): string {
  const seconds = Math.round((now - then) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(-Math.round(seconds / size), unit);
  }
  return relative.format(-Math.round(seconds / 60), 'minute');
}

// Formatters are made once: building one per call costs more than
// formatting, and a long thread formats thousands of times.
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const long = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

/** The exact local date and time, for tooltips. */
export function exactTime(ms: number): string {
  return exact.format(ms);
}

/** A publication date: "26 November 2026". */
export function longDate(ms: number): string {
  return long.format(ms);
}
