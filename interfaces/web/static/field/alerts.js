// Jaga Lapangan: the active alerts of this phone's unit and the sites it guards,
// asked for every 10 s while the app is open and online, shown on the home screen.
var FieldAlerts = (function () {
  "use strict";
  var EVERY = 10000;
  var items = [];
  var current = function () { return {}; };

  function el(tag, cls, text) {
    var found = document.createElement(tag);
    if (cls) { found.className = cls; }
    if (text !== undefined) { found.textContent = text; }
    return found;
  }

  function siteName(state, siteId) {
    var found = ((state.ref || {}).sites || []).filter(function (s) { return s.site_id === siteId; })[0];
    return found ? found.name : (siteId || "");
  }

  // Draws the list into the home screen's #alerts, when it is showing.
  function show() {
    var holder = document.getElementById("alerts");
    if (!holder) { return; }
    var state = current();
    holder.textContent = "";
    holder.setAttribute("data-count", String(items.length));
    if (!items.length) { return; }
    holder.appendChild(el("h2", "", Words.t("Alerts for your unit")));
    var list = el("ul", "alerts");
    items.forEach(function (a) {
      var zone = (((state.ref || {}).sites || []).filter(function (s) { return s.site_id === a.site_id; })[0] || {}).timezone;
      var line = el("li", "alert alert-" + a.state);
      line.setAttribute("data-alert", a.alert_id);
      line.setAttribute("data-rule", a.rule);
      line.setAttribute("data-site", a.site_id || "");
      line.appendChild(el("strong", "", Words.tp("alert_rule", a.rule)));
      line.appendChild(el("span", "sub", siteName(state, a.site_id)));
      line.appendChild(el("span", "sub", Words.when(a.raised_at, zone)));
      list.appendChild(line);
    });
    holder.appendChild(list);
  }

  function ask() {
    var state = current();
    if (!state.key || !state.unit || !navigator.onLine || document.hidden) { return Promise.resolve(); }
    return fetch("/api/v1/alerts?state=active&limit=50&unit_id=" + encodeURIComponent(state.unit.unit_id), {
      headers: Sync.headers(state.key), cache: "no-store"
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) { if (found) { items = found.items; show(); } }, function () {});
  }

  var following = false;

  // Starts asking, once, when the home screen first shows.
  function follow(state) {
    current = state;
    if (following) { return; }
    following = true;
    ask();
    setInterval(ask, EVERY);
    document.addEventListener("visibilitychange", ask);
  }

  return { follow: follow, show: show, ask: ask };
}());
