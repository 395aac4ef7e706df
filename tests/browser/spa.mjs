// Drives the SPA example like a user: log in, call the API, see the CSRF failure without the
// header, refresh, log out, see the API refuse. Usage: node spa.mjs <base-url> <screenshot.png>
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

try {
  const page = await browser.newPage();
  const output = () => page.locator("#output").textContent();
  async function click(selector, expected) {
    await page.click(selector);
    await page.waitForFunction(
      (text) => document.getElementById("output").textContent.startsWith(text), expected);
    return output();
  }

  await page.goto(base);
  await page.waitForSelector("#login-section:not(.hidden)");
  await page.fill("#username", "test");
  await page.fill("#password", "test");
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#status:has-text('Logged in as test')");

  // Tokens are HttpOnly: scripts see only the CSRF cookies.
  const visible = await page.evaluate(() => document.cookie);
  assert.match(visible, /csrf_access_token=/);
  assert.doesNotMatch(visible, /access_token_cookie|refresh_token_cookie/);

  const called = await click("#call", "POST /api/notes → 200");
  assert.match(called, /"saved":"hello"/);
  await page.screenshot({ path: screenshot, fullPage: true });

  const forged = await click("#call-without-csrf", "POST /api/notes → 401");
  assert.match(forged, /Missing CSRF token/);

  const refreshCookie = async () =>
    (await page.context().cookies()).find((c) => c.name === "refresh_token_cookie")?.value;
  const spent = await refreshCookie();
  const refreshed = await click("#refresh", "POST /api/refresh → 200");
  assert.match(refreshed, /"refresh":true/);
  // Refresh-token rotation: the refresh cookie was spent and replaced.
  const rotated = await refreshCookie();
  assert.ok(spent && rotated && rotated !== spent, "the refresh cookie was rotated");
  assert.match(await click("#call", "POST /api/notes → 200"), /"by":"test"/);

  await click("#logout", "POST /api/logout → 200");
  await page.waitForSelector("#login-section:not(.hidden)");
  const after = await page.evaluate(async () => {
    const response = await fetch("/api/me");
    return [response.status, await response.text()];
  });
  assert.equal(after[0], 401);
  assert.match(after[1], /Missing cookie/);
  console.log("SPA OK");
} finally {
  await browser.close();
}
