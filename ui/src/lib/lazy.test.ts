import { describe, expect, it, vi } from 'vitest';
import { lazy } from './lazy';

describe('lazy', () => {
  it('fetches a view once, however often it is wanted', async () => {
    const load = vi.fn(() => Promise.resolve({ default: 'view' }));
    const view = lazy(load);
    expect(load).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([view(), view()]);
    await view();
    expect(a).toBe(b);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed fetch instead of keeping the failure', async () => {
    const load = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('gone'))
      .mockResolvedValueOnce('view');
    const view = lazy(load);
    await expect(view()).rejects.toThrow('gone');
    await expect(view()).resolves.toBe('view');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
