// Entry of the console: mounts the Svelte app and registers the service worker (which serves /kms).
import { mount } from 'svelte';
import { registerSW } from 'virtual:pwa-register';
import App from './ui/App.svelte';
import './ui/app.css';

registerSW({ immediate: true });
mount(App, { target: document.getElementById('app')! });
