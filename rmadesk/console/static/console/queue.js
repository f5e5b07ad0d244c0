// The queue: whole rows open their ticket, the checked rows drive the bulk bar, the table body
// refreshes itself every 30 s (htmx) keeping the checked and the focused rows, and the filter
// panel remembers whether it was left open (a cookie the page reads, so it opens without flicker).
(function () {
  var FILTERS_COOKIE = "rmadesk_queue_filters";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr.queue-row")); }
  function checked() { return Array.prototype.slice.call(document.querySelectorAll("#queue-rows input[name=ticket]:checked")); }

  function updatePicked() {
    var count = checked().length;
    var label = document.getElementById("queue-picked");
    var bar = document.getElementById("queue-bulk");
    if (label) label.textContent = count ? count + (count === 1 ? " ticket checked" : " tickets checked") : "";
    if (bar) bar.classList.toggle("has-picked", count > 0);
    rows().forEach(function (row) {
      var box = row.querySelector("input[name=ticket]");
      row.classList.toggle("is-picked", !!(box && box.checked));
    });
    var all = document.getElementById("queue-pick-all");
    if (all) all.checked = count > 0 && count === rows().length;
  }

  function syncQuery() {
    // The bulk bar and "save as a view" act on the filters now shown (changed through htmx).
    var query = window.location.search.replace(/^\?/, "").replace(/(^|&)page=\d+/, "");
    ["queue-bulk-back", "queue-save-query"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) input.value = query;
    });
  }

  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr.queue-row");
    if (!row || event.target.closest("a, input, button, label, select")) return;
    var href = row.getAttribute("data-href");
    if (!href) return;
    if (event.ctrlKey || event.metaKey) window.open(href, "_blank");
    else window.location.assign(href);
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "queue-pick-all") {
      document.querySelectorAll("#queue-rows input[name=ticket]").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.name === "ticket" || event.target.id === "queue-pick-all") updatePicked();
  });

  // Keep the checked rows and the focused row across a refresh of the table body.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "queue-rows") return;
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr.queue-row");
    var marked = document.querySelector("#queue-rows tr.queue-row.is-focused");
    kept = {
      checked: checked().map(function (box) { return box.value; }),
      focused: focused ? focused.getAttribute("data-number") : null,
      marked: marked ? marked.getAttribute("data-number") : null
    };
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "queue-rows" && kept) {
      kept.checked.forEach(function (number) {
        var box = document.getElementById("pick-" + number);
        if (box) box.checked = true;
      });
      var number = kept.focused || kept.marked;
      var row = number && document.querySelector('#queue-rows tr.queue-row[data-number="' + number + '"]');
      if (row) {
        row.classList.add("is-focused");
        if (kept.focused) row.querySelector("a.row-link").focus({ preventScroll: true });
      }
      kept = null;
    }
    updatePicked();
  });
  document.addEventListener("htmx:pushedIntoHistory", syncQuery);
  document.addEventListener("htmx:afterSettle", syncQuery);

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("queue-filter-panel");
    if (panel) {
      panel.addEventListener("toggle", function () {
        document.cookie = FILTERS_COOKIE + "=" + (panel.open ? "open" : "closed") + "; path=/console/; max-age=31536000; SameSite=Lax";
      });
    }
    if (window.location.hash === "#search") {
      if (panel) panel.open = true;
      var search = document.getElementById("queue-q");
      if (search) search.focus();
    }
    updatePicked();
  });
})();
