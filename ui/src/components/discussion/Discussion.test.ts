import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, type ThreadComment, type ThreadPage, type User } from '../../lib/api';
import Discussion from './Discussion.svelte';
import { forgetDrafts } from '../../lib/drafts.svelte';
import { connection } from '../../lib/connection.svelte';
import type { ServerNews } from '../../lib/api';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return {
    ...actual,
    api: {
      openDiscussion: vi.fn(),
      loadThread: vi.fn(),
      commentView: vi.fn(),
      postComment: vi.fn(),
      previewMarkdown: vi.fn(),
      vote: vi.fn(),
      setThreadSort: vi.fn(),
      setCollapsed: vi.fn(),
      deleteComment: vi.fn(),
      setAuthorMuted: vi.fn(),
      removeComment: vi.fn(),
      setCommentPinned: vi.fn(),
      setDiscussionLocked: vi.fn(),
      connection: vi.fn(),
      watchServer: vi.fn(),
    },
  };
});

const ARTICLE = '0193a0c4-0000-7000-8000-000000000001';
const ada: User = {
  id: '0193a0c4-0000-7000-8000-0000000000a1',
  username: 'ada',
  displayName: 'Ada Lovelace',
  role: 'admin',
  createdAt: 0,
};
const alan: User = { ...ada, id: '0193a0c4-0000-7000-8000-0000000000a2', username: 'alan', displayName: 'Alan Turing', role: 'member' };

let nextId = 1;
function comment(
  depth: number,
  authorName: string,
  body: string,
  parentAuthorName: string | null = null,
  extra: Partial<ThreadComment> = {},
): ThreadComment {
  return {
    id: `0193a0c4-0000-7000-8000-${String(nextId++).padStart(12, '0')}`,
    parentId: depth === 0 ? null : 'parent',
    authorName,
    parentAuthorName,
    depth,
    bodyHtml: `<p>${body}</p>`,
    source: null,
    removed: null,
    mine: false,
    createdAt: Date.now() - 3 * 60_000,
    editedAt: null,
    score: 0,
    myVote: 0,
    isNew: false,
    replyCount: 0,
    collapsed: false,
    pinned: false,
    authorMuted: false,
    passage: null,
    ...extra,
  };
}

function thread(...comments: ThreadComment[]): ThreadPage {
  return {
    articleId: ARTICLE,
    version: 1,
    sort: 'best',
    locked: false,
    commentCount: comments.filter((c) => !c.removed).length,
    newCount: comments.filter((c) => c.isNew).length,
    visibleCount: comments.length,
    offset: 0,
    comments,
  };
}

/** The comments' text, in the order shown. */
function bodies(): string[] {
  return [...document.querySelectorAll('ol[aria-label="Discussion"] .comment-body')].map((b) => b.textContent?.trim() ?? '');
}

function renderDiscussion(user: User | null, onRequestSignIn = vi.fn()) {
  render(Discussion, { articleId: ARTICLE, user, onRequestSignIn });
  return { onRequestSignIn };
}

beforeEach(() => {
  for (const fn of Object.values(api)) vi.mocked(fn).mockReset();
  forgetDrafts();
});

describe('Discussion', () => {
  it('invites the first comment while nobody has written', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(thread());
    renderDiscussion(ada);
    expect(await screen.findByText('Leave the first comment')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Comments (0)' })).toBeTruthy();
    expect(screen.getByText('What is your opinion on this topic?')).toBeTruthy();
    expect(api.openDiscussion).toHaveBeenCalledWith(ARTICLE, expect.objectContaining({ offset: 0 }));
  });

  it('shows a signed-out reader the discussion and a sign-in prompt instead of the form', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(comment(0, 'Grace Hopper', 'Hello')));
    const { onRequestSignIn } = renderDiscussion(null);
    expect(await screen.findByText('Hello')).toBeTruthy();
    expect(screen.queryByLabelText('Your comment')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reply' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in to comment' }));
    expect(onRequestSignIn).toHaveBeenCalledOnce();
    expect(screen.queryByText('Leave the first comment')).toBeNull();
  });

  it('nests replies, caps the indentation and names the parent on deep replies', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(
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
    expect(items[2]!.querySelector('.replying-to')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      '↳ replying to Grace Hopper',
    );
    expect(within(items[1]!).queryByText(/replying to/)).toBeNull();
    expect(within(items[0]!).getByText('3 minutes ago')).toBeTruthy();
  });

  it('shows the message of a refused post next to the form and keeps the draft', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(thread());
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

  it('sends a draft again with the id it was sent with, and changed text with a new one', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(thread());
    // The first answer is lost: the backend may have saved the comment.
    vi.mocked(api.postComment).mockRejectedValue(
      new ApiError({ kind: 'internal', message: 'Something went wrong.' }),
    );
    renderDiscussion(ada);
    const field = await screen.findByLabelText('Your comment');
    await userEvent.type(field, 'Once only');
    const post = screen.getByRole('button', { name: 'Post comment' });
    await userEvent.click(post);
    await screen.findByRole('alert');
    await userEvent.click(post);
    await userEvent.type(field, '!');
    await userEvent.click(post);
    const sent = vi.mocked(api.postComment).mock.calls;
    expect(sent.map((c) => c[2])).toEqual(['Once only', 'Once only', 'Once only!']);
    expect(sent[0]![3]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(sent[1]![3]).toBe(sent[0]![3]);
    expect(sent[2]![3]).not.toBe(sent[0]![3]);
  });

  it('says why an empty comment cannot be posted, without a round trip', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(thread());
    renderDiscussion(ada);
    await userEvent.type(await screen.findByLabelText('Your comment'), '   ');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Write something before posting.');
    expect(api.postComment).not.toHaveBeenCalled();
  });

  it('posts a reply under its parent and updates the count at once', async () => {
    const top = comment(0, 'Grace Hopper', 'top');
    const other = comment(0, 'Alan Turing', 'another thread');
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(top, other));
    const reply = comment(1, 'Ada Lovelace', 'my reply', 'Grace Hopper', { parentId: top.id, mine: true });
    vi.mocked(api.postComment).mockResolvedValue(reply.id);
    vi.mocked(api.commentView).mockResolvedValue(reply);
    renderDiscussion(ada);
    await userEvent.click((await screen.findAllByRole('button', { name: 'Reply' }))[0]!);
    await userEvent.type(screen.getByLabelText('Reply to Grace Hopper'), 'my reply');
    await userEvent.click(screen.getByRole('button', { name: 'Post reply' }));
    expect(await screen.findByRole('heading', { name: 'Comments (3)' })).toBeTruthy();
    expect(api.postComment).toHaveBeenCalledWith(ARTICLE, top.id, 'my reply', expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/), null);
    // Only the new comment was fetched, and it sits under its parent.
    expect(api.commentView).toHaveBeenCalledWith(reply.id);
    expect(api.loadThread).not.toHaveBeenCalled();
    expect(bodies()).toEqual(['top', 'my reply', 'another thread']);
    expect(screen.queryByLabelText('Reply to Grace Hopper')).toBeNull();
  });

  it('keeps what is loaded when voting and posting deep in a long thread', async () => {
    const loaded = [0, 1, 2].map((n) => comment(0, 'Grace Hopper', `c${n}`));
    vi.mocked(api.openDiscussion).mockResolvedValue({ ...thread(...loaded), version: 7, visibleCount: 5, commentCount: 5 });
    vi.mocked(api.vote).mockResolvedValue({ score: 1, myVote: 1 });
    const mine = comment(0, 'Ada Lovelace', 'mine', null, { mine: true });
    vi.mocked(api.postComment).mockResolvedValue(mine.id);
    vi.mocked(api.commentView).mockResolvedValue(mine);
    const rest = [3, 4].map((n) => comment(0, 'Grace Hopper', `c${n}`));
    vi.mocked(api.loadThread).mockResolvedValue({ ...thread(...rest), version: 7, visibleCount: 5, commentCount: 5, offset: 3 });
    renderDiscussion(ada);
    await screen.findByText('c2');
    await userEvent.click(screen.getAllByRole('button', { name: 'Upvote' })[2]!);
    expect((await screen.findByLabelText('Score 1')).textContent).toBe('1');
    await userEvent.type(screen.getByLabelText('Your comment'), 'mine');
    await userEvent.click(screen.getByRole('button', { name: 'Post comment' }));
    expect(await screen.findByRole('heading', { name: 'Comments (6)' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Load more comments (2 left)' }));
    await screen.findByText('c4');
    // One call for the next page, from where the pages the reader has
    // left off, in the order they were cut from: nothing loaded again.
    expect(api.loadThread).toHaveBeenCalledTimes(1);
    expect(api.loadThread).toHaveBeenCalledWith(ARTICLE, expect.objectContaining({ offset: 3, version: 7 }));
    expect(bodies()).toEqual(['mine', 'c0', 'c1', 'c2', 'c3', 'c4']);
    expect(screen.getByRole('heading', { name: 'Comments (6)' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Load more/ })).toBeNull();
  });

  it('keeps a deleted comment out of the count when the next page comes', async () => {
    const mine = comment(0, 'Ada Lovelace', 'mine', null, { mine: true, replyCount: 1 });
    const reply = comment(1, 'Grace Hopper', 'a reply', 'Ada Lovelace', { parentId: mine.id });
    vi.mocked(api.openDiscussion).mockResolvedValue({ ...thread(mine, reply), version: 3, visibleCount: 4, commentCount: 4 });
    vi.mocked(api.deleteComment).mockResolvedValue(null);
    vi.mocked(api.commentView).mockResolvedValue({ ...mine, removed: 'author', bodyHtml: '', authorName: '', mine: false });
    const rest = [2, 3].map((n) => comment(0, 'Grace Hopper', `c${n}`));
    vi.mocked(api.loadThread).mockResolvedValue({ ...thread(...rest), version: 3, visibleCount: 4, commentCount: 4, offset: 2 });
    renderDiscussion(ada);
    await screen.findByText('mine');
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByText('[deleted]')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Comments (3)' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Load more comments (2 left)' }));
    await screen.findByText('c3');
    expect(screen.getByRole('heading', { name: 'Comments (3)' })).toBeTruthy();
    expect(api.loadThread).toHaveBeenCalledWith(ARTICLE, expect.objectContaining({ offset: 2, version: 3 }));
  });

  it('takes a deleted comment without replies off the page, fetching nothing else', async () => {
    const mine = comment(0, 'Ada Lovelace', 'mine', null, { mine: true });
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(comment(0, 'Grace Hopper', 'theirs'), mine));
    vi.mocked(api.deleteComment).mockResolvedValue(null);
    vi.mocked(api.commentView).mockRejectedValue(new ApiError({ kind: 'not_found', message: 'That comment is no longer there.' }));
    renderDiscussion(ada);
    await screen.findByText('mine');
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByRole('heading', { name: 'Comments (1)' })).toBeTruthy();
    expect(bodies()).toEqual(['theirs']);
    expect(api.loadThread).not.toHaveBeenCalled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a deleted comment with replies as a placeholder', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(
      thread(
        comment(0, 'Ada Lovelace', '', null, { removed: 'author', bodyHtml: '', replyCount: 1 }),
        comment(1, 'Grace Hopper', 'still here', 'Ada Lovelace'),
      ),
    );
    renderDiscussion(ada);
    expect(await screen.findByText('[deleted]')).toBeTruthy();
    expect(screen.getByText('still here')).toBeTruthy();
    // The placeholder names nobody, even were a name sent with it.
    expect(screen.getByRole('article', { name: 'Deleted comment' })).toBeTruthy();
    expect(screen.queryByText('Ada Lovelace')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Comments (1)' })).toBeTruthy();
  });

  it('collapses a subtree to one line and votes on others\' comments', async () => {
    const top = comment(0, 'Grace Hopper', 'top', null, { replyCount: 2 });
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(top, comment(1, 'Alan Turing', 'under')));
    vi.mocked(api.loadThread).mockResolvedValue(thread({ ...top, collapsed: true }));
    vi.mocked(api.vote).mockResolvedValue({ score: 1, myVote: 1 });
    renderDiscussion(ada);
    await userEvent.click(await screen.findAllByRole('button', { name: 'Upvote' }).then((b) => b[0]!));
    expect(api.vote).toHaveBeenCalledWith(top.id, 'up');
    expect((await screen.findByLabelText('Score 1')).textContent).toBe('1');

    await userEvent.click(screen.getByRole('button', { name: 'Collapse replies' }));
    expect(api.setCollapsed).toHaveBeenCalledWith(top.id, true);
    expect(await screen.findByRole('button', { name: '2 more replies' })).toBeTruthy();
    expect(screen.queryByText('under')).toBeNull();
  });

  it('moves between comments with j and k, and ignores keys typed in a field', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(
      thread(comment(0, 'Ada Lovelace', 'one'), comment(0, 'Grace Hopper', 'two')),
    );
    renderDiscussion(ada);
    await screen.findByText('two');
    await userEvent.keyboard('j');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Comment by Ada Lovelace');
    await userEvent.keyboard('j');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Comment by Grace Hopper');
    await userEvent.keyboard('k');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Comment by Ada Lovelace');

    await userEvent.click(screen.getByLabelText('Your comment'));
    await userEvent.keyboard('jjj');
    expect((screen.getByLabelText('Your comment') as HTMLTextAreaElement).value).toBe('jjj');
    expect(document.activeElement?.tagName).toBe('TEXTAREA');
  });

  it('jumps to new comments with n, collapses with c, edits with e, explains with ?', async () => {
    const mine = comment(0, 'Ada Lovelace', 'mine', null, { mine: true, source: 'mine', replyCount: 1 });
    const fresh = comment(1, 'Grace Hopper', 'fresh', 'Ada Lovelace', { isNew: true });
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(comment(0, 'Alan Turing', 'old'), mine, fresh));
    vi.mocked(api.loadThread).mockResolvedValue(thread(comment(0, 'Alan Turing', 'old'), { ...mine, collapsed: true }));
    renderDiscussion(ada);
    await screen.findByText('fresh');

    await userEvent.keyboard('n');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Comment by Grace Hopper');

    await userEvent.keyboard('k');
    await userEvent.keyboard('e');
    expect((screen.getByLabelText('Edit your comment') as HTMLTextAreaElement).value).toBe('mine');
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    await userEvent.keyboard('c');
    expect(api.setCollapsed).toHaveBeenCalledWith(mine.id, true);
    expect(await screen.findByRole('button', { name: '1 more reply' })).toBeTruthy();

    await userEvent.keyboard('?');
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });

  it('keeps a reply draft while the reader looks at another comment', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(
      thread(comment(0, 'Grace Hopper', 'one'), comment(0, 'Alan Turing', 'two')),
    );
    renderDiscussion(ada);
    await screen.findByText('two');
    const [first, second] = screen.getAllByRole('button', { name: 'Reply' });
    await userEvent.click(first!);
    await userEvent.type(screen.getByLabelText('Reply to Grace Hopper'), 'half a thought');
    await userEvent.click(second!);
    expect(screen.queryByLabelText('Reply to Grace Hopper')).toBeNull();
    await userEvent.click(screen.getAllByRole('button', { name: 'Reply' })[0]!);
    expect((screen.getByLabelText('Reply to Grace Hopper') as HTMLTextAreaElement).value).toBe('half a thought');
  });
});


describe('Discussion, locked', () => {
  it('says so, and offers no way to add to it, by form, reply, vote, edit or key', async () => {
    const mine = comment(0, 'Alan Turing', 'mine', null, { mine: true, source: 'mine' });
    const theirs = comment(0, 'Grace Hopper', 'theirs');
    vi.mocked(api.openDiscussion).mockResolvedValue({ ...thread(mine, theirs), locked: true });
    renderDiscussion(alan);
    expect(await screen.findByText(/This discussion is locked/)).toBeTruthy();
    expect(screen.queryByLabelText('Your comment')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Post comment' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reply' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Upvote' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Downvote' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    // Taking back what one wrote stays possible.
    expect(screen.getByRole('button', { name: 'Delete' })).toBeTruthy();

    await userEvent.keyboard('j'); // selects "mine"
    await userEvent.keyboard('e');
    expect(screen.queryByLabelText('Edit your comment')).toBeNull();
    await userEvent.keyboard('r');
    expect(screen.queryByLabelText('Reply to Alan Turing')).toBeNull();
  });

  it('does not invite the first comment, nor ask a reader to sign in to write', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue({ ...thread(), locked: true });
    renderDiscussion(null);
    expect(await screen.findByText(/This discussion is locked/)).toBeTruthy();
    expect(screen.queryByText('Leave the first comment')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign in to comment' })).toBeNull();
  });
});

describe('Discussion, moderation', () => {
  it('gives a member no moderation controls, but shows everyone the pin', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(
      thread(comment(0, 'Grace Hopper', 'pinned one', null, { pinned: true }), comment(0, 'Ada Lovelace', 'other')),
    );
    renderDiscussion(alan);
    await screen.findByText('pinned one');
    const [pinned] = screen.getAllByRole('article');
    expect(within(pinned!).getByText('Pinned')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Remove comment by/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Pin|Unpin) comment by/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Lock discussion' })).toBeNull();
  });

  it('lets the admin remove a comment after confirming, pin a thread and lock the discussion', async () => {
    const top = comment(0, 'Grace Hopper', 'rude remark', null, { replyCount: 1 });
    const reply = comment(1, 'Alan Turing', 'a fair reply', 'Grace Hopper');
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(top, reply));
    renderDiscussion(ada);
    await screen.findByText('rude remark');
    // Pins go on threads, not on replies.
    expect(screen.getByRole('button', { name: 'Pin comment by Grace Hopper' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pin comment by Alan Turing' })).toBeNull();

    vi.mocked(api.loadThread).mockResolvedValue(thread({ ...top, pinned: true }, reply));
    await userEvent.click(screen.getByRole('button', { name: 'Pin comment by Grace Hopper' }));
    expect(api.setCommentPinned).toHaveBeenCalledWith(top.id, true);
    expect(await screen.findByRole('button', { name: 'Unpin comment by Grace Hopper' })).toBeTruthy();
    expect(screen.getByText('Pinned')).toBeTruthy();

    vi.mocked(api.loadThread).mockResolvedValue(
      thread({ ...top, removed: 'moderator', bodyHtml: '' }, reply),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove comment by Grace Hopper' }));
    expect(api.removeComment).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Yes, remove' }));
    expect(api.removeComment).toHaveBeenCalledWith(top.id);
    expect(await screen.findByText('[removed by moderator]')).toBeTruthy();
    expect(screen.getByText('a fair reply')).toBeTruthy();

    vi.mocked(api.loadThread).mockResolvedValue({ ...thread(reply), locked: true });
    await userEvent.click(screen.getByRole('button', { name: 'Lock discussion' }));
    expect(api.setDiscussionLocked).toHaveBeenCalledWith(ARTICLE, true);
    expect(await screen.findByRole('button', { name: 'Unlock discussion' })).toBeTruthy();
    expect(screen.getByText(/This discussion is locked/)).toBeTruthy();
    expect(screen.queryByLabelText('Your comment')).toBeNull();
  });
});

describe('Discussion, muting', () => {
  it('folds a muted person\'s comment until one click shows it, and leaves replies to it alone', async () => {
    const muted = comment(0, 'Grace Hopper', 'muted words', null, { authorMuted: true, replyCount: 1 });
    const reply = comment(1, 'Alan Turing', 'a reply to it', 'Grace Hopper');
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(muted, reply));
    renderDiscussion(alan);
    expect(await screen.findByText('Comment by a muted user')).toBeTruthy();
    expect(screen.queryByText('muted words')).toBeNull();
    expect(screen.queryByText('Grace Hopper')).toBeNull();
    expect(screen.getByText('a reply to it')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(screen.getByText('muted words')).toBeTruthy();
    expect(screen.queryByText('Comment by a muted user')).toBeNull();

    vi.mocked(api.loadThread).mockResolvedValue(thread({ ...muted, authorMuted: false }, reply));
    await userEvent.click(screen.getByRole('button', { name: 'Unmute Grace Hopper' }));
    expect(api.setAuthorMuted).toHaveBeenCalledWith(muted.id, false);
    expect(await screen.findByRole('button', { name: 'Mute Grace Hopper' })).toBeTruthy();
  });

  it('mutes the author of a comment after confirming, and not oneself or a deleted account', async () => {
    const theirs = comment(0, 'Grace Hopper', 'theirs');
    vi.mocked(api.openDiscussion).mockResolvedValue(
      thread(
        theirs,
        comment(0, 'Alan Turing', 'mine', null, { mine: true }),
        comment(0, '[deleted user]', 'orphaned'),
      ),
    );
    renderDiscussion(alan);
    await screen.findByText('orphaned');
    expect(screen.getAllByRole('button', { name: /^Mute / })).toHaveLength(1);

    vi.mocked(api.loadThread).mockResolvedValue(thread({ ...theirs, authorMuted: true }));
    await userEvent.click(screen.getByRole('button', { name: 'Mute Grace Hopper' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, mute' }));
    expect(api.setAuthorMuted).toHaveBeenCalledWith(theirs.id, true);
    expect(await screen.findByText('Comment by a muted user')).toBeTruthy();
  });
});

describe('Discussion, connected to a server', () => {
  /** Connects the window's connection to a pretend server; returns the
   * way to send it news. */
  async function connected(): Promise<(news: ServerNews) => void> {
    let hear: (news: ServerNews) => void = () => {};
    vi.mocked(api.connection).mockResolvedValue({ server: { address: 'home.lan:7878', online: true } });
    vi.mocked(api.watchServer).mockImplementation(async (onNews) => {
      hear = onNews;
      return null;
    });
    await connection.refresh();
    return (news) => hear(news);
  }

  const event = (change: 'comment_posted' | 'comment_edited', commentId: string, articleId = ARTICLE) => ({
    type: 'change' as const,
    event: { id: 1, at: Date.now(), change, articleId, commentId },
  });

  it("announces others' new comments without moving the text, and changes edited ones in place", async () => {
    const first = comment(0, 'Alan Turing', 'A first thought');
    vi.mocked(api.openDiscussion).mockResolvedValue(thread(first));
    const send = await connected();
    renderDiscussion(ada);
    await screen.findByText('A first thought');

    send(event('comment_posted', '0193a0c4-0000-7000-8000-00000000ffff'));
    send(event('comment_posted', '0193a0c4-0000-7000-8000-00000000fffe'));
    send(event('comment_posted', '0193a0c4-0000-7000-8000-00000000fffd', '0193a0c4-0000-7000-8000-0000000000ff'));
    const show = await screen.findByRole('button', { name: '2 new comments: show' });
    expect(bodies()).toEqual(['A first thought']);

    vi.mocked(api.commentView).mockResolvedValue({ ...first, bodyHtml: '<p>A first thought, edited</p>' });
    send(event('comment_edited', first.id));
    expect(await screen.findByText('A first thought, edited')).toBeTruthy();

    const arrived = comment(0, 'Grace Hopper', 'Just arrived');
    vi.mocked(api.loadThread).mockResolvedValue(thread(arrived, { ...first, bodyHtml: '<p>A first thought, edited</p>' }));
    await userEvent.click(show);
    expect(await screen.findByText('Just arrived')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /new comment/ })).toBeNull();
  });

  it('shows the first comment at once where nobody had written', async () => {
    vi.mocked(api.openDiscussion).mockResolvedValue(thread());
    const send = await connected();
    renderDiscussion(ada);
    await screen.findByText('Leave the first comment');
    vi.mocked(api.loadThread).mockResolvedValue(thread(comment(0, 'Grace Hopper', 'The very first')));
    send(event('comment_posted', '0193a0c4-0000-7000-8000-00000000ffff'));
    expect(await screen.findByText('The very first')).toBeTruthy();
  });
});
