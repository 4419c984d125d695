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
