/* Lifeline debug: a lazy module (debug-HASH.js), fetched only with data-debug on the tag or
 * ?lifeline-debug in the page's URL, so the switch costs other pages nothing. It logs to the
 * console, on this page only, what the agent sees: each page view (its path as reports give
 * it), signals as they fire with the difficulty score, and each prompt shown (the rule, the
 * prompt, its kind). It reads the agent's context, the one the support module reads (site,
 * rule, prompt, page, language, tier, flags, signals, tasks, score; one per line), and the
 * views the agent shows. Nothing of it is sent anywhere.
 *
 *   __lifeline_debug(ask)   ask("") is that context */
(function () {
  "use strict";
  var w = window;
  w.__lifeline_debug = function (ask) {
    var page = null, had = [];
    function context() {
      var text = ask("");
      return text ? text.split("\n") : null;
    }
    // "score 34% (low)": the context's score line is hundredths, band, visit id.
    function score(c) {
      var s = (c ? c[9] || "" : "").split(" ");
      return "score " + (s[0] || "0") + "% (" + (s[1] || "none") + ")";
    }
    function look() {
      var c = context();
      if (!c) return;
      if (c[3] !== page) {
        page = c[3];
        console.info("lifeline: page view " + page);
      }
      var now = c[7].split(" ").filter(Boolean);
      var fired = now.filter(function (s) { return had.indexOf(s) < 0; });
      if (fired.length) console.info("lifeline: signals " + fired.join(" ") + "; " + score(c));
      had = now;
    }
    look();
    setInterval(look, 200);
    var show = w.__lifeline_prompt;
    w.__lifeline_prompt = function (view) {
      var shown = show.apply(this, arguments);
      if (view) {
        // The agent names the rule once the prompt is up.
        setTimeout(function () {
          var c = context(), v = JSON.parse(view);
          look();
          console.info("lifeline: rule \"" + (c ? c[1] : "") + "\" shows \"" + v.prompt + "\" (" + v.kind +
            "); " + score(c));
        }, 0);
      }
      return shown;
    };
  };
})();
