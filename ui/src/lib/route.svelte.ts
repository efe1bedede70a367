// Hash routes, so Alt+Left and a reload keep the reader where they were:
//   #/                               the library
//   #/article/<id>                   one article and its discussion
//   #/article/<id>/comment/<id>      the same, opened at one comment
//   #/article/<id>/version/<n>       an earlier version of the article
//   #/article/<id>/passage/<id>      the article, opened at a passage
//   #/highlights                     the signed-in person's highlights
//   #/replies                        replies to the signed-in person
//   #/account                        the signed-in person's own account
//   #/admin                          accounts and settings, for the admin
//   #/sources                        the feeds the library follows
//   #/about                          this Parley: version, folders, database size
//   #/connect                        connect to a Parley server, or back to the local library
export type Route =
  | { view: 'library' }
  | { view: 'replies' }
  | { view: 'account' }
  | { view: 'admin' }
  | { view: 'sources' }
  | { view: 'about' }
  | { view: 'connect' }
  | { view: 'highlights' }
  | {
      view: 'article';
      articleId: string;
      commentId: string | null;
      version?: number | null;
      passageId?: string | null;
    };

const UUID = '[0-9a-fA-F-]{36}';
const ARTICLE = new RegExp(
  `^#/article/(${UUID})(?:/comment/(${UUID})|/version/([0-9]{1,9})|/passage/(${UUID}))?$`,
);

export function parseRoute(hash: string): Route {
  if (hash === '#/replies') return { view: 'replies' };
  if (hash === '#/account') return { view: 'account' };
  if (hash === '#/admin') return { view: 'admin' };
  if (hash === '#/sources') return { view: 'sources' };
  if (hash === '#/about') return { view: 'about' };
  if (hash === '#/connect') return { view: 'connect' };
  if (hash === '#/highlights') return { view: 'highlights' };
  const match = ARTICLE.exec(hash);
  if (match?.[1])
    return {
      view: 'article',
      articleId: match[1],
      commentId: match[2] ?? null,
      version: match[3] ? Number(match[3]) : null,
      passageId: match[4] ?? null,
    };
  return { view: 'library' };
}

export function articleHref(articleId: string, commentId?: string): string {
  return commentId ? `#/article/${articleId}/comment/${commentId}` : `#/article/${articleId}`;
}

/** An earlier version of an article. */
export function versionHref(articleId: string, version: number): string {
  return `#/article/${articleId}/version/${version}`;
}

/** An article, opened at one of its passages. */
export function passageHref(articleId: string, passageId: string): string {
  return `#/article/${articleId}/passage/${passageId}`;
}

class Router {
  #route = $state<Route>(parseRoute(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#route = parseRoute(window.location.hash);
      window.scrollTo(0, 0);
    });
  }

  get route(): Route {
    return this.#route;
  }
}

export const router = new Router();
