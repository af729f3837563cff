// Filter a consultation's published comments by item, handling and commenter type.
// Progressive enhancement: without JavaScript the form stays hidden and every comment is shown.
(function () {
  "use strict";

  function setup(form) {
    var section = form.closest(".consultation-comments");
    var comments = Array.prototype.slice.call(section.querySelectorAll("li.comment"));
    var groups = Array.prototype.slice.call(section.querySelectorAll("section.comment-group"));
    var status = form.querySelector(".filter-status");
    var selects = {
      item: form.querySelector("select[name=item]"),
      disposition: form.querySelector("select[name=disposition]"),
      commenterType: form.querySelector("select[name=commenter_type]")
    };

    function matches(li, select, value) {
      return select.value === "*" || select.value === value;
    }

    function apply() {
      var shown = 0;
      comments.forEach(function (li) {
        var ok = matches(li, selects.item, li.dataset.item) &&
          matches(li, selects.disposition, li.dataset.disposition) &&
          matches(li, selects.commenterType, li.dataset.commenterType);
        li.hidden = !ok;
        if (ok) { shown += 1; }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("li.comment:not([hidden])");
      });
      var text = status.dataset.template
        .replace("{shown}", String(shown))
        .replace("{total}", String(comments.length));
      status.textContent = shown === 0 ? text + " " + status.dataset.none : text;
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    // A reset restores the selects after this event, so filter again once it has happened.
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form.comment-filter"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
