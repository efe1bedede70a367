import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { api } from '../../lib/api';
import InvitesPanel from './InvitesPanel.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return {
    ...actual,
    api: {
      listInvites: vi.fn(),
      signUpSetting: vi.fn(),
      createInvite: vi.fn(),
      withdrawInvite: vi.fn(),
      setSignUp: vi.fn(),
    },
  };
});

describe('InvitesPanel', () => {
  it('makes an invite and shows its code once, and changes how people join', async () => {
    const invite = { id: 'i1', createdAt: Date.now(), expiresAt: Date.now() + 86_400_000, usedAt: null, usedBy: null };
    vi.mocked(api.listInvites).mockResolvedValueOnce([]).mockResolvedValue([invite]);
    vi.mocked(api.signUpSetting).mockResolvedValue('invite');
    vi.mocked(api.createInvite).mockResolvedValue({ id: 'i1', code: '7KQ2-M9XD-AB12', expiresAt: invite.expiresAt });
    vi.mocked(api.setSignUp).mockResolvedValue(null);
    render(InvitesPanel, { server: 'home.lan:7878', onSessionEnded: vi.fn() });
    expect(await screen.findByText('None.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Make an invite' }));
    expect(api.createInvite).toHaveBeenCalledWith(7);
    expect(await screen.findByText('7KQ2-M9XD-AB12')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Withdraw' })).toBeTruthy();
    await userEvent.click(screen.getByLabelText('Closed: nobody new'));
    expect(api.setSignUp).toHaveBeenCalledWith('closed');
  });
});
