import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, type AccountSummary, type User } from '../../lib/api';
import AdminPage from './AdminPage.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return {
    ...actual,
    api: {
      listAccounts: vi.fn(),
      promoteAccount: vi.fn(),
      demoteAccount: vi.fn(),
      disableAccount: vi.fn(),
      enableAccount: vi.fn(),
      appSettings: vi.fn(),
      setIdleTimeout: vi.fn(),
      libraryLimits: vi.fn(),
      setLibraryLimits: vi.fn(),
      listBackups: vi.fn(),
      backUpNow: vi.fn(),
      restoreBackup: vi.fn(),
      restoreBackupFile: vi.fn(),
    },
  };
});

const ada: User = {
  id: '0193a0c4-0000-7000-8000-0000000000a1',
  username: 'ada',
  displayName: 'Ada Lovelace',
  role: 'admin',
  createdAt: 0,
};

function summary(username: string, displayName: string, extra: Partial<AccountSummary> = {}): AccountSummary {
  return {
    username,
    displayName,
    role: 'member',
    createdAt: Date.UTC(2026, 10, 2),
    disabled: false,
    commentCount: 3,
    isYou: false,
    ...extra,
  };
}

const MIB = 1024 * 1024;
const limits = { maxArticlesPerSource: 1000, maxSourceImageBytes: 200 * MIB, maxLibraryImageBytes: 2048 * MIB };

const adaRow = summary('ada', 'Ada Lovelace', { role: 'admin', isYou: true, commentCount: 12 });

function renderPage(user: User | null = ada) {
  const props = { user, onSessionEnded: vi.fn(), onChangedYou: vi.fn() };
  render(AdminPage, props);
  return props;
}

beforeEach(() => {
  for (const fn of Object.values(api)) vi.mocked(fn).mockReset();
  vi.mocked(api.appSettings).mockResolvedValue({ idleTimeoutMinutes: 30 });
  vi.mocked(api.listBackups).mockResolvedValue([]);
  vi.mocked(api.libraryLimits).mockResolvedValue(limits);
});

describe('AdminPage', () => {
  it('lists the accounts and changes one by its username, then lists them again', async () => {
    vi.mocked(api.listAccounts).mockResolvedValue([adaRow, summary('grace', 'Grace Hopper')]);
    renderPage();
    const graceRow = (await screen.findByRole('rowheader', { name: /Grace Hopper/ })).closest('tr')!;
    expect(within(graceRow).getByText('Member')).toBeTruthy();
    expect(within(graceRow).getByText('Active')).toBeTruthy();
    expect(within(graceRow).getByText('3')).toBeTruthy();
    expect(within(graceRow).getByText('2 November 2026')).toBeTruthy();
    // Nobody disables themselves.
    expect(screen.queryByRole('button', { name: 'Disable ada' })).toBeNull();

    vi.mocked(api.listAccounts).mockResolvedValue([adaRow, summary('grace', 'Grace Hopper', { role: 'admin' })]);
    await userEvent.click(screen.getByRole('button', { name: 'Make admin grace' }));
    expect(api.promoteAccount).toHaveBeenCalledWith('grace');
    expect(await screen.findByRole('button', { name: 'Remove admin grace' })).toBeTruthy();
    expect(screen.getByText('Grace Hopper is now an admin.').getAttribute('role')).toBe('status');

    vi.mocked(api.listAccounts).mockResolvedValue([
      adaRow,
      summary('grace', 'Grace Hopper', { role: 'admin', disabled: true }),
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Disable grace' }));
    expect(api.disableAccount).toHaveBeenCalledWith('grace');
    expect(await screen.findByRole('button', { name: 'Enable grace' })).toBeTruthy();
    expect(api.listAccounts).toHaveBeenCalledTimes(3);
  });

  it('shows a refusal as the backend words it', async () => {
    vi.mocked(api.listAccounts).mockResolvedValue([adaRow]);
    vi.mocked(api.demoteAccount).mockRejectedValue(
      new ApiError({
        kind: 'forbidden',
        message: 'Parley needs at least one admin who can sign in. Make someone else admin first.',
      }),
    );
    const { onChangedYou } = renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Remove admin ada' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Parley needs at least one admin who can sign in. Make someone else admin first.',
    );
    expect(onChangedYou).not.toHaveBeenCalled();
  });

  it('saves the idle time-out, within its range', async () => {
    vi.mocked(api.listAccounts).mockResolvedValue([adaRow]);
    vi.mocked(api.setIdleTimeout).mockResolvedValue({ idleTimeoutMinutes: 45 });
    renderPage();
    const field = await screen.findByLabelText('Sign out after this many minutes without activity');
    await vi.waitFor(() => expect((field as HTMLInputElement).value).toBe('30'));
    await userEvent.clear(field);
    await userEvent.type(field, '2000');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Choose a whole number of minutes from 1 to 1440.');
    expect(api.setIdleTimeout).not.toHaveBeenCalled();

    await userEvent.clear(field);
    await userEvent.type(field, '45');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.setIdleTimeout).toHaveBeenCalledWith(45);
    expect(await screen.findByText('Saved. People are signed out after 45 minutes without activity.')).toBeTruthy();
  });

  it('tells anyone but an admin that the page is not for them', () => {
    renderPage({ ...ada, role: 'member' });
    expect(screen.getByText('Only an admin can see this page.')).toBeTruthy();
    expect(api.listAccounts).not.toHaveBeenCalled();
  });

  it('takes a backup, lists it, and restores only after a confirmation', async () => {
    const taken = {
      name: 'parley-2026-11-30-120000.db',
      size: 3 * 1024 * 1024,
      takenAt: Date.UTC(2026, 10, 30, 12),
      kind: 'manual' as const,
    };
    vi.mocked(api.listAccounts).mockResolvedValue([adaRow]);
    vi.mocked(api.backUpNow).mockImplementation(async (onProgress) => {
      onProgress(1024, 2048);
      return taken;
    });
    vi.mocked(api.restoreBackup).mockRejectedValue(
      new ApiError({ kind: 'invalid', message: 'parley-2026-11-30-120000.db cannot be restored: it is damaged.' }),
    );
    renderPage();
    const panel = await screen.findByRole('region', { name: 'Backups' });
    expect(await within(panel).findByText('No backups yet.')).toBeTruthy();

    vi.mocked(api.listBackups).mockResolvedValue([taken]);
    await userEvent.click(within(panel).getByRole('button', { name: 'Back up now' }));
    expect(await within(panel).findByText('Backed up to parley-2026-11-30-120000.db (3.0 MB).')).toBeTruthy();
    expect(within(panel).getByText('taken by hand')).toBeTruthy();

    await userEvent.click(within(panel).getByRole('button', { name: 'Restore…' }));
    expect(api.restoreBackup).not.toHaveBeenCalled();
    await userEvent.click(within(panel).getByRole('button', { name: 'Yes, restore' }));
    expect(api.restoreBackup).toHaveBeenCalledWith('parley-2026-11-30-120000.db');
    expect((await within(panel).findByRole('alert')).textContent).toContain('it is damaged');
  });
  it('shows the library limits in MiB and saves them in bytes', async () => {
    vi.mocked(api.listAccounts).mockResolvedValue([adaRow]);
    vi.mocked(api.setLibraryLimits).mockImplementation(async (chosen) => chosen);
    renderPage();
    const articles = (await screen.findByLabelText('Articles each feed keeps')) as HTMLInputElement;
    await vi.waitFor(() => expect(articles.value).toBe('1000'));
    expect((screen.getByLabelText('Images the whole library keeps (MiB)') as HTMLInputElement).value).toBe('2048');
    const user = userEvent.setup();
    await user.clear(articles);
    await user.type(articles, '250');
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(api.setLibraryLimits).toHaveBeenCalledWith({
      maxArticlesPerSource: 250,
      maxSourceImageBytes: 200 * MIB,
      maxLibraryImageBytes: 2048 * MIB,
    });
    expect(await screen.findByText(/Each feed keeps to these limits/)).toBeTruthy();
  });
});
