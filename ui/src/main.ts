// The marks time Parley's start in the page (scripts/measure prints them):
// the bundle fetched and evaluated, then the first render in the page.
performance.mark('parley:script');
import { mount } from 'svelte';
import App from './App.svelte';
import { askForFirstPage } from './components/library/library.svelte';
import { parseRoute } from './lib/route.svelte';
import { uiAttached } from './lib/startup';
import './app.css';

/** How long the window may stay blank waiting for the library's first
 * page before the UI is shown without it (and fills it in when it comes). */
const FIRST_PAGE_WAIT_MS = 150;

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// Parley opens on the library. Its first page is asked for at once, and
// the UI is built while the answer is on its way, outside the document; it
// goes in when the page is in. The window is then laid out and painted
// once, with the articles, rather than first empty and again a few frames
// later (which also held the answer up while the empty page was painted).
let shown: Promise<unknown> = Promise.resolve();
if (parseRoute(location.hash).view === 'library') {
  const firstPage = askForFirstPage();
  const waited = new Promise((done) => setTimeout(done, FIRST_PAGE_WAIT_MS));
  const place = { parent: target.parentNode, next: target.nextSibling };
  target.remove();
  shown = Promise.race([firstPage, waited]).then(() => place.parent?.insertBefore(target, place.next));
}
mount(App, { target });
performance.mark('parley:mounted');
void shown.then(uiAttached);
