// Agent console: htmx swaps a refusal (400) or a role refusal (403) into the page like an
// answer, so the service's message and rule appear where the form is, not nowhere.
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
