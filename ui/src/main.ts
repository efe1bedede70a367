// The marks time Parley's start in the page (scripts/measure prints them):
// the bundle fetched and evaluated, then the first render in the page.
performance.mark('parley:script');
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const app = mount(App, { target });
performance.mark('parley:mounted');
export default app;
