// Staff pages: a form that changes something for good (a refund, a cancel, a retry) asks first,
// saying what will happen; the question is the form's data-confirm text.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// The live feed says when it is connected (and when it is not), for staff and for tests.
document.addEventListener("htmx:sseOpen", function (event) {
  event.target.setAttribute("data-live", "on");
});
document.addEventListener("htmx:sseError", function (event) {
  event.target.setAttribute("data-live", "off");
});
