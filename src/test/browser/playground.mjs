// Drives tinygpt's playground page in headless Chromium (Debian's, through playwright-core) the
// way a user does: types a prompt, sets the sampling controls, clicks Generate, and watches the
// streamed text arrive. Prints one JSON object on stdout for PlaygroundBrowserTest to check:
//   request  the /v1/completions body the page sent
//   lengths  #output's text length each time the page changed it, one entry per task that did
//            (a MutationObserver callback): more than one growing length means it streamed
//   output, stats, error  the three elements' text at the end
// Usage: node playground.mjs URL [MAX_TOKENS [CHROMIUM]]
// (exit 0 with the JSON, whether the page showed text or an error; 1 with a message on stderr)
import { chromium } from "playwright-core";

const [url, maxTokens = "40", executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node playground.mjs URL [MAX_TOKENS [CHROMIUM]]");
  process.exit(1);
}

const PROMPT = "ROMEO:\nBut soft";
const TIMEOUT_MS = 60_000;

// --no-sandbox: Chromium's sandbox refuses to run as root, which CI containers are.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  let request = null;
  page.on("request", (r) => {
    if (r.url().endsWith("/v1/completions") && r.method() === "POST") {
      request = JSON.parse(r.postData());
    }
  });

  await page.goto(url);
  await page.fill("#prompt", PROMPT);
  await page.fill("#max-tokens", maxTokens);
  await page.fill("#temperature", "0.7");
  await page.fill("#top-p", "0.9");
  await page.fill("#top-k", "20");
  // #output's length at each change, seen from the page itself. Changes made in one task (say,
  // a whole response appended chunk by chunk in one loop) reach the observer as one callback.
  await page.evaluate(() => {
    const output = document.getElementById("output");
    window.__lengths = [];
    new MutationObserver(() => window.__lengths.push(output.textContent.length)).observe(output, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await page.click("#generate");
  // Done when #stats shows the rate or #error shows a message.
  await page.waitForFunction(
    () =>
      document.getElementById("stats").textContent.includes("tokens/s") ||
      document.getElementById("error").textContent.trim() !== "",
  );
  const result = await page.evaluate(() => ({
    lengths: window.__lengths,
    output: document.getElementById("output").textContent,
    stats: document.getElementById("stats").textContent,
    error: document.getElementById("error").textContent,
  }));
  console.log(JSON.stringify({ request, pageErrors, ...result }));
} catch (e) {
  console.error("playground.mjs: " + e.message.split("\n")[0]);
  process.exitCode = 1;
} finally {
  await browser.close();
}
