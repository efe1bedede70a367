import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../../lib/api';
import { Connection } from '../../lib/connection.svelte';
import ConnectPage from './ConnectPage.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return {
    ...actual,
    api: { checkServer: vi.fn(), connectServer: vi.fn(), watchServer: vi.fn(), useLocalLibrary: vi.fn() },
  };
});

const FINGERPRINT = 'AB:CD:'.repeat(15) + 'EF:01';

describe('ConnectPage', () => {
  it('shows a self-signed certificate by its fingerprint and connects only once it is trusted', async () => {
    vi.mocked(api.checkServer).mockResolvedValue({
      address: 'https://home.lan:7878/',
      certificate: { state: 'unknown', fingerprint: FINGERPRINT },
      version: null,
      needsSetup: false,
    });
    vi.mocked(api.connectServer).mockResolvedValue({ server: { address: 'home.lan:7878', online: true } });
    vi.mocked(api.watchServer).mockResolvedValue(null);
    const onConnected = vi.fn();
    render(ConnectPage, { connection: new Connection(), onConnected });
    await userEvent.type(screen.getByLabelText('Server address'), 'home.lan:7878');
    await userEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText(FINGERPRINT)).toBeTruthy();
    expect(api.connectServer).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Trust it and connect' }));
    expect(api.connectServer).toHaveBeenCalledWith('https://home.lan:7878/', FINGERPRINT);
    expect(onConnected).toHaveBeenCalledOnce();
  });

  it('refuses a changed certificate with its warning, and offers no way to trust it', async () => {
    vi.mocked(api.checkServer).mockResolvedValue({
      address: 'https://home.lan:7878/',
      certificate: { state: 'changed', fingerprint: FINGERPRINT, warning: 'home.lan:7878 showed a different certificate' },
      version: null,
      needsSetup: false,
    });
    render(ConnectPage, { connection: new Connection(), onConnected: vi.fn() });
    await userEvent.type(screen.getByLabelText('Server address'), 'home.lan:7878');
    await userEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect((await screen.findByRole('alert')).textContent).toContain('different certificate');
    expect(screen.queryByRole('button', { name: 'Trust it and connect' })).toBeNull();
  });

  it('says plainly why an address cannot be used', async () => {
    vi.mocked(api.checkServer).mockRejectedValue(
      new ApiError({ kind: 'invalid', message: 'Parley connects to a server over HTTPS only' }),
    );
    render(ConnectPage, { connection: new Connection(), onConnected: vi.fn() });
    await userEvent.type(screen.getByLabelText('Server address'), 'http://192.168.1.20');
    await userEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect((await screen.findByRole('alert')).textContent).toContain('HTTPS only');
  });
});
