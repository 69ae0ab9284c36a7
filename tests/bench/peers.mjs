// Lifeline next to the script a shop would add instead, in the same browser, in the same run.
//
//   make bench-peers            (installs puppeteer-core and posthog-js into target/peers/, and
//                                runs the collector's load benchmark first, for the same report)
//   node tests/bench/peers.mjs [RUNS]
//
// One product page, loaded in a fresh headless Chromium (the Debian one) per run: with no
// agent; with a minimal wasm click watcher built here (one call into a tiny hand-assembled
// wasm module per click: the floor for any wasm agent); with Lifeline (the release build,
// served by the real collector); and with posthog-js as its official snippet ships it (the
// snippet, array.js, and the extensions it loads lazily for its current `defaults` and a
// default project's remote config: autocapture, rage and dead clicks, heatmaps, web vitals),
// its network pointed at a local endpoint that accepts and counts. posthog-js must be seen
// capturing (event batches counted) or the run fails. The page and the collector have their
// own hostnames (mapped to 127.0.0.1 by Chromium): posthog-js treats localhost as a test host.
// Runs are interleaved. For each: bytes of the agent, start-up main-thread script time and
// time until ready, script time for 1,000 trusted clicks (rage bursts included) and for 100
// SPA navigations, JS heap after, and what the agent sent. Writes target/peers/report.md (the
// table for the README) and target/peers/raw.json.

import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, existsSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { tmpdir, cpus } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const out = join(root, "target/peers");
const require = createRequire(join(out, "package.json"));
const puppeteer = require("puppeteer-core");
const posthogDist = join(out, "node_modules/posthog-js/dist");
const RUNS = Number(process.argv[2] || 5);
const AGENTS = (process.env.AGENTS || "none,watcher,lifeline,posthog").split(",");
const CLICKS = 1000;
const NAVIGATIONS = 100;

const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const gzip = (b) => gzipSync(b, { level: 9 }).length;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- The collector (for Lifeline): the real binary, a temporary database, the demo rules. ---
const collectorBin = join(root, "target/server/lifeline-collector");
if (!existsSync(collectorBin) || !existsSync(join(root, "target/agent/agent.js"))) {
  throw new Error("build first: make agent && cargo build --profile server -p lifeline-collector");
}
const pagePort = 18180, collectorPort = 18181;
const pageOrigin = `http://shop.test:${pagePort}`, collector = `http://lifeline.test:${collectorPort}`;
const db = "sqlite://" + join(mkdtempSync(join(tmpdir(), "lifeline-peers-")), "db.sqlite");
execFileSync(collectorBin, ["site", "add", "bench", "--origin", pageOrigin, "--database", db], { stdio: "ignore" });
execFileSync(collectorBin, ["rules", "put", "bench", join(root, "www/demo/rules.json"), "--database", db], { stdio: "ignore" });
const collectorProcess = spawn(collectorBin, ["serve", "--listen", `127.0.0.1:${collectorPort}`, "--database", db,
  "--agent", join(root, "target/agent"), "--www", "/nonexistent", "--reports-per-minute", "0"],
  { stdio: "ignore", env: { ...process.env, LIFELINE_LOG: "warn" } });

// --- The page, posthog-js's files, and an endpoint for posthog that accepts and counts. ---
// posthog-js's official web snippet (its docs, 2026), unchanged but for the key and host.
const posthogSnippet = `<script>
!function(t,e){var o,n,p,r;e.__SV||(window.posthog&&window.posthog.__loaded)||(window.posthog=e,e._i=[],e.init=function(i,s,a){function g(t,e){var o=e.split(".");2==o.length&&(t=t[o[0]],e=o[1]),t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}}(p=t.createElement("script")).type="text/javascript",p.crossOrigin="anonymous",p.async=!0,p.src=s.api_host.replace(".i.posthog.com","-assets.i.posthog.com")+"/static/array.js",(r=t.getElementsByTagName("script")[0]).parentNode.insertBefore(p,r);var u=e;for(void 0!==a?u=e[a]=[]:a="posthog",u.people=u.people||[],u.toString=function(t){var e="posthog";return"posthog"!==a&&(e+="."+a),t||(e+=" (stub)"),e},u.people.toString=function(){return u.toString(1)+".people (stub)"},o="init capture register register_once register_for_session unregister unregister_for_session getFeatureFlag getFeatureFlagPayload isFeatureEnabled reloadFeatureFlags updateEarlyAccessFeatureEnrollment getEarlyAccessFeatures on onFeatureFlags onSessionId getSurveys getActiveMatchingSurveys renderSurvey canRenderSurvey getNextSurveyStep identify setPersonProperties group resetGroups setPersonPropertiesForFlags resetPersonPropertiesForFlags setGroupPropertiesForFlags resetGroupPropertiesForFlags reset get_distinct_id getGroups get_session_id get_session_replay_url alias set_config startSessionRecording stopSessionRecording sessionRecordingStarted captureException loadToolbar get_property getSessionProperty createPersonProfile opt_in_capturing opt_out_capturing has_opted_in_capturing has_opted_out_capturing clear_opt_in_out_capturing debug".split(" "),n=0;n<o.length;n++)g(u,o[n]);e._i.push([i,s,a])},e.__SV=1)}(document,window.posthog||[]);
posthog.init("phc_bench",{api_host:"${pageOrigin}/ph",defaults:"2026-08-30",
 loaded:function(){window.__agent_ready=performance.now();}});
</script>`;
// What a default project's remote config turns on (heatmaps, web vitals, dead clicks).
const posthogConfig = JSON.stringify({ featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false,
  sessionRecording: false, heatmaps: true, captureDeadClicks: true, autocapture_opt_out: false,
  capturePerformance: { network_timing: false, web_vitals: true }, autocaptureExceptions: false,
  supportedCompression: ["gzip", "gzip-js"], surveys: false, toolbarParams: {}, siteApps: [] });
// The floor: a hand-assembled wasm module with one export, click(x, y), counting clicks; one
// capture-phase passive listener calls it once per click.
const watcherWasm = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x02, 0x7c, 0x7c, 0x00,
  0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x09, 0x01, 0x05, 0x63, 0x6c, 0x69,
  0x63, 0x6b, 0x00, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x0b];
const watcherTag = `<script>WebAssembly.instantiate(new Uint8Array(${JSON.stringify(watcherWasm)})).then(function (m) {
var click = m.instance.exports.click;
document.addEventListener("click", function (e) { click(e.clientX, e.clientY); }, { capture: true, passive: true });
window.__agent_ready = performance.now(); });</script>`;
const lifelineTag = `<script src="${collector}/agent.js" data-site="bench" async></script>`;
function page(agent) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trail Jacket</title>
<style>body{font:16px system-ui;margin:0;padding:24px}button,a{display:inline-block;margin:6px;padding:10px 14px}
.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}.tile{height:90px;background:#eef}</style>
${{ posthog: posthogSnippet, lifeline: lifelineTag, watcher: watcherTag }[agent] || ""}</head>
<body><h1 id="title">Trail Jacket</h1><p>£129 · waterproof, breathable, repaired free for two years.</p>
<nav><a href="/product/details" data-spa>Details</a><a href="/product/reviews" data-spa>Reviews</a>
<a href="/product/sizes" data-spa>Sizes</a></nav>
<button id="add" data-lifeline-cart="add" data-lifeline-cart-total="129">Add to cart</button>
<button id="wish">Wishlist</button><input id="qty" type="number" value="1">
<div class="grid">${Array.from({ length: 8 }, (_, i) => `<div class="tile" id="t${i}">Photo ${i + 1}</div>`).join("")}</div>
<script>
document.addEventListener("click",function(e){var a=e.target.closest("a[data-spa]");if(!a)return;e.preventDefault();
history.pushState(null,"",a.getAttribute("href"));document.getElementById("title").textContent="Trail Jacket · "+a.textContent;});
document.getElementById("add").addEventListener("click",function(){this.textContent="Added";});
window.addEventListener("load",function(){if(${JSON.stringify(agent === "none")})window.__agent_ready=performance.now();});
</script></body></html>`;
}
// posthog-js's requests, by kind: a run counts its event batches to prove it captured.
const posthogRequests = { static: 0, config: 0, events: 0, other: 0 };
const server = createServer((req, res) => {
  const url = new URL(req.url, pageOrigin);
  if (url.pathname.startsWith("/ph/static/")) {
    posthogRequests.static += 1;
    const file = join(posthogDist, url.pathname.slice("/ph/static/".length).replace(/[^a-z0-9.\-]/gi, ""));
    if (!existsSync(file)) { res.writeHead(404); return res.end(); }
    let body = readFileSync(file);
    const headers = { "content-type": "text/javascript", "access-control-allow-origin": "*" };
    if (/\bbr\b/.test(req.headers["accept-encoding"] || "")) {
      body = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
      headers["content-encoding"] = "br";
    }
    res.writeHead(200, headers);
    return res.end(body);
  }
  if (url.pathname.startsWith("/ph/")) {
    req.on("data", () => {});
    req.on("end", () => {
      const cors = { "access-control-allow-origin": pageOrigin, "access-control-allow-credentials": "true",
        "access-control-allow-headers": "content-type", "access-control-allow-methods": "GET, POST" };
      if (req.method === "OPTIONS") { res.writeHead(204, cors); return res.end(); }
      if (url.pathname.endsWith("/config.js")) {
        posthogRequests.config += 1;
        res.writeHead(200, { ...cors, "content-type": "text/javascript" });
        return res.end(`window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};window._POSTHOG_REMOTE_CONFIG["phc_bench"]={config:${posthogConfig},siteApps:[]};`);
      }
      const flags = /flags|decide|config/.test(url.pathname);
      if (flags) posthogRequests.config += 1;
      else if (/^\/ph\/(e|i|batch|capture)\b/.test(url.pathname)) posthogRequests.events += 1;
      else posthogRequests.other += 1;
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      res.end(flags ? posthogConfig : '{"status":1}');
    });
    return;
  }
  const agent = url.searchParams.get("agent") || "none";
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(page(agent));
});
await new Promise((r) => server.listen(pagePort, "127.0.0.1", r));
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(`http://127.0.0.1:${collectorPort}/healthz`)).ok) break; } catch (e) { /* starting */ }
  await sleep(100);
}

// --- One run: a fresh browser, one agent. ---
async function run(agent) {
  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium", headless: "new",
    // posthog-js drops visitors whose navigator.webdriver is set, as bots: a browser a person
    // drives does not set it.
    ignoreDefaultArgs: ["--enable-automation"],
    args: ["--host-resolver-rules=MAP shop.test 127.0.0.1, MAP lifeline.test 127.0.0.1",
      "--disable-blink-features=AutomationControlled", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1280,800"],
  });
  const pg = await browser.newPage();
  await pg.setViewport({ width: 1280, height: 800 });
  const ua = (await browser.userAgent()).replace("HeadlessChrome", "Chrome");
  await pg.setUserAgent(ua); // posthog-js drops headless visitors as bots
  const cdp = await pg.createCDPSession();
  await cdp.send("Network.enable");
  await cdp.send("Performance.enable");
  const agentFiles = {}, agentSent = { requests: 0, bytes: 0 };
  const eventsBefore = posthogRequests.events;
  const urls = {};
  cdp.on("Network.requestWillBeSent", (e) => {
    urls[e.requestId] = e.request.url;
    const u = e.request.url;
    const toAgent = u.startsWith(collector + "/v1/sites/bench/reports") || (u.startsWith(pageOrigin + "/ph/") && !u.includes("/static/"));
    if (toAgent) { agentSent.requests += 1; agentSent.bytes += (e.request.postData || "").length + u.length; if (process.env.SENT) process.stderr.write((e.request.postData || "") + "\n"); }
  });
  cdp.on("Network.loadingFinished", (e) => {
    const u = urls[e.requestId] || "";
    if (u.startsWith(collector + "/agent") || u.startsWith(collector + "/check") || u.includes("/ph/static/")) {
      agentFiles[u] = e.encodedDataLength;
    }
  });
  const script = async () => {
    const m = await cdp.send("Performance.getMetrics");
    const get = (n) => m.metrics.find((x) => x.name === n).value;
    return { script: get("ScriptDuration") * 1000, heap: get("JSHeapUsedSize") };
  };
  // PROFILE=agent writes CPU profiles of start-up, the clicks phase and the navigations
  // phase to target/peers/AGENT-startup.cpuprofile, AGENT.cpuprofile and
  // AGENT-navigations.cpuprofile.
  const profiling = process.env.PROFILE === agent;
  if (profiling) { await cdp.send("Profiler.enable"); await cdp.send("Profiler.setSamplingInterval", { interval: 50 }); await cdp.send("Profiler.start"); }
  await pg.goto(`${pageOrigin}/product?agent=${agent}`, { waitUntil: "load" });
  const readyCheck = agent === "lifeline" ? "window.__lifeline_running === true" : "window.__agent_ready !== undefined";
  await pg.waitForFunction(readyCheck, { timeout: 20000 });
  const ready = agent === "lifeline"
    ? await pg.evaluate(() => performance.getEntriesByType("resource").filter((r) => r.name.includes("/rules")).map((r) => r.responseEnd)[0] || performance.now())
    : await pg.evaluate(() => window.__agent_ready);
  await sleep(1500); // start-up work that follows readiness (lazy extensions, first flush)
  const startup = await script();
  if (profiling) writeFileSync(join(out, `${agent}-startup.cpuprofile`), JSON.stringify((await cdp.send("Profiler.stop")).profile));

  // 1,000 trusted clicks: buttons, photos (dead clicks), empty space, and rage bursts.
  const targets = ["#wish", "#t0", "#t3", "#t6", "h1", "#qty"];
  if (profiling) await cdp.send("Profiler.start");
  const before = await script();
  for (let i = 0; i < CLICKS;) {
    const el = await pg.$(targets[i % targets.length]);
    const box = await el.boundingBox();
    const burst = i % 50 === 0 ? 5 : 1; // a rage burst every fifty clicks
    for (let k = 0; k < burst && i < CLICKS; k++, i++) {
      await pg.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    }
    if (burst === 1) await sleep(2);
  }
  await sleep(4000); // each agent's own batch flush is part of the cost
  const clicked = await script();
  if (profiling) writeFileSync(join(out, `${agent}.cpuprofile`), JSON.stringify((await cdp.send("Profiler.stop")).profile));

  // 100 SPA navigations, by trusted clicks on the page's own links.
  const links = await pg.$$("a[data-spa]");
  if (profiling) await cdp.send("Profiler.start");
  const beforeNav = await script();
  for (let i = 0; i < NAVIGATIONS; i++) {
    const box = await links[i % links.length].boundingBox();
    await pg.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await sleep(5);
  }
  await sleep(4000);
  const navigated = await script();
  if (profiling) writeFileSync(join(out, `${agent}-navigations.cpuprofile`), JSON.stringify((await cdp.send("Profiler.stop")).profile));

  // Without the DevTools protocol's own cost per input: 2,000 clicks dispatched in the page,
  // timed there (median of five rounds), listeners and all. Last: it leaves prompts behind.
  const synthetic_click_us = await pg.evaluate(() => {
    const els = ["#wish", "#t0", "#t3", "#t6", "h1", "#qty"].map((s) => document.querySelector(s));
    const rounds = [];
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 2000; i++) {
        els[i % els.length].dispatchEvent(new MouseEvent("click", { bubbles: true, detail: 1,
          clientX: (i * 37) % 800, clientY: (i * 53) % 600 }));
      }
      rounds.push((performance.now() - t0) / 2000 * 1000);
    }
    return rounds.sort((a, b) => a - b)[2];
  });
  // The same for SPA route changes: 2,000 `history.pushState` calls made in the page (four
  // paths in turn, as the page's router would), timed there.
  const synthetic_navigation_us = await pg.evaluate(() => {
    const paths = ["/product/details", "/product/reviews", "/product/sizes", "/product"];
    const rounds = [];
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 2000; i++) history.pushState(null, "", paths[i % paths.length]);
      rounds.push((performance.now() - t0) / 2000 * 1000);
    }
    return rounds.sort((a, b) => a - b)[2];
  });
  await browser.close();
  const posthog_event_requests = posthogRequests.events - eventsBefore;
  if (agent === "posthog" && posthog_event_requests === 0) {
    throw new Error(`posthog-js sent no events in this run: it was not capturing (${JSON.stringify(posthogRequests)})`);
  }
  return {
    posthog_event_requests,
    synthetic_click_us,
    synthetic_navigation_us,
    agent,
    ready_ms: ready,
    startup_script_ms: startup.script,
    clicks_script_ms: clicked.script - before.script,
    navigations_script_ms: navigated.script - beforeNav.script,
    heap_bytes: navigated.heap,
    agent_transfer_bytes: Object.values(agentFiles).reduce((a, b) => a + b, 0),
    agent_files: Object.keys(agentFiles),
    sent_requests: agentSent.requests,
    sent_bytes: agentSent.bytes,
  };
}

const raw = [];
if (!["none", "lifeline", "posthog"].every((a) => AGENTS.includes(a))) {
  process.stderr.write("AGENTS without none, lifeline and posthog: runs only, no report\n");
}
try {
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 ? [...AGENTS].reverse() : AGENTS; // interleaved, alternating order
    for (const agent of order) {
      const result = await run(agent);
      raw.push({ run: r + 1, ...result });
      process.stderr.write(`run ${r + 1} ${agent}: ${result.startup_script_ms.toFixed(1)} ms start-up script, ` +
        `${result.clicks_script_ms.toFixed(1)} ms for trusted clicks, ${result.synthetic_click_us.toFixed(1)} µs per dispatched click, ` +
        `${result.synthetic_navigation_us.toFixed(1)} µs per pushState\n`);
    }
  }
} finally {
  collectorProcess.kill();
  server.close();
}

if (!["none", "lifeline", "posthog"].every((a) => AGENTS.includes(a))) {
  writeFileSync(join(out, "raw.json"), JSON.stringify({ raw }, null, 2));
  process.exit(0);
}
// --- Files as shipped: raw, gzip, brotli. ---
const lifelineFiles = readdirSync(join(root, "target/agent")).filter((f) => /^agent/.test(f)).map((f) => join(root, "target/agent", f));
const posthogFetched = [...new Set(raw.filter((r) => r.agent === "posthog").flatMap((r) => r.agent_files))]
  .map((u) => join(posthogDist, u.split("/ph/static/")[1].split("?")[0]));
const weigh = (files) => files.reduce((w, f) => { const b = readFileSync(f); return { raw: w.raw + b.length, gzip: w.gzip + gzip(b), brotli: w.brotli + brotli(b) }; }, { raw: 0, gzip: 0, brotli: 0 });
const weight = { none: { raw: 0, gzip: 0, brotli: 0 }, watcher: { raw: watcherWasm.length, gzip: watcherWasm.length, brotli: watcherWasm.length },
  lifeline: weigh(lifelineFiles), posthog: weigh(posthogFetched) };

const med = {};
for (const a of AGENTS) {
  const rs = raw.filter((r) => r.agent === a);
  med[a] = Object.fromEntries(["ready_ms", "startup_script_ms", "clicks_script_ms", "navigations_script_ms", "heap_bytes",
    "agent_transfer_bytes", "sent_requests", "sent_bytes", "posthog_event_requests", "synthetic_click_us",
    "synthetic_navigation_us"].map((k) => [k, median(rs.map((r) => r[k]))]));
}
const kb = (b) => (b / 1024).toFixed(1) + " kB";
const ms = (x) => x.toFixed(1) + " ms";
const lines = [];
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} cores, ${cpus()[0].model.trim()}, ${execFileSync("/usr/bin/chromium", ["--version"]).toString().trim()}`;
lines.push(`Measured ${date} on ${machine}; median of ${RUNS} interleaved runs, a fresh browser each.`);
lines.push("");
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(a / b < 0.1 ? 3 : 2) + "×" : "–");
// Script times are compared over the floor (the page with no agent): what each agent added.
const over = (a, k) => Math.max(0, med[a][k] - med.none[k]);
const row = (name, k, fmt, overFloor) => {
  const cells = AGENTS.map((a) => fmt(med[a][k]));
  const [l, p] = overFloor ? [over("lifeline", k), over("posthog", k)] : [med.lifeline[k], med.posthog[k]];
  lines.push(`| ${name} | ${cells.join(" | ")} | ${ratio(l, p)}${overFloor ? " (added)" : ""} |`);
};
lines.push("| | no agent | minimal wasm click watcher | Lifeline | posthog-js | Lifeline ÷ posthog-js |");
lines.push("|---|---|---|---|---|---|");
const w = (x) => `${kb(x.raw)} / ${kb(x.gzip)} / ${kb(x.brotli)}`;
lines.push(`| agent as shipped: raw / gzip / brotli | – | ${watcherWasm.length} B | ${w(weight.lifeline)} | ${w(weight.posthog)} | ${ratio(weight.lifeline.brotli, weight.posthog.brotli)} (brotli) |`);
row("agent bytes transferred", "agent_transfer_bytes", kb, false);
row("time until ready", "ready_ms", ms, false);
row("start-up main-thread script", "startup_script_ms", ms, true);
row(`script for ${CLICKS} trusted clicks`, "clicks_script_ms", ms, true);
row(`script for ${NAVIGATIONS} SPA navigations`, "navigations_script_ms", ms, true);
row("JS heap after the run", "heap_bytes", kb, false);
row("requests the agent sent", "sent_requests", (x) => String(x), false);
row("bytes the agent sent", "sent_bytes", kb, false);
const per = (a, k, n) => over(a, k) / n * 1000;
const us = (x) => x.toFixed(1) + " µs";
const click = Object.fromEntries(AGENTS.map((a) => [a, per(a, "clicks_script_ms", CLICKS)]));
const nav = Object.fromEntries(AGENTS.map((a) => [a, per(a, "navigations_script_ms", NAVIGATIONS)]));
lines.push("");
lines.push(`Added script per trusted click: watcher ${us(click.watcher)}, Lifeline ${us(click.lifeline)}, posthog-js ${us(click.posthog)} ` +
  `(Lifeline ÷ posthog-js ${ratio(click.lifeline, click.posthog)}, target ≤ 0.05; Lifeline ÷ watcher ${ratio(click.lifeline, click.watcher)}, target ≤ 1.5). ` +
  `Per SPA navigation: Lifeline ${us(nav.lifeline)}, posthog-js ${us(nav.posthog)} (${ratio(nav.lifeline, nav.posthog)}, target ≤ 0.1). ` +
  `posthog-js sent a median of ${med.posthog.posthog_event_requests} event batches a run: it was capturing.`);
const syn = Object.fromEntries(AGENTS.map((a) => [a, Math.max(0, med[a].synthetic_click_us - med.none.synthetic_click_us)]));
lines.push("");
lines.push(`Added script per click dispatched in the page (no DevTools input in the way; 2,000 clicks, median of five rounds): ` +
  `watcher ${us(syn.watcher)}, Lifeline ${us(syn.lifeline)}, posthog-js ${us(syn.posthog)} ` +
  `(Lifeline ÷ posthog-js ${ratio(syn.lifeline, syn.posthog)}; Lifeline ÷ watcher ${ratio(syn.lifeline, syn.watcher)}).`);
const synNav = Object.fromEntries(AGENTS.map((a) => [a, Math.max(0, med[a].synthetic_navigation_us - med.none.synthetic_navigation_us)]));
lines.push(`Added script per SPA route change made in the page (2,000 \`pushState\` calls, median of five rounds): ` +
  `Lifeline ${us(synNav.lifeline)}, posthog-js ${us(synNav.posthog)} (Lifeline ÷ posthog-js ${ratio(synNav.lifeline, synNav.posthog)}).`);
const collectorLoad = join(root, "target/bench/collector-load.md");
if (existsSync(collectorLoad)) {
  lines.push("", "The collector, in the same run (`collector/bench/load.sh`):", "", readFileSync(collectorLoad, "utf8").trim());
}
const report = lines.join("\n") + "\n";
writeFileSync(join(out, "report.md"), report);
writeFileSync(join(out, "raw.json"), JSON.stringify({ date, machine, runs: RUNS, weight, medians: med, raw }, null, 2));
process.stdout.write(report);
