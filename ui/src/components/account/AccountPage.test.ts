import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Account } from '../../lib/account.svelte';
import { api, ApiError, type User } from '../../lib/api';
import AccountPage from './AccountPage.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return {
    ...actual,
    api: {
      signIn: vi.fn(),
      setDisplayName: vi.fn(),
      changePassword: vi.fn(),
      deleteAccount: vi.fn(),
      mutedPeople: vi.fn(),
      unmute: vi.fn(),
    },
  };
});

const grace: User = {
  id: '0193a0c4-0000-7000-8000-0000000000a2',
  username: 'grace',
  displayName: 'Grace Hopper',
  role: 'member',
  createdAt: 0,
};

async function renderPage() {
  const account = new Account();
  vi.mocked(api.signIn).mockResolvedValue(grace);
  await account.signIn('grace', 'nanoseconds of wire');
  const props = { account, onRequestSignIn: vi.fn(), onSessionEnded: vi.fn(), onDeleted: vi.fn() };
  render(AccountPage, props);
  return props;
}

beforeEach(() => {
  for (const fn of Object.values(api)) vi.mocked(fn).mockReset();
  vi.mocked(api.mutedPeople).mockResolvedValue([]);
});

describe('AccountPage', () => {
  it('refuses two different new passwords without asking the backend', async () => {
    await renderPage();
    await userEvent.type(screen.getByLabelText('Current password'), 'nanoseconds of wire');
    await userEvent.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await userEvent.type(screen.getByLabelText('Confirm new password'), 'a brand new passfrase');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The two new passwords do not match.');
    expect(api.changePassword).not.toHaveBeenCalled();
  });

  it('changes the password, and shows the backend\'s reason when it refuses', async () => {
    await renderPage();
    vi.mocked(api.changePassword).mockRejectedValueOnce(
      new ApiError({ kind: 'forbidden', message: 'That is not your current password.' }),
    );
    await userEvent.type(screen.getByLabelText('Current password'), 'wrong');
    await userEvent.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await userEvent.type(screen.getByLabelText('Confirm new password'), 'a brand new passphrase');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That is not your current password.');

    await userEvent.clear(screen.getByLabelText('Current password'));
    await userEvent.type(screen.getByLabelText('Current password'), 'nanoseconds of wire');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(api.changePassword).toHaveBeenLastCalledWith('nanoseconds of wire', 'a brand new passphrase');
    expect(await screen.findByText('Your password has been changed.')).toBeTruthy();
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('');
  });

  it('renames the account everywhere it is shown', async () => {
    const { account } = await renderPage();
    vi.mocked(api.setDisplayName).mockResolvedValue({ ...grace, displayName: 'Amazing Grace' });
    const field = screen.getByLabelText('Display name');
    await userEvent.clear(field);
    await userEvent.type(field, 'Amazing Grace');
    await userEvent.click(screen.getByRole('button', { name: 'Save name' }));
    expect(api.setDisplayName).toHaveBeenCalledWith('Amazing Grace');
    expect(await screen.findByText('Saved. You now appear as Amazing Grace.')).toBeTruthy();
    expect(account.user?.displayName).toBe('Amazing Grace');
  });

  it('lists muted people and unmutes one', async () => {
    const muteId = '0193a0c4-0000-7000-8000-00000000aaaa';
    vi.mocked(api.mutedPeople).mockResolvedValueOnce([{ id: muteId, displayName: 'Alan Turing' }]);
    await renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Unmute Alan Turing' }));
    expect(api.unmute).toHaveBeenCalledWith(muteId);
    expect(await screen.findByText('You have not muted anyone.')).toBeTruthy();
  });

  it('deletes the account only after the password and a second yes', async () => {
    const { account, onDeleted } = await renderPage();
    await userEvent.type(screen.getByLabelText('Your password'), 'nanoseconds of wire');
    await userEvent.click(screen.getByRole('button', { name: 'Delete account' }));
    expect(api.deleteAccount).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete my account' }));
    expect(api.deleteAccount).toHaveBeenCalledWith('nanoseconds of wire');
    expect(account.user).toBeNull();
    expect(onDeleted).toHaveBeenCalledOnce();
  });
});
