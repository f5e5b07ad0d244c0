// Live countdowns: every <time data-countdown datetime="..."> shows "due in 3 h 12 min" or
// "overdue by 25 min", refreshed every 30 seconds and after each htmx swap. The words come in
// the page's language from the element (data-due-in, data-overdue-by, data-units), English
// where they are missing.
(function () {
  function span(ms, el) {
    var units = (el.getAttribute("data-units") || "d h min").split(" ");
    var minutes = Math.round(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), rest = minutes % 60;
    var parts = [];
    if (days) parts.push(days + " " + (units[0] || "d"));
    if (hours) parts.push(hours + " " + (units[1] || "h"));
    if (!days) parts.push(rest + " " + (units[2] || "min"));
    return parts.join(" ");
  }
  function words(el, name, fallback, left) {
    return (el.getAttribute(name) || fallback).replace("{}", left);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - now;
      el.textContent = left >= 0
        ? words(el, "data-due-in", "due in {}", span(left, el))
        : words(el, "data-overdue-by", "overdue by {}", span(left, el));
      el.classList.toggle("overdue", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
})();

// The header's menu on a phone: a [data-menu-toggle] button shows and hides the list it
// controls (aria-controls), says so in aria-expanded, and Escape closes it with the focus back
// on the button. The header gets "has-menu" only here, so without JavaScript the links show.
(function () {
  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    var header = button.closest("header");
    if (!menu || !header) return;
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }
    header.classList.add("has-menu");
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  });
})();
