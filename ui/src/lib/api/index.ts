// The one place the UI talks to the backend. Views call these functions and
// never `invoke` directly; component tests mock this module as a whole.
import { Channel, invoke } from '@tauri-apps/api/core';
import type {
  Event as ServerEvent,
  Colour,
  Highlight,
  HighlightQuery,
  Marks,
  NewPassage,
  AccountSummary,
  AppSettings,
  LibraryLimits,
  Article,
  Backup,
  ExportFormat,
  Restored,
  SearchQuery,
  SearchResults,
  CommentId,
  ErrorBody,
  ErrorKind,
  JobView,
  LibraryPage,
  LibraryQuery,
  Source,
  TagCount,
  MutedPerson,
  SessionInfo,
  InviteInfo,
  NewInvite,
  SignUp,
  NewAccount,
  ReplyToMe,
  Revision,
  Sort,
  ThreadComment,
  ThreadPage,
  ThreadQuery,
  User,
  VoteChoice,
  VoteOutcome,
} from './bindings';

export type * from './bindings';

/** What the About view shows (`about`, from the desktop shell). */
export interface About {
  version: string;
  build: 'debug' | 'release';
  dataFolder: string;
  database: string;
  databaseBytes: number;
  imageBytes: number;
  imageLimitBytes: number;
  schemaVersion: number;
  backupsFolder: string;
  logFolder: string | null;
}

/** Which library the window shows: the local one (`server` null) or a
 * Parley server's. */
export interface ConnectionView {
  server: { address: string; online: boolean } | null;
}

/** What the person must decide about a server's certificate. */
export type Certificate =
  | { state: 'trusted' }
  | { state: 'unknown'; fingerprint: string }
  | { state: 'changed'; fingerprint: string; warning: string };

/** What checking a server's address found, before connecting. */
export interface ServerCheck {
  address: string;
  certificate: Certificate;
  version: string | null;
  needsSetup: boolean;
}

/** What the open server says as it happens. */
export type ServerNews =
  | { type: 'link'; online: boolean }
  | { type: 'change'; event: ServerEvent }
  | { type: 'reload' };

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
  const asked = performance.now();
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  } finally {
    // Each call's round trip, for profiling (scripts/measure prints the
    // ones made while Parley starts).
    performance.measure(`parley:call:${command}`, { start: asked });
  }
}

export const api = {
  /** One page of the library (newest first), for whoever is signed in. */
  libraryPage: (query: LibraryQuery) => call<LibraryPage>('library_page', { query }),
  libraryTags: () => call<TagCount[]>('library_tags'),
  /** Marks everything the filters show read; resolves to how many were unread. */
  markAllRead: (query: LibraryQuery) => call<number>('mark_all_read', { query }),
  /** One article; opening it marks it read for a signed-in reader. */
  getArticle: (articleId: string, version: number | null = null) =>
    call<Article>('get_article', { articleId, version }),
  deleteArticle: (articleId: string) => call<null>('delete_article', { articleId }),

  // The library's sources and imports. Long work runs as a job: these
  // resolve to its id at once, and its progress arrives through watchJobs.
  listSources: () => call<Source[]>('list_sources'),
  followFeed: (address: string) => call<number>('follow_feed', { address }),
  savePage: (address: string) => call<number>('save_page', { address }),
  /** Opens a native dialog; resolves to the job, or null if nothing was chosen. */
  importFiles: () => call<number | null>('import_files'),
  /** Opens a native dialog; resolves to the file's name, or null. */
  exportSubscriptions: () => call<string | null>('export_subscriptions'),
  refreshSource: (sourceId: string) => call<number>('refresh_source', { sourceId }),
  refreshAll: () => call<number>('refresh_all'),
  removeSource: (sourceId: string) => call<null>('remove_source', { sourceId }),
  setRefreshInterval: (sourceId: string, minutes: number) =>
    call<null>('set_refresh_interval', { sourceId, minutes }),
  jobs: () => call<JobView[]>('jobs'),
  /** Calls `onUpdate` with every change to any job, from now on. */
  watchJobs: (onUpdate: (job: JobView) => void) => {
    const channel = new Channel<JobView>();
    channel.onmessage = onUpdate;
    return call<null>('watch_jobs', { onUpdate: channel });
  },
  cancelJob: (jobId: number) => call<null>('cancel_job', { jobId }),
  /** Starts a job with the items that failed; resolves to it, or null. */
  retryJob: (jobId: number) => call<number | null>('retry_job', { jobId }),

  /** Who is signed in; does not count as activity, so it can be polled. */
  currentUser: () => call<User | null>('current_user'),
  /** Who is still signed in; counts as activity, keeping the session open. */
  keepAlive: () => call<User | null>('keep_alive'),
  /** On a server, `code` is its setup code (its first account) or an invite's. */
  createAccount: (account: NewAccount, code: string | null = null) =>
    call<User>('create_account', { account, code }),
  signIn: (username: string, password: string) => call<User>('sign_in', { username, password }),
  signOut: () => call<null>('sign_out'),
  setDisplayName: (displayName: string) => call<User>('set_display_name', { displayName }),
  changePassword: (current: string, newPassword: string) =>
    call<null>('change_password', { current, newPassword }),
  /** Deletes the signed-in account (its comments stay) and signs out. */
  deleteAccount: (password: string) => call<null>('delete_account', { password }),
  /** Mutes or unmutes the author of this comment, for the signed-in person. */
  setAuthorMuted: (commentId: string, muted: boolean) =>
    call<null>('set_author_muted', { commentId, muted }),
  mutedPeople: () => call<MutedPerson[]>('muted_people'),
  /** The person's sessions on the open server (none in the local library). */
  mySessions: () => call<SessionInfo[]>('my_sessions'),
  /** Resolves to how many sessions ended. */
  endOtherSessions: () => call<number>('end_other_sessions'),
  endSession: (sessionId: string) => call<null>('end_session', { sessionId }),
  /** Undoes one of the signed-in person's mutes, by the id `mutedPeople` gave. */
  unmute: (muteId: string) => call<null>('unmute', { muteId }),

  // Admin only: anyone else is refused with kind "forbidden".
  listAccounts: () => call<AccountSummary[]>('list_accounts'),
  promoteAccount: (username: string) => call<null>('promote_account', { username }),
  demoteAccount: (username: string) => call<null>('demote_account', { username }),
  disableAccount: (username: string) => call<null>('disable_account', { username }),
  enableAccount: (username: string) => call<null>('enable_account', { username }),
  appSettings: () => call<AppSettings>('app_settings'),
  setIdleTimeout: (minutes: number) => call<AppSettings>('set_idle_timeout', { minutes }),
  libraryLimits: () => call<LibraryLimits>('library_limits'),
  setLibraryLimits: (limits: LibraryLimits) => call<LibraryLimits>('set_library_limits', { limits }),
  // A server's admin only: who may join it.
  listInvites: () => call<InviteInfo[]>('list_invites'),
  /** The code is shown once: only its hash is kept. */
  createInvite: (days: number) => call<NewInvite>('create_invite', { days }),
  withdrawInvite: (inviteId: string) => call<null>('withdraw_invite', { inviteId }),
  signUpSetting: () => call<SignUp>('sign_up_setting'),
  setSignUp: (signUp: SignUp) => call<null>('set_sign_up', { signUp }),

  /** Records the signed-in reader's visit, then loads the first page. */
  openDiscussion: (articleId: string, query: ThreadQuery) =>
    call<ThreadPage>('open_discussion', { articleId, query }),
  loadThread: (articleId: string, query: ThreadQuery) =>
    call<ThreadPage>('load_thread', { articleId, query }),
  /** One comment as the reader sees it now (after posting, editing or
   * deleting it); refused with `not_found` once it is gone. */
  commentView: (commentId: string) => call<ThreadComment>('comment_view', { commentId }),
  /** Posts as the signed-in person; resolves to the new comment's id.
   * `id` is the comment's, chosen when it was first sent (a UUID v7): the
   * same id sent again is the same comment. */
  postComment: (
    articleId: string,
    parentId: string | null,
    body: string,
    id: string,
    passage: NewPassage | null = null,
  ) => call<CommentId>('post_comment', { articleId, parentId, body, id, passage }),
  // Passages: the marks of a discussion and one's own highlights.
  passageMarks: (articleId: string, version: number | null = null) =>
    call<Marks>('passage_marks', { articleId, version }),
  highlight: (articleId: string, passage: NewPassage, colour: Colour, note: string) =>
    call<Highlight>('highlight', { articleId, passage, colour, note }),
  editHighlight: (highlightId: string, colour: Colour, note: string) =>
    call<Highlight>('edit_highlight', { highlightId, colour, note }),
  deleteHighlight: (highlightId: string) => call<null>('delete_highlight', { highlightId }),
  myHighlights: (query: HighlightQuery) => call<Highlight[]>('my_highlights', { query }),
  /** Opens a save dialog; resolves to the file's name, or null if none was chosen. */
  exportHighlights: (query: HighlightQuery, format: 'markdown' | 'csv') =>
    call<string | null>('export_highlights', { query, format }),
  editComment: (commentId: string, body: string) => call<null>('edit_comment', { commentId, body }),
  deleteComment: (commentId: string) => call<null>('delete_comment', { commentId }),
  commentHistory: (commentId: string) => call<Revision[]>('comment_history', { commentId }),
  vote: (commentId: string, choice: VoteChoice) => call<VoteOutcome>('vote', { commentId, choice }),
  setThreadSort: (sort: Sort) => call<null>('set_thread_sort', { sort }),
  setCollapsed: (commentId: string, collapsed: boolean) =>
    call<null>('set_collapsed', { commentId, collapsed }),
  repliesToMe: () => call<ReplyToMe[]>('replies_to_me'),
  /** Exactly the HTML that posting `body` would store; refused as posting would be. */
  previewMarkdown: (body: string) => call<string>('preview_markdown', { body }),

  // Search, export, backups.
  /** Articles and the comments the reader may see; any text is a valid query. */
  search: (query: SearchQuery) => call<SearchResults>('search', { query }),
  /** Every source name in the library, for the search filter. */
  searchSources: () => call<string[]>('search_sources'),
  /** Opens a native dialog; resolves to the saved file's name, or null. */
  exportArticle: (articleId: string, format: ExportFormat) =>
    call<string | null>('export_article', { articleId, format }),
  // Admin only.
  listBackups: () => call<Backup[]>('list_backups'),
  /** Takes a backup now; `onProgress` hears bytes written of bytes expected. */
  backUpNow: (onProgress: (done: number, total: number) => void) => {
    const channel = new Channel<{ done: number; total: number }>();
    channel.onmessage = (p) => onProgress(p.done, p.total);
    return call<Backup>('back_up_now', { onProgress: channel });
  },
  /** Replaces everyone's data with a backup from the backups folder; signs everyone out. */
  restoreBackup: (name: string) => call<Restored>('restore_backup', { name }),
  /** The same, from a file chosen in a native dialog; null if none was chosen. */
  restoreBackupFile: () => call<Restored | null>('restore_backup_file'),

  // Which library the window shows.
  connection: () => call<ConnectionView>('connection'),
  checkServer: (address: string) => call<ServerCheck>('check_server', { address }),
  /** `fingerprint`: the certificate the person chose to trust, when asked. */
  connectServer: (address: string, fingerprint: string | null) =>
    call<ConnectionView>('connect_server', { address, fingerprint }),
  useLocalLibrary: () => call<ConnectionView>('use_local_library'),
  /** Calls `onNews` with what happens on the open server, until another
   * library is opened (then call it again). */
  watchServer: (onNews: (news: ServerNews) => void) => {
    const channel = new Channel<ServerNews>();
    channel.onmessage = onNews;
    return call<null>('watch_server', { onNews: channel });
  },

  /** This Parley: version, where its data and log are, the database's size. */
  about: () => call<About>('about'),

  /** Opens an http, https or mailto address in the person's browser or mail
   * program. Call only after they confirmed the address; anything else is refused. */
  openLink: (url: string) => call<null>('open_link', { url }),

  // Moderation, admin only.
  /** The comment becomes "[removed by moderator]", or goes if it has no replies. */
  removeComment: (commentId: string) => call<null>('remove_comment', { commentId }),
  setDiscussionLocked: (articleId: string, locked: boolean) =>
    call<null>('set_discussion_locked', { articleId, locked }),
  /** Top-level comments only; pinning one unpins the one pinned before. */
  setCommentPinned: (commentId: string, pinned: boolean) =>
    call<null>('set_comment_pinned', { commentId, pinned }),
};
