import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Account } from './account.svelte';
import { api, type User } from './api';
import { KEEP_ALIVE_EVERY_MS, POLL_EVERY_MS, Session } from './session';

vi.mock('./api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./api')>();
  return {
    ...actual,
    api: { signIn: vi.fn(), currentUser: vi.fn(), keepAlive: vi.fn() },
  };
});

const ada: User = {
  id: '0193a0c4-0000-7000-8000-0000000000a1',
  username: 'ada',
  displayName: 'Ada Lovelace',
  role: 'admin',
  createdAt: 0,
};

let account: Account;
let onEnded: ReturnType<typeof vi.fn<(username: string) => void>>;
let stop: () => void;

async function signedIn(): Promise<void> {
  vi.mocked(api.signIn).mockResolvedValue(ada);
  await account.signIn('ada', 'analytical engine 1843');
}

beforeEach(() => {
  vi.useFakeTimers();
  for (const fn of Object.values(api)) vi.mocked(fn).mockReset();
  account = new Account();
  onEnded = vi.fn();
  stop = new Session(account, onEnded).watch(window);
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe('Session', () => {
  it('asks every 30 seconds while someone is signed in, and signs them out when the backend has nobody', async () => {
    await vi.advanceTimersByTimeAsync(POLL_EVERY_MS);
    expect(api.currentUser).not.toHaveBeenCalled(); // nobody to ask about

    await signedIn();
    vi.mocked(api.currentUser).mockResolvedValue(ada);
    await vi.advanceTimersByTimeAsync(POLL_EVERY_MS);
    expect(api.currentUser).toHaveBeenCalledOnce();
    expect(account.user).toEqual(ada);
    expect(onEnded).not.toHaveBeenCalled();

    // The admin demoted Ada meanwhile: the page follows.
    vi.mocked(api.currentUser).mockResolvedValue({ ...ada, role: 'member' });
    await vi.advanceTimersByTimeAsync(POLL_EVERY_MS);
    expect(account.user?.role).toBe('member');

    vi.mocked(api.currentUser).mockResolvedValue(null);
    await vi.advanceTimersByTimeAsync(POLL_EVERY_MS);
    expect(account.user).toBeNull();
    expect(onEnded).toHaveBeenCalledExactlyOnceWith('ada');

    await vi.advanceTimersByTimeAsync(3 * POLL_EVERY_MS);
    expect(api.currentUser).toHaveBeenCalledTimes(3);
    expect(onEnded).toHaveBeenCalledOnce();
  });

  it('reports typing and clicking at most every 15 seconds, and only for someone signed in', async () => {
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    expect(api.keepAlive).not.toHaveBeenCalled();

    await signedIn();
    vi.mocked(api.keepAlive).mockResolvedValue(ada);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    window.dispatchEvent(new Event('pointerdown'));
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_EVERY_MS - 1);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'b' }));
    expect(api.keepAlive).toHaveBeenCalledOnce();

    await vi.advanceTimersByTimeAsync(1);
    window.dispatchEvent(new Event('pointerdown'));
    expect(api.keepAlive).toHaveBeenCalledTimes(2);

    // Reading by scrolling alone counts too.
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_EVERY_MS);
    window.dispatchEvent(new Event('wheel'));
    expect(api.keepAlive).toHaveBeenCalledTimes(3);
    expect(onEnded).not.toHaveBeenCalled();
  });

  it('ends the session when keeping it alive finds it already gone', async () => {
    await signedIn();
    vi.mocked(api.keepAlive).mockResolvedValue(null);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(account.user).toBeNull();
    expect(onEnded).toHaveBeenCalledExactlyOnceWith('ada');
  });

  it('ignores a poll that fails, and an answer about someone who has since signed out', async () => {
    await signedIn();
    vi.mocked(api.currentUser).mockRejectedValue(new Error('offline'));
    await vi.advanceTimersByTimeAsync(POLL_EVERY_MS);
    expect(account.user).toEqual(ada);

    let answer: (user: User | null) => void = () => {};
    vi.mocked(api.currentUser).mockReturnValue(new Promise((resolve) => (answer = resolve)));
    await vi.advanceTimersByTimeAsync(POLL_EVERY_MS);
    // Meanwhile Ada signs out and Grace signs in: the late answer is not about her.
    account.forget();
    vi.mocked(api.signIn).mockResolvedValue({ ...ada, id: 'someone-else', username: 'grace' });
    await account.signIn('grace', 'nanoseconds of wire');
    answer(null);
    await vi.advanceTimersByTimeAsync(0);
    expect(account.user?.username).toBe('grace');
    expect(onEnded).not.toHaveBeenCalled();
  });

  it('stops polling and listening when told to', async () => {
    await signedIn();
    stop();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    await vi.advanceTimersByTimeAsync(2 * POLL_EVERY_MS);
    expect(api.keepAlive).not.toHaveBeenCalled();
    expect(api.currentUser).not.toHaveBeenCalled();
  });
});
