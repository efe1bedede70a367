import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Account } from '../../lib/account.svelte';
import { ApiError } from '../../lib/api';
import AccountDialog from './AccountDialog.svelte';

function fakeAccount(overrides: Partial<Account>): Account {
  return { signIn: vi.fn(), create: vi.fn(), ...overrides } as unknown as Account;
}

describe('AccountDialog', () => {
  it('shows the generic message for a failed sign-in and stays open', async () => {
    const account = fakeAccount({
      signIn: vi.fn().mockRejectedValue(
        new ApiError({ kind: 'bad_credentials', message: 'Wrong username or password.' }),
      ),
    });
    const onClose = vi.fn();
    render(AccountDialog, { mode: 'sign-in', account, onClose, onSwitch: vi.fn() });
    await userEvent.type(screen.getByLabelText('Username'), 'ada');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
    expect(account.signIn).toHaveBeenCalledWith('ada', 'wrong password');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('creates an account from the three fields and closes', async () => {
    const account = fakeAccount({ create: vi.fn().mockResolvedValue(undefined) });
    const onClose = vi.fn();
    render(AccountDialog, { mode: 'create', account, onClose, onSwitch: vi.fn() });
    expect(screen.getByRole('dialog', { name: 'Create account' })).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Username'), 'grace');
    await userEvent.type(screen.getByLabelText('Display name'), 'Grace Hopper');
    await userEvent.type(screen.getByLabelText('Password'), 'nanoseconds of wire');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(account.create).toHaveBeenCalledWith({
      username: 'grace',
      displayName: 'Grace Hopper',
      password: 'nanoseconds of wire',
    }, null);
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('asks for the invite code when the account is on a server, and sends it', async () => {
    const account = fakeAccount({ create: vi.fn().mockResolvedValue(undefined) });
    render(AccountDialog, { mode: 'create', account, onClose: vi.fn(), onSwitch: vi.fn(), server: 'home.lan:7878' });
    expect(screen.getByText(/This account lives on home.lan:7878/)).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Username'), 'grace');
    await userEvent.type(screen.getByLabelText('Display name'), 'Grace Hopper');
    await userEvent.type(screen.getByLabelText('Invite or setup code'), 'INVITE-123');
    await userEvent.type(screen.getByLabelText('Password'), 'nanoseconds of wire');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(account.create).toHaveBeenCalledWith(
      { username: 'grace', displayName: 'Grace Hopper', password: 'nanoseconds of wire' },
      'INVITE-123',
    );
  });
});
