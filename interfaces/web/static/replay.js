// Jaga replay: steps the board, the map and the alert bar through the recorded
// history at a chosen speed; play, pause, scrub. The page's address holds the moment.
(function () {
  "use strict";
  var player = document.getElementById("replay");
  if (!player) { return; }
  var toggle = player.querySelector("[data-replay-toggle]");
  var scrub = player.querySelector("[data-replay-scrub]");
  var said = player.querySelector("[data-replay-moment]");
  var position = document.querySelector("[data-replay-position]");
  var body = document.querySelector("[data-replay-board] tbody");
  var form = document.getElementById("replay-window");
  var start = Date.parse(player.getAttribute("data-start") + ":00Z");  // local, read as UTC
  var zone = player.getAttribute("data-zone");
  var last = Number(player.getAttribute("data-minutes"));
  var playing = false;
  var busy = false;
  var wanted = null;

  function local(offset) {
    return new Date(start + offset * 60000).toISOString().slice(0, 16);
  }

  function address(at) {
    var params = new URLSearchParams(new FormData(form));
    params.set("at", at);
    return params;
  }

  function show(answer) {
    body.innerHTML = answer.rows;
    ["red", "amber", "green"].forEach(function (st) {
      var cell = document.querySelector("[data-summary='" + st + "']");
      if (cell) { cell.textContent = String(answer.summary[st]); }
    });
    position.textContent = String(answer.position);
    if (window.jagaMapDraw) { window.jagaMapDraw(answer.pins); }
    if (window.jagaAlertsAt) { window.jagaAlertsAt(answer.position); }
  }

  // One step at a time: a step asked for while one is on its way replaces the
  // waiting one, so scrubbing never queues a backlog.
  function step(offset) {
    wanted = offset;
    if (busy) { return Promise.resolve(); }
    busy = true;
    var at = local(offset);
    wanted = null;
    said.textContent = at.replace("T", " ") + " " + zone;
    scrub.value = String(offset);
    var params = address(at);
    history.replaceState(null, "", "/replay?" + params.toString());
    return fetch("/past/moment?" + params.toString(), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (answer) { if (answer.rows !== undefined) { show(answer); } })
      .then(function () {
        busy = false;
        if (wanted !== null) { return step(wanted); }
        return null;
      }, function () { busy = false; });
  }

  var played = 0;  // where the history stands, in minutes (fractions kept)
  var ticked = 0;

  // History moves at the chosen speed in real time, however long a step takes.
  function play() {
    if (!playing) { return; }
    var now = performance.now();
    var perSecond = Number(form.querySelector("[name='speed']").value);
    played = Math.min(last, played + perSecond * (now - ticked) / 1000);
    ticked = now;
    step(Math.floor(played)).then(function () {
      if (played >= last) { pause(); return; }
      setTimeout(play, 250);
    });
  }

  function pause() {
    playing = false;
    toggle.textContent = player.getAttribute("data-play");
    player.removeAttribute("data-playing");
  }

  toggle.addEventListener("click", function () {
    if (playing) { pause(); return; }
    if (Number(scrub.value) >= last) { scrub.value = "0"; }
    playing = true;
    played = Number(scrub.value);
    ticked = performance.now();
    toggle.textContent = player.getAttribute("data-pause");
    player.setAttribute("data-playing", "");
    play();
  });
  scrub.addEventListener("input", function () { step(Number(scrub.value)); });
  // The map and the alert bar start at the moment the page shows, not live.
  step(Number(scrub.value));
}());
