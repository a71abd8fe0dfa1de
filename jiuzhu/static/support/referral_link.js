/* The referral link page: copy the link (clipboard API, or the selection where the page is not a secure context). */
(function () {
  "use strict";
  var button = document.getElementById("copy-link");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var input = document.getElementById(button.getAttribute("data-target"));
    var done = function () { document.getElementById("copy-done").classList.remove("d-none"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { input.select(); document.execCommand("copy"); done(); });
    } else {
      input.select();
      document.execCommand("copy");
      done();
    }
  });
})();
