// Jaga dashboard: polls the page's live endpoint and swaps changed cells in place,
// so rows never jump and focus stays where it was. No framework, no build step.
(function () {
  "use strict";
  var table = document.querySelector("[data-live]");
  if (!table) { return; }
  var url = table.getAttribute("data-live");
  var body = table.tBodies[0];
  var status = document.querySelector("[data-live-status]");
  var announcer = document.getElementById("announce");
  // The page's own words, in its language, from the catalog.
  function word(name) { return announcer ? announcer.getAttribute("data-" + name) : ""; }
  var every = 3000;
  var failures = 0;

  function say(text) {
    if (announcer) { announcer.textContent = text; }
  }

  function rowsOf(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    return Array.prototype.slice.call(holder.querySelectorAll("tr[data-key]"));
  }

  function update(html) {
    var current = {};
    Array.prototype.forEach.call(body.querySelectorAll("tr[data-key]"), function (row) {
      current[row.getAttribute("data-key")] = row;
    });
    var seen = {};
    var previous = null;
    rowsOf(html).forEach(function (fresh) {
      var key = fresh.getAttribute("data-key");
      var row = current[key];
      seen[key] = true;
      if (!row) {
        row = fresh;
      } else {
        Array.prototype.forEach.call(fresh.querySelectorAll("[data-cell]"), function (cell) {
          var name = cell.getAttribute("data-cell");
          var old = row.querySelector('[data-cell="' + name + '"]');
          if (old && old.innerHTML !== cell.innerHTML) { old.innerHTML = cell.innerHTML; }
        });
        var was = row.getAttribute("data-status");
        var now = fresh.getAttribute("data-status");
        if (was !== now) {
          row.setAttribute("data-status", now);
          row.className = fresh.className;
          var name = row.querySelector("a");
          say((name ? name.textContent : key) + " " + word("now") + " " +
              (fresh.getAttribute("data-status-text") || now));
        }
      }
      var expected = previous ? previous.nextElementSibling : body.firstElementChild;
      if (expected !== row) { body.insertBefore(row, expected); }
      previous = row;
    });
    Object.keys(current).forEach(function (key) {
      if (!seen[key]) { body.removeChild(current[key]); }
    });
  }

  function show(text) {
    if (status) { status.textContent = text; }
  }

  function tick() {
    if (document.hidden) { setTimeout(tick, every); return; }
    fetch(url, { credentials: "same-origin", cache: "no-store",
                 headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) {
          show(word("signed-out"));
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (answer) {
        if (answer === null) { return; }
        failures = 0;
        update(answer.rows);
        Object.keys(answer.summary || {}).forEach(function (key) {
          var el = document.querySelector('[data-summary="' + key + '"]');
          if (el) { el.textContent = answer.summary[key]; }
        });
        var clock = new Date().toLocaleTimeString(document.documentElement.lang, { hour12: false });
        show(word("live-text") + " " + answer.as_of_position + " · " + word("checked") + " " + clock);
        table.setAttribute("data-position", answer.as_of_position);
        setTimeout(tick, every);
      })
      .catch(function () {
        failures += 1;
        show(word("lost"));
        setTimeout(tick, Math.min(every * Math.pow(2, failures), 60000));
      });
  }

  setTimeout(tick, every);
}());
