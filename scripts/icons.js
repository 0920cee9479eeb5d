// Renders public/icon.svg to the PNG icons the web app manifest lists (run once, commit the PNGs):
// icon-192.png, icon-512.png, and icon-maskable-512.png (the mark inside the 80% safe zone on the
// theme colour, as maskable icons require). node scripts/icons.js
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync(new URL('../public/icon.svg', import.meta.url), 'utf8');
const THEME = '#1f3a5f';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const render = async (file, size, maskable) => {
    await page.setViewportSize({ width: size, height: size });
    const inner = maskable ? Math.round(size * 0.8) : size;
    // Maskable: full-bleed background, the mark (without its rounded corners showing) in the safe zone.
    const mark = maskable ? svg.replace(/rx="12"/, 'rx="0"') : svg;
    await page.setContent(`<html><body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:${maskable ? THEME : 'transparent'}">
      <div style="width:${inner}px;height:${inner}px">${mark.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`);
    await page.screenshot({
      path: new URL(`../public/${file}`, import.meta.url).pathname,
      omitBackground: !maskable,
      clip: { x: 0, y: 0, width: size, height: size },
    });
  };
  await render('icon-192.png', 192, false);
  await render('icon-512.png', 512, false);
  await render('icon-maskable-512.png', 512, true);
} finally {
  await browser.close();
}
