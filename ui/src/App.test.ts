import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { api, ApiError, type Article, type ThreadPage, type User } from './lib/api';

const ARTICLE = '0193a0c4-0000-7000-8000-000000000001';

// Before App's modules load: the router reads the address once, at start.
vi.hoisted(() => {
  window.location.hash = '#/article/0193a0c4-0000-7000-8000-000000000001';
});

vi.mock('./lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./lib/api')>();
  return {
    ...actual,
    api: {
      currentUser: vi.fn(),
      keepAlive: vi.fn(),
      signIn: vi.fn(),
      getArticle: vi.fn(),
      openDiscussion: vi.fn(),
      loadThread: vi.fn(),
      postComment: vi.fn(),
      signOut: vi.fn(),
      openLink: vi.fn(),
      jobs: vi.fn().mockResolvedValue([]),
      watchJobs: vi.fn().mockResolvedValue(null),
    },
  };
});

const ada: User = {
  id: '0193a0c4-0000-7000-8000-0000000000a1',
  username: 'ada',
  displayName: 'Ada Lovelace',
  role: 'member',
  createdAt: 0,
};

const article: Article = {
  id: ARTICLE,
  title: 'Night buses for the eastern estates',
  source: 'The Courier',
  author: 'J. Doe',
  url: null,
  publishedAt: 0,
  summary: '',
  bodyHtml: '<p>Body.</p>',
  tags: [],
  canDelete: false,
  version: 1,
  versions: [{ version: 1, since: 0 }],
};

const empty: ThreadPage = {
  articleId: ARTICLE,
  version: 1,
  sort: 'best',
  locked: false,
  commentCount: 0,
  newCount: 0,
  visibleCount: 0,
  offset: 0,
  comments: [],
};

describe('App', () => {
  it('signs out a reader whose session ended, asks them to sign in, and keeps their draft', async () => {
    vi.mocked(api.currentUser).mockResolvedValue(ada);
    vi.mocked(api.keepAlive).mockResolvedValue(ada);
    vi.mocked(api.getArticle).mockResolvedValue(article);
    vi.mocked(api.openDiscussion).mockResolvedValue(empty);
    vi.mocked(api.loadThread).mockResolvedValue(empty);
    vi.mocked(api.postComment).mockRejectedValueOnce(
      new ApiError({ kind: 'unauthorized', message: 'Please sign in first.' }),
    );
    render(App);

    await userEvent.type(await screen.findByLabelText('Your comment'), 'A thought worth keeping');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));

    const dialog = await screen.findByRole('dialog', { name: 'Sign in' });
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(within(dialog).getByText(/Your session has ended, after a while without activity/)).toBeTruthy();
    expect((within(dialog).getByLabelText('Username') as HTMLInputElement).value).toBe('ada');
    const nav = screen.getByRole('navigation', { name: 'Account' });
    expect(within(nav).getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByLabelText('Your comment')).toBeNull();

    vi.mocked(api.signIn).mockResolvedValue(ada);
    await userEvent.type(within(dialog).getByLabelText('Password'), 'analytical engine 1843');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect(api.signIn).toHaveBeenCalledWith('ada', 'analytical engine 1843');
    expect(screen.queryByRole('dialog')).toBeNull();

    const field = (await screen.findByLabelText('Your comment')) as HTMLTextAreaElement;
    expect(field.value).toBe('A thought worth keeping');
    vi.mocked(api.postComment).mockResolvedValue('0193a0c4-0000-7000-8000-000000000099');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    expect(api.postComment).toHaveBeenLastCalledWith(ARTICLE, null, 'A thought worth keeping', expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/), null);
  });

  it('signing out on purpose forgets the draft: signing in again finds an empty form', async () => {
    vi.mocked(api.currentUser).mockResolvedValue(ada);
    vi.mocked(api.keepAlive).mockResolvedValue(ada);
    vi.mocked(api.getArticle).mockResolvedValue(article);
    vi.mocked(api.openDiscussion).mockResolvedValue(empty);
    vi.mocked(api.loadThread).mockResolvedValue(empty);
    vi.mocked(api.signOut).mockResolvedValue(null);
    render(App);

    await userEvent.type(await screen.findByLabelText('Your comment'), 'Not for the next person');
    const nav = screen.getByRole('navigation', { name: 'Account' });
    await userEvent.click(within(nav).getByRole('button', { name: 'Sign out' }));
    await userEvent.click(await within(nav).findByRole('button', { name: 'Sign in' }));
    vi.mocked(api.signIn).mockResolvedValue(ada);
    const dialog = await screen.findByRole('dialog', { name: 'Sign in' });
    await userEvent.type(within(dialog).getByLabelText('Username'), 'ada');
    await userEvent.type(within(dialog).getByLabelText('Password'), 'analytical engine 1843');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));

    const field = (await screen.findByLabelText('Your comment')) as HTMLTextAreaElement;
    expect(field.value).toBe('');
  });

  it('a link asks first, shows its real address, and opens only when the reader says so', async () => {
    vi.mocked(api.currentUser).mockResolvedValue(null);
    vi.mocked(api.getArticle).mockResolvedValue({
      ...article,
      bodyHtml: '<p>See <a href="https://example.com/real?x=1">the council notes</a>.</p>',
    });
    vi.mocked(api.openDiscussion).mockResolvedValue(empty);
    vi.mocked(api.openLink).mockResolvedValue(null);
    render(App);

    const link = await screen.findByRole('link', { name: 'the council notes' });
    const notPrevented = link.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    expect(notPrevented).toBe(false);
    const dialog = await screen.findByRole('dialog', { name: 'Open this link outside Parley?' });
    expect(within(dialog).getByText('https://example.com/real?x=1')).toBeTruthy();
    expect(within(dialog).getByText('example.com')).toBeTruthy();
    expect(window.location.hash).toMatch(/^#\/article\//);
    // Cancel is where Enter lands: the safe choice.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.openLink).not.toHaveBeenCalled();

    await userEvent.click(link);
    const again = await screen.findByRole('dialog', { name: 'Open this link outside Parley?' });
    await userEvent.click(within(again).getByRole('button', { name: 'Open in browser' }));
    expect(api.openLink).toHaveBeenCalledWith('https://example.com/real?x=1');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
