/* The catalogue's item table: filter by keyword, category and public nature, and sort by any column.
 * Progressive enhancement: the page ships the full table and a hidden form; this script reveals the
 * form and makes it work. Nothing here is needed to read the catalogue. */
(function () {
  "use strict";

  var table = document.getElementById("item-table");
  var form = document.getElementById("item-filter");
  if (!table || !form) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var status = document.getElementById("filter-status");
  var query = document.getElementById("filter-q");
  var category = document.getElementById("filter-category");
  var disclosure = document.getElementById("filter-disclosure");
  var lang = document.documentElement.lang || "zh-CN";

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function applyFilter() {
    var wanted = words(query.value);
    var cat = category.value;
    var dis = disclosure.value;
    var shown = 0;
    rows.forEach(function (row) {
      var haystack = row.getAttribute("data-search") || "";
      var match = (!cat || row.getAttribute("data-category") === cat) &&
        (!dis || row.getAttribute("data-disclosure") === dis) &&
        wanted.every(function (w) { return haystack.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var text = status.getAttribute("data-template")
      .replace("{shown}", String(shown))
      .replace("{total}", String(rows.length));
    if (shown === 0) { text += " " + status.getAttribute("data-none"); }
    status.textContent = text;
  }

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function sortBy(header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });
    var sorted = rows.slice().sort(function (a, b) {
      var order = collator.compare(cellText(a, index), cellText(b, index));
      if (order === 0) { order = collator.compare(cellText(a, 0), cellText(b, 0)); }
      return ascending ? order : -order;
    });
    sorted.forEach(function (row) { tbody.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    if (!th.hasAttribute("data-sort")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(th, index); });
  });
  var hint = table.querySelector(".sort-hint");
  if (hint) { hint.textContent = " " + table.getAttribute("data-sort-hint"); }

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { query.value = params.get("q"); }
  if (params.get("category")) { category.value = params.get("category"); }
  if (params.get("disclosure")) { disclosure.value = params.get("disclosure"); }

  form.addEventListener("input", applyFilter);
  form.addEventListener("change", applyFilter);
  form.addEventListener("submit", function (event) { event.preventDefault(); applyFilter(); });
  form.addEventListener("reset", function () { window.setTimeout(applyFilter, 0); });
  form.hidden = false;
  applyFilter();
}());
