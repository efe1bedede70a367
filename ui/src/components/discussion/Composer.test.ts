import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/api';
import Composer from './Composer.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return { ...actual, api: { previewMarkdown: vi.fn() } };
});

const offline = () => new ApiError({ kind: 'unavailable', message: 'Parley cannot reach home.lan right now.' });

describe('Composer', () => {
  it('keeps a comment sent while offline and sends it again, once, when the server answers', async () => {
    const onSubmit = vi.fn().mockRejectedValueOnce(offline()).mockResolvedValueOnce(undefined);
    render(Composer, { label: 'Your comment', submitLabel: 'Post comment', onSubmit });
    await userEvent.type(screen.getByLabelText('Your comment'), 'Sent as the train left the station');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    expect(await screen.findByText(/Offline: trying again/)).toBeTruthy();
    const field = screen.getByLabelText('Your comment') as HTMLTextAreaElement;
    expect(field.value).toBe('Sent as the train left the station');
    expect(field.readOnly).toBe(true);
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2), { timeout: 3000 });
    expect(onSubmit).toHaveBeenNthCalledWith(2, 'Sent as the train left the station');
    await waitFor(() => expect(field.value).toBe(''));
    expect(screen.queryByText(/Offline: trying again/)).toBeNull();
  });

  it('stops waiting when asked, keeping the draft to edit', async () => {
    const onSubmit = vi.fn().mockRejectedValue(offline());
    render(Composer, { label: 'Your comment', submitLabel: 'Post comment', onSubmit });
    await userEvent.type(screen.getByLabelText('Your comment'), 'Not yet');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Stop and edit' }));
    const field = screen.getByLabelText('Your comment') as HTMLTextAreaElement;
    await waitFor(() => expect(field.readOnly).toBe(false));
    expect(field.value).toBe('Not yet');
    expect(onSubmit).toHaveBeenCalledOnce();
  });
});
