import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, type Thread, type ThreadComment, type User } from '../../lib/api';
import Discussion from './Discussion.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return { ...actual, api: { loadThread: vi.fn(), postComment: vi.fn() } };
});

const ARTICLE = '0193a0c4-0000-7000-8000-000000000001';
const ada: User = {
  id: '0193a0c4-0000-7000-8000-0000000000a1',
  username: 'ada',
  displayName: 'Ada Lovelace',
  role: 'admin',
  createdAt: 0,
};

let nextId = 1;
function comment(depth: number, authorName: string, body: string, parentAuthorName: string | null = null): ThreadComment {
  return {
    id: `0193a0c4-0000-7000-8000-${String(nextId++).padStart(12, '0')}`,
    parentId: depth === 0 ? null : 'parent',
    authorId: ada.id,
    authorName,
    parentAuthorName,
    depth,
    body,
    createdAt: Date.now() - 3 * 60_000,
  };
}

function thread(...comments: ThreadComment[]): Thread {
  return { articleId: ARTICLE, comments };
}

function renderDiscussion(user: User | null, onRequestSignIn = vi.fn()) {
  render(Discussion, { articleId: ARTICLE, user, onRequestSignIn });
  return { onRequestSignIn };
}

beforeEach(() => {
  vi.mocked(api.loadThread).mockReset();
  vi.mocked(api.postComment).mockReset();
});

describe('Discussion', () => {
  it('invites the first comment while nobody has written', async () => {
    vi.mocked(api.loadThread).mockResolvedValue(thread());
    renderDiscussion(ada);
    expect(await screen.findByText('Leave the first comment')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Comments (0)' })).toBeTruthy();
    expect(screen.getByText('What is your opinion on this topic?')).toBeTruthy();
    expect(api.loadThread).toHaveBeenCalledWith(ARTICLE);
  });

  it('shows a signed-out reader the discussion and a sign-in prompt instead of the form', async () => {
    vi.mocked(api.loadThread).mockResolvedValue(thread(comment(0, 'Grace Hopper', 'Hello')));
    const { onRequestSignIn } = renderDiscussion(null);
    expect(await screen.findByText('Hello')).toBeTruthy();
    expect(screen.queryByLabelText('Your comment')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reply' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in to comment' }));
    expect(onRequestSignIn).toHaveBeenCalledOnce();
    expect(screen.queryByText('Leave the first comment')).toBeNull();
  });

  it('nests replies, caps the indentation and names the parent on deep replies', async () => {
    vi.mocked(api.loadThread).mockResolvedValue(
      thread(
        comment(0, 'Ada Lovelace', 'top'),
        comment(1, 'Grace Hopper', 'first reply', 'Ada Lovelace'),
        comment(7, 'Alan Turing', 'very deep', 'Grace Hopper'),
        comment(0, 'Alan Turing', 'second top'),
      ),
    );
    renderDiscussion(ada);
    await screen.findByText('top');
    expect(screen.getByRole('heading', { name: 'Comments (4)' })).toBeTruthy();

    const items = screen.getAllByRole('article');
    expect(items.map((a) => a.getAttribute('data-depth'))).toEqual(['0', '1', '7', '0']);
    expect(items.map((a) => a.getAttribute('aria-label'))).toEqual([
      'Comment by Ada Lovelace',
      'Comment by Grace Hopper',
      'Comment by Alan Turing',
      'Comment by Alan Turing',
    ]);
    expect(items[1]!.classList.contains('indent-1')).toBe(true);
    expect(items[2]!.classList.contains('indent-5')).toBe(true);
    expect(within(items[2]!).getByText('↳ replying to Grace Hopper')).toBeTruthy();
    expect(within(items[1]!).queryByText(/replying to/)).toBeNull();
    expect(within(items[0]!).getByText('3 minutes ago')).toBeTruthy();
  });

  it('shows the message of a refused post next to the form and keeps the draft', async () => {
    vi.mocked(api.loadThread).mockResolvedValue(thread());
    vi.mocked(api.postComment).mockRejectedValue(
      new ApiError({ kind: 'not_found', message: 'That article is no longer in the library.' }),
    );
    renderDiscussion(ada);
    const field = await screen.findByLabelText('Your comment');
    await userEvent.type(field, 'My draft');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That article is no longer in the library.');
    expect((field as HTMLTextAreaElement).value).toBe('My draft');
  });

  it('says why an empty comment cannot be posted, without a round trip', async () => {
    vi.mocked(api.loadThread).mockResolvedValue(thread());
    renderDiscussion(ada);
    await userEvent.type(await screen.findByLabelText('Your comment'), '   ');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Write something before posting.');
    expect(api.postComment).not.toHaveBeenCalled();
  });

  it('posts a reply under its parent and updates the count at once', async () => {
    const top = comment(0, 'Grace Hopper', 'top');
    vi.mocked(api.loadThread).mockResolvedValue(thread(top));
    vi.mocked(api.postComment).mockResolvedValue(
      thread(top, comment(1, 'Ada Lovelace', 'my reply', 'Grace Hopper')),
    );
    renderDiscussion(ada);
    await userEvent.click(await screen.findByRole('button', { name: 'Reply' }));
    await userEvent.type(screen.getByLabelText('Reply to Grace Hopper'), 'my reply');
    await userEvent.click(screen.getByRole('button', { name: 'Post reply' }));
    expect(await screen.findByRole('heading', { name: 'Comments (2)' })).toBeTruthy();
    expect(api.postComment).toHaveBeenCalledWith(ARTICLE, top.id, 'my reply');
    expect(screen.queryByLabelText('Reply to Grace Hopper')).toBeNull();
  });
});
