// Entry of the console: the Trusted Types policy first, then the Svelte app, and the service worker
// (which serves /kms) registered through workbox-window with "Update now" handled by appUpdate.
import './ui/trusted-types';
import { mount } from 'svelte';
import { registerSW } from 'virtual:pwa-register';
import App from './ui/App.svelte';
import { appUpdate } from './ui/update.svelte';
import { startEndpointRelay } from './ui/endpoint-relay';
import './ui/app.css';

appUpdate.attach(
  registerSW({
    immediate: true,
    onNeedRefresh: appUpdate.onNeedRefresh,
    onOfflineReady: appUpdate.onOfflineReady,
    onNeedReload: appUpdate.onNeedReload,
  }),
);
mount(App, { target: document.getElementById('app')! });
startEndpointRelay();
