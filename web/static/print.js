// The documents' "Download PDF" button: the browser's print dialog, where
// the clerk chooses "Save as PDF" (docs/documents.md). A file, not an
// inline handler, so the console's Content-Security-Policy allows it.
document.addEventListener("DOMContentLoaded", function () {
  var b = document.getElementById("print-pdf");
  if (b) {
    b.addEventListener("click", function () { window.print(); });
  }
});
