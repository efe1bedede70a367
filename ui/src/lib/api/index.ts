// The one place the UI talks to the backend. Views call these functions and
// never `invoke` directly; component tests mock this module as a whole.
import { invoke } from '@tauri-apps/api/core';
import type {
  Article,
  ArticleSummary,
  CommentId,
  ErrorBody,
  ErrorKind,
  NewAccount,
  ReplyToMe,
  Revision,
  Sort,
  ThreadPage,
  ThreadQuery,
  User,
  VoteChoice,
  VoteOutcome,
} from './bindings';

export type * from './bindings';

/** A failed call: `kind` to branch on, `message` to show as it is. */
export class ApiError extends Error {
  readonly kind: ErrorKind;

  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.kind = body.kind;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).kind === 'string' &&
    typeof (value as ErrorBody).message === 'string'
  );
}

/** Anything thrown by a call, as an ApiError a view can show. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isErrorBody(error)) return new ApiError(error);
  // Tauri's own failures (a malformed argument, a missing permission) come
  // as plain strings meant for developers, not for the person at the screen.
  console.error('parley: backend call failed', error);
  return new ApiError({
    kind: 'internal',
    message: 'Something went wrong inside Parley. Please try again.',
  });
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export const api = {
  listArticles: () => call<ArticleSummary[]>('list_articles'),
  getArticle: (articleId: string) => call<Article>('get_article', { articleId }),

  currentUser: () => call<User | null>('current_user'),
  createAccount: (account: NewAccount) => call<User>('create_account', { account }),
  signIn: (username: string, password: string) => call<User>('sign_in', { username, password }),
  signOut: () => call<null>('sign_out'),

  /** Records the signed-in reader's visit, then loads the first page. */
  openDiscussion: (articleId: string, query: ThreadQuery) =>
    call<ThreadPage>('open_discussion', { articleId, query }),
  loadThread: (articleId: string, query: ThreadQuery) =>
    call<ThreadPage>('load_thread', { articleId, query }),
  /** Posts as the signed-in person; resolves to the new comment's id. */
  postComment: (articleId: string, parentId: string | null, body: string) =>
    call<CommentId>('post_comment', { articleId, parentId, body }),
  editComment: (commentId: string, body: string) => call<null>('edit_comment', { commentId, body }),
  deleteComment: (commentId: string) => call<null>('delete_comment', { commentId }),
  commentHistory: (commentId: string) => call<Revision[]>('comment_history', { commentId }),
  vote: (commentId: string, choice: VoteChoice) => call<VoteOutcome>('vote', { commentId, choice }),
  setThreadSort: (sort: Sort) => call<null>('set_thread_sort', { sort }),
  setCollapsed: (commentId: string, collapsed: boolean) =>
    call<null>('set_collapsed', { commentId, collapsed }),
  repliesToMe: () => call<ReplyToMe[]>('replies_to_me'),
  /** Exactly the HTML that posting `body` would store. */
  previewMarkdown: (body: string) => call<string>('preview_markdown', { body }),
};
