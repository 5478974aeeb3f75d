// Jaga dashboard: the alert bar follows the server's alerts by server-sent events and
// acknowledges one through the API's command, with the page's session and CSRF
// token. The replay drives it instead (window.jagaAlertsAt). No framework.
(function () {
  "use strict";
  var bar = document.getElementById("alert-bar");
  if (!bar) { return; }
  var items = bar.querySelector("[data-alert-items]");
  var count = bar.querySelector("[data-alert-count]");
  var meta = document.querySelector("meta[name='csrf']");
  var token = meta ? meta.getAttribute("content") : "";
  var source = null;

  var shown = null;

  function show(data) {
    // A reconnected stream sends the bar again: unchanged, it is left alone.
    if (data.html !== shown) { items.innerHTML = data.html; shown = data.html; }
    count.textContent = String(data.count);
    bar.setAttribute("data-position", String(data.position));
    bar.classList.toggle("has-open", data.open > 0);
  }

  function follow() {
    if (!window.EventSource) { return; }
    source = new EventSource(bar.getAttribute("data-stream"));
    source.addEventListener("alerts", function (event) { show(JSON.parse(event.data)); });
  }

  // The replay shows the bar as it stood at a log position, and stops following.
  window.jagaAlertsAt = function (position) {
    if (source) { source.close(); source = null; }
    return fetch("/past/alerts?position=" + position, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); }).then(show);
  };

  items.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-ack]");
    if (!form) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    button.textContent = bar.getAttribute("data-sending");
    // One click is one command: a retry after a lost answer sends the same key.
    form.dataset.key = form.dataset.key || String(Date.now()) + Math.random().toString(16).slice(2);
    fetch(form.getAttribute("data-ack"), {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json", "Content-Type": "application/json",
                 "X-CSRF-Token": token, "Idempotency-Key": form.dataset.key },
      body: JSON.stringify({ occurred_at: new Date().toISOString() })
    }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); })
      .then(function (answer) {
        if (answer.status === 201) {
          button.textContent = bar.getAttribute("data-done");
          return;
        }
        button.disabled = false;
        button.textContent = (answer.body.error || {}).message || String(answer.status);
      }, function () {
        button.disabled = false;
        button.textContent = bar.getAttribute("data-lost");
      });
  });

  if (!bar.hasAttribute("data-replay")) { follow(); }
}());
