// The console's entry forms: adding rows to a list, showing only the
// fields of an item's kind, and checking a wallet address as it is typed.
// Every form works without this script (one blank row of each list is
// always drawn); the script only saves a round trip.
(function () {
  "use strict";

  function addRow(list) {
    var tpl = document.getElementById(list.dataset.tpl);
    if (!tpl) { return; }
    var n = parseInt(list.dataset.next, 10) || 0;
    list.dataset.next = String(n + 1);
    var html = tpl.innerHTML.split("__L__").join(list.dataset.list).split("__N__").join(String(n));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var added = [];
    while (holder.firstChild) {
      if (holder.firstChild.nodeType === 1) { added.push(holder.firstChild); }
      list.appendChild(holder.firstChild);
    }
    added.forEach(setUp);
    var first = added.length && added[0].querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  // showKind shows the fields of the item's kind and disables the others,
  // so that a field hidden from view is not sent either.
  function showKind(item) {
    var sel = item.querySelector("select[data-kind]");
    if (!sel) { return; }
    item.querySelectorAll("[data-for-kind]").forEach(function (part) {
      var on = part.dataset.forKind === sel.value;
      part.hidden = !on;
      part.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = !on; });
    });
  }

  var timers = {};
  function checkAddress(input) {
    var out = document.getElementById(input.id + "-check");
    var base = input.name.replace(/\.address$/, "");
    var form = input.form;
    var chain = form.elements[base + ".chain"], network = form.elements[base + ".network"];
    var csrf = form.elements["csrf"];
    if (!out) { return; }
    if (input.value.trim() === "") { out.textContent = ""; return; }
    var body = new URLSearchParams();
    body.set("csrf", csrf ? csrf.value : "");
    body.set("chain", chain ? chain.value : "");
    body.set("network", network ? network.value : "");
    body.set("address", input.value);
    fetch("/validate-address", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf ? csrf.value : "" }
    }).then(function (r) { return r.json(); }).then(function (res) {
      out.classList.toggle("ok", !!res.valid);
      out.classList.toggle("bad", !res.valid);
      if (res.valid) {
        out.textContent = "Valid address (" + res.type + ")";
        input.removeAttribute("aria-invalid");
      } else {
        out.textContent = "Not accepted: " + (res.field && res.field !== "address" ? res.field + " " : "") + res.reason;
        input.setAttribute("aria-invalid", "true");
      }
    }).catch(function () { out.textContent = ""; });
  }

  // showCaseMode shows the new case's fields only when a new case is
  // chosen, and the list of cases only when an existing one is.
  function showCaseMode(form) {
    var mode = form.querySelector("input[name=case_mode]:checked");
    var fresh = form.querySelector(".new-case"), pick = form.elements["case_id"];
    if (!mode || !fresh || !pick) { return; }
    var isNew = mode.value === "new";
    fresh.hidden = !isNew;
    fresh.querySelectorAll("input").forEach(function (el) { el.disabled = !isNew; });
    pick.disabled = isNew;
  }

  function setUp(root) {
    if (root.matches && root.matches("[data-item]")) { showKind(root); }
    root.querySelectorAll("[data-item]").forEach(showKind);
    root.querySelectorAll("button[data-add]").forEach(function (b) { b.hidden = false; });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-add]");
    if (!b) { return; }
    var list = b.parentElement.querySelector('[data-list="' + b.dataset.add + '"]');
    if (list) { addRow(list); }
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("select[data-kind]")) { showKind(ev.target.closest("[data-item]")); }
    if (ev.target.matches("input[name=case_mode]")) { showCaseMode(ev.target.form); }
    if (ev.target.matches("select") && ev.target.name && /\.(chain|network)$/.test(ev.target.name)) {
      var addr = ev.target.form.elements[ev.target.name.replace(/\.(chain|network)$/, ".address")];
      if (addr) { checkAddress(addr); }
    }
  });
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (!el.matches("input[data-address]")) { return; }
    clearTimeout(timers[el.id]);
    timers[el.id] = setTimeout(function () { checkAddress(el); }, 300);
  });
  setUp(document);
  document.querySelectorAll("form.seizure").forEach(showCaseMode);
})();
