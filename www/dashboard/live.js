/* Lifeline dashboard, live: the site's open alerts (each with Acknowledge), the visitors in
 * difficulty now (the prompts shown in the last 15 minutes, one row per visit: page, band,
 * signals; never their clicks), and who of the staff is where. Read from the staff API's
 * event stream, with the token in a header (fetch; EventSource cannot send one), again
 * after a drop. A member of staff is online while this tab is open (a heartbeat every
 * 30 s), or busy or away on request; the admin token sees everything but has no presence.
 * Every text is set as text. New alerts are announced in the page's status region. An
 * alert the visitor's page can be reached for has Chat: taken up, its conversation opens
 * (chat.js, with the inbox). Alerts on this device: Web Push through the dashboard's
 * service worker (sw.js), even with the dashboard closed; the dashboard installs as an
 * app (manifest.webmanifest). */
(function () {
  "use strict";
  var d = document, $ = function (id) { return d.getElementById(id); };
  var s = null, stop = null, beat = null, alerts = {}, visits = {};
  var RECENT = 15 * 60 * 1000;

  function call(method, path, body) {
    return fetch("/v1/staff/sites/" + encodeURIComponent(s.site) + path, {
      method: method, body: body, headers: { Authorization: "Bearer " + s.token }
    });
  }
  function say(text) { $("status").textContent = text; }
  function time(ms) { return new Date(ms).toLocaleTimeString(); }

  // A table from rows of [key, cells...]; a cell may be an element (a button). Rows that did
  // not change are kept, so focus and a screen reader's place stay.
  function fill(table, head, rows) {
    if (!table.tHead) {
      var tr = table.createTHead().insertRow();
      head.forEach(function (h) { var th = d.createElement("th"); th.scope = "col"; th.textContent = h; tr.appendChild(th); });
    }
    var body = table.tBodies[0] || table.createTBody();
    if (!rows.length) {
      body.textContent = "";
      var td = body.insertRow().insertCell(); td.colSpan = head.length; td.className = "empty"; td.textContent = "Nothing now.";
      return;
    }
    var empty = body.querySelector(".empty");
    if (empty) body.textContent = "";
    rows.forEach(function (r, n) {
      var key = JSON.stringify(r.filter(function (c) { return !(c instanceof Node); }));
      var old = body.rows[n];
      if (old && old.getAttribute("data-key") == key) return;
      var tr = d.createElement("tr");
      tr.setAttribute("data-key", key);
      r.slice(1).forEach(function (c, i) {
        var cell = d.createElement(i ? "td" : "th");
        if (!i) cell.scope = "row";
        if (c instanceof Node) cell.appendChild(c); else cell.textContent = c == null ? "" : String(c);
        tr.appendChild(cell);
      });
      if (old) body.replaceChild(tr, old); else body.appendChild(tr);
    });
    while (body.rows.length > rows.length) body.deleteRow(-1);
  }

  function drawAlerts() {
    var list = Object.keys(alerts).map(function (k) { return alerts[k]; })
      .filter(function (a) { return a.state == "open"; })
      .sort(function (a, b) { return b.id - a.id; });
    fill($("alerts"), ["when", "page", "rule", "band", "signals", "value", "with", ""], list.map(function (a) {
      var b = d.createElement("button");
      b.type = "button";
      b.textContent = "Acknowledge";
      b.setAttribute("aria-label", "Acknowledge the alert on " + a.page);
      b.addEventListener("click", function () {
        call("POST", "/alerts/" + a.id + "/ack").then(function (r) { return r.json(); }).then(function (done) {
          if (done.id) { alerts[done.id] = done; drawAlerts(); say("Alert on " + done.page + " acknowledged"); }
          else say(done.message || "The alert could not be acknowledged");
        });
      });
      var actions = d.createElement("span");
      actions.appendChild(b);
      if (a.conversation) {
        // Take it up and talk to the visitor on the page they are on.
        var talk = d.createElement("button");
        talk.type = "button";
        talk.textContent = "Chat";
        talk.setAttribute("aria-label", "Take up the alert on " + a.page + " and chat with the visitor");
        talk.addEventListener("click", function () {
          call("POST", "/alerts/" + a.id + "/ack").then(function (r) { return r.json(); }).then(function (done) {
            if (done.id) { alerts[done.id] = done; drawAlerts(); }
          });
          window.lifelineChat.open(a.conversation);
        });
        actions.appendChild(talk);
      }
      return [a.id + ":" + a.assigned, time(a.created), a.page, a.rule, a.band, a.signals.join(", "),
        a.value + " %" + (a.tier ? " · " + a.tier : ""), a.assigned || "anyone", actions];
    }));
  }

  function drawVisits() {
    var now = Date.now();
    var list = Object.keys(visits).map(function (k) { return visits[k]; })
      .filter(function (v) { return now - v.at < RECENT && v.band != "none"; })
      .sort(function (a, b) { return b.at - a.at; });
    fill($("visitors"), ["since", "page", "band", "signals", "rule"], list.map(function (v) {
      return [v.session, time(v.at), v.page, v.band, v.signals.join(", "), v.rule];
    }));
  }

  function drawStaff() {
    call("GET", "/presence").then(function (r) { return r.json(); }).then(function (p) {
      fill($("staff"), ["name", "role", "status"], (p.staff || []).map(function (m) {
        return [m.name, m.name, m.role, m.status];
      }));
    });
  }

  function event(kind, data) {
    if (kind == "alert") {
      var a = data.alert, fresh = !alerts[a.id];
      alerts[a.id] = a;
      drawAlerts();
      if (fresh && a.state == "open") say("New alert: " + a.page + " (" + a.rule + ")");
    } else if (kind == "decision") {
      visits[data.session] = data;
      drawVisits();
    } else if (kind == "presence") {
      drawStaff();
    } else if (kind == "chat") {
      window.lifelineChat.changed(data.conversation);
    }
  }

  // The event stream, read line by line; again 2 s after a drop.
  function stream() {
    var aborter = new AbortController(), kind = "", rest = "", closed = false;
    stop = function () { closed = true; aborter.abort(); };
    fetch("/v1/staff/sites/" + encodeURIComponent(s.site) + "/events", {
      headers: { Authorization: "Bearer " + s.token, Accept: "text/event-stream" }, signal: aborter.signal
    }).then(function (r) {
      if (!r.ok || !r.body) throw new Error("the live stream answered " + r.status);
      var reader = r.body.getReader(), text = new TextDecoder();
      return (function read() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          rest += text.decode(chunk.value, { stream: true });
          var lines = rest.split("\n");
          rest = lines.pop();
          lines.forEach(function (line) {
            if (line.indexOf("event: ") == 0) kind = line.slice(7);
            else if (line.indexOf("data: ") == 0) {
              try { event(kind, JSON.parse(line.slice(6))); } catch (e) { /* not ours */ }
            }
          });
          return read();
        });
      })();
    }).catch(function () { /* dropped */ }).then(function () {
      if (!closed && s) setTimeout(function () { if (s) stream(); }, 2000);
    });
  }

  // Alerts on this device (Web Push): the service worker, the browser's push subscription
  // for the site's key, kept by the collector for this member of staff.
  function key(b64) {
    var s = atob(b64.replace(/-/g, "+").replace(/_/g, "/")), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function pushReady() {
    var b = $("push");
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) return;
    b.hidden = false;
    navigator.serviceWorker.register("/dashboard/sw.js").then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (sub) { b.setAttribute("aria-pressed", String(!!sub)); }, function () {});
  }
  function pushToggle() {
    var b = $("push"), on = b.getAttribute("aria-pressed") == "true";
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.pushManager.getSubscription().then(function (sub) {
        if (on) {
          if (!sub) return false;
          var endpoint = sub.endpoint;
          return sub.unsubscribe().then(function () {
            return call("DELETE", "/push", JSON.stringify({ endpoint: endpoint }));
          }).then(function () { say("Alerts on this device are off"); return false; });
        }
        return Notification.requestPermission().then(function (p) {
          if (p != "granted") throw new Error("notifications are not allowed for this page");
          return call("GET", "/push").then(function (r) { return r.json(); });
        }).then(function (k) {
          // The browser asks its push service, which may not answer (offline, blocked).
          return sub || Promise.race([
            reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(k.public_key) }),
            new Promise(function (_, fail) {
              setTimeout(function () { fail(new Error("the browser's push service did not answer")); }, 10000);
            })
          ]);
        }).then(function (s) {
          return call("POST", "/push", JSON.stringify(s.toJSON()));
        }).then(function (r) {
          if (!r.ok) return r.json().then(function (e) { throw new Error(e.message); });
          say("Alerts on this device are on");
          return true;
        });
      });
    }).then(function (now) { b.setAttribute("aria-pressed", String(now)); }, function (e) {
      say("Alerts on this device could not be turned on: " + (e && e.message || e));
    });
  }

  function heartbeat() {
    var status = $("presence").value;
    call("POST", "/presence", JSON.stringify({ status: status })).then(function (r) {
      // The admin token is nobody in particular: no presence.
      $("presence-row").hidden = r.status == 400;
      if (r.status == 400) clearInterval(beat);
      // Drawn again as stored: the stream may not have been open yet to hear it.
      else if (r.ok) drawStaff();
    });
  }

  function start(session) {
    s = session;
    alerts = {}; visits = {};
    call("GET", "/alerts?open").then(function (r) { return r.json(); }).then(function (list) {
      (list.alerts || []).forEach(function (a) { alerts[a.id] = a; });
      drawAlerts();
    });
    drawVisits();
    drawStaff();
    stream();
    window.lifelineChat.start(session);
    heartbeat();
    pushReady();
    beat = setInterval(heartbeat, 30000);
  }

  function end() {
    if (stop) stop();
    clearInterval(beat);
    s = null;
    window.lifelineChat.stop();
    ["alerts", "visitors", "staff"].forEach(function (id) { $(id).textContent = ""; });
  }

  d.addEventListener("DOMContentLoaded", function () {
    $("push").addEventListener("click", pushToggle);
    $("presence").addEventListener("change", function () {
      heartbeat();
      say("You are " + this.value);
    });
  });
  window.lifelineLive = { start: start, stop: end, fill: fill };
})();
