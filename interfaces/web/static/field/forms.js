// Jaga Lapangan: every field action as a form, and each form as a command of the
// HTTP API (path and body), so the device records nothing any other way.
var Forms = (function () {
  "use strict";

  function person(ref, id) {
    var p = (ref.personnel || []).filter(function (x) { return x.personnel_id === id; })[0];
    return p ? (p.rank ? p.rank + " " : "") + p.name : id;
  }

  function site(ref, id) {
    return (ref.sites || []).filter(function (s) { return s.site_id === id; })[0] || null;
  }

  function patrol(ref, id) {
    return (ref.patrols || []).filter(function (p) { return p.patrol_id === id; })[0] || null;
  }

  function list(text) {
    return String(text || "").split(/[\n,;]+/).map(function (s) { return s.trim(); })
      .filter(Boolean);
  }

  // The shift on duty at a site as this device knows it: a start or handover it
  // made itself (recorded, or still waiting: then the command waits for it), else
  // the one the server last said.
  function shift(site_id, queue, ref) {
    for (var i = queue.length - 1; i >= 0; i -= 1) {
      var item = queue[i];
      if (item.status === "refused" || !item.values || item.values.site !== site_id) { continue; }
      if (item.action === "end_shift") { return { none: true }; }
      if (item.action === "start_shift" || item.action === "handover") {
        return item.status === "recorded" ? { id: item.result.id } : { needs: item.id };
      }
    }
    var known = site(ref, site_id);
    return known && known.on_duty && known.on_duty.shift_id ? { id: known.on_duty.shift_id } : { none: true };
  }

  function onDuty(values, queue, ref, what) {
    var found = shift(values.site, queue, ref);
    if (found.none) { throw new Error(t("No shift is on duty at this site as far as this device knows.")); }
    var base = "/api/v1/sites/" + encodeURIComponent(values.site) + "/shifts/";
    return found.needs
      ? { path: base + "{needs}/" + what, needs: found.needs }
      : { path: base + encodeURIComponent(found.id) + "/" + what };
  }

  function withCommander(roster, commander) {
    var all = (roster || []).slice();
    if (commander && all.indexOf(commander) < 0) { all.unshift(commander); }
    return all;
  }

  var ACTIONS = [
    { id: "check_in", group: "duty", title: function () { return t("Check in"); },
      fields: [{ name: "site", type: "site", scan: true, required: true },
               { name: "person", type: "person", me: true, required: true }],
      build: function (v, at) {
        var body = { personnel_id: v.person, method: v.scanned ? "qr" : (v.lat !== undefined ? "gps" : "manual"),
                     occurred_at: at, device_time: at };
        if (v.lat !== undefined) { body.lat = v.lat; body.lon = v.lon; }
        return { path: "/api/v1/sites/" + encodeURIComponent(v.site) + "/check-ins", body: body };
      } },
    { id: "check_out", group: "duty", title: function () { return t("Check out"); },
      fields: [{ name: "site", type: "site", scan: true, required: true },
               { name: "person", type: "person", me: true, required: true }],
      build: function (v, at) {
        return { path: "/api/v1/sites/" + encodeURIComponent(v.site) + "/check-outs",
                 body: { personnel_id: v.person, occurred_at: at } };
      } },
    { id: "start_shift", group: "duty", title: function () { return t("Start a shift"); },
      fields: [{ name: "site", type: "site", required: true },
               { name: "commander", type: "person", me: true, required: true, label: function () { return t("Commander"); } },
               { name: "roster", type: "people", required: true, label: function () { return t("Roster"); } }],
      build: function (v, at, queue, ref) {
        return { path: "/api/v1/sites/" + encodeURIComponent(v.site) + "/shifts",
                 body: { unit_id: ref.unit.unit_id, commander_id: v.commander,
                         roster: withCommander(v.roster, v.commander), occurred_at: at } };
      } },
    { id: "handover", group: "duty", title: function () { return t("Hand over the shift"); },
      fields: [{ name: "site", type: "site", required: true },
               { name: "commander", type: "person", me: true, required: true, label: function () { return t("Incoming commander"); } },
               { name: "roster", type: "people", required: true, label: function () { return t("Incoming roster"); } },
               { name: "seals", type: "yesno", label: function () { return t("Seals intact?"); } },
               { name: "observations", type: "textarea", label: function () { return t("Observations"); } }],
      build: function (v, at, queue, ref) {
        var target = onDuty(v, queue, ref, "handover");
        target.body = { incoming_commander_id: v.commander, incoming_unit_id: ref.unit.unit_id,
                        incoming_roster: withCommander(v.roster, v.commander), occurred_at: at };
        if (v.seals === "yes" || v.seals === "no") { target.body.seals_intact = v.seals === "yes"; }
        if (v.observations) { target.body.observations = v.observations; }
        return target;
      } },
    { id: "end_shift", group: "duty", title: function () { return t("End the shift"); },
      fields: [{ name: "site", type: "site", required: true },
               { name: "notes", type: "textarea", label: function () { return t("Notes"); } }],
      build: function (v, at, queue, ref) {
        var target = onDuty(v, queue, ref, "end");
        target.body = { occurred_at: at };
        if (v.notes) { target.body.notes = v.notes; }
        return target;
      } },
    { id: "seals", group: "duty", title: function () { return t("Check seals"); },
      fields: [{ name: "site", type: "site", required: true },
               { name: "seal_numbers", type: "textarea", required: true, label: function () { return t("Seal numbers (one per line)"); } },
               { name: "status", type: "choice", context: "seal", options: ["intact", "broken"], required: true, label: function () { return t("Seals are"); } },
               { name: "notes", type: "textarea", label: function () { return t("Notes"); } }],
      build: function (v, at) {
        var body = { seal_numbers: list(v.seal_numbers), status: v.status, occurred_at: at };
        if (v.notes) { body.notes = v.notes; }
        return { path: "/api/v1/sites/" + encodeURIComponent(v.site) + "/seals", body: body };
      } },
    { id: "patrol_start", group: "patrol", title: function () { return t("Start a patrol"); },
      fields: [{ name: "patrol", type: "patrol", required: true }],
      build: function (v, at) {
        return { path: "/api/v1/patrols/" + encodeURIComponent(v.patrol) + "/start", body: { occurred_at: at } };
      } },
    { id: "patrol_visit", group: "patrol", title: function () { return t("Patrol visit"); },
      fields: [{ name: "patrol", type: "patrol", required: true },
               { name: "site", type: "site", scan: true, required: true },
               { name: "condition", type: "choice", context: "condition", options: ["aman", "waspada", "rawan"], required: true, label: function () { return t("Condition found"); } },
               { name: "people_met", type: "textarea", label: function () { return t("People met (one per line)"); } },
               { name: "notes", type: "textarea", label: function () { return t("What was said or briefed"); } }],
      build: function (v, at) {
        var body = { site_id: v.site, arrived_at: at, condition: v.condition };
        if (list(v.people_met).length) { body.people_met = list(v.people_met); }
        if (v.notes) { body.notes = v.notes; }
        return { path: "/api/v1/patrols/" + encodeURIComponent(v.patrol) + "/visits", body: body };
      } },
    { id: "patrol_end", group: "patrol", title: function () { return t("End a patrol"); },
      fields: [{ name: "patrol", type: "patrol", required: true },
               { name: "summary", type: "textarea", label: function () { return t("Summary"); } }],
      build: function (v, at) {
        var body = { occurred_at: at };
        if (v.summary) { body.summary = v.summary; }
        return { path: "/api/v1/patrols/" + encodeURIComponent(v.patrol) + "/end", body: body };
      } },
    { id: "incident", group: "report", title: function () { return t("Report an incident"); },
      fields: [{ name: "category", type: "choice", context: "category", options: ["provocation", "intimidation", "terrorism_threat", "riot", "suspicious_activity", "logistics_damage", "unauthorized_access", "fire", "protest", "neutrality_violation", "other"], required: true, label: function () { return t("What happened"); } },
               { name: "severity", type: "choice", options: ["1", "2", "3", "4"], required: true, label: function () { return t("Severity (1 light, 4 gravest)"); } },
               { name: "site", type: "site", required: true, label: function () { return t("Nearest site"); } },
               { name: "location", type: "text", label: function () { return t("Exact place, if not at the site"); } },
               { name: "description", type: "textarea", required: true, label: function () { return t("Description"); } }],
      build: function (v, at, queue, ref, me) {
        var body = { category: v.category, severity: parseInt(v.severity, 10),
                     description: v.description, occurred_at: at, reporter: person(ref, me) };
        body.site_id = v.site;
        if (v.location) { body.location = v.location; }
        return { path: "/api/v1/incidents", body: body };
      } },
    { id: "concern", group: "report", title: function () { return t("Report a neutrality concern"); },
      fields: [{ name: "unit", type: "unit", required: true, label: function () { return t("Unit reported"); } },
               { name: "place", type: "text", required: true, label: function () { return t("Place"); } },
               { name: "description", type: "textarea", required: true, label: function () { return t("What happened"); } },
               { name: "evidence", type: "textarea", label: function () { return t("Evidence (references, one per line)"); } }],
      build: function (v, at, queue, ref, me) {
        var body = { reported_unit_id: v.unit, place: v.place, description: v.description,
                     reporter: person(ref, me), occurred_at: at };
        if (list(v.evidence).length) { body.evidence_refs = list(v.evidence); }
        return { path: "/api/v1/neutrality/concerns", body: body };
      } }
  ];

  function action(id) { return ACTIONS.filter(function (a) { return a.id === id; })[0]; }

  // What a queue item is about, for its line in the list.
  function about(item, ref) {
    var v = item.values || {};
    var parts = [];
    if (v.site) { var s = site(ref, v.site); parts.push(s ? s.name : v.site); }
    if (v.patrol) { var p = patrol(ref, v.patrol); parts.push(p && p.name ? p.name : tp("patrol_kind", p ? p.kind : "routine")); }
    if (v.person && item.action.indexOf("check") === 0) { parts.push(person(ref, v.person)); }
    if (v.category) { parts.push(tp("category", v.category)); }
    return parts.join(" · ");
  }

  return { ACTIONS: ACTIONS, action: action, about: about, person: person, site: site,
           patrol: patrol, list: list };
}());
