// Jaga Lapangan: sends the queue, in order, through POST /api/v1/batch. Each item
// carries its idempotency key from the moment it was made, so a batch whose answer
// was lost is sent again and the server answers as it first did: nothing twice.
var Sync = (function () {
  "use strict";
  var BATCH = 100;
  var running = null;
  var listeners = [];

  function on(listener) { listeners.push(listener); }
  function emit(what, detail) {
    listeners.forEach(function (listener) { listener(what, detail); });
  }

  function headers(key) {
    return {
      "Authorization": "Bearer " + key,
      "Content-Type": "application/json",
      "Accept-Language": Words.language()
    };
  }

  // The next run of items that can go: waiting ones whose shift or patrol is known.
  function next(items) {
    var byId = {};
    items.forEach(function (item) { byId[item.id] = item; });
    var batch = [];
    var sending = {};
    for (var i = 0; i < items.length && batch.length < BATCH; i += 1) {
      var item = items[i];
      if (item.status !== "waiting") { continue; }
      var path = item.path;
      if (item.needs) {
        var before = byId[item.needs];
        if (before && sending[before.id]) { break; }  // its answer names the shift
        if (!before || before.status !== "recorded") { continue; }
        path = path.replace("{needs}", encodeURIComponent(before.result.id));
      }
      sending[item.id] = true;
      batch.push({ item: item, command: {
        idempotency_key: item.key, method: "POST", path: path, body: item.body } });
    }
    return batch;
  }

  function settle(entry, result) {
    var item = entry.item;
    var body = result.body || {};
    item.sent_path = entry.command.path;
    if (result.status === 201) {
      item.status = "recorded";
      item.result = { id: body.id, position: body.position, event_id: body.event_id,
                      recorded_at: body.recorded_at };
      item.error = null;
    } else if (result.status >= 500) {
      item.error = { status: result.status, message: (body.error || {}).message };
      return Store.put(item);  // the server could not decide: stays waiting
    } else {
      var error = body.error || {};
      item.status = "refused";
      item.error = { status: result.status, code: error.code, message: error.message,
                     field: (error.details || {}).field };
    }
    return Store.put(item);
  }

  // A check-in says the phone's clock each time it is sent, so the server can tell
  // a clock far from its own (the server takes it as the same request on a retry).
  function stamped(batch) {
    var now = new Date().toISOString();
    batch.forEach(function (entry) {
      if (/\/check-ins$/.test(entry.command.path)) {
        entry.command.body = Object.assign({}, entry.command.body, { device_synced_at: now });
      }
    });
    return Promise.resolve();
  }

  // One batch; resolves true when something was settled and more may follow.
  function once() {
    return Promise.all([Store.get("key"), Store.queue()]).then(function (found) {
      var key = found[0];
      var batch = next(found[1]);
      if (!key || !batch.length) { return false; }
      emit("sending", batch.length);
      return stamped(batch).then(function () {
        return send(key, batch);
      });
    });
  }

  function send(key, batch) {
    return fetch("/api/v1/batch", {
      method: "POST",
      headers: headers(key),
      cache: "no-store",
      body: JSON.stringify({ commands: batch.map(function (e) { return e.command; }) })
    }).then(function (response) {
      if (response.status === 401) { emit("signed-out"); return false; }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json().then(function (answer) {
        return Promise.all(answer.results.map(function (result, i) {
          return settle(batch[i], result);
        })).then(function () { return true; });
      });
    });
  }

  function drain() {
    return once().then(function (more) { return more ? drain() : null; });
  }

  // Sends everything that can go; one sender per device even with two tabs open.
  function run() {
    if (running) { return running; }
    var work = function () { return drain(); };
    var locked = navigator.locks ? navigator.locks.request("jaga-sync", work) : work();
    running = locked.then(function () {
      emit("online");
    }, function () {
      emit("offline");
    }).then(function () { running = null; emit("done"); });
    return running;
  }

  return { run: run, on: on, headers: headers, next: next };
}());
