import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { api, type SessionInfo } from '../../lib/api';
import SessionsPanel from './SessionsPanel.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return { ...actual, api: { mySessions: vi.fn(), endOtherSessions: vi.fn(), endSession: vi.fn() } };
});

const session = (id: string, label: string, current = false): SessionInfo => ({
  id,
  label,
  createdAt: 0,
  lastSeenAt: Date.now() - 60_000,
  current,
});

describe('SessionsPanel', () => {
  it('says where else the person is signed in, and signs them out there', async () => {
    vi.mocked(api.mySessions)
      .mockResolvedValueOnce([
        session('s1', 'Parley on kitchen', true),
        session('s2', 'Parley on laptop'),
        session('s3', 'Parley on office'),
      ])
      .mockResolvedValueOnce([session('s1', 'Parley on kitchen', true)]);
    vi.mocked(api.endOtherSessions).mockResolvedValue(2);
    render(SessionsPanel, { server: 'home.lan:7878', onSessionEnded: vi.fn() });
    expect(await screen.findByText('Signed in on this computer, and on 2 others.')).toBeTruthy();
    expect(screen.getByText('Parley on laptop')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out everywhere else' }));
    expect(api.endOtherSessions).toHaveBeenCalledOnce();
    expect(await screen.findByText('Signed in on this computer only.')).toBeTruthy();
    expect(screen.getByText('Signed out 2 other sessions.')).toBeTruthy();
  });
});
