import { describe, expect, it } from 'vitest';
import { timeAgo } from './time';

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
