// Jaga Lapangan: the screens. Enrol once; then every action is queued on the device
// with its idempotency key and the phone's time, shown as waiting, recorded (with
// its log position) or refused (with the reason, to fix and send again).
(function () {
  "use strict";
  var app = document.getElementById("app");
  var net = document.getElementById("net");
  var say = document.getElementById("say");
  var state = { ticket: 0, key: null, unit: null, me: null, ref: { sites: [], personnel: [], patrols: [], units: [] }, notice: null };
  var SYNC_EVERY = 15000;

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { el.textContent = value; } else if (name.indexOf("on") === 0) { el.addEventListener(name.slice(2), value); } else { el.setAttribute(name, value === true ? "" : value); }
    });
    for (var i = 2; i < arguments.length; i += 1) {
      flat(arguments[i]).forEach(function (child) {
        if (child === null || child === undefined || child === false) { return; }
        el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      });
    }
    return el;
  }

  function flat(list) {
    return [].concat(list).reduce(function (all, c) { return all.concat(Array.isArray(c) ? flat(c) : [c]); }, []);
  }

  function show(screen, children) {
    state.screen = screen;
    app.textContent = "";
    flat(children).forEach(function (c) { if (c) { app.appendChild(c); } });
    window.scrollTo(0, 0);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function setNet(online, detail) {
    net.textContent = online ? t("Online") : t("Offline");
    net.className = "net " + (online ? "on" : "off");
    if (detail) { net.textContent += " · " + detail; }
  }

  // --- enrolment ---------------------------------------------------------------

  function enrolScreen(message) {
    state.ticket += 1;
    var code = h("input", { id: "code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", inputmode: "text", required: true, placeholder: "ABCD-EFGH" });
    var error = h("p", { "class": "error", role: "alert", id: "enrol-error" });
    var form = h("form", { id: "enrol", onsubmit: function (e) { e.preventDefault(); redeem(code.value, error); } },
      h("label", { "for": "code", text: t("Enrolment code") }), code,
      h("button", { type: "submit", "class": "big", text: t("Enrol this device") }), error);
    show("enrol", [h("h1", { text: t("Enrol this device") }),
          message ? h("p", { "class": "notice", role: "status", text: message }) : null,
          h("p", { text: t("Ask the operations staff for an enrolment code for your unit, or scan the code they show you with the phone's camera.") }),
          form, languages()]);
    code.focus();
  }

  function redeem(secret, error) {
    error.textContent = "";
    return fetch("/api/v1/enrolments/redeem", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept-Language": Words.language() },
      body: JSON.stringify({ code: secret.trim(), device: t("Field device") })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body.error || {}).message || t("Enrolment failed")); }
        return Promise.all([Store.set("key", body.key), Store.set("unit", { unit_id: body.unit_id, name: body.unit_name, scope: body.scope })])
          .then(function () { state.key = body.key; state.unit = { unit_id: body.unit_id, name: body.unit_name }; history.replaceState(null, "", location.pathname + location.search); return refresh(); })
          .then(function () { return Sync.run(); })
          .then(function () { whoScreen(); });
      });
    }).catch(function (e) {
      error.textContent = e.message === "Failed to fetch" ? t("No connection: enrolment needs the network once.") : e.message;
    });
  }

  function whoScreen() {
    state.ticket += 1;
    var people = state.ref.personnel || [];
    show("who", [h("h1", { text: t("Who is using this phone?") }),
          h("p", { text: t("Your name is filled in for you in check-ins and reports; you can change it on each form.") }),
          h("ul", { "class": "choices" }, people.map(function (p) {
            return h("li", {}, h("button", { type: "button", "class": "big choice", "data-person": p.personnel_id,
              onclick: function () { Store.set("me", p.personnel_id).then(function () { state.me = p.personnel_id; home(); }); },
              text: Forms.person(state.ref, p.personnel_id) }));
          }))]);
  }

  // --- reference data ----------------------------------------------------------

  function refresh() {
    if (!state.key || !state.unit) { return Promise.resolve(); }
    return fetch("/api/v1/field/reference?unit_id=" + encodeURIComponent(state.unit.unit_id), {
      headers: Sync.headers(state.key), cache: "no-store"
    }).then(function (r) {
      if (r.status === 401) { return signedOut(); }
      if (!r.ok) { return null; }
      return r.json().then(function (ref) { state.ref = ref; setNet(true); return Store.set("reference", ref); });
    }, function () { setNet(false); });
  }

  function signedOut() {
    state.key = null;
    return Store.set("key", null).then(function () {
      enrolScreen(t("This device was signed out: its key was revoked. Enrol it again; the records still waiting are kept and will be sent."));
    });
  }

  // --- home --------------------------------------------------------------------

  var GROUPS = [["duty", function () { return t("Guard duty"); }], ["patrol", function () { return t("Patrol"); }], ["report", function () { return t("Report"); }]];

  function home() {
    if (!state.key) { return enrolScreen(state.notice); }
    // A screen opened meanwhile wins over this one, drawn late.
    var ticket = state.ticket += 1;
    return Store.queue().then(function (queue) {
      if (ticket !== state.ticket) { return; }
      var waiting = queue.filter(function (i) { return i.status === "waiting"; }).length;
      var refused = queue.filter(function (i) { return i.status === "refused"; }).length;
      show("home", [
        h("p", { "class": "who" }, h("strong", { text: state.unit ? state.unit.name : "" }), " · ",
          h("button", { type: "button", "class": "link", id: "me", onclick: whoScreen, text: state.me ? Forms.person(state.ref, state.me) : t("Choose who you are") })),
        h("section", { "class": "alerts", id: "alerts", "aria-live": "polite" }),
        GROUPS.map(function (g) {
          return h("section", { "class": "actions" }, h("h2", { text: g[1]() }),
            h("div", { "class": "grid" }, Forms.ACTIONS.filter(function (a) { return a.group === g[0]; }).map(function (a) {
              return h("button", { type: "button", "class": "action", "data-action": a.id, onclick: function () { formScreen(a); }, text: a.title() });
            })));
        }),
        h("section", { "class": "queue", "aria-labelledby": "queue-h" },
          h("h2", { id: "queue-h" }, t("Records on this device"), " ",
            h("span", { "class": "sub", id: "counts", text: t("%(waiting)s waiting, %(refused)s refused", { waiting: waiting, refused: refused }) })),
          waiting ? h("button", { type: "button", id: "send", onclick: function () { Sync.run(); }, text: t("Send now") }) : null,
          h("ol", { id: "queue" }, queue.slice().reverse().map(line))),
        languages()]);
      FieldAlerts.follow(function () { return state; });
      FieldAlerts.show();
    });
  }

  function line(item) {
    var action = Forms.action(item.action);
    var status;
    if (item.status === "recorded") {
      status = h("span", { "class": "state ok", text: t("Recorded, log position %(position)s", { position: item.result.position }) });
    } else if (item.status === "refused") {
      status = h("span", { "class": "state bad" }, t("Refused: %(reason)s", { reason: item.error.message || item.error.code }));
    } else {
      status = h("span", { "class": "state wait", text: item.needs && blocked(item) ? t("Waiting for the record it follows") : t("Waiting to be sent") });
    }
    var zone = (Forms.site(state.ref, (item.values || {}).site) || {}).timezone;
    return h("li", { "class": "item " + item.status, "data-status": item.status, "data-id": item.id, "data-action": item.action },
      h("strong", { text: action ? action.title() : item.action }),
      h("span", { "class": "sub", text: Forms.about(item, state.ref) }),
      h("span", { "class": "sub", text: Words.when(item.at, zone) }),
      status,
      item.status === "refused" ? h("button", { type: "button", "class": "fix", onclick: function () { formScreen(action, item); }, text: t("Fix and send again") }) : null);
  }

  function blocked(item) { return !!item.needs; }

  // --- forms -------------------------------------------------------------------

  function options(field) {
    var ref = state.ref;
    if (field.type === "site") { return (ref.sites || []).map(function (s) { return [s.site_id, s.name + (s.regency_name ? " · " + s.regency_name : "")]; }); }
    if (field.type === "person" || field.type === "people") { return (ref.personnel || []).map(function (p) { return [p.personnel_id, Forms.person(ref, p.personnel_id)]; }); }
    if (field.type === "patrol") { return (ref.patrols || []).map(function (p) { return [p.patrol_id, (p.name || tp("patrol_kind", p.kind)) + " · " + tp("patrol_status", p.status)]; }); }
    if (field.type === "unit") { return (ref.units || []).map(function (u) { return [u.unit_id, u.name]; }); }
    return (field.options || []).map(function (o) { return [o, field.context ? tp(field.context, o) : o]; });
  }

  function label(field) {
    if (field.label) { return field.label(); }
    return { site: t("Site"), person: t("Person"), patrol: t("Patrol") }[field.type] || field.name;
  }

  function input(field, values) {
    var id = "f-" + field.name;
    var value = values[field.name];
    var choices = options(field);
    if (field.type === "people") {
      return h("fieldset", { id: id }, h("legend", { text: label(field) }), choices.map(function (c) {
        return h("label", { "class": "check" }, h("input", { type: "checkbox", name: field.name, value: c[0], checked: (value || []).indexOf(c[0]) >= 0 }), " " + c[1]);
      }));
    }
    if (field.type === "choice" || field.type === "yesno") {
      if (field.type === "yesno") { choices = [["yes", t("yes")], ["no", t("no")]]; }
      return h("fieldset", { id: id, "class": "pills" }, h("legend", { text: label(field) }), choices.map(function (c) {
        return h("label", { "class": "pill" }, h("input", { type: "radio", name: field.name, value: c[0], checked: value === c[0], required: field.required }), h("span", { text: c[1] }));
      }));
    }
    var control;
    if (field.type === "text") { control = h("input", { id: id, name: field.name, value: value || "", required: field.required }); } else if (field.type === "textarea") { control = h("textarea", { id: id, name: field.name, rows: 3, required: field.required }); control.value = value || ""; } else {
      control = h("select", { id: id, name: field.name, required: field.required },
        h("option", { value: "", text: t("— choose —") }),
        choices.map(function (c) { return h("option", { value: c[0], selected: value === c[0], text: c[1] }); }));
    }
    var scan = null;
    if (field.scan && Scan.available()) {
      scan = h("button", { type: "button", "class": "scan", text: t("Scan the site's poster"), onclick: function () {
        var holder = scan.parentNode;
        Scan.site(holder).then(function (found) { if (found) { control.value = found; control.dataset.scanned = "1"; } });
      } });
    }
    return h("div", { "class": "field" }, h("label", { "for": id, text: label(field) }), control, scan);
  }

  function read(form, action) {
    var values = {};
    action.fields.forEach(function (field) {
      if (field.type === "people") {
        values[field.name] = Array.prototype.map.call(form.querySelectorAll("input[name='" + field.name + "']:checked"), function (c) { return c.value; });
      } else if (field.type === "choice" || field.type === "yesno") {
        var picked = form.querySelector("input[name='" + field.name + "']:checked");
        values[field.name] = picked ? picked.value : "";
      } else {
        var el = form.elements[field.name];
        values[field.name] = el ? el.value.trim() : "";
        if (el && el.dataset.scanned) { values.scanned = true; }
      }
    });
    return values;
  }

  function position() {
    if (!navigator.geolocation) { return Promise.resolve(null); }
    var asked = navigator.permissions ? navigator.permissions.query({ name: "geolocation" }) : Promise.resolve({ state: "prompt" });
    return asked.then(function (p) {
      if (p.state === "denied") { return null; }
      return new Promise(function (resolve) {
        navigator.geolocation.getCurrentPosition(function (pos) { resolve(pos.coords); }, function () { resolve(null); }, { timeout: 5000, maximumAge: 60000 });
      });
    }, function () { return null; });
  }

  function formScreen(action, item) {
    state.ticket += 1;
    var defaults = {};
    action.fields.forEach(function (f) { if (f.me && state.me) { defaults[f.name] = state.me; } });
    var values = item ? item.values : defaults;
    var error = h("p", { "class": "error", role: "alert", id: "form-error" });
    var form = h("form", { id: "action-form", "data-action": action.id, novalidate: true },
      item && item.error ? h("p", { "class": "refusal", role: "alert", text: t("Refused: %(reason)s", { reason: item.error.message || item.error.code }) }) : null,
      action.fields.map(function (f) { return input(f, values); }), error,
      h("div", { "class": "buttons" },
        h("button", { type: "submit", "class": "big", text: item ? t("Send again") : t("Record") }),
        h("button", { type: "button", "class": "secondary", onclick: home, text: t("Back") })));
    form.addEventListener("submit", function (e) { e.preventDefault(); save(action, form, item, error); });
    show("form", [h("h1", { text: action.title() }), form]);
    var site = new URLSearchParams(location.search).get("site");
    if (site && !item && form.elements.site) { form.elements.site.value = site; }
  }

  function missing(action, values) {
    return action.fields.filter(function (f) {
      var v = values[f.name];
      return f.required && (v === "" || v === undefined || (Array.isArray(v) && !v.length));
    }).map(label);
  }

  function save(action, form, item, error) {
    var values = read(form, action);
    var lacking = missing(action, values);
    if (lacking.length) { error.textContent = t("Fill in: %(fields)s", { fields: lacking.join(", ") }); return; }
    var at = item ? item.at : Words.now();
    var located = action.id === "check_in" && !item ? position() : Promise.resolve(null);
    return located.then(function (coords) {
      if (coords) { values.lat = coords.latitude; values.lon = coords.longitude; }
      if (item && item.values.lat !== undefined) { values.lat = item.values.lat; values.lon = item.values.lon; }
      return Store.queue().then(function (queue) {
        var built;
        try { built = action.build(values, at, queue, state.ref, state.me); } catch (e) { error.textContent = e.message; return null; }
        var record = item || { id: uuid(), action: action.id, at: at };
        record.values = values;
        record.path = built.path;
        record.body = built.body;
        record.needs = built.needs || null;
        record.key = uuid();  // a new command: a fixed one is not the refused one
        record.status = "waiting";
        record.error = null;
        return (item ? Store.put(record) : Store.add(record)).then(function () {
          say.textContent = t("Saved on this device; it is sent when there is a connection.");
          home();
          Sync.run();
        });
      });
    });
  }

  // --- languages, sync, start ---------------------------------------------------

  function languages() {
    return h("p", { "class": "langs" }, [["id", "Bahasa Indonesia"], ["en", "English"]].map(function (l, i) {
      return [i ? " · " : null, h("button", { type: "button", "class": "link", lang: l[0], "aria-pressed": String(Words.language() === l[0]),
        onclick: function () { Words.choose(l[0]); location.reload(); }, text: l[1] })];
    }));
  }

  Sync.on(function (what) {
    if (what === "signed-out") { signedOut(); return; }
    if (what === "offline") { setNet(false); }
    if (what === "online") { setNet(true); }
    if (what === "done" && state.key && state.screen === "home") { home(); }
  });

  window.addEventListener("online", function () { refresh().then(function () { return Sync.run(); }); });
  window.addEventListener("offline", function () { setNet(false); });

  function start() {
    setNet(navigator.onLine);
    return Promise.all([Store.get("key"), Store.get("unit"), Store.get("me"), Store.get("reference")]).then(function (found) {
      state.key = found[0] || null;
      state.unit = found[1] || null;
      state.me = found[2] || null;
      state.ref = found[3] || state.ref;
      var token = (location.hash.match(/daftar=([\w-]+)/) || [])[1];
      if (!state.key && token) { enrolScreen(); return redeem(token, document.getElementById("enrol-error")); }
      if (!state.key) { return enrolScreen(); }
      home();
      return refresh().then(function () { return Sync.run(); });
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/lapangan/sw.js", { scope: "/lapangan" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () { document.body.setAttribute("data-offline-ready", "1"); }, function () {});
  }
  setInterval(function () { if (state.key) { Sync.run(); } }, SYNC_EVERY);
  Words.load().then(start, start);
}());
