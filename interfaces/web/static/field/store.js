// Jaga Lapangan: what the device keeps in IndexedDB, so nothing is lost across
// reloads, closed tabs or a restarted phone: its key and unit, the reference data,
// and the queue of actions with their idempotency keys.
var Store = (function () {
  "use strict";
  var opened = null;

  function open() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open("jaga-lapangan", 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("settings");
          db.createObjectStore("queue", { keyPath: "id" }).createIndex("seq", "seq");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  // Runs `work(store, done)` in one transaction; resolves once it has committed.
  function run(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        work(tx.objectStore(name), function (value) { result = value; });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function get(key) {
    return run("settings", "readonly", function (store, done) {
      store.get(key).onsuccess = function (e) { done(e.target.result); };
    });
  }

  function set(key, value) {
    return run("settings", "readwrite", function (store) {
      if (value === undefined || value === null) { store.delete(key); } else { store.put(value, key); }
    });
  }

  function queue() {
    return run("queue", "readonly", function (store, done) {
      store.index("seq").getAll().onsuccess = function (e) { done(e.target.result); };
    });
  }

  // Adds an item at the end of the queue; the sequence is taken in the same
  // transaction, so two tabs never give two items one place.
  function add(item) {
    return run("queue", "readwrite", function (store, done) {
      var cursor = store.index("seq").openCursor(null, "prev");
      cursor.onsuccess = function (e) {
        var last = e.target.result;
        item.seq = last ? last.value.seq + 1 : 1;
        store.add(item);
        done(item);
      };
    });
  }

  function put(item) {
    return run("queue", "readwrite", function (store) { store.put(item); });
  }

  function item(id) {
    return run("queue", "readonly", function (store, done) {
      store.get(id).onsuccess = function (e) { done(e.target.result); };
    });
  }

  return { get: get, set: set, queue: queue, add: add, put: put, item: item };
}());
