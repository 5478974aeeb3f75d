// Jaga dashboard: ops act on incidents and alert levels through the same API commands
// as every other client, with the page's session and its CSRF token; a refusal shows
// the API's own error. No framework, no build step.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name='csrf']");
  if (!meta) { return; }
  var token = meta.getAttribute("content");

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function call(path, method, body, key) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": token };
    if (body) { headers["Content-Type"] = "application/json"; }
    if (key) { headers["Idempotency-Key"] = key; }
    return fetch(path, { method: method, credentials: "same-origin", cache: "no-store",
                         headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  }

  function tell(form, text, bad) {
    var out = form.querySelector(".said");
    if (!out) { out = document.createElement("span"); out.className = "said"; out.setAttribute("role", bad ? "alert" : "status"); form.appendChild(out); }
    out.textContent = text;
    out.className = "said" + (bad ? " error" : " ok");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-api]") : null;
    if (!form) { return; }
    event.preventDefault();
    var body = { occurred_at: new Date().toISOString() };
    new FormData(form).forEach(function (value, name) {
      if (value !== "") { body[name] = value; }
    });
    // One click is one command: a retry after a lost answer sends the same key.
    form.dataset.key = form.dataset.key || uuid();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    tell(form, form.getAttribute("data-sending"), false);
    call(form.getAttribute("data-api"), "POST", body, form.dataset.key).then(function (answer) {
      if (answer.status === 201) {
        delete form.dataset.key;
        tell(form, form.getAttribute("data-done") + " " + answer.body.position, false);
        // Read our own write, then show the page as it now stands.
        return call("/api/v1/incidents?limit=1&wait_for_position=" + answer.body.position, "GET")
          .then(function () { location.reload(); });
      }
      delete form.dataset.key;
      buttons.forEach(function (b) { b.disabled = false; });
      tell(form, (answer.body.error || {}).message || String(answer.status), true);
      return null;
    }, function () {
      buttons.forEach(function (b) { b.disabled = false; });
      tell(form, form.getAttribute("data-lost"), true);
    });
  });
}());
