// Hash routes, so Alt+Left and a reload keep the reader where they were:
//   #/                               the library
//   #/article/<id>                   one article and its discussion
//   #/article/<id>/comment/<id>      the same, opened at one comment
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
  | { view: 'article'; articleId: string; commentId: string | null };

const UUID = '[0-9a-fA-F-]{36}';
const ARTICLE = new RegExp(`^#/article/(${UUID})(?:/comment/(${UUID}))?$`);

export function parseRoute(hash: string): Route {
  if (hash === '#/replies') return { view: 'replies' };
  if (hash === '#/account') return { view: 'account' };
  if (hash === '#/admin') return { view: 'admin' };
  if (hash === '#/sources') return { view: 'sources' };
  if (hash === '#/about') return { view: 'about' };
  if (hash === '#/connect') return { view: 'connect' };
  const match = ARTICLE.exec(hash);
  if (match?.[1]) return { view: 'article', articleId: match[1], commentId: match[2] ?? null };
  return { view: 'library' };
}

export function articleHref(articleId: string, commentId?: string): string {
  return commentId ? `#/article/${articleId}/comment/${commentId}` : `#/article/${articleId}`;
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
