// Jaga Lapangan: the words of the app, from the server's gettext catalog (cached by
// the service worker), and dates as Indonesians write them with the zone named.
var Words = (function () {
  "use strict";
  var messages = {};
  var chosen = "id";
  var ZONES = { WIB: 7, WITA: 8, WIT: 9 };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function cookie() {
    var found = document.cookie.match(/(?:^|; )jaga_lang=(id|en)/);
    return found ? found[1] : null;
  }

  function language() { return chosen; }

  function load() {
    chosen = cookie() || (document.documentElement.lang === "en" ? "en" : "id");
    document.documentElement.lang = chosen;
    return fetch("/lapangan/words/" + chosen + ".json")
      .then(function (r) { return r.json(); })
      .then(function (data) { messages = data.messages || {}; });
  }

  function choose(lang) {
    document.cookie = "jaga_lang=" + lang + "; path=/; max-age=31536000; samesite=lax";
  }

  function fill(text, params) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return params && params[name] !== undefined ? String(params[name]) : "";
    });
  }

  function t(id, params) { return fill(messages[id] || id, params); }

  function tp(context, id, params) {
    var found = messages[context + "\u0004" + id];
    return fill(found || String(id).replace(/_/g, " "), params);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function deviceZone(date) {
    var hours = -(date || new Date()).getTimezoneOffset() / 60;
    for (var name in ZONES) { if (ZONES[name] === hours) { return name; } }
    return null;
  }

  // "27 Nov 2024 07.05 WIB": in the given zone, else the device's, named.
  function when(iso, zone) {
    if (!iso) { return "—"; }
    var at = new Date(iso);
    if (isNaN(at.getTime())) { return String(iso); }
    zone = zone && ZONES[zone] !== undefined ? zone : deviceZone(at);
    var hours = zone ? ZONES[zone] : -at.getTimezoneOffset() / 60;
    var local = new Date(at.getTime() + hours * 3600000);
    var clock = tp("time", "%(hour)s:%(minute)s",
      { hour: pad(local.getUTCHours()), minute: pad(local.getUTCMinutes()) });
    var name = zone || (hours ? "UTC" + (hours > 0 ? "+" : "") + hours : "UTC");
    return local.getUTCDate() + " " + tp("month", MONTHS[local.getUTCMonth()]) + " " +
      local.getUTCFullYear() + " " + clock + " " + name;
  }

  // The device's own time with its offset: what the officer's phone said.
  function now(date) {
    var d = date || new Date();
    var offset = -d.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var abs = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign +
      pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  return { load: load, choose: choose, language: language, t: t, tp: tp, when: when, now: now };
}());
var t = Words.t;
var tp = Words.tp;
