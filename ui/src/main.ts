// The marks time Parley's start in the page (scripts/measure prints them):
// the bundle fetched and evaluated, then the first render in the page.
performance.mark('parley:script');
import { mount } from 'svelte';
import App from './App.svelte';
import { askForFirstPage } from './components/library/library.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// Parley opens on the library: its first page is asked for now, so it is
// on its way while the rest of the page is built.
if (location.hash === '' || location.hash === '#/') askForFirstPage();
const app = mount(App, { target });
performance.mark('parley:mounted');
export default app;
