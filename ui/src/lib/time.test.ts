import { describe, expect, it } from 'vitest';
import { longDate, timeAgo } from './time';

const now = Date.UTC(2026, 10, 27, 12, 0, 0);
const minute = 60_000;

describe('timeAgo', () => {
  it('speaks like a person', () => {
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now - 3 * minute, now)).toBe('3 minutes ago');
    expect(timeAgo(now - 60 * minute, now)).toBe('1 hour ago');
    expect(timeAgo(now - 26 * 60 * minute, now)).toBe('yesterday');
    expect(timeAgo(now - 15 * 24 * 60 * minute, now)).toBe('2 weeks ago');
  });

  it('treats a clock slightly ahead as just now', () => {
    expect(timeAgo(now + 5_000, now)).toBe('just now');
  });
});

describe('longDate', () => {
  it('writes the day, the month by name and the year, in local time', () => {
    expect(longDate(new Date(2026, 10, 26, 9, 30).getTime())).toBe('26 November 2026');
    expect(longDate(new Date(2024, 0, 1, 0, 0).getTime())).toBe('1 January 2024');
    expect(longDate(new Date(1999, 11, 31, 23, 59).getTime())).toBe('31 December 1999');
  });

  it('says what the ICU formatter says', () => {
    const icu = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
    for (let month = 0; month < 12; month++) {
      const at = new Date(2025, month, 1 + month * 2, 12).getTime();
      expect(longDate(at)).toBe(icu.format(at));
    }
  });
});
