// Hash routes, so Alt+Left and a reload keep the reader where they were:
//   #/               the library
//   #/article/<id>   one article and its discussion
export type Route = { view: 'library' } | { view: 'article'; articleId: string };

export function parseRoute(hash: string): Route {
  const match = /^#\/article\/([0-9a-fA-F-]{36})$/.exec(hash);
  return match?.[1] ? { view: 'article', articleId: match[1] } : { view: 'library' };
}

export function articleHref(articleId: string): string {
  return `#/article/${articleId}`;
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
