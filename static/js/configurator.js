// Live configurator of the product page: on every change, ask the server (POST JSON to the
// form's data-configure-url) which options are unavailable and why, what is still wrong, and
// the price waterfall; the server re-validates everything again when the form is submitted.
(function () {
  "use strict";

  const form = document.getElementById("configurator");
  if (!form) return;
  const url = form.dataset.configureUrl;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const quantity = form.querySelector("#quantity");
  const quantityError = form.querySelector("#quantity-error");
  const problemsBox = form.querySelector("#config-problems");
  const errorsBox = form.querySelector("#config-errors");
  const pricePanel = form.querySelector("#price-panel");
  const submit = form.querySelector("#add-to-cart");
  let timer = null;
  let latest = 0;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chosenOptions() {
    // checkboxes are named "options", each group of radio buttons "options.<group code>"
    return Array.from(new FormData(form))
      .filter(([name, code]) => (name === "options" || name.startsWith("options.")) && code !== "")
      .map(([, code]) => code);
  }

  function showAvailability(availability) {
    form.querySelectorAll("[data-option]").forEach((row) => {
      const state = availability[row.dataset.option];
      const input = row.querySelector("input");
      const reason = row.querySelector(".option-reason");
      const blocked = Boolean(state) && !state.available && !input.checked;
      input.disabled = blocked;
      row.classList.toggle("option-unavailable", blocked);
      reason.textContent = blocked ? "Unavailable: " + state.reasons.join("; ") : "";
    });
  }

  function fillList(list, items) {
    list.replaceChildren(...items.map((text) => el("li", {}, text)));
    list.hidden = items.length === 0;
  }

  function showProblems(problems, byGroup) {
    fillList(problemsBox.querySelector("ul"), problems);
    problemsBox.querySelector("ul").hidden = false;
    problemsBox.hidden = problems.length === 0;
    form.querySelectorAll("[data-group]").forEach((group) => {
      fillList(group.querySelector(".group-problems"), byGroup[group.dataset.group] || []);
    });
  }

  function showErrors(errors) {
    quantity.classList.toggle("is-invalid", Boolean(errors.quantity));
    quantityError.textContent = errors.quantity || "";
    const other = [errors.sku, errors.price].filter(Boolean);
    errorsBox.textContent = other.join(" ");
    errorsBox.hidden = other.length === 0;
  }

  function showPrice(price) {
    if (!price) {
      pricePanel.replaceChildren(el("p", { class: "text-body-secondary mb-0" },
        "Complete the configuration to see your price."));
      return;
    }
    const body = el("tbody");
    price.waterfall.forEach((step) => {
      const row = el("tr", { class: "waterfall-" + step.step + (step.step === "net" ? " fw-bold" : "") });
      row.append(el("td", {}, step.label), el("td", { class: "text-end text-nowrap" }, step.display));
      body.append(row);
    });
    const total = el("tr", { class: "waterfall-total" });
    total.append(el("td", {}, "Line total (" + price.quantity + " × " + price.unit_net_display + ")"),
      el("td", { class: "text-end text-nowrap fw-bold" }, price.line_total_display));
    body.append(total);
    const table = el("table", { class: "table table-sm mb-0 waterfall" });
    table.append(body);
    pricePanel.replaceChildren(table);
  }

  async function refresh() {
    const request = ++latest;
    let data;
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ quantity: quantity.value.trim(), options: chosenOptions() }),
      });
      data = await response.json();
      if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
    } catch (error) {
      if (request === latest) showErrors({ price: "The price could not be updated: " + error.message });
      return;
    }
    if (request !== latest) return; // an older answer arriving late
    showAvailability(data.availability);
    showProblems(data.problems, data.group_problems);
    showErrors(data.errors);
    showPrice(data.price);
    submit.disabled = !data.price;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }

  form.addEventListener("change", () => schedule(0));
  quantity.addEventListener("input", () => schedule(250));
  refresh();
})();
