/* The Lifeline dashboard: reads a site's stats, decisions and feedback from the admin API
 * with the site's token (kept in this tab's sessionStorage only). Everything visitors wrote
 * is shown as text (textContent), never as HTML.
 * Accessible (WCAG 2.2 AA, checked by the end-to-end tests): the 10-second refresh can be
 * paused (2.2.2), keeps rows that did not change and announces only what is new; tables are
 * named, with column and row headers, in panels that scroll sideways and take focus; a
 * wrong token is tied to its field; focus moves to the site on Open and back to the form on
 * Close. */
(function () {
  "use strict";
  var d = document, $ = function (id) { return d.getElementById(id); };
  var session = null, timer = null;

  function api(path) {
    return fetch("/v1/admin/sites/" + encodeURIComponent(session.site) + path, {
      headers: { Authorization: "Bearer " + session.token }
    }).then(function (r) {
      if (r.ok) return r;
      return r.json().catch(function () { return {}; }).then(function (e) {
        throw new Error(e.message || ("the collector answered " + r.status));
      });
    });
  }
  function json(path) { return api(path).then(function (r) { return r.json(); }); }

  function time(ms) { return new Date(ms).toLocaleString(); }
  // A table from a header and rows of cells, every cell set as text; the first cell of a
  // row is its header. Rows that did not change are kept (focus and a screen reader's place
  // with them). Returns how many rows are new.
  function table(el, head, rows, numeric) {
    if (!el.tHead) {
      var tr = el.createTHead().insertRow();
      head.forEach(function (h, i) {
        var th = d.createElement("th"); th.textContent = h; th.scope = "col";
        if (numeric && numeric[i]) th.className = "num";
        tr.appendChild(th);
      });
    }
    var body = el.tBodies[0] || el.createTBody(), before = {}, added = 0;
    Array.prototype.forEach.call(body.rows, function (r) { before[r.getAttribute("data-key")] = true; });
    if (!rows.length) {
      body.textContent = "";
      var td = body.insertRow().insertCell(); td.colSpan = head.length; td.className = "empty"; td.textContent = "Nothing yet.";
      return 0;
    }
    rows.forEach(function (cells, n) {
      var key = JSON.stringify(cells), old = body.rows[n];
      if (old && old.getAttribute("data-key") == key) return;
      if (!before[key]) added++;
      var r = d.createElement("tr");
      r.setAttribute("data-key", key);
      cells.forEach(function (c, i) {
        var cell = d.createElement(i ? "td" : "th");
        if (!i) cell.scope = "row";
        cell.textContent = c == null ? "" : String(c);
        if (numeric && numeric[i]) cell.className = "num";
        r.appendChild(cell);
      });
      if (old) body.replaceChild(r, old); else body.appendChild(r);
    });
    while (body.rows.length > rows.length) body.deleteRow(-1);
    return added;
  }
  var TALLY_NUM = [false, true, true, true, true, true, true, true];
  function tallyHead(first) {
    return [first, "shown", "dismissed", "engaged", "completed", "ignored", "feedback", "avg rating"];
  }
  function tallies(list) {
    return list.map(function (t) {
      return [t.name, t.shown, t.dismissed, t.engaged, t.completed, t.ignored, t.feedback,
        t.average_rating == null ? "" : t.average_rating.toFixed(1)];
    });
  }

  // Support sessions: how many started, answers opened, how many helped or not, referrals
  // to a person; the resolution rate is resolved / (resolved + failed).
  var SUPPORT_NUM = [false, true, true, true, true, true, true];
  function supportHead(first) {
    return [first, "sessions", "answers opened", "resolved", "failed", "to a person", "resolution"];
  }
  function support(list) {
    return list.map(function (t) {
      return [t.name, t.started, t.opened, t.resolved, t.failed, t.escalated,
        t.resolution_rate == null ? "" : Math.round(t.resolution_rate * 100) + "%"];
    });
  }

  // Reads everything again. `quiet`: announce only what is new (the timer's refresh).
  function load(quiet) {
    if (!quiet) say("Loading…");
    var queue = $("queue").value;
    return Promise.all([json("/stats"), json("/feedback?limit=20"), json("/decisions?limit=20"),
      json("/triage?limit=20" + (queue ? "&queue=" + queue : "")), json("/problems"), json("/coupons?limit=20")]).then(function (all) {
      var stats = all[0], feedback = all[1].items, decisions = all[2].items;
      table($("triage"), ["when", "page", "rating", "comment", "verdict", "why", "problem", "outcome"], all[3].items.map(function (t) {
        var verdict = t.fraud ? "potential fraud" : !t.valid ? "not supported" : t.sentiment;
        return [time(t.received), t.page, t.rating, t.comment, verdict, t.reasons.join(", "), t.problem, t.outcome];
      }));
      table($("problems"), ["problem", "visitors", "feedback", "cost", "coupons", "coupon value"], all[4].problems.map(function (p) {
        return [p.problem, p.visitors, p.feedback, p.cost, p.coupons, p.coupon_value];
      }), [false, true, true, true, true, true]);
      table($("coupon-totals"), ["state", "coupons", "value"], all[5].totals.map(function (t) {
        return [t.state, t.count, t.value];
      }), [false, true, true]);
      table($("coupons"), ["minted", "code", "problem", "value", "state", "expires"], all[5].items.map(function (c) {
        return [time(c.minted), c.code, c.problem, c.value + (c.kind == "percent" ? " %" : " " + (c.currency || "")), c.state, time(c.expires)];
      }));
      table($("rules"), tallyHead("rule"), tallies(stats.rules), TALLY_NUM);
      table($("pages"), tallyHead("page"), tallies(stats.pages), TALLY_NUM);
      var s = stats.support || { pages: [], articles: [], personas: [] };
      table($("support-pages"), supportHead("page"), support(s.pages), SUPPORT_NUM);
      table($("support-articles"), supportHead("article"), support(s.articles), SUPPORT_NUM);
      table($("support-personas"), supportHead("persona"), support(s.personas), SUPPORT_NUM);
      var newFeedback = table($("feedback"), ["when", "page", "rule", "rating", "thumbs", "comment"], feedback.map(function (f) {
        return [time(f.received), f.page, f.rule, f.rating, f.thumbs == null ? "" : (f.thumbs ? "up" : "down"), f.comment];
      }));
      var newDecisions = table($("decisions"), ["when", "page", "rule", "prompt", "outcome", "band", "signals"], decisions.map(function (x) {
        return [time(x.received), x.page, x.rule, x.prompt, x.outcome || "shown", x.band, (x.signals || []).join(", ")];
      }));
      $("updated").textContent = "Updated " + new Date().toLocaleTimeString();
      var news = [];
      if (newFeedback) news.push(newFeedback + " new feedback");
      if (newDecisions) news.push(newDecisions + (newDecisions == 1 ? " new decision" : " new decisions"));
      if (!quiet) say("Up to date" + (news.length ? ": " + news.join(", ") : ""));
      else if (news.length) say(news.join(", "));
    });
  }
  function say(text) { $("status").textContent = text; }

  function ticking(on) {
    clearInterval(timer);
    // Every 10 s (`data-refresh` on <html>, in ms, for tests).
    timer = on ? setInterval(function () { load(true).catch(show); }, +d.documentElement.getAttribute("data-refresh") || 10000) : null;
  }

  // Opens the site with the admin token (everything) or a member of staff's (live only).
  function open(site, token) {
    session = { site: site, token: token };
    return fetch("/v1/staff/sites/" + encodeURIComponent(site) + "/presence", {
      headers: { Authorization: "Bearer " + token }
    }).then(function (r) {
      if (r.ok) return;
      return r.json().catch(function () { return {}; }).then(function (e) {
        throw new Error(e.message || ("the collector answered " + r.status));
      });
    }).then(function () {
      return load().then(function () { return true; }, function () { return false; });
    }).then(function (admin) {
      session.admin = admin;
      sessionStorage.setItem("lifeline-dashboard", JSON.stringify(session));
      Array.prototype.forEach.call(d.querySelectorAll(".admin-only"), function (e) { e.hidden = !admin; });
      $("login").hidden = true; $("site-view").hidden = false;
      $("site-title").textContent = site;
      $("site-title").focus();
      $("pause").setAttribute("aria-pressed", "false");
      if (admin) ticking(true);
      if (admin) window.lifelineCharts.start(session);
      window.lifelineLive.start(session);
      if (!admin) say("Live: alerts, visitors in difficulty and staff");
    });
  }
  function show(e) { say(e.message); }

  function download(kind) {
    api("/" + kind + "?format=csv").then(function (r) { return r.blob(); }).then(function (blob) {
      var a = d.createElement("a");
      a.href = URL.createObjectURL(blob); a.download = session.site + "-" + kind + ".csv";
      d.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    }).catch(show);
  }

  d.addEventListener("DOMContentLoaded", function () {
    $("login").addEventListener("submit", function (e) {
      e.preventDefault();
      $("login-error").hidden = true;
      $("token").removeAttribute("aria-invalid");
      $("token").setAttribute("aria-describedby", "token-hint");
      open($("site").value.trim(), $("token").value.trim()).catch(function (err) {
        session = null;
        $("login-error").textContent = err.message; $("login-error").hidden = false;
        // The error belongs to the token field: said with it, and focus goes there.
        $("token").setAttribute("aria-invalid", "true");
        $("token").setAttribute("aria-describedby", "login-error token-hint");
        $("token").focus();
        say("");
      });
    });
    $("refresh").addEventListener("click", function () { load().catch(show); window.lifelineCharts.refresh(); });
    $("pause").addEventListener("click", function () {
      var paused = this.getAttribute("aria-pressed") != "true";
      this.setAttribute("aria-pressed", String(paused));
      ticking(!paused);
      say(paused ? "Updates paused" : "Updates resumed");
      if (!paused) load(true).catch(show);
    });
    $("csv-decisions").addEventListener("click", function () { download("decisions"); });
    $("csv-feedback").addEventListener("click", function () { download("feedback"); });
    $("csv-triage").addEventListener("click", function () { download("triage"); });
    $("csv-coupons").addEventListener("click", function () { download("coupons"); });
    $("queue").addEventListener("change", function () { load().catch(show); });
    $("logout").addEventListener("click", function () {
      sessionStorage.removeItem("lifeline-dashboard"); ticking(false); session = null;
      window.lifelineLive.stop();
      window.lifelineCharts.stop();
      $("site-view").hidden = true; $("login").hidden = false; $("token").value = "";
      ["rules", "pages", "support-pages", "support-articles", "support-personas", "triage", "problems",
        "coupon-totals", "coupons", "feedback", "decisions"]
        .forEach(function (id) { $(id).textContent = ""; });
      $("updated").textContent = ""; say("Closed");
      $("token").focus();
    });
    try {
      var saved = JSON.parse(sessionStorage.getItem("lifeline-dashboard"));
      if (saved && saved.site && saved.token) open(saved.site, saved.token).catch(function () { sessionStorage.removeItem("lifeline-dashboard"); });
    } catch (e) { /* nothing saved */ }
  });
})();
