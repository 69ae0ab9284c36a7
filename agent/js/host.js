/* Lifeline host helpers: what the agent (wasm) asks of the browser, in a few plain calls.
 * Every crossing from wasm into a browser API costs the agent bytes of glue on every page;
 * these take and give only strings, booleans and numbers (none throws into the agent):
 *   __lifeline_send(url, body, beacon)  sendBeacon's answer, or a promise of whether the
 *                                       collector took the batch (fetch, keepalive: the request
 *                                       outlives a page being left; a string body goes as
 *                                       text/plain, so no preflight); an alerting decision goes
 *                                       with the shop's signed attributes, and its answer may
 *                                       open a conversation (__lifeline_talk)
 *   __lifeline_get(local, key)          a value from localStorage or sessionStorage, or null
 *   __lifeline_set(local, key, value)   stores it (null removes it); false when refused
 *   __lifeline_clear(prefix)            forgets every value whose key starts with prefix
 *   __lifeline_id()                     20 random base32 characters (crypto.getRandomValues)
 *   __lifeline_log(level, message)      console.info (0), warn (1) or error (2)
 *   __lifeline_stopped()                after an internal error: one warning, the prompt
 *                                       removed, the agent off for this page
 *   __lifeline_mount(host)              puts a prompt's, support session's or chat's host on
 *                                       the page: after <body>, in <html> (a page that swaps
 *                                       its body for the next route, as Turbo does, keeps it;
 *                                       a transform on the body does not move it), or into
 *                                       the page's open modal dialog when there is one (a cart
 *                                       drawer, a quick view: the rest of the page is inert
 *                                       under its backdrop, a prompt there seen but out of
 *                                       reach), back after <body> when it closes */
(function (w) {
  "use strict";
  function area(local) {
    try { return local ? w.localStorage : w.sessionStorage; } catch (e) { return null; }
  }
  w.__lifeline_send = function (url, body, beacon) {
    if (beacon) return w.navigator.sendBeacon(url, body);
    // An alerting decision goes with the attributes the shop signed (the collector keeps
    // only their tier, for the staff).
    var id = w.__lifeline_identity, alerting = body.indexOf('"value":') > 0;
    if (alerting && id) body = body.slice(0, -1) + ',"identity":' + JSON.stringify(id) + "}";
    return w.fetch(url, { method: "POST", body: body, keepalive: true })
      .then(function (r) {
        // A decision that alerted the staff: its answer names the conversation they may
        // open with this page (the chat module, unseen until they write).
        if (r.ok && alerting) {
          r.clone().json().then(function (j) { if (j.chat && w.__lifeline_talk) w.__lifeline_talk(j.chat); }, function () {});
        }
        return r.ok;
      });
  };
  w.__lifeline_get = function (local, key) {
    try { return area(local).getItem(key); } catch (e) { return null; }
  };
  w.__lifeline_set = function (local, key, value) {
    try {
      if (value == null) area(local).removeItem(key); else area(local).setItem(key, value);
      return true;
    } catch (e) { return false; }
  };
  w.__lifeline_clear = function (prefix) {
    [true, false].forEach(function (local) {
      try {
        var a = area(local);
        Object.keys(a).forEach(function (k) { if (!k.indexOf(prefix)) a.removeItem(k); });
      } catch (e) { /* storage off */ }
    });
  };
  w.__lifeline_id = function () {
    var bytes = new Uint8Array(20), id = "";
    w.crypto.getRandomValues(bytes);
    for (var i = 0; i < 20; i++) id += "abcdefghijklmnopqrstuvwxyz234567"[bytes[i] & 31];
    return id;
  };
  w.__lifeline_log = function (level, message) {
    console[["info", "warn", "error"][level]](message);
  };
  w.__lifeline_mount = function (h) {
    var d = w.document, top, page = d.documentElement;
    try {
      var modal = d.querySelectorAll("dialog:modal");
      top = modal[modal.length - 1];
    } catch (e) { /* no :modal: no top layer either */ }
    (top || page).appendChild(h);
    if (top) top.addEventListener("close", function () { if (h.parentNode === top) page.appendChild(h); }, { once: true });
  };
  w.__lifeline_stopped = function () {
    w.__lifeline_dead = true;
    console.warn("lifeline: stopped after an internal error; the page is not affected");
    var host = w.document.getElementById("lifeline-host");
    if (host) host.remove();
  };
})(window);
