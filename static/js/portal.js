/* Portal behaviour without inline script (the Content-Security-Policy forbids `onclick=` and
   friends): event delegation on data- attributes, for every page.
   - data-confirm="Question?" on a form or a submit button: ask before sending.
   - data-autosubmit on a select: send its form when the choice changes.
   - data-copy-target="#id" on a button: copy that field's value (or text) to the clipboard.
   Plain JavaScript, no external files (works offline). */
(function () {
  "use strict";

  function refuse(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  // Capture phase: runs before a page's own submit handlers, which then see nothing if refused.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      refuse(event);
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      refuse(event);
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (!field || !field.form) {
      return;
    }
    if (field.form.requestSubmit) {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });

  function copied(button, text) {
    var label = button.querySelector("[data-copy-label]") || button;
    var before = label.textContent;
    label.textContent = text;
    window.setTimeout(function () { label.textContent = before; }, 2000);
  }

  function fallbackCopy(source) {
    if (source.select) {
      source.focus();
      source.select();
    }
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var source = document.querySelector(button.getAttribute("data-copy-target"));
    if (!source) {
      return;
    }
    var text = source.value !== undefined ? source.value : source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        copied(button, "Copied");
      }, function () {
        copied(button, fallbackCopy(source) ? "Copied" : "Select and copy the link");
      });
    } else {
      copied(button, fallbackCopy(source) ? "Copied" : "Select and copy the link");
    }
  });
}());
