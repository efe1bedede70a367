// The marks time Parley's start in the page (scripts/measure prints them):
// the bundle fetched and evaluated, then the first render in the page.
performance.mark('parley:script');
import { mount } from 'svelte';
import App from './App.svelte';
import { askForFirstPage } from './components/library/library.svelte';
import { parseRoute } from './lib/route.svelte';
import './app.css';

/** How long the window may stay blank waiting for the library's first
 * page before the UI is shown without it (and fills it in when it comes). */
const FIRST_PAGE_WAIT_MS = 150;

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// Parley opens on the library. Its first page is asked for at once, and
// the UI is mounted when it is in: the window is laid out and painted once,
// with the articles, rather than first empty and again a few frames later
// (which also held the answer up while the empty page was painted).
const opensOnLibrary = parseRoute(location.hash).view === 'library';
const ready = opensOnLibrary
  ? Promise.race([askForFirstPage(), new Promise((done) => setTimeout(done, FIRST_PAGE_WAIT_MS))])
  : Promise.resolve();
void ready.then(() => {
  mount(App, { target });
  performance.mark('parley:mounted');
});
