// The one place the UI talks to the backend. Views call these functions and
// never `invoke` directly; component tests mock this module as a whole.
import { invoke } from '@tauri-apps/api/core';
import type {
  Article,
  ArticleSummary,
  ErrorBody,
  ErrorKind,
  NewAccount,
  Thread,
  User,
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

  loadThread: (articleId: string) => call<Thread>('load_thread', { articleId }),
  /** Posts as the signed-in person; resolves to the discussion as it now is. */
  postComment: (articleId: string, parentId: string | null, body: string) =>
    call<Thread>('post_comment', { articleId, parentId, body }),
};
