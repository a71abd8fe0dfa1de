/* The ledger import's progress bar: polls the job's status until it is done or failed. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("bar");
  function show(s) {
    // Checking fills the bar row by row; writing is one transaction (all or nothing), shown as striped.
    var writing = s.status === "importing";
    bar.className = "progress-bar jz-progress-" + (writing ? 100 : s.percent) +
      (s.status === "failed" ? " bg-danger" : s.status === "done" ? " bg-success" : "") +
      (writing ? " progress-bar-striped progress-bar-animated" : "");
    bar.textContent = writing ? "正在写入…" : s.percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", s.percent);
    document.getElementById("status").textContent = s.label;
    document.getElementById("rows").textContent = s.total ? s.done + "/" + s.total + " 行" : "";
    document.getElementById("message").textContent = s.message;
    var errors = document.getElementById("errors");
    if (s.errors_url) { errors.href = s.errors_url; errors.classList.remove("d-none"); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      show(s);
      if (s.status !== "done" && s.status !== "failed") { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
