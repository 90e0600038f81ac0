/* Import pages: poll the job's status, move the progress bar, reload when the job finishes;
   disable the apply button once sent (portal.js asks for the confirmation first).
   Plain JavaScript, no external files (works offline). */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) {
        return;
      }
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });

  var box = document.querySelector("[data-import-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-import-status-url");
  var track = box.querySelector(".progress");
  var bar = box.querySelector(".progress-bar");
  var label = box.querySelector("[data-import-label]");
  var percent = box.querySelector("[data-import-percent]");
  var message = box.querySelector("[data-import-message]");
  var failures = 0;

  function number(n) {
    return Number(n || 0).toLocaleString("en-US");
  }

  function render(job) {
    var width = job.status === "applying" ? 100 : job.progress;
    bar.style.width = width + "%";
    track.setAttribute("aria-valuenow", String(width));
    if (job.status === "applying") {
      label.textContent = "Applying the changes in one transaction…";
      percent.textContent = "";
    } else if (job.status === "queued") {
      label.textContent = "Waiting to start…";
      percent.textContent = "";
    } else {
      label.textContent = "Checking rows: " + number(job.processed_rows) + " of about " + number(job.total_rows);
      percent.textContent = job.progress + " %";
    }
    message.textContent = job.message + " You can leave this page: the import continues in the background.";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        render(job);
        if (job.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        message.textContent = "Cannot reach the server; retrying…";
        window.setTimeout(poll, Math.min(15000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 1000);
}());
