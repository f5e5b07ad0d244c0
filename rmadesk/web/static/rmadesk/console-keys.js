// Keyboard shortcuts of the agent console (included by console/base.html).
//
//   ?        the list of the shortcuts this page has (a dialog; Escape closes it)
//   /        the page's search box (on a page without one: the queue's)
//   g q      go to the queue
//   j / k    the queue: next / previous row;  Enter or o opens it;  x checks it
//
// Any page adds its own: an element marked data-shortcut="r" (and data-shortcut-label="Reply")
// is activated by that key (a form field gets the focus, a button or link is clicked) and is
// listed in the ? dialog. Keys never fire while typing in a field; Escape leaves the field.
(function () {
  var script = document.currentScript;
  var QUEUE_URL = (script && script.getAttribute("data-queue-url")) || "/console/queue/";
  var pendingG = false;
  var pendingTimer = null;

  function isTyping(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (element.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"].indexOf(type) === -1;
  }

  function openDetailsAround(element) {
    for (var node = element.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) node.open = true;
    }
  }

  function activate(element) {
    if (isTyping(element)) {
      openDetailsAround(element);
      element.focus();
      if (element.select && element.tagName === "INPUT") element.select();
    } else {
      element.click();
    }
  }

  // ------------------------------------------------------------------ the queue's rows
  function queueRows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr.queue-row"));
  }
  function focusedRow() {
    var active = document.activeElement;
    var row = active && active.closest && active.closest("tr.queue-row");
    return row || document.querySelector("#queue-rows tr.queue-row.is-focused");
  }
  function focusRow(row) {
    queueRows().forEach(function (other) { other.classList.remove("is-focused"); });
    row.classList.add("is-focused");
    var link = row.querySelector("a.row-link");
    if (link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function moveRow(step) {
    var rows = queueRows();
    if (!rows.length) return;
    var index = rows.indexOf(focusedRow());
    var next = index === -1 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, index + step));
    focusRow(rows[next]);
  }
  function openRow() {
    var row = focusedRow();
    if (row) window.location.assign(row.getAttribute("data-href"));
  }
  function toggleRow() {
    var row = focusedRow();
    var box = row && row.querySelector("input[name=ticket]");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // ------------------------------------------------------------------ search and navigation
  function searchBox() {
    return document.querySelector("[data-search]") || document.getElementById("queue-q") ||
      document.querySelector("main input[type=search]");
  }
  function focusSearch() {
    var box = searchBox();
    if (box) activate(box);
    else window.location.assign(QUEUE_URL + "#search");
  }

  // ------------------------------------------------------------------ the list and the dialog
  function shortcuts() {
    var list = [
      { keys: "?", label: "Show this list of shortcuts" },
      { keys: "/", label: searchBox() ? "Search" : "Search the queue" },
      { keys: "g q", label: "Go to the queue" }
    ];
    if (queueRows().length) {
      list.push(
        { keys: "j", label: "Next ticket in the list" },
        { keys: "k", label: "Previous ticket in the list" },
        { keys: "Enter / o", label: "Open the highlighted ticket" },
        { keys: "x", label: "Check or uncheck the highlighted ticket" }
      );
    }
    document.querySelectorAll("[data-shortcut]").forEach(function (element) {
      list.push({
        keys: element.getAttribute("data-shortcut"),
        label: element.getAttribute("data-shortcut-label") || element.getAttribute("aria-label") || element.textContent.trim()
      });
    });
    list.push({ keys: "Esc", label: "Leave a text field (then the keys work again)" });
    return list;
  }

  function helpDialog() {
    var dialog = document.getElementById("shortcut-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "shortcut-help";
      dialog.setAttribute("aria-labelledby", "shortcut-help-title");
      document.body.appendChild(dialog);
    }
    var rows = shortcuts().map(function (item) {
      var keys = item.keys.split(" ").map(function (key) {
        return key === "/" && item.keys.indexOf("Enter") === 0 ? " or " : "<kbd>" + escapeHtml(key) + "</kbd>";
      }).join(" ");
      return "<tr><td>" + keys + "</td><td>" + escapeHtml(item.label) + "</td></tr>";
    }).join("");
    dialog.innerHTML =
      '<article><header><h2 id="shortcut-help-title">Keyboard shortcuts</h2></header>' +
      '<table class="shortcut-list"><thead><tr><th scope="col">Keys</th><th scope="col">What they do</th></tr></thead>' +
      "<tbody>" + rows + "</tbody></table>" +
      '<footer><form method="dialog"><button type="submit" class="small" autofocus>Close</button></form></footer></article>';
    return dialog;
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function showHelp() {
    var dialog = helpDialog();
    if (!dialog.open) dialog.showModal();
  }

  // ------------------------------------------------------------------ the keys
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (isTyping(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    var open = document.querySelector("dialog[open]");
    if (open) return; // a dialog has the keyboard (Escape closes it)
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      if (key === "q") { event.preventDefault(); window.location.assign(QUEUE_URL); }
      return;
    }
    var marked = null;
    document.querySelectorAll("[data-shortcut]").forEach(function (element) {
      if (!marked && element.getAttribute("data-shortcut") === key) marked = element;
    });
    if (marked) { event.preventDefault(); activate(marked); return; }
    switch (key) {
      case "?": event.preventDefault(); showHelp(); return;
      case "/": event.preventDefault(); focusSearch(); return;
      case "g":
        pendingG = true;
        pendingTimer = setTimeout(function () { pendingG = false; }, 1500);
        return;
    }
    if (!queueRows().length) return;
    switch (key) {
      case "j": event.preventDefault(); moveRow(1); return;
      case "k": event.preventDefault(); moveRow(-1); return;
      case "o": event.preventDefault(); openRow(); return;
      case "x": event.preventDefault(); toggleRow(); return;
      case "Enter":
        if (target.tagName === "A" || target.tagName === "BUTTON") return; // the link opens itself
        if (focusedRow()) { event.preventDefault(); openRow(); }
        return;
    }
  });
})();
