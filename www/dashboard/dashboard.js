/* The Lifeline dashboard: reads a site's stats, decisions and feedback from the admin API
 * with the site's token (kept in this tab's sessionStorage only). Everything visitors wrote
 * is shown as text (textContent), never as HTML. */
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
  // A table from a header and rows of cells; every cell is set as text.
  function table(el, head, rows, numeric) {
    el.textContent = "";
    var tr = el.insertRow();
    head.forEach(function (h, i) {
      var th = d.createElement("th"); th.textContent = h;
      if (numeric && numeric[i]) th.className = "num";
      tr.appendChild(th);
    });
    if (!rows.length) {
      var td = el.insertRow().insertCell(); td.colSpan = head.length; td.className = "empty"; td.textContent = "Nothing yet.";
      return;
    }
    rows.forEach(function (cells) {
      var r = el.insertRow();
      cells.forEach(function (c, i) {
        var td = r.insertCell(); td.textContent = c == null ? "" : String(c);
        if (numeric && numeric[i]) td.className = "num";
      });
    });
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

  function load() {
    $("status").textContent = "Loading…";
    return Promise.all([json("/stats"), json("/feedback?limit=20"), json("/decisions?limit=20")]).then(function (all) {
      var stats = all[0], feedback = all[1].items, decisions = all[2].items;
      table($("rules"), tallyHead("rule"), tallies(stats.rules), TALLY_NUM);
      table($("pages"), tallyHead("page"), tallies(stats.pages), TALLY_NUM);
      table($("feedback"), ["when", "page", "rule", "rating", "thumbs", "comment"], feedback.map(function (f) {
        return [time(f.received), f.page, f.rule, f.rating, f.thumbs == null ? "" : (f.thumbs ? "up" : "down"), f.comment];
      }));
      table($("decisions"), ["when", "page", "rule", "prompt", "outcome", "band", "signals"], decisions.map(function (x) {
        return [time(x.received), x.page, x.rule, x.prompt, x.outcome || "shown", x.band, (x.signals || []).join(", ")];
      }));
      $("status").textContent = "Updated " + new Date().toLocaleTimeString();
    });
  }

  function open(site, token) {
    session = { site: site, token: token };
    return load().then(function () {
      sessionStorage.setItem("lifeline-dashboard", JSON.stringify(session));
      $("login").hidden = true; $("site-view").hidden = false;
      $("site-title").textContent = site;
      clearInterval(timer);
      timer = setInterval(function () { load().catch(show); }, 10000);
    });
  }
  function show(e) { $("status").textContent = e.message; }

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
      open($("site").value.trim(), $("token").value.trim()).catch(function (err) {
        session = null;
        $("login-error").textContent = err.message; $("login-error").hidden = false;
        $("status").textContent = "";
      });
    });
    $("refresh").addEventListener("click", function () { load().catch(show); });
    $("csv-decisions").addEventListener("click", function () { download("decisions"); });
    $("csv-feedback").addEventListener("click", function () { download("feedback"); });
    $("logout").addEventListener("click", function () {
      sessionStorage.removeItem("lifeline-dashboard"); clearInterval(timer); session = null;
      $("site-view").hidden = true; $("login").hidden = false; $("token").value = "";
    });
    try {
      var saved = JSON.parse(sessionStorage.getItem("lifeline-dashboard"));
      if (saved && saved.site && saved.token) open(saved.site, saved.token).catch(function () { sessionStorage.removeItem("lifeline-dashboard"); });
    } catch (e) { /* nothing saved */ }
  });
})();
