// Follows a WordPress import: polls its progress and, once it has finished,
// reloads the page, which then shows the report. Without JavaScript the page
// reloads itself (a <noscript> refresh) and has a Reload link.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !box.dataset.url) {
    return;
  }
  var status = document.getElementById("import-status");
  var message = document.getElementById("import-message");
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var labels = {queued: box.dataset.labelQueued, running: box.dataset.labelRunning};

  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          window.setTimeout(poll, 5000);
          return;
        }
        if (data.finished) {
          window.location.reload();
          return;
        }
        box.dataset.status = data.status;
        status.textContent = labels[data.status] || data.status;
        message.textContent = data.message;
        bar.max = data.total || 1;
        bar.value = data.done;
        count.textContent = data.total ? data.done + " / " + data.total : data.done;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 500);
})();
