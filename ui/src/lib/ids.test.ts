import { describe, expect, it } from 'vitest';
import { uuidv7 } from './ids';

describe('uuidv7', () => {
  it('is a version 7 UUID of the RFC variant', () => {
    const id = uuidv7();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the time in its first 48 bits, so later ids sort later', () => {
    const at = Date.UTC(2026, 11, 2, 22, 0, 0);
    const id = uuidv7(at);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    expect(uuidv7(at + 1) > id).toBe(true);
  });

  it('differs each time within one millisecond', () => {
    const ids = new Set(Array.from({ length: 100 }, () => uuidv7(1_000)));
    expect(ids.size).toBe(100);
  });
});
